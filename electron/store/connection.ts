// The one read-write connection to the store's SQLite file, and the small facade every table module
// works through: cached statements, a strictly increasing clock, SQLite failures turned into
// AgxErrors, and one immediate transaction per public call.
import Database from 'better-sqlite3';
import { AgxError } from '../common/errors.js';

/** How long a statement waits for another process's lock before failing (ms). */
export const BUSY_TIMEOUT_MS = 5000;

/** A better-sqlite3 database handle. */
export type Db = Database.Database;

/** Opens the read-write connection with the store's pragmas (the file has been checked before). */
export function openWal(file: string): Db {
  let db: Db | undefined;
  try {
    db = new Database(file);
    // WAL: readers never block the writer, and a commit is one append to the -wal file, which the OS
    // keeps even when the process is killed. synchronous=FULL also fsyncs it, so an acknowledged edit
    // survives power loss too; Connection.tx relaxes this to NORMAL for view-only autosaves.
    const mode = db.pragma('journal_mode = WAL', { simple: true });
    if (mode !== 'wal')
      throw new AgxError(
        'io_error',
        `${file} cannot use write-ahead logging (journal mode ${String(mode)}); put the data folder on a local disk`,
      );
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
    return db;
  } catch (err) {
    db?.close();
    throw asStoreError(err, file);
  }
}

/** The store's connection. Synchronous: every call runs on the calling thread. */
export class Connection {
  private statements = new Map<string, Database.Statement>();
  private lastMs = 0;
  private syncMode: 'FULL' | 'NORMAL' = 'FULL';

  constructor(
    /** The database file. */
    readonly file: string,
    private current: Db,
    /** Opened for reading only: every write is refused before it reaches SQLite. */
    readonly readOnly = false,
  ) {}

  /** The raw handle, for whole-file work only (migrations, backups, integrity check). */
  get db(): Db {
    return this.current;
  }

  /** Swaps in a freshly opened handle (after a restore); cached statements belonged to the old one. */
  replace(db: Db): void {
    this.statements.clear();
    this.current = db;
    this.syncMode = 'FULL';
  }

  /** Forgets cached statements (a migration may have changed the tables they were prepared on). */
  forgetStatements(): void {
    this.statements.clear();
  }

  /** Closes the database (idempotent); WAL content is checkpointed into the file. */
  close(): void {
    this.statements.clear();
    if (this.current.open) this.current.close();
  }

  /** Milliseconds since the epoch, strictly increasing within this store, so "most recent" never ties. */
  nowMs(): number {
    this.lastMs = Math.max(Date.now(), this.lastMs + 1);
    return this.lastMs;
  }

  /** nowMs as an ISO string (the stored timestamp format). */
  now(): string {
    return new Date(this.nowMs()).toISOString();
  }

  /** One row of a cached statement. */
  get(sql: string, ...params: unknown[]): unknown {
    return this.prepared(sql).get(...params);
  }

  /** Every row of a cached statement. */
  all(sql: string, ...params: unknown[]): unknown[] {
    return this.prepared(sql).all(...params);
  }

  /** Runs a cached statement. */
  run(sql: string, ...params: unknown[]): Database.RunResult {
    this.requireWritable();
    return this.prepared(sql).run(...params);
  }

  /** Runs fn with SQLite failures turned into AgxErrors a user can act on. */
  guard<T>(fn: () => T): T {
    if (!this.current.open) throw new AgxError('internal', `the store ${this.file} is closed`, false);
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
  tx<T>(fn: () => T, durable = true): T {
    return this.guard(() => {
      this.requireWritable();
      const mode = durable ? 'FULL' : 'NORMAL';
      if (this.syncMode !== mode) {
        this.current.pragma(`synchronous = ${mode}`);
        this.syncMode = mode;
      }
      return this.current.transaction(fn).immediate();
    });
  }

  private requireWritable(): void {
    // A bug, not a user's doing: a command that only reads asked for a write.
    if (this.readOnly) throw new AgxError('internal', `the store ${this.file} was opened read-only, so nothing was changed`, false);
  }

  private prepared(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (s === undefined) {
      s = this.current.prepare(sql);
      this.statements.set(sql, s);
    }
    return s;
  }
}

/** A thrown value with SQLite's failure kinds turned into AgxErrors; anything else unchanged. */
export function asStoreError(err: unknown, file: string): unknown {
  if (err instanceof AgxError || !(err instanceof Database.SqliteError)) return err;
  const code = err.code;
  if (code === 'SQLITE_FULL') return new AgxError('io_error', `the disk holding ${file} is full; free some space and try again`);
  if (code === 'SQLITE_BUSY' || code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return new AgxError('io_error', `${file} is locked by another program (another AudioGenX Studio?); close it and try again`);
  }
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_CANTOPEN')) {
    return new AgxError('io_error', `cannot write ${file} (${err.message}); check the folder's permissions`);
  }
  if (code.startsWith('SQLITE_IOERR'))
    return new AgxError('io_error', `reading or writing ${file} failed (${err.message}); check the disk`);
  if (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT')) {
    return new AgxError('store_corrupt', `${file} is damaged (${err.message}); restore a backup`);
  }
  return err;
}
