// Numbered, append-only schema migrations on PRAGMA user_version. A migration, once released, is never
// edited: a user's file may sit at any version, and the only way forward is to append the next step.
import type Database from 'better-sqlite3';
import { AgxError } from '../common/errors.js';
import { explanationChecksum, takeChecksum } from './rows.js';

/** PRAGMA application_id of every studio database: 'AGXS' in ASCII, so a foreign SQLite file is recognised. */
export const APPLICATION_ID = 0x41475853;

/** One schema step: `up` runs inside a transaction that also sets user_version to `version`. */
export interface Migration {
  /** The user_version the database has after this step (1, 2, 3, ... with no gaps). */
  readonly version: number;
  /** What the step does, for logs and tests. */
  readonly name: string;
  /** Applies the step; it must only use the connection it is given. */
  up(db: Database.Database): void;
}

/** Every migration the code knows, in order. Append new steps at the end; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'sessions, takes, explanations, timeline, undo steps, settings',
    up(db) {
      // STRICT tables make SQLite reject a value of the wrong type instead of storing it silently;
      // JSON lives in TEXT columns, sample data in little-endian BLOBs.
      db.exec(`
        PRAGMA application_id = ${APPLICATION_ID};

        CREATE TABLE sessions (
          id           TEXT PRIMARY KEY NOT NULL,
          name         TEXT NOT NULL,
          name_is_auto INTEGER NOT NULL CHECK (name_is_auto IN (0, 1)),
          created_at   TEXT NOT NULL,
          updated_at   TEXT NOT NULL,
          opened_at    TEXT NOT NULL
        ) STRICT;
        CREATE INDEX sessions_opened_at ON sessions (opened_at);

        CREATE TABLE takes (
          id              TEXT PRIMARY KEY NOT NULL,
          session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          number          INTEGER NOT NULL,
          parent_take_id  TEXT REFERENCES takes (id) ON DELETE SET NULL,
          source          TEXT NOT NULL CHECK (source IN ('generated', 'regenerated', 'imported')),
          prompt          TEXT NOT NULL,
          tokens          TEXT NOT NULL,
          weights         TEXT NOT NULL,
          seed            INTEGER NOT NULL,
          sampling        TEXT NOT NULL,
          kept_before_sec REAL,
          model_id        TEXT NOT NULL,
          model_sha256    TEXT NOT NULL,
          duration_sec    REAL NOT NULL,
          sample_rate     REAL NOT NULL,
          frames          INTEGER NOT NULL,
          created_at      TEXT NOT NULL,
          -- Blobs last: SQLite reads a row's columns in order, so any column after a megabyte of audio
          -- would make listing takes walk the audio's overflow pages.
          codes           BLOB NOT NULL,
          audio           BLOB NOT NULL,
          UNIQUE (session_id, number)
        ) STRICT;
        -- The UNIQUE index above starts with session_id, so it also serves the foreign key.
        CREATE INDEX takes_parent_take_id ON takes (parent_take_id);

        CREATE TABLE explanations (
          id          TEXT PRIMARY KEY NOT NULL,
          take_id     TEXT NOT NULL REFERENCES takes (id) ON DELETE CASCADE,
          method      TEXT NOT NULL,
          params      TEXT NOT NULL,
          tokens      TEXT NOT NULL,
          frame_rate  REAL NOT NULL,
          steps       INTEGER NOT NULL,
          token_count INTEGER NOT NULL,
          holistic    TEXT NOT NULL,
          metrics     TEXT,
          elapsed_ms  REAL NOT NULL,
          created_at  TEXT NOT NULL,
          mask        BLOB NOT NULL
        ) STRICT;
        CREATE INDEX explanations_take_id ON explanations (take_id);

        CREATE TABLE timeline (
          session_id TEXT PRIMARY KEY NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          state      TEXT NOT NULL,
          updated_at TEXT NOT NULL
        ) STRICT;

        CREATE TABLE undo_steps (
          id         INTEGER PRIMARY KEY AUTOINCREMENT,
          session_id TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          stack      TEXT NOT NULL CHECK (stack IN ('undo', 'redo')),
          label      TEXT NOT NULL,
          state      TEXT NOT NULL
        ) STRICT;
        -- Serves the foreign key and "top of this session's stack" (ORDER BY id DESC).
        CREATE INDEX undo_steps_session_stack ON undo_steps (session_id, stack, id);

        CREATE TABLE settings (
          key   TEXT PRIMARY KEY NOT NULL,
          value TEXT NOT NULL
        ) STRICT;
      `);
    },
  },
  {
    version: 2,
    name: 'a checksum with every take (codes and audio) and every explanation',
    up(db) {
      // Damage inside a blob passes integrity_check, so each row carries its own sha256 (rows.ts,
      // checksum). Rows written before this step get theirs now, from their bytes as they are: damage
      // done before this step cannot be detected. The tables are rebuilt so the checksum sits before
      // the blobs (blobs last, see migration 1); this rewrites the file once.
      db.function('agx_take_checksum', { deterministic: true }, (codes, audio) => takeChecksum(codes as Buffer, audio as Buffer));
      db.function('agx_explanation_checksum', { deterministic: true, varargs: true }, (...v) => {
        const [method, params, tokens, frame_rate, steps, token_count, holistic, mask] = v as [
          string,
          string,
          string,
          number,
          number,
          number,
          string,
          Buffer,
        ];
        return explanationChecksum({ method, params, tokens, frame_rate, steps, token_count, holistic, mask });
      });
      db.exec(`
        CREATE TABLE takes_new (
          id              TEXT PRIMARY KEY NOT NULL,
          session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          number          INTEGER NOT NULL,
          parent_take_id  TEXT REFERENCES takes (id) ON DELETE SET NULL,
          source          TEXT NOT NULL CHECK (source IN ('generated', 'regenerated', 'imported')),
          prompt          TEXT NOT NULL,
          tokens          TEXT NOT NULL,
          weights         TEXT NOT NULL,
          seed            INTEGER NOT NULL,
          sampling        TEXT NOT NULL,
          kept_before_sec REAL,
          model_id        TEXT NOT NULL,
          model_sha256    TEXT NOT NULL,
          duration_sec    REAL NOT NULL,
          sample_rate     REAL NOT NULL,
          frames          INTEGER NOT NULL,
          created_at      TEXT NOT NULL,
          checksum        TEXT NOT NULL,
          codes           BLOB NOT NULL,
          audio           BLOB NOT NULL,
          UNIQUE (session_id, number)
        ) STRICT;
        INSERT INTO takes_new SELECT id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling,
          kept_before_sec, model_id, model_sha256, duration_sec, sample_rate, frames, created_at,
          agx_take_checksum(codes, audio), codes, audio FROM takes;
        DROP TABLE takes;
        ALTER TABLE takes_new RENAME TO takes;
        CREATE INDEX takes_parent_take_id ON takes (parent_take_id);

        CREATE TABLE explanations_new (
          id          TEXT PRIMARY KEY NOT NULL,
          take_id     TEXT NOT NULL REFERENCES takes (id) ON DELETE CASCADE,
          method      TEXT NOT NULL,
          params      TEXT NOT NULL,
          tokens      TEXT NOT NULL,
          frame_rate  REAL NOT NULL,
          steps       INTEGER NOT NULL,
          token_count INTEGER NOT NULL,
          holistic    TEXT NOT NULL,
          metrics     TEXT,
          elapsed_ms  REAL NOT NULL,
          created_at  TEXT NOT NULL,
          checksum    TEXT NOT NULL,
          mask        BLOB NOT NULL
        ) STRICT;
        INSERT INTO explanations_new SELECT id, take_id, method, params, tokens, frame_rate, steps, token_count, holistic, metrics,
          elapsed_ms, created_at,
          agx_explanation_checksum(method, params, tokens, frame_rate, steps, token_count, holistic, mask), mask FROM explanations;
        DROP TABLE explanations;
        ALTER TABLE explanations_new RENAME TO explanations;
        CREATE INDEX explanations_take_id ON explanations (take_id);
      `);
    },
  },
  {
    version: 3,
    name: 'the execution provider (cpu, cuda, ...) each take was made on',
    up(db) {
      // A GPU provider's arithmetic differs from the CPU's in the last bits, enough to change a sampled
      // code, so a take records where it ran. Takes made before this step get NULL: nobody knows. The
      // table is rebuilt so the new column sits before the blobs (blobs last, see migration 1).
      db.exec(`
        CREATE TABLE takes_new (
          id              TEXT PRIMARY KEY NOT NULL,
          session_id      TEXT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
          number          INTEGER NOT NULL,
          parent_take_id  TEXT REFERENCES takes (id) ON DELETE SET NULL,
          source          TEXT NOT NULL CHECK (source IN ('generated', 'regenerated', 'imported')),
          prompt          TEXT NOT NULL,
          tokens          TEXT NOT NULL,
          weights         TEXT NOT NULL,
          seed            INTEGER NOT NULL,
          sampling        TEXT NOT NULL,
          kept_before_sec REAL,
          model_id        TEXT NOT NULL,
          model_sha256    TEXT NOT NULL,
          provider        TEXT,
          duration_sec    REAL NOT NULL,
          sample_rate     REAL NOT NULL,
          frames          INTEGER NOT NULL,
          created_at      TEXT NOT NULL,
          checksum        TEXT NOT NULL,
          codes           BLOB NOT NULL,
          audio           BLOB NOT NULL,
          UNIQUE (session_id, number)
        ) STRICT;
        INSERT INTO takes_new SELECT id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling,
          kept_before_sec, model_id, model_sha256, NULL, duration_sec, sample_rate, frames, created_at, checksum, codes, audio FROM takes;
        DROP TABLE takes;
        ALTER TABLE takes_new RENAME TO takes;
        CREATE INDEX takes_parent_take_id ON takes (parent_take_id);
      `);
    },
  },
];

/** The schema version this code writes. */
export const LATEST_VERSION = MIGRATIONS.length === 0 ? 0 : MIGRATIONS[MIGRATIONS.length - 1]!.version;

/** The database's PRAGMA user_version. */
export function schemaVersion(db: Database.Database): number {
  return db.pragma('user_version', { simple: true }) as number;
}

/**
 * Brings the database up to the last migration in `list`, one transaction per step, and returns the
 * versions it applied (empty when already current). A database newer than `list` is refused untouched.
 */
export function migrate(db: Database.Database, list: readonly Migration[] = MIGRATIONS): number[] {
  list.forEach((m, i) => {
    if (m.version !== i + 1) throw new Error(`migration list is out of order at index ${i} (version ${m.version})`);
  });
  const known = list.length;
  const current = schemaVersion(db);
  if (current > known) {
    throw new AgxError(
      'store_corrupt',
      `${db.name} was written by a newer AudioGenX Studio (schema ${current}, this version knows ${known}); update the app or restore a backup`,
    );
  }
  const applied: number[] = [];
  // A step that rebuilds a table (the usual SQLite way to change columns) must not fire cascades or
  // fail half way on foreign keys, so they are off during steps and checked explicitly before commit.
  // PRAGMA foreign_keys is a no-op inside a transaction, hence it is switched around each one.
  const fkWasOn = db.pragma('foreign_keys', { simple: true }) === 1;
  db.pragma('foreign_keys = OFF');
  try {
    for (const m of list.slice(current)) {
      db.transaction(() => {
        m.up(db);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`migration ${m.version} (${m.name}) left ${broken.length} broken foreign keys`);
        db.pragma(`user_version = ${m.version}`);
      })();
      applied.push(m.version);
    }
  } finally {
    if (fkWasOn) db.pragma('foreign_keys = ON');
  }
  return applied;
}
