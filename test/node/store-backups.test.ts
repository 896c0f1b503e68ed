// Backups (issue 15, hostile input 6): reads open the store read-only and never back up; backups are
// taken only after changes; retention keeps tiers (recent + one a day) and never rotates away the
// newest backup that verifies (integrity_check and every checksum).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgxError } from '../../electron/common/errors.js';
import { storePaths } from '../../electron/store/data-dir.js';
import { MIGRATIONS, migrate } from '../../electron/store/migrations.js';
import { Store } from '../../electron/store/store.js';
import { distinctTake as take } from './store-fixtures.js';

let dir: string;
let file: string;
let backupsDir: string;
const open: Store[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agx-backups-'));
  ({ file, backupsDir } = storePaths(path.join(dir, 'data')));
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function openStore(extra: { readOnly?: boolean; openBackupMinAgeMs?: number } = {}): Store {
  const s = Store.open({ file, backupsDir, ...extra });
  open.push(s);
  return s;
}

/** Every file in the folder with its size and modification time. */
function snapshot(folder: string): Record<string, string> {
  if (!fs.existsSync(folder)) return {};
  return Object.fromEntries(
    fs.readdirSync(folder).map((n) => {
      const st = fs.statSync(path.join(folder, n));
      return [n, `${st.size} ${st.mtimeMs}`];
    }),
  );
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

/** A backup file name for a time. */
function nameAt(ms: number): string {
  return `agx-${new Date(ms).toISOString().replace(/:/g, '-').replace('.', '-')}.sqlite`;
}

const DAY = 24 * 3600 * 1000;

describe('reading never writes', () => {
  it('12 read-only opens leave the store file and every backup as they were', async () => {
    let s = openStore();
    const a = s.createSession('A');
    s.addTake(take(a.id, 1));
    s.markOpened(a.id);
    await s.backup();
    s.close();
    const before = { data: snapshot(path.dirname(file)), backups: snapshot(backupsDir) };
    const bytes = fs.readFileSync(file);

    for (let i = 0; i < 12; i++) {
      s = openStore({ readOnly: true, openBackupMinAgeMs: 0 });
      expect(s.listSessions().map((x) => x.name)).toEqual(['A']);
      expect(s.getTakeData(s.listTakes(a.id)[0]!.id).audio).toEqual(take(a.id, 1).audio);
      expect(s.markOpened(a.id).id).toBe(a.id); // already the last opened: a read
      // A write is refused with a clear error and writes nothing.
      const err = catchError(() => s.renameSession(a.id, 'B'));
      expect(err.message).toMatch(/opened read-only/);
      expect(await s.backup()).toBeNull();
      s.close();
      open.pop();
    }
    expect({ data: snapshot(path.dirname(file)), backups: snapshot(backupsDir) }).toEqual(before);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
  });

  it('read-only: a missing store is not created; a store that needs a migration is refused untouched', () => {
    const missing = catchError(() => openStore({ readOnly: true }));
    expect(missing.code).toBe('not_found');
    expect(fs.existsSync(path.dirname(file))).toBe(false);

    fs.mkdirSync(path.dirname(file), { recursive: true });
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 1));
    db.close();
    const bytes = fs.readFileSync(file);
    const old = catchError(() => openStore({ readOnly: true }));
    expect(old.code).toBe('store_corrupt');
    expect(old.message).toMatch(/open it in the studio once to upgrade it/);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['studio.sqlite']);
  });

  it('read-write opens and closes without changes take no backup; a change is backed up once', async () => {
    let s = openStore();
    const a = s.createSession('A');
    s.addTake(take(a.id, 1));
    s.close();
    s = openStore({ openBackupMinAgeMs: 0 }); // content not yet backed up: one backup at open
    expect(await s.backup()).toBeNull(); // nothing changed since
    s.close();
    const backups = snapshot(backupsDir);
    expect(Object.keys(backups)).toHaveLength(1);
    for (let i = 0; i < 12; i++) {
      s = openStore({ openBackupMinAgeMs: 0 });
      s.listSessions();
      expect(await s.backup()).toBeNull();
      s.close();
      open.pop();
    }
    expect(snapshot(backupsDir)).toEqual(backups);

    s = openStore({ openBackupMinAgeMs: 0 });
    s.renameSession(a.id, 'B');
    expect(await s.backup()).not.toBeNull();
    expect(await s.backup()).toBeNull();
    expect(s.listBackups()).toHaveLength(2);
  });
});

describe('retention', () => {
  it('keeps the newest 5, the newest of each day for 7 days, and the newest backup that verifies', async () => {
    let s = openStore();
    const a = s.createSession('A');
    s.addTake(take(a.id, 1));
    const good = (await s.backup())!;
    s.close();
    open.pop();
    const goodBytes = fs.readFileSync(path.join(backupsDir, good.file));
    fs.rmSync(path.join(backupsDir, good.file));

    // Damaged copies: integrity_check passes, take 1's checksum does not.
    const audio = Buffer.from(take(a.id, 1).audio.buffer).subarray(64_000, 64_064);
    const damagedBytes = Buffer.from(goodBytes);
    const at = damagedBytes.indexOf(audio);
    expect(at).toBeGreaterThan(0);
    damagedBytes.fill(0, at, at + 64);

    const now = Date.now();
    const oldGood = nameAt(now - 30 * DAY);
    fs.writeFileSync(path.join(backupsDir, oldGood), goodBytes);
    // Two a day for the last 10 days and 6 in the last hour, all damaged.
    const damaged: string[] = [];
    for (let d = 1; d <= 10; d++) for (const h of [1, 13]) damaged.push(nameAt(now - d * DAY + h * 3600 * 1000));
    for (let m = 6; m >= 1; m--) damaged.push(nameAt(now - m * 60 * 1000));
    for (const n of damaged) fs.writeFileSync(path.join(backupsDir, n), damagedBytes);
    // The live store is damaged the same way, so its next backup does not verify either.
    const live = fs.readFileSync(file);
    live.fill(0, live.indexOf(audio), live.indexOf(audio) + 64);
    fs.writeFileSync(file, live);

    s = openStore();
    s.renameSession(a.id, 'B');
    const made = (await s.backup())!;
    const kept = s.listBackups().map((b) => b.file);

    const all = [made.file, ...damaged].sort().reverse();
    const expected = new Set(all.slice(0, 5));
    const seenDays = new Set<string>();
    for (const n of all) {
      const day = n.slice(4, 14);
      if (Date.parse(day) + DAY > now - 7 * DAY && !seenDays.has(day)) {
        seenDays.add(day);
        expected.add(n);
      }
    }
    // The 30-day-old backup is the newest that verifies, so it stays.
    expected.add(oldGood);
    expect(new Set(kept)).toEqual(expected);
    expect(kept.length).toBeLessThanOrEqual(5 + 8 + 1);
    expect(fs.readdirSync(backupsDir).sort()).toEqual([...kept].sort());
  });
});
