// Silent damage (issue 15, hostile input 5): bytes zeroed inside a take's audio or an explanation's
// mask pass PRAGMA integrity_check, so the store keeps a checksum per take and per explanation,
// verifies it on every read, and names the damaged take with the backups that still hold it intact.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgxError } from '../../electron/common/errors.js';
import { storePaths } from '../../electron/store/data-dir.js';
import { MIGRATIONS, migrate } from '../../electron/store/migrations.js';
import { Store, type NewExplanation } from '../../electron/store/store.js';
import { distinctTake as take } from './store-fixtures.js';

let dir: string;
let file: string;
let backupsDir: string;
const open: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agx-integrity-'));
  ({ file, backupsDir } = storePaths(path.join(dir, 'data')));
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function openStore(): Store {
  const s = Store.open({ file, backupsDir });
  open.push(s);
  return s;
}

function explanation(takeId: string): NewExplanation {
  return {
    takeId,
    method: 'attention',
    params: {},
    tokens: [{ text: 'rain', start: 0, end: 4 }],
    frameRate: 50,
    mask: Array.from({ length: 50 }, (_, s) => [0.3 + s * 0.01]),
    holistic: [0.5],
    metrics: null,
    elapsedMs: 10,
  };
}

/** Zeroes 64 bytes of the file where `bytes` (taken from some row) lie contiguously; returns the offset. */
function zero64(bytes: Buffer): number {
  const content = fs.readFileSync(file);
  for (let at = 0; at + 64 <= bytes.length; at += 64) {
    const where = content.indexOf(bytes.subarray(at, at + 64));
    if (where < 0) continue;
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(64), 0, 64, where);
    fs.closeSync(fd);
    return where;
  }
  throw new Error('the bytes are not in the file');
}

function integrityOk(): boolean {
  const db = new Database(file, { readonly: true });
  const ok = db.pragma('integrity_check', { simple: true }) === 'ok';
  db.close();
  return ok;
}

function catchError(fn: () => unknown): AgxError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AgxError) return err;
    throw err;
  }
  throw new Error('expected an AgxError, nothing was thrown');
}

describe('silent damage', () => {
  it("64 zero bytes in a take's audio: integrity_check passes, the read fails naming the take and the backups that hold it intact", async () => {
    let s = openStore();
    const session = s.createSession('rain and dog');
    const takes = [1, 2, 3].map((n) => s.addTake(take(session.id, n)));
    const good = await s.backup();
    s.close();

    const audio = Buffer.from(take(session.id, 3).audio.buffer).subarray(40_000, 60_000);
    zero64(audio);
    expect(integrityOk()).toBe(true);

    s = openStore();
    // Reading the other takes is unaffected; take 3's audio is refused, not served changed.
    expect(s.getTakeData(takes[0]!.id).audio).toEqual(take(session.id, 1).audio);
    const err = catchError(() => s.getTakeData(takes[2]!.id));
    expect(err.code).toBe('damaged');
    expect(err.message).toBe(`Take 3 of 'rain and dog' is damaged; backups that hold it intact: ${good.file}`);
    expect(err.message).not.toContain('\n');

    // A backup taken after the damage holds the damage too and is not offered.
    s.renameSession(session.id, 'rain and dog');
    s.addTake(take(session.id, 4));
    const damagedCopy = await s.backup();
    expect(damagedCopy).not.toBeNull();
    expect(catchError(() => s.getTakeData(takes[2]!.id)).message).toBe(
      `Take 3 of 'rain and dog' is damaged; backups that hold it intact: ${good.file}`,
    );

    // Restoring the named backup brings the take back bit for bit.
    await s.restoreBackup(good.file);
    expect(s.getTakeData(takes[2]!.id).audio).toEqual(take(session.id, 3).audio);
  });

  it("64 zero bytes in an explanation's mask: reading the session's explanations fails naming the take", async () => {
    let s = openStore();
    const session = s.createSession('rain and dog');
    const t = s.addTake(take(session.id, 1));
    const e = s.addExplanation(explanation(t.id));
    s.close();

    zero64(Buffer.from(new Float32Array(explanation(t.id).mask.flat()).buffer).subarray(0, 128));
    expect(integrityOk()).toBe(true);

    s = openStore();
    const err = catchError(() => s.listExplanations(session.id));
    expect(err.code).toBe('damaged');
    expect(err.message).toBe(`The attention explanation of Take 1 of 'rain and dog' is damaged; no backup holds it intact`);
    expect(catchError(() => s.getExplanation(e.id)).code).toBe('damaged');
  });

  it('a duplicated session keeps the checksums; rows of an older store get theirs at migration', () => {
    // A version-1 store, as the release before checksums left it.
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.exec(`INSERT INTO sessions VALUES ('s1', 'old', 0, 't', 't', 't')`);
    const old = take('s1', 5);
    db.prepare(
      `INSERT INTO takes (id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling, kept_before_sec,
         model_id, model_sha256, duration_sec, sample_rate, frames, created_at, codes, audio)
       VALUES ('t1', 's1', 1, NULL, 'generated', 'p', '[]', '[]', 5, '{"cfg":3,"topK":250,"topP":0,"temperature":1}', NULL,
         'm', ?, 1, 32000, 50, 't', ?, ?)`,
    ).run('ab'.repeat(32), Buffer.from(old.codes.buffer), Buffer.from(old.audio.buffer));
    db.close();

    const s = openStore();
    expect(s.getTakeData('t1').audio).toEqual(old.audio);
    const copy = s.duplicateSession('s1');
    const copied = s.listTakes(copy.id)[0]!;
    expect(s.getTakeData(copied.id).codes).toEqual(old.codes);
  });
});
