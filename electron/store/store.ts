// The studio's persistence: one SQLite file (better-sqlite3, synchronous, one connection, one writer)
// holding sessions, takes with their codes and audio, explanations, the timeline with its undo history,
// and a few settings; plus rolling backups beside it. Every public call is one transaction.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { z } from 'zod';
import {
  BackupSchema,
  ExplanationSchema,
  FaithfulnessSchema,
  TakeSchema,
  TimelineStateSchema,
  type Explanation,
  type Faithfulness,
  type SessionSummary,
  type Take,
  type TimelineState,
} from '../common/api.js';
import { AgxError } from '../common/errors.js';
import { APPLICATION_ID, LATEST_VERSION, migrate, schemaVersion } from './migrations.js';

/** A rolling backup as listed (file is a basename inside the backups folder). */
export type Backup = z.infer<typeof BackupSchema>;
/** What addTake needs: a take's metadata without the store-made fields, plus its codes and audio. */
export type NewTake = Omit<Take, 'id' | 'number' | 'createdAt'> & { codes: Int32Array; audio: Float32Array };
/** What addExplanation needs: an explanation without the store-made fields. */
export type NewExplanation = Omit<Explanation, 'id' | 'createdAt'>;
/** Whether a session's timeline has a step to undo / redo. */
export interface UndoStatus {
  /** An undo step exists. */
  canUndo: boolean;
  /** A redo step exists. */
  canRedo: boolean;
}
/** Where the store lives and how many backups it keeps. */
export interface StoreOptions {
  /** The SQLite file (created with its folder when missing). */
  file: string;
  /** Folder for rolling backups (created when missing). */
  backupsDir: string;
  /** Backups kept, newest first; default 10. */
  keepBackups?: number;
  /**
   * Open skips its backup when the newest one is younger than this (default 10 minutes), so a crash
   * loop or quick restarts cannot rotate the older, good backups out. A pending migration always backs up.
   */
  openBackupMinAgeMs?: number;
}

/** Name of a session created without one. */
export const DEFAULT_SESSION_NAME = 'Untitled session';
/** Undo steps kept per session; the oldest are dropped beyond it. */
export const UNDO_CAP = 500;
/** Backups kept when StoreOptions.keepBackups is not given. */
export const DEFAULT_KEEP_BACKUPS = 10;
/** Open skips its backup when the newest backup is younger than this (ms), unless a migration is pending. */
export const DEFAULT_OPEN_BACKUP_MIN_AGE_MS = 10 * 60 * 1000;
/** Longest session name (the StudioApi's limit). */
export const MAX_NAME_CHARS = 200;
/** Longest automatic name taken from a prompt, before the ellipsis. */
export const AUTO_NAME_CHARS = 60;
/**
 * Timeline fields that are the view, not an edit: undo and redo keep the current values of these, so
 * stepping back a marker edit does not also jump the zoom, scroll or playhead.
 */
export const VIEW_FIELDS = ['pxPerSec', 'scrollSec', 'playheadSec', 'showSpectrogram', 'sessionsCollapsed'] as const;

/** A new row id: 32 hex digits (a v4 UUID without dashes), inside IdSchema's charset. */
export function newId(): string {
  return randomUUID().replace(/-/g, '');
}

const BUSY_TIMEOUT_MS = 5000;
const LAST_OPENED_KEY = 'last_opened_session';
const LITTLE_ENDIAN = os.endianness() === 'LE';
const BACKUP_RE = /^agx-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-(\d+))?\.sqlite$/;
const NewTakeMetaSchema = TakeSchema.omit({ id: true, number: true, createdAt: true });
const NewExplanationSchema = ExplanationSchema.omit({ id: true, createdAt: true });

type Db = Database.Database;

/** What a read-only look at a file found. */
type Inspection =
  | { state: 'missing' }
  | { state: 'empty' }
  | { state: 'studio'; version: number }
  | { state: 'foreign' }
  | { state: 'newer'; version: number }
  | { state: 'damaged'; detail: string };

interface SessionRow {
  id: string;
  name: string;
  name_is_auto: number;
  created_at: string;
  updated_at: string;
  opened_at: string;
  take_count: number;
}
interface TakeRow {
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
  duration_sec: number;
  sample_rate: number;
  frames: number;
  created_at: string;
}
interface ExplanationRow {
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
}
interface StepRow {
  id: number;
  label: string;
  state: string;
}

const SESSION_SELECT = `SELECT s.*, (SELECT COUNT(*) FROM takes t WHERE t.session_id = s.id) AS take_count FROM sessions s`;
// Every take column except the two blobs, so listing takes never reads megabytes of audio.
const TAKE_COLUMNS = `id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling,
  kept_before_sec, model_id, model_sha256, duration_sec, sample_rate, frames, created_at`;

/** The studio's SQLite store. Synchronous: every call is one short transaction on the calling thread. */
export class Store {
  /** The database file. */
  readonly file: string;
  /** The backups folder. */
  readonly backupsDir: string;
  /** Backups kept. */
  readonly keepBackups: number;

  private db: Db;
  private statements = new Map<string, Database.Statement>();
  private lastMs = 0;
  private pendingBackup: Promise<unknown> | null = null;
  private writingBackup: string | null = null;
  private syncMode: 'FULL' | 'NORMAL' = 'FULL';

  private constructor(opts: Required<Omit<StoreOptions, 'openBackupMinAgeMs'>>, db: Db) {
    this.file = opts.file;
    this.backupsDir = opts.backupsDir;
    this.keepBackups = opts.keepBackups;
    this.db = db;
  }

  /**
   * Opens (or creates) the store: checks an existing file read-only first (a damaged or foreign file
   * is refused untouched with store_corrupt), backs up a store with content, then migrates.
   */
  static open(opts: StoreOptions): Store {
    const keepBackups = opts.keepBackups ?? DEFAULT_KEEP_BACKUPS;
    if (!Number.isInteger(keepBackups) || keepBackups < 1) {
      throw new AgxError('bad_argument', `keepBackups must be a whole number of at least 1, not ${keepBackups}`);
    }
    const file = path.resolve(opts.file);
    const backupsDir = path.resolve(opts.backupsDir);
    makeDir(path.dirname(file));
    makeDir(backupsDir);
    const db = openChecked(file, backupsDir);
    const store = new Store({ file, backupsDir, keepBackups }, db);
    try {
      // Before migrating, so a migration that goes wrong can always be undone from a backup.
      const newest = listBackupsIn(backupsDir)[0];
      const age = newest === undefined ? Infinity : Date.now() - Date.parse(newest.createdAt);
      const recent = age >= 0 && age < (opts.openBackupMinAgeMs ?? DEFAULT_OPEN_BACKUP_MIN_AGE_MS);
      if (store.hasContent() && (!recent || schemaVersion(db) < LATEST_VERSION)) store.backupNow();
      store.migrateNow();
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  /**
   * Replaces a store that could not be opened (damaged, foreign, too new) with one of its backups. The
   * file in the way is moved aside to `<file>.replaced-<time>`, never overwritten or deleted.
   */
  static restoreInto(file: string, backupsDir: string, backupFile: string): void {
    const target = path.resolve(file);
    const source = checkedBackupPath(path.resolve(backupsDir), backupFile);
    verifyBackup(source, backupFile);
    replaceWithCopy(target, source, fileStamp(Date.now()));
  }

  // ---- sessions ----

  /** Every session, most recently opened first, with its take count. */
  listSessions(): SessionSummary[] {
    return this.guard(() =>
      (this.all(`${SESSION_SELECT} ORDER BY s.opened_at DESC, s.created_at DESC, s.id`) as SessionRow[]).map(toSummary),
    );
  }

  /** The session opened last (reopened at start), or null when none is or it was deleted. */
  lastOpenedSessionId(): string | null {
    return this.guard(() => {
      const row = this.get(`SELECT s.id FROM settings JOIN sessions s ON s.id = settings.value WHERE settings.key = ?`, LAST_OPENED_KEY) as
        | { id: string }
        | undefined;
      return row?.id ?? null;
    });
  }

  /** A new empty session; without a name it is 'Untitled session' and named later from its first prompt. */
  createSession(name?: string): SessionSummary {
    return this.guard(() => {
      const given = name !== undefined && name.trim() !== '';
      const finalName = given ? cleanName(name) : DEFAULT_SESSION_NAME;
      const id = newId();
      const now = this.now();
      this.run(`INSERT INTO sessions (id, name, name_is_auto, created_at, updated_at, opened_at) VALUES (?, ?, ?, ?, ?, ?)`, id, finalName, given ? 0 : 1, now, now, now);
      return this.sessionOrThrow(id);
    });
  }

  /** One session; not_found when it does not exist. */
  getSession(id: string): SessionSummary {
    return this.guard(() => this.sessionOrThrow(id));
  }

  /** Records that a session was opened: it moves to the top of the list and is reopened at start. */
  markOpened(id: string): SessionSummary {
    return this.tx(() => {
      this.requireSession(id);
      this.run(`UPDATE sessions SET opened_at = ? WHERE id = ?`, this.now(), id);
      this.run(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, LAST_OPENED_KEY, id);
      return this.sessionOrThrow(id);
    });
  }

  /** Renames a session; the name is the user's from now on (nameIsAuto false). */
  renameSession(id: string, name: string): SessionSummary {
    return this.tx(() => {
      const clean = cleanName(name);
      this.requireSession(id);
      this.run(`UPDATE sessions SET name = ?, name_is_auto = 0, updated_at = ? WHERE id = ?`, clean, this.now(), id);
      return this.sessionOrThrow(id);
    });
  }

  /**
   * Names a session from a prompt, only while its name is automatic (a user's rename always wins).
   * Whitespace is collapsed and long prompts are cut at a word; the name stays automatic.
   */
  autoName(id: string, name: string): SessionSummary {
    return this.tx(() => {
      const session = this.sessionOrThrow(id);
      const auto = autoNameFrom(name);
      if (!session.nameIsAuto || auto === '' || auto === session.name) return session;
      this.run(`UPDATE sessions SET name = ?, updated_at = ? WHERE id = ? AND name_is_auto = 1`, auto, this.now(), id);
      return this.sessionOrThrow(id);
    });
  }

  /**
   * Copies a session: takes (new ids, parents remapped), explanations (remapped to the new takes) and the
   * current timeline with every take and explanation id in it remapped. Undo history is not copied.
   */
  duplicateSession(id: string, name?: string): SessionSummary {
    return this.tx(() => {
      const source = this.sessionOrThrow(id);
      const finalName = name !== undefined && name.trim() !== '' ? cleanName(name) : copyName(source.name);
      const newSession = newId();
      const now = this.now();
      this.run(`INSERT INTO sessions (id, name, name_is_auto, created_at, updated_at, opened_at) VALUES (?, ?, 0, ?, ?, ?)`, newSession, finalName, now, now, now);

      const takeMap = new Map<string, string>();
      const takes = this.all(`SELECT id, parent_take_id FROM takes WHERE session_id = ? ORDER BY number`, id) as { id: string; parent_take_id: string | null }[];
      for (const t of takes) {
        const copy = newId();
        takeMap.set(t.id, copy);
        // Copied inside SQLite, so the audio blobs never pass through JavaScript. Parents are linked in
        // a second pass because a parent is not guaranteed to have the lower number.
        this.run(
          `INSERT INTO takes (id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling,
             kept_before_sec, model_id, model_sha256, duration_sec, sample_rate, frames, codes, audio, created_at)
           SELECT ?, ?, number, NULL, source, prompt, tokens, weights, seed, sampling,
             kept_before_sec, model_id, model_sha256, duration_sec, sample_rate, frames, codes, audio, created_at
           FROM takes WHERE id = ?`,
          copy,
          newSession,
          t.id,
        );
      }
      for (const t of takes) {
        const parent = t.parent_take_id === null ? undefined : takeMap.get(t.parent_take_id);
        if (parent !== undefined) this.run(`UPDATE takes SET parent_take_id = ? WHERE id = ?`, parent, takeMap.get(t.id)!);
      }

      const explanationMap = new Map<string, string>();
      const explanations = this.all(
        `SELECT e.id, e.take_id FROM explanations e JOIN takes t ON t.id = e.take_id WHERE t.session_id = ? ORDER BY e.created_at, e.rowid`,
        id,
      ) as { id: string; take_id: string }[];
      for (const e of explanations) {
        const copy = newId();
        explanationMap.set(e.id, copy);
        this.run(
          `INSERT INTO explanations (id, take_id, method, params, tokens, frame_rate, steps, token_count, mask, holistic, metrics, elapsed_ms, created_at)
           SELECT ?, ?, method, params, tokens, frame_rate, steps, token_count, mask, holistic, metrics, elapsed_ms, created_at
           FROM explanations WHERE id = ?`,
          copy,
          takeMap.get(e.take_id)!,
          e.id,
        );
      }

      const timeline = this.currentState(id);
      if (timeline !== null) {
        const remapped = remapTimeline(this.parseState(timeline, id), takeMap, explanationMap);
        this.run(`INSERT INTO timeline (session_id, state, updated_at) VALUES (?, ?, ?)`, newSession, JSON.stringify(remapped), now);
      }
      return this.sessionOrThrow(newSession);
    });
  }

  /** Deletes a session with its takes, explanations, timeline and undo history. */
  deleteSession(id: string): void {
    this.tx(() => {
      this.requireSession(id);
      this.run(`DELETE FROM sessions WHERE id = ?`, id);
      this.run(`DELETE FROM settings WHERE key = ? AND value = ?`, LAST_OPENED_KEY, id);
    });
  }

  // ---- takes ----

  /** Stores a new take as the next number in its session (codes and audio bit-exact) and returns it. */
  addTake(t: NewTake): Take {
    return this.tx(() => {
      const meta = parseArg(NewTakeMetaSchema, t, 'take');
      if (!(t.codes instanceof Int32Array)) throw new AgxError('bad_argument', 'a take needs its codes as an Int32Array');
      if (!(t.audio instanceof Float32Array)) throw new AgxError('bad_argument', 'a take needs its audio as a Float32Array');
      this.requireSession(meta.sessionId);
      if (meta.parentTakeId !== null) {
        const parent = this.get(`SELECT session_id FROM takes WHERE id = ?`, meta.parentTakeId) as { session_id: string } | undefined;
        if (parent === undefined) throw new AgxError('not_found', `the parent take ${meta.parentTakeId} does not exist; reload the session`);
        if (parent.session_id !== meta.sessionId) throw new AgxError('bad_argument', `the parent take ${meta.parentTakeId} belongs to another session`);
      }
      const { next } = this.get(`SELECT COALESCE(MAX(number), 0) + 1 AS next FROM takes WHERE session_id = ?`, meta.sessionId) as { next: number };
      const id = newId();
      const now = this.now();
      this.run(
        `INSERT INTO takes (id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling,
           kept_before_sec, model_id, model_sha256, duration_sec, sample_rate, frames, codes, audio, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        meta.durationSec,
        meta.sampleRate,
        meta.frames,
        toBlob(t.codes),
        toBlob(t.audio),
        now,
      );
      this.touch(meta.sessionId, now);
      return this.takeOrThrow(id);
    });
  }

  /** One take's metadata; not_found when it does not exist. */
  getTake(id: string): Take {
    return this.guard(() => this.takeOrThrow(id));
  }

  /** One take's codes (Int32) and audio (Float32), exactly as stored. */
  getTakeData(id: string): { codes: Int32Array; audio: Float32Array } {
    return this.guard(() => {
      const row = this.get(`SELECT codes, audio FROM takes WHERE id = ?`, id) as { codes: Buffer; audio: Buffer } | undefined;
      if (row === undefined) throw takeNotFound(id);
      return { codes: fromBlob(row.codes, Int32Array, `take ${id} codes`), audio: fromBlob(row.audio, Float32Array, `take ${id} audio`) };
    });
  }

  /** A session's takes by number. */
  listTakes(sessionId: string): Take[] {
    return this.guard(() => {
      this.requireSession(sessionId);
      return (this.all(`SELECT ${TAKE_COLUMNS} FROM takes WHERE session_id = ? ORDER BY number`, sessionId) as TakeRow[]).map(toTake);
    });
  }

  // ---- explanations ----

  /** Stores an explanation (its [steps][tokens] mask as a Float32 blob) and returns it as stored. */
  addExplanation(e: NewExplanation): Explanation {
    return this.tx(() => {
      const ex = parseArg(NewExplanationSchema, e, 'explanation');
      const take = this.get(`SELECT session_id FROM takes WHERE id = ?`, ex.takeId) as { session_id: string } | undefined;
      if (take === undefined) throw takeNotFound(ex.takeId);
      const { blob, steps, cols } = maskToBlob(ex.mask, ex.tokens.length);
      const id = newId();
      const now = this.now();
      this.run(
        `INSERT INTO explanations (id, take_id, method, params, tokens, frame_rate, steps, token_count, mask, holistic, metrics, elapsed_ms, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        id,
        ex.takeId,
        ex.method,
        JSON.stringify(ex.params),
        JSON.stringify(ex.tokens),
        ex.frameRate,
        steps,
        cols,
        blob,
        JSON.stringify(ex.holistic),
        ex.metrics === null ? null : JSON.stringify(ex.metrics),
        ex.elapsedMs,
        now,
      );
      this.touch(take.session_id, now);
      return this.explanationOrThrow(id);
    });
  }

  /** One explanation; not_found when it does not exist. */
  getExplanation(id: string): Explanation {
    return this.guard(() => this.explanationOrThrow(id));
  }

  /** Every explanation of a session's takes, oldest first. */
  listExplanations(sessionId: string): Explanation[] {
    return this.guard(() => {
      this.requireSession(sessionId);
      const rows = this.all(
        `SELECT e.* FROM explanations e JOIN takes t ON t.id = e.take_id WHERE t.session_id = ? ORDER BY e.created_at, e.rowid`,
        sessionId,
      ) as ExplanationRow[];
      return rows.map(toExplanation);
    });
  }

  /** Records an explanation's faithfulness figures (replacing earlier ones) and returns it. */
  setExplanationMetrics(id: string, m: Faithfulness): Explanation {
    return this.tx(() => {
      const metrics = parseArg(FaithfulnessSchema, m, 'faithfulness metrics');
      const row = this.get(`SELECT t.session_id FROM explanations e JOIN takes t ON t.id = e.take_id WHERE e.id = ?`, id) as
        | { session_id: string }
        | undefined;
      if (row === undefined) throw explanationNotFound(id);
      const now = this.now();
      this.run(`UPDATE explanations SET metrics = ? WHERE id = ?`, JSON.stringify(metrics), id);
      this.touch(row.session_id, now);
      return this.explanationOrThrow(id);
    });
  }

  // ---- timeline and undo ----

  /** A session's timeline state (the schema's defaults when nothing was saved yet). */
  getTimeline(sessionId: string): TimelineState {
    return this.guard(() => {
      this.requireSession(sessionId);
      const json = this.currentState(sessionId);
      return json === null ? TimelineStateSchema.parse({}) : this.parseState(json, sessionId);
    });
  }

  /**
   * Saves a session's timeline. Without undoLabel it only replaces the current state (autosave of view
   * changes; the redo stack survives). With a label the previous state becomes one undo step and the
   * redo stack is cleared; a labelled save that changes nothing adds no step.
   */
  saveTimeline(sessionId: string, state: TimelineState, undoLabel?: string): UndoStatus {
    return this.tx(() => {
      const json = JSON.stringify(parseArg(TimelineStateSchema, state, 'timeline state'));
      this.requireSession(sessionId);
      const now = this.now();
      const previous = this.currentState(sessionId);
      if (undoLabel !== undefined) {
        const before = previous ?? JSON.stringify(TimelineStateSchema.parse({}));
        if (before !== json) {
          this.pushStep(sessionId, 'undo', undoLabel, before);
          this.run(`DELETE FROM undo_steps WHERE session_id = ? AND stack = 'redo'`, sessionId);
          this.touch(sessionId, now);
        }
      }
      if (previous !== json) this.putState(sessionId, json, now);
      return this.status(sessionId);
    }, undoLabel !== undefined);
  }

  /** Steps back one labelled save: returns the restored state (view fields kept), or null when there is none. */
  undo(sessionId: string): TimelineState | null {
    return this.tx(() => this.step(sessionId, 'undo', 'redo'));
  }

  /** Steps forward again after undo: returns the restored state (view fields kept), or null when there is none. */
  redo(sessionId: string): TimelineState | null {
    return this.tx(() => this.step(sessionId, 'redo', 'undo'));
  }

  /** Whether undo / redo have a step for this session. */
  undoStatus(sessionId: string): UndoStatus {
    return this.guard(() => {
      this.requireSession(sessionId);
      return this.status(sessionId);
    });
  }

  // ---- backups ----

  /** Copies the live database into the backups folder (online, consistent) and drops the oldest beyond keepBackups. */
  async backup(): Promise<Backup> {
    const run = async (): Promise<Backup> => {
      const name = this.freshBackupName();
      const target = path.join(this.backupsDir, name);
      const partial = `${target}.partial`;
      this.writingBackup = partial;
      try {
        await this.db.backup(partial);
        fs.renameSync(partial, target);
      } catch (err) {
        fs.rmSync(partial, { force: true });
        throw asStoreError(err, this.file);
      } finally {
        this.writingBackup = null;
      }
      this.pruneBackups();
      return backupEntry(this.backupsDir, name);
    };
    // One backup at a time: a second call waits for the first rather than racing it.
    const previous = this.pendingBackup ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(run);
    this.pendingBackup = mine;
    try {
      return await mine;
    } finally {
      if (this.pendingBackup === mine) this.pendingBackup = null;
    }
  }

  /** The backups in the backups folder, newest first. */
  listBackups(): Backup[] {
    return listBackupsIn(this.backupsDir);
  }

  /**
   * Replaces the store's content with a backup (a basename from listBackups). The backup is verified
   * first; the current file is moved aside to `<file>.replaced-<time>`, never deleted.
   */
  async restoreBackup(file: string): Promise<void> {
    const source = checkedBackupPath(this.backupsDir, file);
    verifyBackup(source, file);
    if (this.pendingBackup !== null) await this.pendingBackup.catch(() => undefined);
    this.close();
    const aside = replaceWithCopy(this.file, source, fileStamp(this.nowMs()));
    try {
      this.db = openChecked(this.file, this.backupsDir);
      this.syncMode = 'FULL';
      this.migrateNow();
    } catch (err) {
      // Put the previous file back so the studio is no worse off than before the attempt.
      try {
        if (this.db.open) this.db.close();
        fs.rmSync(this.file, { force: true });
        for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(aside + suffix)) fs.renameSync(aside + suffix, this.file + suffix);
        this.db = openChecked(this.file, this.backupsDir);
        this.syncMode = 'FULL';
      } catch {
        // The original error below is the one worth reporting.
      }
      throw err;
    }
  }

  // ---- maintenance ----

  /** PRAGMA integrity_check's answer: 'ok', or its findings one per line. */
  integrityCheck(): string {
    return this.guard(() => (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n'));
  }

  /** Closes the database (idempotent); WAL content is checkpointed into the file. */
  close(): void {
    this.statements.clear();
    if (this.db.open) this.db.close();
  }

  // ---- internals ----

  private migrateNow(): void {
    try {
      migrate(this.db);
    } catch (err) {
      throw asStoreError(err, this.file);
    }
    this.statements.clear();
  }

  private hasContent(): boolean {
    if (schemaVersion(this.db) === 0) return false;
    return (this.db.prepare(`SELECT EXISTS (SELECT 1 FROM sessions) AS any`).get() as { any: number }).any === 1;
  }

  /** The synchronous backup taken at open: VACUUM INTO writes a compact, consistent copy. */
  private backupNow(): Backup {
    const name = this.freshBackupName();
    const target = path.join(this.backupsDir, name);
    const partial = `${target}.partial`;
    try {
      fs.rmSync(partial, { force: true });
      this.db.prepare(`VACUUM INTO ?`).run(partial);
      fs.renameSync(partial, target);
    } catch (err) {
      fs.rmSync(partial, { force: true });
      throw asStoreError(err, this.file);
    }
    this.pruneBackups();
    return backupEntry(this.backupsDir, name);
  }

  private freshBackupName(): string {
    let name = backupName(this.nowMs());
    // Another process (or a clock step back) may have used this millisecond already.
    for (let i = 1; fs.existsSync(path.join(this.backupsDir, name)); i++) name = name.replace(/Z(-\d+)?\.sqlite$/, `Z-${i}.sqlite`);
    return name;
  }

  private pruneBackups(): void {
    const all = listBackupsIn(this.backupsDir);
    for (const b of all.slice(this.keepBackups)) fs.rmSync(path.join(this.backupsDir, b.file), { force: true });
    // Leftovers of a backup interrupted by a crash.
    for (const name of fs.readdirSync(this.backupsDir)) {
      const full = path.join(this.backupsDir, name);
      if (name.endsWith('.sqlite.partial') && BACKUP_RE.test(name.slice(0, -'.partial'.length)) && full !== this.writingBackup) {
        fs.rmSync(full, { force: true });
      }
    }
  }

  private step(sessionId: string, from: 'undo' | 'redo', to: 'undo' | 'redo'): TimelineState | null {
    this.requireSession(sessionId);
    const top = this.get(`SELECT id, label, state FROM undo_steps WHERE session_id = ? AND stack = ? ORDER BY id DESC LIMIT 1`, sessionId, from) as
      | StepRow
      | undefined;
    if (top === undefined) return null;
    const currentJson = this.currentState(sessionId) ?? JSON.stringify(TimelineStateSchema.parse({}));
    const current = this.parseState(currentJson, sessionId);
    const restored = this.parseState(top.state, sessionId);
    for (const key of VIEW_FIELDS) (restored as Record<string, unknown>)[key] = current[key];
    this.run(`DELETE FROM undo_steps WHERE id = ?`, top.id);
    this.pushStep(sessionId, to, top.label, currentJson);
    const now = this.now();
    this.putState(sessionId, JSON.stringify(restored), now);
    this.touch(sessionId, now);
    return restored;
  }

  private pushStep(sessionId: string, stack: 'undo' | 'redo', label: string, state: string): void {
    this.run(`INSERT INTO undo_steps (session_id, stack, label, state) VALUES (?, ?, ?, ?)`, sessionId, stack, label, state);
    // Drop whatever lies beyond the cap, oldest first (ids grow with every push).
    this.run(
      `DELETE FROM undo_steps WHERE session_id = ? AND stack = ? AND id <= (
         SELECT id FROM undo_steps WHERE session_id = ? AND stack = ? ORDER BY id DESC LIMIT 1 OFFSET ?)`,
      sessionId,
      stack,
      sessionId,
      stack,
      UNDO_CAP,
    );
  }

  private status(sessionId: string): UndoStatus {
    const row = this.get(
      `SELECT EXISTS (SELECT 1 FROM undo_steps WHERE session_id = ? AND stack = 'undo') AS u,
              EXISTS (SELECT 1 FROM undo_steps WHERE session_id = ? AND stack = 'redo') AS r`,
      sessionId,
      sessionId,
    ) as { u: number; r: number };
    return { canUndo: row.u === 1, canRedo: row.r === 1 };
  }

  private currentState(sessionId: string): string | null {
    const row = this.get(`SELECT state FROM timeline WHERE session_id = ?`, sessionId) as { state: string } | undefined;
    return row?.state ?? null;
  }

  private putState(sessionId: string, json: string, now: string): void {
    this.run(
      `INSERT INTO timeline (session_id, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (session_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      sessionId,
      json,
      now,
    );
  }

  private parseState(json: string, sessionId: string): TimelineState {
    const parsed = TimelineStateSchema.safeParse(safeJson(json));
    if (!parsed.success) {
      throw new AgxError('store_corrupt', `the saved timeline of session ${sessionId} in ${this.file} cannot be read; restore a backup`);
    }
    return parsed.data;
  }

  private touch(sessionId: string, now: string): void {
    this.run(`UPDATE sessions SET updated_at = ? WHERE id = ?`, now, sessionId);
  }

  private requireSession(id: string): void {
    if (this.get(`SELECT 1 AS one FROM sessions WHERE id = ?`, id) === undefined) throw sessionNotFound(id);
  }

  private sessionOrThrow(id: string): SessionSummary {
    const row = this.get(`${SESSION_SELECT} WHERE s.id = ?`, id) as SessionRow | undefined;
    if (row === undefined) throw sessionNotFound(id);
    return toSummary(row);
  }

  private takeOrThrow(id: string): Take {
    const row = this.get(`SELECT ${TAKE_COLUMNS} FROM takes WHERE id = ?`, id) as TakeRow | undefined;
    if (row === undefined) throw takeNotFound(id);
    return toTake(row);
  }

  private explanationOrThrow(id: string): Explanation {
    const row = this.get(`SELECT * FROM explanations WHERE id = ?`, id) as ExplanationRow | undefined;
    if (row === undefined) throw explanationNotFound(id);
    return toExplanation(row);
  }

  /** Milliseconds since the epoch, strictly increasing within this store, so "most recent" never ties. */
  private nowMs(): number {
    this.lastMs = Math.max(Date.now(), this.lastMs + 1);
    return this.lastMs;
  }

  private now(): string {
    return new Date(this.nowMs()).toISOString();
  }

  private prepared(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.db.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }

  private get(sql: string, ...params: unknown[]): unknown {
    return this.prepared(sql).get(...params);
  }

  private all(sql: string, ...params: unknown[]): unknown[] {
    return this.prepared(sql).all(...params);
  }

  private run(sql: string, ...params: unknown[]): Database.RunResult {
    return this.prepared(sql).run(...params);
  }

  /** Runs fn with SQLite failures turned into AgxErrors a user can act on. */
  private guard<T>(fn: () => T): T {
    if (!this.db.open) throw new AgxError('internal', `the store ${this.file} is closed`, false);
    try {
      return fn();
    } catch (err) {
      throw asStoreError(err, this.file);
    }
  }

  /**
   * guard + one immediate transaction, so a call either happens entirely or not at all. `durable`
   * commits are fsynced (survive power loss); view-only autosaves are not, which costs them at most
   * the last seconds of scrolling after a power cut, never consistency (docs/decisions.md, "## Store").
   */
  private tx<T>(fn: () => T, durable = true): T {
    return this.guard(() => {
      const mode = durable ? 'FULL' : 'NORMAL';
      if (this.syncMode !== mode) {
        this.db.pragma(`synchronous = ${mode}`);
        this.syncMode = mode;
      }
      return this.db.transaction(fn).immediate();
    });
  }
}

// ---- opening and checking files ----

function makeDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new AgxError('io_error', `cannot create the folder ${dir} (${(err as Error).message}); choose another data folder with --data-dir`);
  }
}

/** Looks at a file without writing to it: read-only connection, header fields, integrity_check. */
function inspect(file: string): Inspection {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { state: 'missing' };
    throw new AgxError('io_error', `cannot read ${file} (${(err as Error).message}); check its permissions`);
  }
  if (!stat.isFile()) throw new AgxError('io_error', `${file} is not a file; move it away or choose another data folder with --data-dir`);
  // A read-only connection to a WAL database creates empty -wal/-shm files when they are missing;
  // they are removed again afterwards so a refused file is left exactly as it was found.
  const sideFiles = ['-wal', '-shm'].map((s) => file + s).filter((f) => !fs.existsSync(f));
  let db: Db | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    const appId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    if (appId !== APPLICATION_ID) {
      const objects = (db.prepare(`SELECT COUNT(*) AS n FROM sqlite_schema`).get() as { n: number }).n;
      return appId === 0 && version === 0 && objects === 0 ? { state: 'empty' } : { state: 'foreign' };
    }
    if (version > LATEST_VERSION) return { state: 'newer', version };
    const findings = (db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check);
    if (findings.length !== 1 || findings[0] !== 'ok') return { state: 'damaged', detail: summarise(findings) };
    return { state: 'studio', version };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))) {
      return { state: 'damaged', detail: (err as Error).message };
    }
    if (err instanceof Database.SqliteError) {
      throw new AgxError('io_error', `cannot read ${file} (${err.message}); check that no other program holds it and that it is readable`);
    }
    throw err;
  } finally {
    db?.close();
    for (const f of sideFiles) {
      try {
        if (f.endsWith('-shm') || fs.statSync(f).size === 0) fs.rmSync(f, { force: true });
      } catch {
        // Not there: nothing to tidy.
      }
    }
  }
}

/** Opens the read-write connection after a read-only inspection accepted the file. */
function openChecked(file: string, backupsDir: string): Db {
  const found = inspect(file);
  const restore = `restore a backup from ${backupsDir}, or move the file away to start an empty store`;
  switch (found.state) {
    case 'foreign':
      throw new AgxError('store_corrupt', `${file} is not an AudioGenX Studio database; choose another data folder with --data-dir, or move the file away`);
    case 'newer':
      throw new AgxError(
        'store_corrupt',
        `${file} was written by a newer AudioGenX Studio (schema ${found.version}, this version knows ${LATEST_VERSION}); update the app, or ${restore}`,
      );
    case 'damaged':
      throw new AgxError('store_corrupt', `${file} is damaged (${found.detail}); ${restore}`);
    default:
      break;
  }
  let db: Db | undefined;
  try {
    db = new Database(file);
    // WAL: readers never block the writer, and a commit is one append to the -wal file, which the OS
    // keeps even when the process is killed. synchronous=FULL also fsyncs it, so an acknowledged edit
    // survives power loss too; Store.tx relaxes this to NORMAL for view-only autosaves.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal') throw new AgxError('io_error', `${file} cannot use write-ahead logging (journal mode ${String(mode)}); put the data folder on a local disk`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (err) {
    db?.close();
    throw asStoreError(err, file);
  }
}

/** A backup basename resolved inside backupsDir; anything else (paths, '..', other files) is refused. */
function checkedBackupPath(backupsDir: string, file: string): string {
  if (typeof file !== 'string' || path.basename(file) !== file || !BACKUP_RE.test(file)) {
    throw new AgxError('bad_argument', `"${String(file)}" is not a backup name; pick one from the list of backups`);
  }
  const full = path.join(backupsDir, file);
  if (!fs.existsSync(full)) throw new AgxError('not_found', `the backup ${file} is not in ${backupsDir}; pick one from the list of backups`);
  return full;
}

/** Refuses a backup that is not a sound studio database this version can read. */
function verifyBackup(full: string, name: string): void {
  const found = inspect(full);
  const pick = 'pick another backup';
  switch (found.state) {
    case 'studio':
      return;
    case 'damaged':
      throw new AgxError('store_corrupt', `the backup ${name} is damaged (${found.detail}); ${pick}`);
    case 'newer':
      throw new AgxError('store_corrupt', `the backup ${name} was written by a newer AudioGenX Studio (schema ${found.version}); update the app or ${pick}`);
    default:
      throw new AgxError('store_corrupt', `the backup ${name} is not an AudioGenX Studio database; ${pick}`);
  }
}

/**
 * Moves `target` (with its -wal/-shm, so the moved file still opens with its last commits) to
 * `<target>.replaced-<stamp>` and puts a copy of `source` in its place. Returns the aside path.
 */
function replaceWithCopy(target: string, source: string, stamp: string): string {
  let aside = `${target}.replaced-${stamp}`;
  for (let i = 1; ['', '-wal', '-shm'].some((s) => fs.existsSync(aside + s)); i++) aside = `${target}.replaced-${stamp}-${i}`;
  const incoming = `${target}.restoring`;
  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // Copy first, so a full disk fails before anything has been moved.
    fs.copyFileSync(source, incoming);
    for (const suffix of ['', '-wal', '-shm']) {
      if (fs.existsSync(target + suffix)) fs.renameSync(target + suffix, aside + suffix);
    }
    fs.renameSync(incoming, target);
  } catch (err) {
    fs.rmSync(incoming, { force: true });
    throw new AgxError('io_error', `cannot restore ${path.basename(source)} into ${target} (${(err as Error).message}); check free space and permissions`);
  }
  return aside;
}

// ---- backups ----

function backupName(ms: number): string {
  return `agx-${new Date(ms).toISOString().replace(/:/g, '-').replace('.', '-')}.sqlite`;
}

function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, '-').replace('.', '-');
}

function backupEntry(dir: string, name: string): Backup {
  const m = BACKUP_RE.exec(name)!;
  return { file: name, createdAt: `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`, bytes: fs.statSync(path.join(dir, name)).size };
}

/** The backups in a backups folder, newest first (also when the store itself cannot be opened). */
export function listBackupsIn(dir: string): Backup[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AgxError('io_error', `cannot read the backups folder ${dir} (${(err as Error).message})`);
  }
  const found = names
    .filter((n) => BACKUP_RE.test(n))
    .map((n) => ({ n, entry: backupEntry(dir, n), seq: Number(BACKUP_RE.exec(n)![6] ?? 0) }));
  found.sort((a, b) => (a.entry.createdAt === b.entry.createdAt ? b.seq - a.seq : a.entry.createdAt < b.entry.createdAt ? 1 : -1));
  return found.map((f) => f.entry);
}

// ---- rows and values ----

function toSummary(r: SessionRow): SessionSummary {
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

function toTake(r: TakeRow): Take {
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
    durationSec: r.duration_sec,
    sampleRate: r.sample_rate,
    frames: r.frames,
    createdAt: r.created_at,
  };
}

function toExplanation(r: ExplanationRow): Explanation {
  const flat = fromBlob(r.mask, Float32Array, `explanation ${r.id} mask`);
  if (flat.length !== r.steps * r.token_count) {
    throw new AgxError('store_corrupt', `the mask of explanation ${r.id} has ${flat.length} values, not ${r.steps} x ${r.token_count}; restore a backup`);
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
function toBlob(a: Int32Array | Float32Array): Buffer {
  if (LITTLE_ENDIAN) return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const out = Buffer.allocUnsafe(a.length * 4);
  for (let i = 0; i < a.length; i++) {
    if (a instanceof Int32Array) out.writeInt32LE(a[i]!, i * 4);
    else out.writeFloatLE(a[i]!, i * 4);
  }
  return out;
}

/** Little-endian bytes back into a fresh, aligned typed array. */
function fromBlob<T extends Int32Array | Float32Array>(buf: Buffer, Ctor: { new (length: number): T }, what: string): T {
  if (buf.length % 4 !== 0) throw new AgxError('store_corrupt', `${what} is ${buf.length} bytes, not a whole number of 4-byte values; restore a backup`);
  const out = new Ctor(buf.length / 4);
  if (LITTLE_ENDIAN) {
    new Uint8Array(out.buffer).set(buf);
  } else {
    for (let i = 0; i < out.length; i++) out[i] = out instanceof Int32Array ? buf.readInt32LE(i * 4) : buf.readFloatLE(i * 4);
  }
  return out;
}

function maskToBlob(mask: number[][], tokenCount: number): { blob: Buffer; steps: number; cols: number } {
  const steps = mask.length;
  const cols = steps === 0 ? tokenCount : mask[0]!.length;
  const flat = new Float32Array(steps * cols);
  mask.forEach((row, s) => {
    if (row.length !== cols) throw new AgxError('bad_argument', `mask row ${s} has ${row.length} values but row 0 has ${cols}; a mask is [steps][tokens]`);
    flat.set(row, s * cols);
  });
  return { blob: toBlob(flat), steps, cols };
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

function cleanName(name: string): string {
  const clean = typeof name === 'string' ? name.trim() : '';
  if (clean === '') throw new AgxError('bad_argument', 'a session name is needed');
  if (clean.length > MAX_NAME_CHARS) throw new AgxError('bad_argument', `a session name has at most ${MAX_NAME_CHARS} characters (this one has ${clean.length})`);
  return clean;
}

function copyName(name: string): string {
  const suffix = ' (copy)';
  return name.length + suffix.length <= MAX_NAME_CHARS ? name + suffix : name.slice(0, MAX_NAME_CHARS - suffix.length) + suffix;
}

function autoNameFrom(prompt: string): string {
  const flat = String(prompt).replace(/\s+/g, ' ').trim();
  if (flat.length <= AUTO_NAME_CHARS) return flat;
  const cut = flat.slice(0, AUTO_NAME_CHARS + 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > AUTO_NAME_CHARS / 2 ? cut.slice(0, space) : cut.slice(0, AUTO_NAME_CHARS)).trimEnd()}…`;
}

function parseArg<S extends z.ZodType>(schema: S, value: unknown, what: string): z.output<S> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
    throw new AgxError('bad_argument', `invalid ${what}: ${where}${issue?.message ?? 'rejected'}`);
  }
  return r.data;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function summarise(findings: string[]): string {
  const first = (findings[0] ?? 'unknown damage').replace(/\s+/g, ' ');
  const more = findings.length > 1 ? ` and ${findings.length - 1} more problems` : '';
  return `${first.length > 120 ? `${first.slice(0, 117)}...` : first}${more}`;
}

/** A thrown value with SQLite's failure kinds turned into AgxErrors; anything else unchanged. */
function asStoreError(err: unknown, file: string): unknown {
  if (err instanceof AgxError || !(err instanceof Database.SqliteError)) return err;
  const code = err.code;
  if (code === 'SQLITE_FULL') return new AgxError('io_error', `the disk holding ${file} is full; free some space and try again`);
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AgxError('io_error', `${file} is locked by another program (another AudioGenX Studio?); close it and try again`);
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_CANTOPEN')) {
    return new AgxError('io_error', `cannot write ${file} (${err.message}); check the folder's permissions`);
  }
  if (code.startsWith('SQLITE_IOERR')) return new AgxError('io_error', `reading or writing ${file} failed (${err.message}); check the disk`);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new AgxError('store_corrupt', `${file} is damaged (${err.message}); restore a backup`);
  }
  return err;
}

function sessionNotFound(id: string): AgxError {
  return new AgxError('not_found', `session ${id} does not exist (it may have been deleted); reload the sessions list`);
}
function takeNotFound(id: string): AgxError {
  return new AgxError('not_found', `take ${id} does not exist (its session may have been deleted); reload the session`);
}
function explanationNotFound(id: string): AgxError {
  return new AgxError('not_found', `explanation ${id} does not exist (its session may have been deleted); reload the session`);
}
