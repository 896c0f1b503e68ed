// The sessions table and the 'last opened' setting: listing, creating, naming, opening, deleting;
// plus the session lookups every other table module starts from.
import type { SessionSummary } from '../common/api.js';
import { AgxError } from '../common/errors.js';
import type { Connection } from './connection.js';
import { newId, SESSION_SELECT, sessionNotFound, toSummary, type SessionRow } from './rows.js';

/** Name of a session created without one. */
export const DEFAULT_SESSION_NAME = 'Untitled session';
/** Longest session name (the StudioApi's limit). */
export const MAX_NAME_CHARS = 200;
/** Longest automatic name taken from a prompt, before the ellipsis. */
export const AUTO_NAME_CHARS = 60;

const LAST_OPENED_KEY = 'last_opened_session';

/** Every session, most recently opened first, with its take count. */
export function listSessions(c: Connection): SessionSummary[] {
  return c.guard(() => (c.all(`${SESSION_SELECT} ORDER BY s.opened_at DESC, s.created_at DESC, s.id`) as SessionRow[]).map(toSummary));
}

/** The session opened last (reopened at start), or null when none is or it was deleted. */
export function lastOpenedSessionId(c: Connection): string | null {
  return c.guard(() => {
    const row = c.get(`SELECT s.id FROM settings JOIN sessions s ON s.id = settings.value WHERE settings.key = ?`, LAST_OPENED_KEY) as
      { id: string } | undefined;
    return row?.id ?? null;
  });
}

/** A new empty session; without a name it is 'Untitled session' and named later from its first prompt. */
export function createSession(c: Connection, name?: string): SessionSummary {
  return c.guard(() => {
    const given = name !== undefined && name.trim() !== '';
    const finalName = given ? cleanName(name) : DEFAULT_SESSION_NAME;
    const id = newId();
    const now = c.now();
    c.run(
      `INSERT INTO sessions (id, name, name_is_auto, created_at, updated_at, opened_at) VALUES (?, ?, ?, ?, ?, ?)`,
      id,
      finalName,
      given ? 0 : 1,
      now,
      now,
      now,
    );
    return sessionOrThrow(c, id);
  });
}

/** One session; not_found when it does not exist. */
export function getSession(c: Connection, id: string): SessionSummary {
  return c.guard(() => sessionOrThrow(c, id));
}

/**
 * Records that a session was opened: it moves to the top of the list and is reopened at start. When
 * both are so already (reopening the open session, as the studio does after every job and at every
 * start) nothing is written: opening is a read (docs/decisions.md, "Opening a session is a read").
 */
export function markOpened(c: Connection, id: string): SessionSummary {
  const current = c.guard(
    () =>
      (
        c.get(
          `SELECT EXISTS (SELECT 1 FROM settings WHERE key = ? AND value = ?)
              AND NOT EXISTS (SELECT 1 FROM sessions WHERE opened_at > (SELECT opened_at FROM sessions WHERE id = ?)) AS current`,
          LAST_OPENED_KEY,
          id,
          id,
        ) as { current: number }
      ).current === 1,
  );
  if (current) return getSession(c, id);
  return c.tx(() => {
    requireSession(c, id);
    c.run(`UPDATE sessions SET opened_at = ? WHERE id = ?`, c.now(), id);
    c.run(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, LAST_OPENED_KEY, id);
    return sessionOrThrow(c, id);
  });
}

/** Renames a session; the name is the user's from now on (nameIsAuto false). */
export function renameSession(c: Connection, id: string, name: string): SessionSummary {
  return c.tx(() => {
    const clean = cleanName(name);
    requireSession(c, id);
    c.run(`UPDATE sessions SET name = ?, name_is_auto = 0, updated_at = ? WHERE id = ?`, clean, c.now(), id);
    return sessionOrThrow(c, id);
  });
}

/**
 * Names a session from a prompt, only while its name is automatic (a user's rename always wins).
 * Whitespace is collapsed and long prompts are cut at a word; the name stays automatic.
 */
export function autoName(c: Connection, id: string, name: string): SessionSummary {
  return c.tx(() => {
    const session = sessionOrThrow(c, id);
    const auto = autoNameFrom(name);
    if (!session.nameIsAuto || auto === '' || auto === session.name) return session;
    c.run(`UPDATE sessions SET name = ?, updated_at = ? WHERE id = ? AND name_is_auto = 1`, auto, c.now(), id);
    return sessionOrThrow(c, id);
  });
}

/** Deletes a session with its takes, explanations, timeline and undo history. */
export function deleteSession(c: Connection, id: string): void {
  c.tx(() => {
    requireSession(c, id);
    c.run(`DELETE FROM sessions WHERE id = ?`, id);
    c.run(`DELETE FROM settings WHERE key = ? AND value = ?`, LAST_OPENED_KEY, id);
  });
}

/** Throws not_found unless the session exists (inside a caller's guard or transaction). */
export function requireSession(c: Connection, id: string): void {
  if (c.get(`SELECT 1 AS one FROM sessions WHERE id = ?`, id) === undefined) throw sessionNotFound(id);
}

/** The session's summary, or not_found (inside a caller's guard or transaction). */
export function sessionOrThrow(c: Connection, id: string): SessionSummary {
  const row = c.get(`${SESSION_SELECT} WHERE s.id = ?`, id) as SessionRow | undefined;
  if (row === undefined) throw sessionNotFound(id);
  return toSummary(row);
}

/** Marks a session as changed now (its updatedAt). */
export function touch(c: Connection, sessionId: string, now: string): void {
  c.run(`UPDATE sessions SET updated_at = ? WHERE id = ?`, now, sessionId);
}

/** A name as given by a user, trimmed; empty or too long is bad_argument. */
export function cleanName(name: string): string {
  const clean = typeof name === 'string' ? name.trim() : '';
  if (clean === '') throw new AgxError('bad_argument', 'a session name is needed');
  if (clean.length > MAX_NAME_CHARS)
    throw new AgxError('bad_argument', `a session name has at most ${MAX_NAME_CHARS} characters (this one has ${clean.length})`);
  return clean;
}

function autoNameFrom(prompt: string): string {
  const flat = String(prompt).replace(/\s+/g, ' ').trim();
  if (flat.length <= AUTO_NAME_CHARS) return flat;
  const cut = flat.slice(0, AUTO_NAME_CHARS + 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > AUTO_NAME_CHARS / 2 ? cut.slice(0, space) : cut.slice(0, AUTO_NAME_CHARS)).trimEnd()}…`;
}
