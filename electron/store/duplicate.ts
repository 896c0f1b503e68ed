// Copying a session: a concern of every table at once (sessions, takes, explanations, timeline), so
// it lives beside them rather than in any one of them.
import type { SessionSummary, TimelineState } from '../common/api.js';
import type { Connection } from './connection.js';
import { newId } from './rows.js';
import { cleanName, MAX_NAME_CHARS, sessionOrThrow } from './sessions.js';
import { currentState, parseState } from './timeline.js';

/**
 * Copies a session: takes (new ids, parents remapped), explanations (remapped to the new takes) and the
 * current timeline with every take and explanation id in it remapped. Undo history is not copied.
 */
export function duplicateSession(c: Connection, id: string, name?: string): SessionSummary {
  return c.tx(() => {
    const source = sessionOrThrow(c, id);
    const finalName = name !== undefined && name.trim() !== '' ? cleanName(name) : copyName(source.name);
    const newSession = newId();
    const now = c.now();
    c.run(
      `INSERT INTO sessions (id, name, name_is_auto, created_at, updated_at, opened_at) VALUES (?, ?, 0, ?, ?, ?)`,
      newSession,
      finalName,
      now,
      now,
      now,
    );

    const takeMap = new Map<string, string>();
    const takes = c.all(`SELECT id, parent_take_id FROM takes WHERE session_id = ? ORDER BY number`, id) as {
      id: string;
      parent_take_id: string | null;
    }[];
    for (const t of takes) {
      const copy = newId();
      takeMap.set(t.id, copy);
      // Copied inside SQLite, so the audio blobs never pass through JavaScript; the checksum goes with
      // them, so a damaged take stays detectable in the copy. Parents are linked in
      // a second pass because a parent is not guaranteed to have the lower number.
      c.run(
        `INSERT INTO takes (id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling,
           kept_before_sec, model_id, model_sha256, provider, duration_sec, sample_rate, frames, checksum, codes, audio, created_at)
         SELECT ?, ?, number, NULL, source, prompt, tokens, weights, seed, sampling,
           kept_before_sec, model_id, model_sha256, provider, duration_sec, sample_rate, frames, checksum, codes, audio, created_at
         FROM takes WHERE id = ?`,
        copy,
        newSession,
        t.id,
      );
    }
    for (const t of takes) {
      const parent = t.parent_take_id === null ? undefined : takeMap.get(t.parent_take_id);
      if (parent !== undefined) c.run(`UPDATE takes SET parent_take_id = ? WHERE id = ?`, parent, takeMap.get(t.id)!);
    }

    const explanationMap = new Map<string, string>();
    const explanations = c.all(
      `SELECT e.id, e.take_id FROM explanations e JOIN takes t ON t.id = e.take_id WHERE t.session_id = ? ORDER BY e.created_at, e.rowid`,
      id,
    ) as { id: string; take_id: string }[];
    for (const e of explanations) {
      const copy = newId();
      explanationMap.set(e.id, copy);
      c.run(
        `INSERT INTO explanations (id, take_id, method, params, tokens, frame_rate, steps, token_count, mask, holistic, metrics, elapsed_ms, created_at, checksum)
         SELECT ?, ?, method, params, tokens, frame_rate, steps, token_count, mask, holistic, metrics, elapsed_ms, created_at, checksum
         FROM explanations WHERE id = ?`,
        copy,
        takeMap.get(e.take_id)!,
        e.id,
      );
    }

    const timeline = currentState(c, id);
    if (timeline !== null) {
      const remapped = remapTimeline(parseState(c, timeline, id), takeMap, explanationMap);
      c.run(`INSERT INTO timeline (session_id, state, updated_at) VALUES (?, ?, ?)`, newSession, JSON.stringify(remapped), now);
    }
    return sessionOrThrow(c, newSession);
  });
}

function remapTimeline(state: TimelineState, takes: Map<string, string>, explanations: Map<string, string>): TimelineState {
  // Ids that do not belong to the copied session are dropped rather than left pointing elsewhere.
  const take = (id: string | null): string | null => (id === null ? null : (takes.get(id) ?? null));
  const shownExplanation: Record<string, string> = {};
  for (const [t, e] of Object.entries(state.shownExplanation)) {
    const nt = takes.get(t);
    const ne = explanations.get(e);
    if (nt !== undefined && ne !== undefined) shownExplanation[nt] = ne;
  }
  const draftWeights: TimelineState['draftWeights'] = {};
  for (const [t, w] of Object.entries(state.draftWeights)) {
    const nt = takes.get(t);
    if (nt !== undefined) draftWeights[nt] = w;
  }
  return {
    ...state,
    selectedTakeId: take(state.selectedTakeId),
    soloTakeId: take(state.soloTakeId),
    shownExplanation,
    draftWeights,
    hiddenTakeIds: state.hiddenTakeIds.flatMap((id) => (takes.has(id) ? [takes.get(id)!] : [])),
  };
}

function copyName(name: string): string {
  const suffix = ' (copy)';
  return name.length + suffix.length <= MAX_NAME_CHARS ? name + suffix : name.slice(0, MAX_NAME_CHARS - suffix.length) + suffix;
}
