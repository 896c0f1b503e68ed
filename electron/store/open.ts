// Opening and recovering the store's file: a read-only look before anything is written (a damaged,
// foreign or too new file is refused untouched), and replacing a file with a verified backup while
// keeping the replaced one aside.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { AgxError } from '../common/errors.js';
import { BACKUP_RE } from './backups.js';
import { BUSY_TIMEOUT_MS, openWal, type Db } from './connection.js';
import { damagedRows } from './integrity.js';
import { APPLICATION_ID, LATEST_VERSION } from './migrations.js';

/** What a read-only look at a file found. */
type Inspection =
  | { state: 'missing' }
  | { state: 'empty' }
  | { state: 'studio'; version: number }
  | { state: 'foreign' }
  | { state: 'newer'; version: number }
  | { state: 'damaged'; detail: string };

/** Creates a folder (and its parents) when missing. */
export function makeDir(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
  } catch (err) {
    throw new AgxError(
      'io_error',
      `cannot create the folder ${dir} (${(err as Error).message}); choose another data folder with --data-dir`,
    );
  }
}

/** The -wal and -shm files a read-only connection to `file` would create because they are missing. */
export function missingSideFiles(file: string): string[] {
  return ['-wal', '-shm'].map((s) => file + s).filter((f) => !fs.existsSync(f));
}

/**
 * Removes side files that a read-only connection created (listed by missingSideFiles before it
 * opened), so a read leaves the folder as it was: an -shm always, a -wal only while empty.
 */
export function tidySideFiles(created: string[]): void {
  for (const f of created) {
    try {
      if (f.endsWith('-shm') || fs.statSync(f).size === 0) fs.rmSync(f, { force: true });
    } catch {
      // Not there: nothing to tidy.
    }
  }
}

/**
 * Whether the store file (or a non-empty -wal beside it) was modified after `ms`: a backup taken at
 * `ms` then no longer holds all of it. Backups checkpoint the WAL first, so an unchanged store stays older.
 */
export function changedSince(file: string, ms: number): boolean {
  const modified = (f: string) => {
    try {
      const st = fs.statSync(f);
      return st.size > 0 && st.mtimeMs > ms;
    } catch {
      return false;
    }
  };
  return modified(file) || modified(`${file}-wal`);
}

/** Runs fn on a read-only connection to an existing file and leaves the folder as it was found. */
export function withReadOnly<T>(file: string, fn: (db: Db) => T): T {
  const created = missingSideFiles(file);
  let db: Db | undefined;
  try {
    db = openReadOnly(file);
    return fn(db);
  } finally {
    db?.close();
    tidySideFiles(created);
  }
}

/** A read-only connection to an existing file (no pragma that writes). */
export function openReadOnly(file: string): Db {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  return db;
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
  try {
    return withReadOnly(file, (db): Inspection => {
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
    });
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'))) {
      return { state: 'damaged', detail: (err as Error).message };
    }
    if (err instanceof Database.SqliteError) {
      throw new AgxError('io_error', `cannot read ${file} (${err.message}); check that no other program holds it and that it is readable`);
    }
    throw err;
  }
}

/** Opens the read-write (or, for a read, read-only) connection after a read-only inspection accepted the file. */
export function openChecked(file: string, backupsDir: string, readOnly = false): Db {
  const found = inspect(file);
  const restore = `restore a backup from ${backupsDir}, or move the file away to start an empty store`;
  switch (found.state) {
    case 'foreign':
      throw new AgxError(
        'store_corrupt',
        `${file} is not an AudioGenX Studio database; choose another data folder with --data-dir, or move the file away`,
      );
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
  return readOnly ? openReadOnly(file) : openWal(file);
}

/** A backup basename resolved inside backupsDir; anything else (paths, '..', other files) is refused. */
export function checkedBackupPath(backupsDir: string, file: string): string {
  if (typeof file !== 'string' || path.basename(file) !== file || !BACKUP_RE.test(file)) {
    throw new AgxError('bad_argument', `"${String(file)}" is not a backup name; pick one from the list of backups`);
  }
  const full = path.join(backupsDir, file);
  if (!fs.existsSync(full))
    throw new AgxError('not_found', `the backup ${file} is not in ${backupsDir}; pick one from the list of backups`);
  return full;
}

/** Refuses a backup that is not a sound studio database this version can read. */
export function verifyBackup(full: string, name: string): void {
  const found = inspect(full);
  const pick = 'pick another backup';
  switch (found.state) {
    case 'studio':
      return;
    case 'damaged':
      throw new AgxError('store_corrupt', `the backup ${name} is damaged (${found.detail}); ${pick}`);
    case 'newer':
      throw new AgxError(
        'store_corrupt',
        `the backup ${name} was written by a newer AudioGenX Studio (schema ${found.version}); update the app or ${pick}`,
      );
    default:
      throw new AgxError('store_corrupt', `the backup ${name} is not an AudioGenX Studio database; ${pick}`);
  }
}

/** Whether a backup is sound: a studio database that passes integrity_check and every checksum it has. */
export function backupVerifies(full: string): boolean {
  try {
    return inspect(full).state === 'studio' && withReadOnly(full, (db) => damagedRows(db).length === 0);
  } catch {
    return false; // unreadable: not sound
  }
}

/**
 * Moves `target` (with its -wal/-shm, so the moved file still opens with its last commits) to
 * `<target>.replaced-<stamp>` and puts a copy of `source` in its place. Returns the aside path.
 */
export function replaceWithCopy(target: string, source: string, stamp: string): string {
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
    throw new AgxError(
      'io_error',
      `cannot restore ${path.basename(source)} into ${target} (${(err as Error).message}); check free space and permissions`,
    );
  }
  return aside;
}

function summarise(findings: string[]): string {
  const first = (findings[0] ?? 'unknown damage').replace(/\s+/g, ' ');
  const more = findings.length > 1 ? ` and ${findings.length - 1} more problems` : '';
  return `${first.length > 120 ? `${first.slice(0, 117)}...` : first}${more}`;
}
