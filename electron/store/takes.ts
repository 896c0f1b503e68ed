// The takes table: a take's metadata, its codes and its audio (bit-exact Int32 / Float32 blobs).
import { TakeSchema, type Take } from '../common/api.js';
import { AgxError } from '../common/errors.js';
import type { Connection } from './connection.js';
import { DamageFound, fromBlob, newId, parseArg, TAKE_COLUMNS, takeChecksum, takeNotFound, toBlob, toTake, type TakeRow } from './rows.js';
import { requireSession, touch } from './sessions.js';

/** What addTake needs: a take's metadata without the store-made fields, plus its codes and audio. */
export type NewTake = Omit<Take, 'id' | 'number' | 'createdAt' | 'provider'> & {
  /** Where it was computed (absent: not known). */
  provider?: string | null;
  codes: Int32Array;
  audio: Float32Array;
};

const NewTakeMetaSchema = TakeSchema.omit({ id: true, number: true, createdAt: true }).partial({ provider: true });

/** Stores a new take as the next number in its session (codes and audio bit-exact) and returns it. */
export function addTake(c: Connection, t: NewTake): Take {
  return c.tx(() => {
    const meta = parseArg(NewTakeMetaSchema, t, 'take');
    if (!(t.codes instanceof Int32Array)) throw new AgxError('bad_argument', 'a take needs its codes as an Int32Array');
    if (!(t.audio instanceof Float32Array)) throw new AgxError('bad_argument', 'a take needs its audio as a Float32Array');
    requireSession(c, meta.sessionId);
    if (meta.parentTakeId !== null) {
      const parent = c.get(`SELECT session_id FROM takes WHERE id = ?`, meta.parentTakeId) as { session_id: string } | undefined;
      if (parent === undefined) throw new AgxError('not_found', `the parent take ${meta.parentTakeId} does not exist; reload the session`);
      if (parent.session_id !== meta.sessionId)
        throw new AgxError('bad_argument', `the parent take ${meta.parentTakeId} belongs to another session`);
    }
    const { next } = c.get(`SELECT COALESCE(MAX(number), 0) + 1 AS next FROM takes WHERE session_id = ?`, meta.sessionId) as {
      next: number;
    };
    const id = newId();
    const now = c.now();
    const codes = toBlob(t.codes);
    const audio = toBlob(t.audio);
    c.run(
      `INSERT INTO takes (id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling,
         kept_before_sec, model_id, model_sha256, provider, duration_sec, sample_rate, frames, checksum, codes, audio, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      meta.sessionId,
      next,
      meta.parentTakeId,
      meta.source,
      meta.prompt,
      JSON.stringify(meta.tokens),
      JSON.stringify(meta.weights),
      meta.seed,
      JSON.stringify(meta.sampling),
      meta.keptBeforeSec,
      meta.modelId,
      meta.modelSha256,
      meta.provider ?? null,
      meta.durationSec,
      meta.sampleRate,
      meta.frames,
      takeChecksum(codes, audio),
      codes,
      audio,
      now,
    );
    touch(c, meta.sessionId, now);
    return takeOrThrow(c, id);
  });
}

/** One take's metadata; not_found when it does not exist. */
export function getTake(c: Connection, id: string): Take {
  return c.guard(() => takeOrThrow(c, id));
}

/** One take's codes (Int32) and audio (Float32), exactly as stored; DamageFound when they no longer match their checksum. */
export function getTakeData(c: Connection, id: string): { codes: Int32Array; audio: Float32Array } {
  return c.guard(() => {
    const row = c.get(`SELECT checksum, codes, audio FROM takes WHERE id = ?`, id) as
      { checksum: string; codes: Buffer; audio: Buffer } | undefined;
    if (row === undefined) throw takeNotFound(id);
    if (takeChecksum(row.codes, row.audio) !== row.checksum) throw new DamageFound('takes', id);
    return { codes: fromBlob(row.codes, Int32Array, `take ${id} codes`), audio: fromBlob(row.audio, Float32Array, `take ${id} audio`) };
  });
}

/** A session's takes by number. */
export function listTakes(c: Connection, sessionId: string): Take[] {
  return c.guard(() => {
    requireSession(c, sessionId);
    return (c.all(`SELECT ${TAKE_COLUMNS} FROM takes WHERE session_id = ? ORDER BY number`, sessionId) as TakeRow[]).map(toTake);
  });
}

/** The take's metadata, or not_found (inside a caller's guard or transaction). */
export function takeOrThrow(c: Connection, id: string): Take {
  const row = c.get(`SELECT ${TAKE_COLUMNS} FROM takes WHERE id = ?`, id) as TakeRow | undefined;
  if (row === undefined) throw takeNotFound(id);
  return toTake(row);
}
