// Migrations: each step on its own, only pending steps run, newer files are refused untouched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgxError } from '../../electron/common/errors.js';
import { APPLICATION_ID, LATEST_VERSION, MIGRATIONS, migrate, schemaVersion, type Migration } from '../../electron/store/migrations.js';
import { Store } from '../../electron/store/store.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agx-migrate-'));
  file = path.join(dir, 'studio.sqlite');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function tables(db: Database.Database): string[] {
  return (
    db.prepare(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]
  ).map((r) => r.name);
}
function columns(db: Database.Database, table: string): string[] {
  return (db.pragma(`table_info(${table})`) as { name: string }[]).map((c) => c.name);
}

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    expect(LATEST_VERSION).toBe(MIGRATIONS.length);
  });

  it('migration 1 on an empty file makes the tables, foreign keys, indexes and the application id', () => {
    const db = new Database(file);
    expect(migrate(db, MIGRATIONS.slice(0, 1))).toEqual([1]);
    expect(schemaVersion(db)).toBe(1);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(tables(db)).toEqual(['explanations', 'sessions', 'settings', 'takes', 'timeline', 'undo_steps']);
    expect(columns(db, 'takes')).toEqual([
      'id',
      'session_id',
      'number',
      'parent_take_id',
      'source',
      'prompt',
      'tokens',
      'weights',
      'seed',
      'sampling',
      'kept_before_sec',
      'model_id',
      'model_sha256',
      'duration_sec',
      'sample_rate',
      'frames',
      'created_at',
      'codes',
      'audio',
    ]);
    expect(columns(db, 'explanations')).toEqual([
      'id',
      'take_id',
      'method',
      'params',
      'tokens',
      'frame_rate',
      'steps',
      'token_count',
      'holistic',
      'metrics',
      'elapsed_ms',
      'created_at',
      'mask',
    ]);
    // Every foreign key cascades from its session and is backed by an index that starts with it.
    const fks = (t: string) => db.pragma(`foreign_key_list(${t})`) as { table: string; from: string; on_delete: string }[];
    expect(
      fks('takes')
        .map((f) => [f.from, f.table, f.on_delete])
        .sort(),
    ).toEqual([
      ['parent_take_id', 'takes', 'SET NULL'],
      ['session_id', 'sessions', 'CASCADE'],
    ]);
    expect(fks('explanations').map((f) => [f.from, f.on_delete])).toEqual([['take_id', 'CASCADE']]);
    expect(fks('timeline').map((f) => [f.from, f.on_delete])).toEqual([['session_id', 'CASCADE']]);
    expect(fks('undo_steps').map((f) => [f.from, f.on_delete])).toEqual([['session_id', 'CASCADE']]);
    for (const [table, col] of [
      ['takes', 'session_id'],
      ['takes', 'parent_take_id'],
      ['explanations', 'take_id'],
      ['undo_steps', 'session_id'],
    ] as const) {
      const plan = db.prepare(`EXPLAIN QUERY PLAN SELECT * FROM ${table} WHERE ${col} = ?`).all('x') as { detail: string }[];
      expect(plan.map((p) => p.detail).join(' '), `${table}.${col}`).toMatch(/USING (COVERING )?INDEX/);
    }
    // The constraints hold: a take needs its session, and a bad source is rejected.
    db.pragma('foreign_keys = ON');
    expect(() => db.prepare(`INSERT INTO timeline VALUES ('nope', '{}', 'now')`).run()).toThrow(/FOREIGN KEY/);
    db.close();
  });

  it('a file at the latest version runs nothing; a file at version N runs only the later steps', () => {
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 1));
    expect(migrate(db, MIGRATIONS.slice(0, 1))).toEqual([]);
    db.prepare(`INSERT INTO sessions VALUES ('s1', 'Kept', 0, 't', 't', 't')`).run();

    // A second step appended after 1 (as a future release would), to show only it runs on this file.
    const ran: number[] = [];
    const step2: Migration = {
      version: 2,
      name: 'test: sessions get a colour',
      up(d) {
        ran.push(2);
        d.exec(`ALTER TABLE sessions ADD COLUMN colour TEXT NOT NULL DEFAULT 'grey'`);
      },
    };
    const first: Migration = { ...MIGRATIONS[0]!, up: (d) => (ran.push(1), MIGRATIONS[0]!.up(d)) };
    expect(migrate(db, [first, step2])).toEqual([2]);
    expect(ran).toEqual([2]);
    expect(schemaVersion(db)).toBe(2);
    expect(db.prepare(`SELECT name, colour FROM sessions`).get()).toEqual({ name: 'Kept', colour: 'grey' });
    db.close();
  });

  it('a failing step rolls back entirely and leaves the version where it was', () => {
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 1));
    const broken: Migration = {
      version: 2,
      name: 'test: fails half way',
      up(d) {
        d.exec(`CREATE TABLE half (x)`);
        throw new Error('boom');
      },
    };
    expect(() => migrate(db, [MIGRATIONS[0]!, broken])).toThrow('boom');
    expect(schemaVersion(db)).toBe(1);
    expect(tables(db)).not.toContain('half');
    db.close();
  });

  it('a table-rebuilding step does not fire cascades, and a step that breaks a foreign key is refused', () => {
    const db = new Database(file);
    db.pragma('foreign_keys = ON');
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec(`INSERT INTO sessions VALUES ('s1', 'A', 0, 't', 't', 't');
             INSERT INTO timeline VALUES ('s1', '{}', 't')`);
    // The SQLite way to change a column: new table, copy, drop the old, rename.
    const rebuild: Migration = {
      version: 2,
      name: 'test: rebuild sessions',
      up(d) {
        d.exec(`CREATE TABLE sessions_new (id TEXT PRIMARY KEY NOT NULL, name TEXT NOT NULL, name_is_auto INTEGER NOT NULL,
                  created_at TEXT NOT NULL, updated_at TEXT NOT NULL, opened_at TEXT NOT NULL) STRICT;
                INSERT INTO sessions_new SELECT * FROM sessions;
                DROP TABLE sessions;
                ALTER TABLE sessions_new RENAME TO sessions;`);
      },
    };
    expect(migrate(db, [MIGRATIONS[0]!, rebuild])).toEqual([2]);
    expect(db.prepare(`SELECT COUNT(*) AS n FROM timeline`).get()).toEqual({ n: 1 });
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    const orphaning: Migration = { version: 3, name: 'test: orphans', up: (d) => d.exec(`DELETE FROM sessions`) };
    expect(() => migrate(db, [MIGRATIONS[0]!, rebuild, orphaning])).toThrow(/broken foreign keys/);
    expect(schemaVersion(db)).toBe(2);
    db.close();
  });

  it('a file from a newer version is refused with a clear error and not touched', () => {
    const db = new Database(file);
    migrate(db);
    db.pragma(`user_version = ${LATEST_VERSION + 1}`);
    db.close();
    const before = fs.readFileSync(file);
    let err: unknown;
    try {
      Store.open({ file, backupsDir: path.join(dir, 'backups') }).close();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AgxError);
    expect((err as AgxError).code).toBe('store_corrupt');
    expect((err as AgxError).message).toMatch(/newer AudioGenX Studio \(schema \d+, this version knows \d+\); update the app/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    // migrate() itself refuses too, should anything call it directly.
    const again = new Database(file, { readonly: true });
    expect(() => migrate(again)).toThrow(/newer AudioGenX Studio/);
    again.close();
  });

  it('Store.open backs up a store with content; the copy keeps the application id and version', () => {
    // A version-1 store with a session, as an older release would leave it.
    const s = Store.open({ file, backupsDir: path.join(dir, 'backups') });
    s.createSession('Old');
    s.close();
    const backups = fs.readdirSync(path.join(dir, 'backups'));
    const reopened = Store.open({ file, backupsDir: path.join(dir, 'backups'), openBackupMinAgeMs: 0 });
    const after = reopened.listBackups();
    reopened.close();
    expect(after).toHaveLength(backups.length + 1);
    const copy = new Database(path.join(dir, 'backups', after[0]!.file), { readonly: true });
    expect(copy.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(copy.pragma('user_version', { simple: true })).toBe(LATEST_VERSION);
    expect((copy.prepare('SELECT name FROM sessions').get() as { name: string }).name).toBe('Old');
    copy.close();
  });
});
