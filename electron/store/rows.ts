// Rows as SQLite holds them and the values the studio sees: the row types, the column lists that
// keep listings off the blobs, the mappers between them, typed arrays as little-endian blobs, and
// the errors every table module throws the same way.
import { createHash, randomUUID } from 'node:crypto';
import os from 'node:os';
import type { z } from 'zod';
import type { Explanation, SessionSummary, Take } from '../common/api.js';
import { AgxError } from '../common/errors.js';

/** A new row id: 32 hex digits (a v4 UUID without dashes), inside IdSchema's charset. */
export function newId(): string {
  return randomUUID().replace(/-/g, '');
}

const LITTLE_ENDIAN = os.endianness() === 'LE';

/** A sessions row with its take count (SESSION_SELECT). */
export interface SessionRow {
  id: string;
  name: string;
  name_is_auto: number;
  created_at: string;
  updated_at: string;
  opened_at: string;
  take_count: number;
}
/** A takes row without its blobs (TAKE_COLUMNS). */
export interface TakeRow {
  id: string;
  session_id: string;
  number: number;
  parent_take_id: string | null;
  source: Take['source'];
  prompt: string;
  tokens: string;
  weights: string;
  seed: number;
  sampling: string;
  kept_before_sec: number | null;
  model_id: string;
  model_sha256: string;
  provider: string | null;
  duration_sec: number;
  sample_rate: number;
  frames: number;
  created_at: string;
}
/** An explanations row. */
export interface ExplanationRow {
  id: string;
  take_id: string;
  method: string;
  params: string;
  tokens: string;
  frame_rate: number;
  steps: number;
  token_count: number;
  mask: Buffer;
  holistic: string;
  metrics: string | null;
  elapsed_ms: number;
  created_at: string;
  checksum: string;
}
/** An undo_steps row. */
export interface StepRow {
  id: number;
  label: string;
  state: string;
}

/** Sessions with their take counts; add WHERE / ORDER BY. */
export const SESSION_SELECT = `SELECT s.*, (SELECT COUNT(*) FROM takes t WHERE t.session_id = s.id) AS take_count FROM sessions s`;
// Every take column except the two blobs, so listing takes never reads megabytes of audio.
export const TAKE_COLUMNS = `id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling,
  kept_before_sec, model_id, model_sha256, provider, duration_sec, sample_rate, frames, created_at`;

/**
 * The checksum stored with a row: sha256 (hex) over each part as its byte length (8 bytes, little-endian)
 * followed by its bytes; numbers as their shortest decimal text. The format is part of the schema
 * (migration 2 fills it in for older rows), so it never changes.
 */
export function checksum(...parts: (Buffer | string | number)[]): string {
  const h = createHash('sha256');
  const len = Buffer.alloc(8);
  for (const p of parts) {
    const bytes = Buffer.isBuffer(p) ? p : Buffer.from(String(p), 'utf8');
    len.writeBigUInt64LE(BigInt(bytes.length));
    h.update(len).update(bytes);
  }
  return h.digest('hex');
}

/** A take's checksum: its codes and audio blobs. */
export function takeChecksum(codes: Buffer, audio: Buffer): string {
  return checksum(codes, audio);
}

/** The columns an explanation's checksum covers: everything but its metrics, which are set later. */
export const EXPLANATION_CHECKED = ['method', 'params', 'tokens', 'frame_rate', 'steps', 'token_count', 'holistic', 'mask'] as const;

/** An explanation's checksum over EXPLANATION_CHECKED, from the values as stored. */
export function explanationChecksum(r: Pick<ExplanationRow, (typeof EXPLANATION_CHECKED)[number]>): string {
  return checksum(...EXPLANATION_CHECKED.map((k) => r[k]));
}

/**
 * A row whose content no longer matches its checksum. Table modules throw it; the Store turns it into
 * the user's `damaged` error, which names the take and the backups that still hold it intact.
 */
export class DamageFound extends Error {
  constructor(
    readonly table: 'takes' | 'explanations',
    readonly id: string,
  ) {
    super(`${table} row ${id} does not match its checksum`);
  }
}

/** A sessions row as the studio's SessionSummary. */
export function toSummary(r: SessionRow): SessionSummary {
  return {
    id: r.id,
    name: r.name,
    nameIsAuto: r.name_is_auto === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    openedAt: r.opened_at,
    takeCount: r.take_count,
  };
}

/** A takes row as the studio's Take. */
export function toTake(r: TakeRow): Take {
  return {
    id: r.id,
    sessionId: r.session_id,
    number: r.number,
    parentTakeId: r.parent_take_id,
    source: r.source,
    prompt: r.prompt,
    tokens: JSON.parse(r.tokens),
    weights: JSON.parse(r.weights),
    seed: r.seed,
    sampling: JSON.parse(r.sampling),
    keptBeforeSec: r.kept_before_sec,
    modelId: r.model_id,
    modelSha256: r.model_sha256,
    provider: r.provider,
    durationSec: r.duration_sec,
    sampleRate: r.sample_rate,
    frames: r.frames,
    createdAt: r.created_at,
  };
}

/** An explanations row as the studio's Explanation ([steps][tokens] mask from its blob). */
export function toExplanation(r: ExplanationRow): Explanation {
  if (explanationChecksum(r) !== r.checksum) throw new DamageFound('explanations', r.id);
  const flat = fromBlob(r.mask, Float32Array, `explanation ${r.id} mask`);
  if (flat.length !== r.steps * r.token_count) {
    throw new AgxError(
      'store_corrupt',
      `the mask of explanation ${r.id} has ${flat.length} values, not ${r.steps} x ${r.token_count}; restore a backup`,
    );
  }
  const mask: number[][] = [];
  for (let s = 0; s < r.steps; s++) mask.push(Array.from(flat.subarray(s * r.token_count, (s + 1) * r.token_count)));
  return {
    id: r.id,
    takeId: r.take_id,
    method: r.method,
    params: JSON.parse(r.params),
    tokens: JSON.parse(r.tokens),
    frameRate: r.frame_rate,
    mask,
    holistic: JSON.parse(r.holistic),
    metrics: r.metrics === null ? null : JSON.parse(r.metrics),
    elapsedMs: r.elapsed_ms,
    createdAt: r.created_at,
  };
}

/** A typed array's values as little-endian bytes (the stored format on every platform). */
export function toBlob(a: Int32Array | Float32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.allocUnsafe(a.length * 4);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Int32Array) out.writeInt32LE(a[i]!, i * 4);
    else out.writeFloatLE(a[i]!, i * 4);
  }
  return out;
}

/** Little-endian bytes back into a fresh, aligned typed array. */
export function fromBlob<T extends Int32Array | Float32Array>(buf: Buffer, Ctor: { new (length: number): T }, what: string): T {
  if (buf.length % 4 !== 0)
    throw new AgxError('store_corrupt', `${what} is ${buf.length} bytes, not a whole number of 4-byte values; restore a backup`);
  const out = new Ctor(buf.length / 4);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(buf);
  } else {
    for (let i = 0; i < out.length; i++) out[i] = out instanceof Int32Array ? buf.readInt32LE(i * 4) : buf.readFloatLE(i * 4);
  }
  return out;
}

/** A [steps][tokens] mask as one Float32 blob, with its shape; ragged rows are refused. */
export function maskToBlob(mask: number[][], tokenCount: number): { blob: Buffer; steps: number; cols: number } {
  const steps = mask.length;
  const cols = steps === 0 ? tokenCount : mask[0]!.length;
  const flat = new Float32Array(steps * cols);
  mask.forEach((row, s) => {
    if (row.length !== cols)
      throw new AgxError('bad_argument', `mask row ${s} has ${row.length} values but row 0 has ${cols}; a mask is [steps][tokens]`);
    flat.set(row, s * cols);
  });
  return { blob: toBlob(flat), steps, cols };
}

/** A value checked against a schema; the first problem becomes bad_argument. */
export function parseArg<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new AgxError('bad_argument', `invalid ${what}: ${where}${issue?.message ?? 'rejected'}`);
  }
  return r.data;
}

/** JSON.parse, with undefined for text that is not JSON. */
export function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** not_found for a session id. */
export function sessionNotFound(id: string): AgxError {
  return new AgxError('not_found', `session ${id} does not exist (it may have been deleted); reload the sessions list`);
}
/** not_found for a take id. */
export function takeNotFound(id: string): AgxError {
  return new AgxError('not_found', `take ${id} does not exist (its session may have been deleted); reload the session`);
}
/** not_found for an explanation id. */
export function explanationNotFound(id: string): AgxError {
  return new AgxError('not_found', `explanation ${id} does not exist (its session may have been deleted); reload the session`);
}
