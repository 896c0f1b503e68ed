// A session's timeline: one JSON document (the schema's TimelineState) and its undo / redo stacks of
// whole-state snapshots.
import { TimelineStateSchema, type TimelineState } from '../common/api.js';
import { AgxError } from '../common/errors.js';
import type { Connection } from './connection.js';
import { parseArg, safeJson, type StepRow } from './rows.js';
import { requireSession, touch } from './sessions.js';

/** Undo steps kept per session; the oldest are dropped beyond it. */
export const UNDO_CAP = 500;
/**
 * Timeline fields that are the view, not an edit: undo and redo keep the current values of these, so
 * stepping back a marker edit does not also jump the zoom, scroll or playhead.
 */
export const VIEW_FIELDS = ['pxPerSec', 'scrollSec', 'playheadSec', 'showSpectrogram', 'sessionsCollapsed'] as const;

/** Whether a session's timeline has a step to undo / redo. */
export interface UndoStatus {
  /** An undo step exists. */
  canUndo: boolean;
  /** A redo step exists. */
  canRedo: boolean;
}

/** A session's timeline state (the schema's defaults when nothing was saved yet). */
export function getTimeline(c: Connection, sessionId: string): TimelineState {
  return c.guard(() => {
    requireSession(c, sessionId);
    const json = currentState(c, sessionId);
    return json === null ? TimelineStateSchema.parse({}) : parseState(c, json, sessionId);
  });
}

/**
 * Saves a session's timeline. Without undoLabel it only replaces the current state (autosave of view
 * changes; the redo stack survives). With a label the previous state becomes one undo step and the
 * redo stack is cleared; a labelled save that changes nothing adds no step.
 */
export function saveTimeline(c: Connection, sessionId: string, state: TimelineState, undoLabel?: string): UndoStatus {
  return c.tx(() => {
    const json = JSON.stringify(parseArg(TimelineStateSchema, state, 'timeline state'));
    requireSession(c, sessionId);
    const now = c.now();
    const previous = currentState(c, sessionId);
    if (undoLabel !== undefined) {
      const before = previous ?? JSON.stringify(TimelineStateSchema.parse({}));
      if (before !== json) {
        pushStep(c, sessionId, 'undo', undoLabel, before);
        c.run(`DELETE FROM undo_steps WHERE session_id = ? AND stack = 'redo'`, sessionId);
        touch(c, sessionId, now);
      }
    }
    if (previous !== json) putState(c, sessionId, json, now);
    return status(c, sessionId);
  }, undoLabel !== undefined);
}

/** Steps back one labelled save: returns the restored state (view fields kept), or null when there is none. */
export function undo(c: Connection, sessionId: string): TimelineState | null {
  return c.tx(() => step(c, sessionId, 'undo', 'redo'));
}

/** Steps forward again after undo: returns the restored state (view fields kept), or null when there is none. */
export function redo(c: Connection, sessionId: string): TimelineState | null {
  return c.tx(() => step(c, sessionId, 'redo', 'undo'));
}

/** Whether undo / redo have a step for this session. */
export function undoStatus(c: Connection, sessionId: string): UndoStatus {
  return c.guard(() => {
    requireSession(c, sessionId);
    return status(c, sessionId);
  });
}

function step(c: Connection, sessionId: string, from: 'undo' | 'redo', to: 'undo' | 'redo'): TimelineState | null {
  requireSession(c, sessionId);
  const top = c.get(
    `SELECT id, label, state FROM undo_steps WHERE session_id = ? AND stack = ? ORDER BY id DESC LIMIT 1`,
    sessionId,
    from,
  ) as StepRow | undefined;
  if (top === undefined) return null;
  const currentJson = currentState(c, sessionId) ?? JSON.stringify(TimelineStateSchema.parse({}));
  const current = parseState(c, currentJson, sessionId);
  const restored = parseState(c, top.state, sessionId);
  for (const key of VIEW_FIELDS) (restored as Record<string, unknown>)[key] = current[key];
  c.run(`DELETE FROM undo_steps WHERE id = ?`, top.id);
  pushStep(c, sessionId, to, top.label, currentJson);
  const now = c.now();
  putState(c, sessionId, JSON.stringify(restored), now);
  touch(c, sessionId, now);
  return restored;
}

function pushStep(c: Connection, sessionId: string, stack: 'undo' | 'redo', label: string, state: string): void {
  c.run(`INSERT INTO undo_steps (session_id, stack, label, state) VALUES (?, ?, ?, ?)`, sessionId, stack, label, state);
  // Drop whatever lies beyond the cap, oldest first (ids grow with every push).
  c.run(
    `DELETE FROM undo_steps WHERE session_id = ? AND stack = ? AND id <= (
       SELECT id FROM undo_steps WHERE session_id = ? AND stack = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
    sessionId,
    stack,
    sessionId,
    stack,
    UNDO_CAP,
  );
}

function status(c: Connection, sessionId: string): UndoStatus {
  const row = c.get(
    `SELECT EXISTS (SELECT 1 FROM undo_steps WHERE session_id = ? AND stack = 'undo') AS u,
            EXISTS (SELECT 1 FROM undo_steps WHERE session_id = ? AND stack = 'redo') AS r`,
    sessionId,
    sessionId,
  ) as { u: number; r: number };
  return { canUndo: row.u === 1, canRedo: row.r === 1 };
}

/** The saved state as stored (JSON), or null when nothing was saved yet. */
export function currentState(c: Connection, sessionId: string): string | null {
  const row = c.get(`SELECT state FROM timeline WHERE session_id = ?`, sessionId) as { state: string } | undefined;
  return row?.state ?? null;
}

function putState(c: Connection, sessionId: string, json: string, now: string): void {
  c.run(
    `INSERT INTO timeline (session_id, state, updated_at) VALUES (?, ?, ?)
     ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    sessionId,
    json,
    now,
  );
}

/** A stored state checked against the schema; unreadable is store_corrupt. */
export function parseState(c: Connection, json: string, sessionId: string): TimelineState {
  const parsed = TimelineStateSchema.safeParse(safeJson(json));
  if (!parsed.success) {
    throw new AgxError('store_corrupt', `the saved timeline of session ${sessionId} in ${c.file} cannot be read; restore a backup`);
  }
  return parsed.data;
}
