// The studio's persistence: one SQLite file (better-sqlite3, synchronous, one connection, one writer)
// holding sessions, takes with their codes and audio, explanations, the timeline with its undo history,
// and a few settings; plus rolling backups beside it. Every public call is one transaction.
//
// Store is the facade callers use; the work is done by one module per table or concern, each through
// the same Connection: sessions.ts, takes.ts, explanations.ts, timeline.ts, duplicate.ts (copying a
// session across tables), backups.ts, open.ts (checking, opening and replacing the file), rows.ts
// (row mapping) and migrations.ts.
import fs from 'node:fs';
import path from 'node:path';
import type { Explanation, Faithfulness, SessionSummary, Take, TimelineState } from '../common/api.js';
import { AgxError } from '../common/errors.js';
import { Backups, fileStamp, listBackupsIn, type Backup, type Retention } from './backups.js';
import { asStoreError, Connection } from './connection.js';
import { duplicateSession } from './duplicate.js';
import * as explanations from './explanations.js';
import { describeDamage, holdsIntact } from './integrity.js';
import { LATEST_VERSION, migrate, schemaVersion } from './migrations.js';
import {
  backupVerifies,
  changedSince,
  checkedBackupPath,
  makeDir,
  missingSideFiles,
  openChecked,
  replaceWithCopy,
  tidySideFiles,
  verifyBackup,
  withReadOnly,
} from './open.js';
import { DamageFound } from './rows.js';
import * as sessions from './sessions.js';
import * as takes from './takes.js';
import * as timeline from './timeline.js';

export { listBackupsIn, type Backup } from './backups.js';
export type { NewExplanation } from './explanations.js';
export { newId } from './rows.js';
export { AUTO_NAME_CHARS, DEFAULT_SESSION_NAME, MAX_NAME_CHARS } from './sessions.js';
export type { NewTake } from './takes.js';
export { UNDO_CAP, VIEW_FIELDS, type UndoStatus } from './timeline.js';

/** Where the store lives and which backups it keeps. */
export interface StoreOptions {
  /** The SQLite file (created with its folder when missing). */
  file: string;
  /** Folder for backups (created when missing). */
  backupsDir: string;
  /** The newest backups kept whatever their age; default 5. */
  keepRecent?: number;
  /** The newest backup of each UTC day is kept for this many days; default 7. */
  keepDays?: number;
  /**
   * Open skips its backup when the newest one is younger than this (default 10 minutes), so a crash
   * loop or quick restarts cannot fill the recent tier. A pending migration always backs up.
   */
  openBackupMinAgeMs?: number;
  /**
   * Opens an existing store for reading only (the CLI's sessions and export): nothing is created,
   * backed up or migrated, and any write fails. A missing file is not_found; a file that needs a
   * migration is store_corrupt, untouched.
   */
  readOnly?: boolean;
}

/** Backups kept whatever their age when StoreOptions.keepRecent is not given. */
export const DEFAULT_KEEP_RECENT = 5;
/** Days with one backup kept when StoreOptions.keepDays is not given. */
export const DEFAULT_KEEP_DAYS = 7;
/** Open skips its backup when the newest backup is younger than this (ms), unless a migration is pending. */
export const DEFAULT_OPEN_BACKUP_MIN_AGE_MS = 10 * 60 * 1000;

/** The studio's SQLite store. Synchronous: every call is one short transaction on the calling thread. */
export class Store {
  /** The database file. */
  readonly file: string;
  /** The backups folder. */
  readonly backupsDir: string;

  private readonly c: Connection;
  private readonly backups: Backups;
  /** Side files a read-only connection created, removed again at close. */
  private readonly sideFiles: string[];

  private constructor(c: Connection, backupsDir: string, keep: Retention, sideFiles: string[] = []) {
    this.file = c.file;
    this.backupsDir = backupsDir;
    this.c = c;
    this.backups = new Backups(c, backupsDir, keep, backupVerifies);
    this.sideFiles = sideFiles;
  }

  /**
   * Opens (or creates) the store: checks an existing file read-only first (a damaged or foreign file
   * is refused untouched with store_corrupt), backs up a store whose content is in no backup yet, then
   * migrates. With readOnly it only reads (StoreOptions.readOnly).
   */
  static open(opts: StoreOptions): Store {
    const keep = { recent: opts.keepRecent ?? DEFAULT_KEEP_RECENT, days: opts.keepDays ?? DEFAULT_KEEP_DAYS };
    if (!Number.isInteger(keep.recent) || keep.recent < 1 || !Number.isInteger(keep.days) || keep.days < 0) {
      throw new AgxError(
        'bad_argument',
        `keepRecent must be a whole number of at least 1 and keepDays at least 0, not ${keep.recent} and ${keep.days}`,
      );
    }
    const file = path.resolve(opts.file);
    const backupsDir = path.resolve(opts.backupsDir);
    if (opts.readOnly === true) return Store.openReadOnly(file, backupsDir, keep);
    makeDir(path.dirname(file));
    makeDir(backupsDir);
    // Judged before this connection opens, which itself touches the -wal file.
    const newest = listBackupsIn(backupsDir)[0];
    const changed = newest === undefined || changedSince(file, fs.statSync(path.join(backupsDir, newest.file)).mtimeMs);
    const store = new Store(new Connection(file, openChecked(file, backupsDir)), backupsDir, keep);
    try {
      // Before migrating, so a migration that goes wrong can always be undone from a backup.
      const age = newest === undefined ? Infinity : Date.now() - Date.parse(newest.createdAt);
      const recent = age >= 0 && age < (opts.openBackupMinAgeMs ?? DEFAULT_OPEN_BACKUP_MIN_AGE_MS);
      const migrating = schemaVersion(store.c.db) < LATEST_VERSION;
      if (store.hasContent() && (migrating || (changed && !recent))) store.backups.backupNow();
      // Unchanged since the newest backup: only changes from here on need one.
      else if (!changed || !store.hasContent()) store.backups.markClean();
      store.migrateNow();
    } catch (err) {
      store.close();
      throw err;
    }
    return store;
  }

  private static openReadOnly(file: string, backupsDir: string, keep: Retention): Store {
    if (!fs.existsSync(file))
      throw new AgxError('not_found', `no studio store in ${path.dirname(file)}; choose the data folder with --data-dir`);
    const created = missingSideFiles(file);
    let db;
    try {
      db = openChecked(file, backupsDir, true);
    } finally {
      if (db === undefined) tidySideFiles(created);
    }
    const store = new Store(new Connection(file, db, true), backupsDir, keep, created);
    const version = schemaVersion(store.c.db);
    if (version !== LATEST_VERSION) {
      store.close();
      throw new AgxError(
        'store_corrupt',
        `${file} is at schema ${version} and this version reads ${LATEST_VERSION}; open it in the studio once to upgrade it`,
      );
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
    return sessions.listSessions(this.c);
  }

  /** The session opened last (reopened at start), or null when none is or it was deleted. */
  lastOpenedSessionId(): string | null {
    return sessions.lastOpenedSessionId(this.c);
  }

  /** A new empty session; without a name it is 'Untitled session' and named later from its first prompt. */
  createSession(name?: string): SessionSummary {
    return sessions.createSession(this.c, name);
  }

  /** One session; not_found when it does not exist. */
  getSession(id: string): SessionSummary {
    return sessions.getSession(this.c, id);
  }

  /**
   * Records that a session was opened: it moves to the top of the list and is reopened at start.
   * Writes nothing when both are so already, so reopening the open session is a read.
   */
  markOpened(id: string): SessionSummary {
    return sessions.markOpened(this.c, id);
  }

  /** Renames a session; the name is the user's from now on (nameIsAuto false). */
  renameSession(id: string, name: string): SessionSummary {
    return sessions.renameSession(this.c, id, name);
  }

  /**
   * Names a session from a prompt, only while its name is automatic (a user's rename always wins).
   * Whitespace is collapsed and long prompts are cut at a word; the name stays automatic.
   */
  autoName(id: string, name: string): SessionSummary {
    return sessions.autoName(this.c, id, name);
  }

  /**
   * Copies a session: takes (new ids, parents remapped), explanations (remapped to the new takes) and the
   * current timeline with every take and explanation id in it remapped. Undo history is not copied.
   */
  duplicateSession(id: string, name?: string): SessionSummary {
    return duplicateSession(this.c, id, name);
  }

  /** Deletes a session with its takes, explanations, timeline and undo history. */
  deleteSession(id: string): void {
    sessions.deleteSession(this.c, id);
  }

  // ---- takes ----

  /** Stores a new take as the next number in its session (codes and audio bit-exact) and returns it. */
  addTake(t: takes.NewTake): Take {
    return takes.addTake(this.c, t);
  }

  /** One take's metadata; not_found when it does not exist. */
  getTake(id: string): Take {
    return takes.getTake(this.c, id);
  }

  /** One take's codes (Int32) and audio (Float32), exactly as stored; `damaged` when they no longer match their checksum. */
  getTakeData(id: string): { codes: Int32Array; audio: Float32Array } {
    return this.verified(() => takes.getTakeData(this.c, id));
  }

  /** A session's takes by number. */
  listTakes(sessionId: string): Take[] {
    return takes.listTakes(this.c, sessionId);
  }

  // ---- explanations ----

  /** Stores an explanation (its [steps][tokens] mask as a Float32 blob) and returns it as stored. */
  addExplanation(e: explanations.NewExplanation): Explanation {
    return this.verified(() => explanations.addExplanation(this.c, e));
  }

  /** One explanation; not_found when it does not exist. */
  getExplanation(id: string): Explanation {
    return this.verified(() => explanations.getExplanation(this.c, id));
  }

  /** Every explanation of a session's takes, oldest first. */
  listExplanations(sessionId: string): Explanation[] {
    return this.verified(() => explanations.listExplanations(this.c, sessionId));
  }

  /** Records an explanation's faithfulness figures (replacing earlier ones) and returns it. */
  setExplanationMetrics(id: string, m: Faithfulness): Explanation {
    return this.verified(() => explanations.setExplanationMetrics(this.c, id, m));
  }

  // ---- timeline and undo ----

  /** A session's timeline state (the schema's defaults when nothing was saved yet). */
  getTimeline(sessionId: string): TimelineState {
    return timeline.getTimeline(this.c, sessionId);
  }

  /**
   * Saves a session's timeline. Without undoLabel it only replaces the current state (autosave of view
   * changes; the redo stack survives). With a label the previous state becomes one undo step and the
   * redo stack is cleared; a labelled save that changes nothing adds no step.
   */
  saveTimeline(sessionId: string, state: TimelineState, undoLabel?: string): timeline.UndoStatus {
    return timeline.saveTimeline(this.c, sessionId, state, undoLabel);
  }

  /** Steps back one labelled save: returns the restored state (view fields kept), or null when there is none. */
  undo(sessionId: string): TimelineState | null {
    return timeline.undo(this.c, sessionId);
  }

  /** Steps forward again after undo: returns the restored state (view fields kept), or null when there is none. */
  redo(sessionId: string): TimelineState | null {
    return timeline.redo(this.c, sessionId);
  }

  /** Whether undo / redo have a step for this session. */
  undoStatus(sessionId: string): timeline.UndoStatus {
    return timeline.undoStatus(this.c, sessionId);
  }

  // ---- backups ----

  /**
   * Copies the live database into the backups folder (online, consistent) and prunes to the retention
   * tiers; null, writing nothing, when the store has not changed since its last backup (or is read-only).
   */
  async backup(): Promise<Backup | null> {
    return this.c.readOnly ? null : this.backups.backup();
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
    if (this.c.readOnly) throw new AgxError('internal', `the store ${this.file} was opened read-only, so no backup was restored`, false);
    const source = checkedBackupPath(this.backupsDir, file);
    verifyBackup(source, file);
    await this.backups.settled();
    this.close();
    const aside = replaceWithCopy(this.file, source, fileStamp(this.c.nowMs()));
    try {
      this.c.replace(openChecked(this.file, this.backupsDir));
      this.migrateNow();
      // The content is a backup's (migrated, if it was older): nothing to back up until it changes.
      this.backups.markClean();
    } catch (err) {
      // Put the previous file back so the studio is no worse off than before the attempt.
      try {
        this.c.close();
        fs.rmSync(this.file, { force: true });
        for (const suffix of ['', '-wal', '-shm']) if (fs.existsSync(aside + suffix)) fs.renameSync(aside + suffix, this.file + suffix);
        this.c.replace(openChecked(this.file, this.backupsDir));
      } catch {
        // The original error below is the one worth reporting.
      }
      throw err;
    }
  }

  // ---- maintenance ----

  /** PRAGMA integrity_check's answer: 'ok', or its findings one per line. */
  integrityCheck(): string {
    return this.c.guard(() =>
      (this.c.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n'),
    );
  }

  /** Closes the database (idempotent); WAL content is checkpointed into the file. */
  close(): void {
    this.c.close();
    tidySideFiles(this.sideFiles);
  }

  /** fn's result, with a row that fails its checksum reported as `damaged`, naming the backups that hold it intact. */
  private verified<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof DamageFound)) throw err;
      const { what, checksum } = this.c.guard(() => describeDamage(this.c, err));
      const intact = this.listBackups()
        .map((b) => b.file)
        .filter((name) => {
          try {
            return withReadOnly(path.join(this.backupsDir, name), (db) => holdsIntact(db, err, checksum));
          } catch {
            return false; // a backup that cannot be read holds nothing
          }
        });
      const where = intact.length > 0 ? `backups that hold it intact: ${intact.join(', ')}` : 'no backup holds it intact';
      throw new AgxError('damaged', `${what} is damaged; ${where}`);
    }
  }

  private migrateNow(): void {
    try {
      migrate(this.c.db);
    } catch (err) {
      throw asStoreError(err, this.file);
    }
    this.c.forgetStatements();
  }

  private hasContent(): boolean {
    if (schemaVersion(this.c.db) === 0) return false;
    return (this.c.db.prepare(`SELECT EXISTS (SELECT 1 FROM sessions) AS any`).get() as { any: number }).any === 1;
  }
}
