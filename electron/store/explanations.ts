// The explanations table: one row per explanation of a take, its [steps][tokens] mask as a Float32
// blob, and its faithfulness figures once evaluated.
import { ExplanationSchema, FaithfulnessSchema, type Explanation, type Faithfulness } from '../common/api.js';
import type { Connection } from './connection.js';
import {
  explanationChecksum,
  explanationNotFound,
  maskToBlob,
  newId,
  parseArg,
  takeNotFound,
  toExplanation,
  type ExplanationRow,
} from './rows.js';
import { requireSession, touch } from './sessions.js';

/** What addExplanation needs: an explanation without the store-made fields. */
export type NewExplanation = Omit<Explanation, 'id' | 'createdAt'>;

const NewExplanationSchema = ExplanationSchema.omit({ id: true, createdAt: true });

/** Stores an explanation (its [steps][tokens] mask as a Float32 blob) and returns it as stored. */
export function addExplanation(c: Connection, e: NewExplanation): Explanation {
  return c.tx(() => {
    const ex = parseArg(NewExplanationSchema, e, 'explanation');
    const take = c.get(`SELECT session_id FROM takes WHERE id = ?`, ex.takeId) as { session_id: string } | undefined;
    if (take === undefined) throw takeNotFound(ex.takeId);
    const { blob, steps, cols } = maskToBlob(ex.mask, ex.tokens.length);
    const id = newId();
    const now = c.now();
    const checked = {
      method: ex.method,
      params: JSON.stringify(ex.params),
      tokens: JSON.stringify(ex.tokens),
      frame_rate: ex.frameRate,
      steps,
      token_count: cols,
      holistic: JSON.stringify(ex.holistic),
      mask: blob,
    };
    c.run(
      `INSERT INTO explanations (id, take_id, method, params, tokens, frame_rate, steps, token_count, mask, holistic, metrics, elapsed_ms, created_at, checksum)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      id,
      ex.takeId,
      checked.method,
      checked.params,
      checked.tokens,
      checked.frame_rate,
      steps,
      cols,
      blob,
      checked.holistic,
      ex.metrics === null ? null : JSON.stringify(ex.metrics),
      ex.elapsedMs,
      now,
      explanationChecksum(checked),
    );
    touch(c, take.session_id, now);
    return explanationOrThrow(c, id);
  });
}

/** One explanation; not_found when it does not exist. */
export function getExplanation(c: Connection, id: string): Explanation {
  return c.guard(() => explanationOrThrow(c, id));
}

/** Every explanation of a session's takes, oldest first. */
export function listExplanations(c: Connection, sessionId: string): Explanation[] {
  return c.guard(() => {
    requireSession(c, sessionId);
    const rows = c.all(
      `SELECT e.* FROM explanations e JOIN takes t ON t.id = e.take_id WHERE t.session_id = ? ORDER BY e.created_at, e.rowid`,
      sessionId,
    ) as ExplanationRow[];
    return rows.map(toExplanation);
  });
}

/** Records an explanation's faithfulness figures (replacing earlier ones) and returns it. */
export function setExplanationMetrics(c: Connection, id: string, m: Faithfulness): Explanation {
  return c.tx(() => {
    const metrics = parseArg(FaithfulnessSchema, m, 'faithfulness metrics');
    const row = c.get(`SELECT t.session_id FROM explanations e JOIN takes t ON t.id = e.take_id WHERE e.id = ?`, id) as
      { session_id: string } | undefined;
    if (row === undefined) throw explanationNotFound(id);
    const now = c.now();
    c.run(`UPDATE explanations SET metrics = ? WHERE id = ?`, JSON.stringify(metrics), id);
    touch(c, row.session_id, now);
    return explanationOrThrow(c, id);
  });
}

/** The explanation, or not_found (inside a caller's guard or transaction). */
export function explanationOrThrow(c: Connection, id: string): Explanation {
  const row = c.get(`SELECT * FROM explanations WHERE id = ?`, id) as ExplanationRow | undefined;
  if (row === undefined) throw explanationNotFound(id);
  return toExplanation(row);
}
