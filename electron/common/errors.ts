/** Machine-readable error codes shared by the engine, the CLI and (later) the StudioApi. */
export type ErrorCode =
  | 'bad_prompt'
  | 'bad_argument'
  | 'bad_audio'
  | 'bad_model'
  | 'model_not_found'
  | 'checksum_mismatch'
  | 'model_mismatch'
  | 'cancelled'
  /** The job queue is full (MAX_WAITING in electron/studio/jobs.ts): try again once some jobs end. */
  | 'busy'
  | 'io_error'
  | 'not_found'
  | 'store_corrupt'
  /** A take or explanation no longer matches the checksum stored with it (electron/store/integrity.ts). */
  | 'damaged'
  | 'unauthorized'
  | 'bad_request'
  | 'internal';

/** Errors as data, so they cross process and worker boundaries intact. */
export interface ErrorData {
  /** What kind of failure this is. */
  code: ErrorCode;
  /** One line a person can act on. */
  message: string;
  /** Whether this follows from the user's input (true) or is a bug (false). */
  expected: boolean;
}

/** The one error class the engine throws for anything a user can cause. */
export class AgxError extends Error {
  /** The error's kind. */
  readonly code: ErrorCode;
  /** True when the user's input caused it. */
  readonly expected: boolean;

  constructor(code: ErrorCode, message: string, expected = true) {
    super(message);
    this.name = 'AgxError';
    this.code = code;
    this.expected = expected;
  }

  /** Plain data for transport. */
  toData(): ErrorData {
    return { code: this.code, message: this.message, expected: this.expected };
  }
}

/** Any thrown value as ErrorData: AgxErrors keep their code, anything else is an internal error. */
export function toErrorData(err: unknown): ErrorData {
  if (err instanceof AgxError) return err.toData();
  if (err instanceof Error && (err as { code?: unknown }).code === 'bad_audio') {
    return { code: 'bad_audio', message: err.message, expected: true };
  }
  if (err instanceof Error && err.name === 'AbortError') {
    return { code: 'cancelled', message: 'cancelled', expected: true };
  }
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: `internal error: ${message}`, expected: false };
}

/** The agx exit code for an error: 2 for a bad command line (an argument or the prompt given there), 1 for anything else. */
export function exitCodeOf(code: ErrorCode): 1 | 2 {
  return code === 'bad_argument' || code === 'bad_prompt' ? 2 : 1;
}

/** Throws the standard cancellation error when the signal has fired. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AgxError('cancelled', 'cancelled');
}
