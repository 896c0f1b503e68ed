// The wire format shared by every transport (WebSocket frames, Electron IPC), and the one place where
// an incoming call is checked against the contract before the service sees it.
import { z } from 'zod';
import { CALL_NAMES, CALLS, type CallName, type StudioApi, type StudioEvent, type StudioHandlers } from './api.js';
import { AgxError, type ErrorData, toErrorData } from './errors.js';

/** Largest request frame a transport accepts, in bytes (an import of MAX_IMPORT_BYTES fits). */
export const MAX_FRAME_BYTES = 300 * 1024 * 1024;

/** A call from a client. */
export const RequestFrameSchema = z.object({
  /** Chosen by the client; echoed in the response. */
  id: z.union([z.number().int().min(0).max(Number.MAX_SAFE_INTEGER), z.string().max(64)]),
  method: z.string().max(64),
  params: z.unknown().optional(),
});
export type RequestFrame = z.infer<typeof RequestFrameSchema>;

/** The answer to one request. */
export type ResponseFrame =
  { id: RequestFrame['id'] | null; ok: true; result: unknown } | { id: RequestFrame['id'] | null; ok: false; error: ErrorData };

/** A pushed event. */
export interface EventFrame {
  event: StudioEvent;
}

/** Turns a zod failure into one line naming the field. */
export function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (issue === undefined) return 'invalid value';
  if (issue.code === 'unrecognized_keys') return `unknown field ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  const path = issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
  return `${path}${issue.message}`;
}

/** Validates a call's params against the contract; throws bad_request naming the field. */
export function parseParams<K extends CallName>(method: K, params: unknown): z.output<(typeof CALLS)[K]['params']> {
  const parsed = CALLS[method].params.safeParse(params ?? {});
  if (!parsed.success) throw new AgxError('bad_request', `${method}: ${describeIssue(parsed.error)}`);
  return parsed.data as z.output<(typeof CALLS)[K]['params']>;
}

/** Checks a method name; an unknown one lists the valid ones. */
export function checkMethod(method: string): asserts method is CallName {
  if (!Object.hasOwn(CALLS, method))
    throw new AgxError('bad_request', `unknown method "${method.slice(0, 64)}"; methods: ${CALL_NAMES.join(', ')}`);
}

/**
 * Handles one raw request (already JSON-parsed): validates envelope and params, runs the handler, and
 * returns the response frame. Never throws: every failure is an error frame.
 */
export async function dispatch(handlers: StudioHandlers, raw: unknown): Promise<ResponseFrame> {
  const envelope = RequestFrameSchema.safeParse(raw);
  const id = envelope.success ? envelope.data.id : null;
  try {
    if (!envelope.success) throw new AgxError('bad_request', `malformed request: ${describeIssue(envelope.error)}`);
    const { method, params } = envelope.data;
    checkMethod(method);
    const parsed = parseParams(method, params);
    const handler = handlers[method] as (p: unknown) => unknown;
    return { id, ok: true, result: await handler.call(handlers, parsed) };
  } catch (err) {
    return { id, ok: false, error: toErrorData(err) };
  }
}

/** Parses a text frame as JSON; junk becomes a bad_request error frame. */
export function parseFrame(text: string): { ok: true; value: unknown } | { ok: false; response: ResponseFrame } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return {
      ok: false,
      response: { id: null, ok: false, error: { code: 'bad_request', message: 'malformed request: not JSON', expected: true } },
    };
  }
}

/** The error a client throws for an error frame: keeps code and expected. */
export class StudioCallError extends Error {
  readonly code: string;
  readonly expected: boolean;
  constructor(data: ErrorData) {
    super(data.message);
    this.name = 'StudioCallError';
    this.code = data.code;
    this.expected = data.expected;
  }
}

/** Builds the typed StudioApi over any transport's `send(method, params)`. */
export function makeApi(send: (method: CallName, params: unknown) => Promise<unknown>): StudioApi {
  const api: Partial<Record<CallName, (params: unknown) => Promise<unknown>>> = {};
  for (const name of CALL_NAMES) api[name] = (params: unknown) => send(name, params ?? {});
  return api as StudioApi;
}
