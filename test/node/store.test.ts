// The store against real SQLite files in temp folders: round trips, duplicate, cascades, undo/redo,
// damaged and foreign files, backups and restore.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IdSchema, TimelineStateSchema, type TimelineState } from '../../electron/common/api.js';
import { AgxError } from '../../electron/common/errors.js';
import { defaultDataDir, resolveDataDir, storePaths } from '../../electron/store/data-dir.js';
import { APPLICATION_ID } from '../../electron/store/migrations.js';
import { DEFAULT_SESSION_NAME, Store, UNDO_CAP, newId, type NewTake } from '../../electron/store/store.js';

let dir: string;
let file: string;
let backupsDir: string;
const open: Store[] = [];

function openStore(keepRecent?: number, openBackupMinAgeMs?: number): Store {
  const s = Store.open({
    file,
    backupsDir,
    ...(keepRecent === undefined ? {} : { keepRecent }),
    ...(openBackupMinAgeMs === undefined ? {} : { openBackupMinAgeMs }),
  });
  open.push(s);
  return s;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agx-store-'));
  ({ file, backupsDir } = storePaths(path.join(dir, 'data')));
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function catchError(fn: () => unknown): AgxError {
  try {
    fn();
  } catch (err) {
    if (err instanceof AgxError) return err;
    throw err;
  }
  throw new Error('expected an AgxError, nothing was thrown');
}

async function catchAsync(fn: () => Promise<unknown>): Promise<AgxError> {
  try {
    await fn();
  } catch (err) {
    if (err instanceof AgxError) return err;
    throw err;
  }
  throw new Error('expected an AgxError, nothing was thrown');
}

function takeInput(sessionId: string, over: Partial<NewTake> = {}): NewTake {
  const n = 32000;
  const audio = new Float32Array(n);
  for (let i = 0; i < n; i++) audio[i] = Math.sin(i * 0.01) * 0.5 + (i % 7) * 1e-7;
  // Values that only survive a bit-exact path: negative zero, subnormal, NaN payload, extremes.
  audio[0] = -0;
  audio[1] = 1.4e-45;
  audio[2] = NaN;
  audio[3] = 3.4028234663852886e38;
  const codes = new Int32Array(4 * 50);
  for (let i = 0; i < codes.length; i++) codes[i] = (i * 2654435761) | 0;
  codes[0] = -2147483648;
  codes[1] = 2147483647;
  return {
    sessionId,
    parentTakeId: null,
    source: 'generated',
    prompt: 'a dog barks while rain falls',
    tokens: [
      { text: 'a', start: 0, end: 1 },
      { text: 'dog', start: 2, end: 5 },
      { text: 'barks', start: 6, end: 11 },
    ],
    weights: [{ token: 1, weight: 0.5, startSec: 0.25, endSec: 1.5 }],
    seed: 4294967295,
    sampling: { cfg: 3, topK: 250, topP: 0, temperature: 1 },
    keptBeforeSec: null,
    modelId: 'tiny-foley',
    modelSha256: 'ab'.repeat(32),
    durationSec: 1,
    sampleRate: 32000,
    frames: 50,
    codes,
    audio,
    ...over,
  };
}

function bytesOf(a: Int32Array | Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

function explanationInput(takeId: string, steps = 5) {
  const mask = Array.from({ length: steps }, (_, s) => [0, 0.125 * s, 1, 1 / 3]);
  return {
    takeId,
    method: 'audiogenx',
    params: { epochs: 50, lr: 0.1, nested: { a: [1, 2] } },
    tokens: [
      { text: 'a', start: 0, end: 1 },
      { text: 'dog', start: 2, end: 5 },
      { text: 'barks', start: 6, end: 11 },
      { text: 'loudly', start: 12, end: 18, unknown: true },
    ],
    frameRate: 50,
    mask,
    holistic: [0.1, 0.2, 0.3, 0.4],
    metrics: null,
    elapsedMs: 1234.5,
  };
}

function withMarker(state: TimelineState, n: number): TimelineState {
  return { ...state, markers: [...state.markers, { id: `m${n}`, timeSec: n, label: `marker ${n}` }] };
}

describe('data folder', () => {
  it('follows each platform and lets the flag, then AGX_DATA_DIR, win', () => {
    expect(defaultDataDir({ XDG_CONFIG_HOME: '/x/cfg' }, 'linux', '/home/u')).toBe('/x/cfg/AudioGenX Studio');
    expect(defaultDataDir({}, 'linux', '/home/u')).toBe('/home/u/.config/AudioGenX Studio');
    expect(defaultDataDir({}, 'darwin', '/Users/u')).toBe('/Users/u/Library/Application Support/AudioGenX Studio');
    expect(defaultDataDir({ APPDATA: 'C:\\Users\\u\\AppData\\Roaming' }, 'win32', 'C:\\Users\\u')).toBe(
      'C:\\Users\\u\\AppData\\Roaming\\AudioGenX Studio',
    );
    expect(resolveDataDir('/flag/dir', { AGX_DATA_DIR: '/env/dir' })).toBe('/flag/dir');
    expect(resolveDataDir(undefined, { AGX_DATA_DIR: '/env/dir' })).toBe('/env/dir');
    expect(resolveDataDir(undefined, { XDG_CONFIG_HOME: '/x/cfg' })).toBe(defaultDataDir({ XDG_CONFIG_HOME: '/x/cfg' }));
    expect(storePaths('/d')).toEqual({ file: '/d/studio.sqlite', backupsDir: '/d/backups' });
  });
});

describe('Store: opening', () => {
  it('creates the folder and file, in WAL mode with foreign keys on, marked with the application id', () => {
    const s = openStore();
    expect(fs.existsSync(file)).toBe(true);
    expect(s.integrityCheck()).toBe('ok');
    s.close();
    const raw = new Database(file, { readonly: true });
    expect(raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    raw.close();
    // No content yet: no backup was taken.
    expect(fs.readdirSync(backupsDir)).toEqual([]);
  });

  it('ids are url-safe and match IdSchema', () => {
    const s = openStore();
    const ids = [newId(), s.createSession().id];
    for (const id of ids) expect(IdSchema.safeParse(id).success, id).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, newId)).size).toBe(1000);
  });
});

describe('Store: sessions', () => {
  it('creates, lists by last opened, renames, auto-names only while automatic, deletes', () => {
    const s = openStore();
    const a = s.createSession();
    expect(a.name).toBe(DEFAULT_SESSION_NAME);
    expect(a.nameIsAuto).toBe(true);
    expect(a.takeCount).toBe(0);
    const b = s.createSession('  Foley pass  ');
    expect(b.name).toBe('Foley pass');
    expect(b.nameIsAuto).toBe(false);
    expect(s.lastOpenedSessionId()).toBeNull();

    s.markOpened(a.id);
    expect(s.listSessions().map((x) => x.id)).toEqual([a.id, b.id]);
    expect(s.lastOpenedSessionId()).toBe(a.id);
    s.markOpened(b.id);
    expect(s.listSessions().map((x) => x.id)).toEqual([b.id, a.id]);
    expect(s.lastOpenedSessionId()).toBe(b.id);

    const named = s.autoName(a.id, '  a dog   barks\nin the rain ');
    expect(named.name).toBe('a dog barks in the rain');
    expect(named.nameIsAuto).toBe(true);
    const long = s.autoName(a.id, 'word '.repeat(100));
    expect(long.name.endsWith('…')).toBe(true);
    expect(long.name.length).toBeLessThanOrEqual(61);
    // b was named by the user: the prompt does not override it.
    expect(s.autoName(b.id, 'a siren wails').name).toBe('Foley pass');
    const renamed = s.renameSession(a.id, 'Dogs');
    expect(renamed).toMatchObject({ name: 'Dogs', nameIsAuto: false });
    expect(s.autoName(a.id, 'a siren wails').name).toBe('Dogs');
    expect(catchError(() => s.renameSession(a.id, '   ')).code).toBe('bad_argument');
    expect(catchError(() => s.renameSession(a.id, 'x'.repeat(201))).code).toBe('bad_argument');

    s.deleteSession(b.id);
    expect(s.listSessions().map((x) => x.id)).toEqual([a.id]);
    expect(s.lastOpenedSessionId()).toBeNull();
    const missing = catchError(() => s.getSession(b.id));
    expect(missing.code).toBe('not_found');
    expect(missing.message).toContain(b.id);
    expect(catchError(() => s.deleteSession(b.id)).code).toBe('not_found');
    expect(catchError(() => s.markOpened(b.id)).code).toBe('not_found');
  });

  it('keeps everything across close and reopen', () => {
    let s = openStore();
    const a = s.createSession('Kept');
    s.markOpened(a.id);
    const t = s.addTake(takeInput(a.id));
    s.close();
    s = openStore();
    expect(s.listSessions()).toEqual([{ ...s.getSession(a.id), takeCount: 1 }]);
    expect(s.lastOpenedSessionId()).toBe(a.id);
    expect(s.getTake(t.id)).toEqual(t);
  });
});

describe('Store: takes and explanations', () => {
  it('round-trips take metadata and bit-exact codes and audio, numbering per session', () => {
    const s = openStore();
    const a = s.createSession();
    const b = s.createSession();
    const before = s.getSession(a.id).updatedAt;
    const input = takeInput(a.id);
    const t1 = s.addTake(input);
    expect(t1.number).toBe(1);
    expect(s.getSession(a.id).updatedAt > before).toBe(true);
    const { codes, audio, ...meta } = input;
    expect(t1).toMatchObject(meta);
    expect(s.getTake(t1.id)).toEqual(t1);
    const data = s.getTakeData(t1.id);
    expect(data.codes).toBeInstanceOf(Int32Array);
    expect(data.audio).toBeInstanceOf(Float32Array);
    expect(bytesOf(data.codes).equals(bytesOf(codes))).toBe(true);
    expect(bytesOf(data.audio).equals(bytesOf(audio))).toBe(true);
    expect(Object.is(data.audio[0], -0)).toBe(true);

    // A view into a larger buffer stores only the view.
    const big = new Float32Array([9, 1, 2, 3, 9]);
    const t2 = s.addTake(takeInput(a.id, { source: 'regenerated', parentTakeId: t1.id, keptBeforeSec: 0.5, audio: big.subarray(1, 4) }));
    expect(t2).toMatchObject({ number: 2, parentTakeId: t1.id, keptBeforeSec: 0.5 });
    expect(Array.from(s.getTakeData(t2.id).audio)).toEqual([1, 2, 3]);
    expect(s.addTake(takeInput(b.id)).number).toBe(1);
    expect(s.listTakes(a.id).map((t) => t.number)).toEqual([1, 2]);
    expect(s.getSession(a.id).takeCount).toBe(2);

    expect(catchError(() => s.addTake(takeInput('nosuchsession'))).code).toBe('not_found');
    expect(catchError(() => s.addTake(takeInput(b.id, { parentTakeId: t1.id }))).code).toBe('bad_argument');
    expect(catchError(() => s.addTake(takeInput(a.id, { seed: -1 }))).code).toBe('bad_argument');
    expect(catchError(() => s.getTake('nosuchtake')).code).toBe('not_found');
    expect(catchError(() => s.getTakeData('nosuchtake')).code).toBe('not_found');
    // A rejected call left nothing behind.
    expect(s.listTakes(a.id)).toHaveLength(2);
  });

  it('stores masks as float32 and returns them as [steps][tokens]; metrics can be set later', () => {
    const s = openStore();
    const a = s.createSession();
    const t = s.addTake(takeInput(a.id));
    const input = explanationInput(t.id);
    const e = s.addExplanation(input);
    expect(e).toMatchObject({ ...input, mask: input.mask.map((row) => row.map(Math.fround)) });
    expect(e.mask[2]![3]).toBe(Math.fround(1 / 3));
    expect(s.getExplanation(e.id)).toEqual(e);
    const e2 = s.addExplanation({ ...explanationInput(t.id, 0), method: 'random' });
    expect(e2.mask).toEqual([]);
    expect(s.listExplanations(a.id).map((x) => x.id)).toEqual([e.id, e2.id]);

    const metrics = { label: 'dog', fidF: 0.01, fidCF: 0.4, klF: 0.02, klCF: 1.5, size: 0.3, seed: 7 };
    expect(s.setExplanationMetrics(e.id, metrics).metrics).toEqual(metrics);
    expect(s.getExplanation(e.id).metrics).toEqual(metrics);

    const ragged = { ...explanationInput(t.id), mask: [[0, 1], [0]] };
    expect(catchError(() => s.addExplanation(ragged)).code).toBe('bad_argument');
    expect(catchError(() => s.addExplanation(explanationInput('nosuchtake'))).code).toBe('not_found');
    expect(catchError(() => s.setExplanationMetrics('nosuch', metrics)).code).toBe('not_found');
  });

  it('deleting a session cascades to takes, explanations, timeline and undo steps only of that session', () => {
    const s = openStore();
    const a = s.createSession();
    const b = s.createSession();
    for (const id of [a.id, b.id]) {
      const t = s.addTake(takeInput(id));
      s.addExplanation(explanationInput(t.id));
      s.saveTimeline(id, withMarker(s.getTimeline(id), 1), 'Add marker');
    }
    s.deleteSession(a.id);
    s.close();
    const raw = new Database(file, { readonly: true });
    const count = (table: string): number => (raw.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
    expect([count('sessions'), count('takes'), count('explanations'), count('timeline'), count('undo_steps')]).toEqual([1, 1, 1, 1, 1]);
    raw.close();
  });

  it('duplicates a session with new ids everywhere and a remapped timeline, without undo history', () => {
    const s = openStore();
    const a = s.createSession('Original');
    const t1 = s.addTake(takeInput(a.id));
    const t2 = s.addTake(takeInput(a.id, { source: 'regenerated', parentTakeId: t1.id }));
    const e1 = s.addExplanation(explanationInput(t1.id));
    const e2 = s.addExplanation(explanationInput(t2.id));
    const state: TimelineState = {
      ...TimelineStateSchema.parse({}),
      selectedTakeId: t2.id,
      soloTakeId: t1.id,
      shownExplanation: { [t1.id]: e1.id, [t2.id]: e2.id },
      draftWeights: { [t2.id]: [{ token: 1, weight: 0 }] },
      hiddenTakeIds: [t1.id],
      markers: [{ id: 'm', timeSec: 0.5, label: 'bark' }],
    };
    s.saveTimeline(a.id, state, 'Edit');

    const copy = s.duplicateSession(a.id);
    expect(copy).toMatchObject({ name: 'Original (copy)', nameIsAuto: false, takeCount: 2 });
    expect(s.duplicateSession(a.id, 'Named').name).toBe('Named');
    const takes = s.listTakes(copy.id);
    const [c1, c2] = takes as [typeof t1, typeof t2];
    expect(new Set([c1.id, c2.id, t1.id, t2.id]).size).toBe(4);
    expect(c2.parentTakeId).toBe(c1.id);
    expect(c1).toEqual({ ...t1, id: c1.id, sessionId: copy.id });
    expect(bytesOf(s.getTakeData(c2.id).audio).equals(bytesOf(s.getTakeData(t2.id).audio))).toBe(true);
    const exps = s.listExplanations(copy.id);
    expect(exps.map((e) => e.takeId)).toEqual([c1.id, c2.id]);
    expect(exps[0]).toEqual({ ...e1, id: exps[0]!.id, takeId: c1.id });
    expect(exps.map((e) => e.id)).not.toContain(e1.id);

    const copied = s.getTimeline(copy.id);
    expect(copied).toEqual({
      ...state,
      selectedTakeId: c2.id,
      soloTakeId: c1.id,
      shownExplanation: { [c1.id]: exps[0]!.id, [c2.id]: exps[1]!.id },
      draftWeights: { [c2.id]: [{ token: 1, weight: 0 }] },
      hiddenTakeIds: [c1.id],
    });
    expect(s.undoStatus(copy.id)).toEqual({ canUndo: false, canRedo: false });
    expect(s.undoStatus(a.id)).toEqual({ canUndo: true, canRedo: false });

    // The copy is independent: deleting the original leaves it whole.
    s.deleteSession(a.id);
    expect(s.listTakes(copy.id)).toHaveLength(2);
    expect(s.listExplanations(copy.id)).toHaveLength(2);
  });
});

describe('Store: timeline, undo and redo', () => {
  it('returns defaults when nothing was saved and round-trips a saved state', () => {
    const s = openStore();
    const a = s.createSession();
    expect(s.getTimeline(a.id)).toEqual(TimelineStateSchema.parse({}));
    const state = { ...TimelineStateSchema.parse({}), pxPerSec: 320, selection: { startSec: 1, endSec: 2 }, loop: true };
    expect(s.saveTimeline(a.id, state)).toEqual({ canUndo: false, canRedo: false });
    expect(s.getTimeline(a.id)).toEqual(state);
    expect(catchError(() => s.saveTimeline(a.id, { ...state, pxPerSec: -1 })).code).toBe('bad_argument');
    expect(catchError(() => s.getTimeline('nosuch')).code).toBe('not_found');
  });

  it('labelled saves are undo steps; unlabelled saves only replace the current state', () => {
    const s = openStore();
    const a = s.createSession();
    const s0 = TimelineStateSchema.parse({});
    const s1 = withMarker(s0, 1);
    const s2 = withMarker(s1, 2);
    const s3 = withMarker(s2, 3);
    expect(s.undo(a.id)).toBeNull();
    expect(s.saveTimeline(a.id, s1, 'Add marker')).toEqual({ canUndo: true, canRedo: false });
    s.saveTimeline(a.id, s2, 'Add marker');
    // A view change without a label: not a step, and it does not survive undo's view handling as a step.
    s.saveTimeline(a.id, { ...s2, scrollSec: 12, pxPerSec: 400 });
    expect(s.undoStatus(a.id)).toEqual({ canUndo: true, canRedo: false });

    const u1 = s.undo(a.id);
    // The edit goes back; the view the user is looking at stays.
    expect(u1).toEqual({ ...s1, scrollSec: 12, pxPerSec: 400 });
    expect(s.getTimeline(a.id)).toEqual(u1);
    expect(s.undoStatus(a.id)).toEqual({ canUndo: true, canRedo: true });
    expect(s.undo(a.id)?.markers).toEqual([]);
    expect(s.undo(a.id)).toBeNull();
    expect(s.redo(a.id)?.markers).toEqual(s1.markers);
    // Autosave between undo and redo keeps the redo stack.
    s.saveTimeline(a.id, { ...s.getTimeline(a.id), playheadSec: 3 });
    const r2 = s.redo(a.id);
    expect(r2).toEqual({ ...s2, scrollSec: 12, pxPerSec: 400, playheadSec: 3 });
    expect(s.redo(a.id)).toBeNull();

    s.undo(a.id);
    expect(s.undoStatus(a.id).canRedo).toBe(true);
    // A new labelled edit after undo clears redo.
    expect(s.saveTimeline(a.id, s3, 'Add marker')).toEqual({ canUndo: true, canRedo: false });
    expect(s.redo(a.id)).toBeNull();
    expect(s.undo(a.id)?.markers).toEqual(s1.markers);
    // A labelled save that changes nothing adds no step.
    const cur = s.getTimeline(a.id);
    s.saveTimeline(a.id, cur, 'Nothing');
    expect(s.undo(a.id)?.markers).toEqual([]);
    expect(s.undo(a.id)).toBeNull();
  });

  it('caps the undo stack, dropping the oldest steps', () => {
    const s = openStore();
    const a = s.createSession();
    const other = s.createSession();
    s.saveTimeline(other.id, withMarker(s.getTimeline(other.id), 0), 'Other');
    let state = TimelineStateSchema.parse({});
    for (let n = 1; n <= UNDO_CAP + 20; n++) {
      state = { ...state, markers: [{ id: 'm', timeSec: n, label: String(n) }] };
      s.saveTimeline(a.id, state, `Move marker ${n}`);
    }
    let undone = 0;
    let last: TimelineState | null = null;
    for (let r = s.undo(a.id); r !== null; r = s.undo(a.id)) {
      last = r;
      undone++;
    }
    expect(undone).toBe(UNDO_CAP);
    // The oldest surviving step is the state after save 20.
    expect(last?.markers[0]?.timeSec).toBe(20);
    // The other session's history is untouched by the cap.
    expect(s.undoStatus(other.id).canUndo).toBe(true);
  });
});

describe('Store: damaged and foreign files', () => {
  function expectRefused(expectedText: RegExp): AgxError {
    const before = fs.readFileSync(file);
    const err = catchError(() => openStore());
    expect(err.code).toBe('store_corrupt');
    expect(err.message).toMatch(expectedText);
    expect(err.message).toContain(file);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    return err;
  }

  /** A store with content and one backup of it; returns the backup's name and the session id. */
  async function storeWithBackup(): Promise<{ backup: string; sessionId: string }> {
    const s = openStore();
    const a = s.createSession('Precious');
    s.addTake(takeInput(a.id));
    const b = await s.backup();
    s.close();
    fs.rmSync(file);
    return { backup: b.file, sessionId: a.id };
  }

  function restoreAndCheck(backup: string, sessionId: string, damaged: Buffer): void {
    Store.restoreInto(file, backupsDir, backup);
    const aside = fs.readdirSync(path.dirname(file)).filter((n) => n.startsWith('studio.sqlite.replaced-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(path.dirname(file), aside[0]!)).equals(damaged)).toBe(true);
    const s = openStore();
    expect(s.getSession(sessionId).name).toBe('Precious');
    expect(s.integrityCheck()).toBe('ok');
  }

  it('random bytes: refused untouched; restoreInto keeps the damaged file aside', async () => {
    const { backup, sessionId } = await storeWithBackup();
    const junk = randomBytes(64 * 1024);
    fs.writeFileSync(file, junk);
    expectRefused(/is damaged .*restore a backup/);
    restoreAndCheck(backup, sessionId, junk);
  });

  it('a real database with junk over pages in the middle: integrity_check fails, refused untouched', async () => {
    const { backup, sessionId } = await storeWithBackup();
    // Build a database with many rows across many pages, then overwrite pages 3.. in its middle.
    const db = new Database(file);
    db.pragma(`application_id = ${APPLICATION_ID}`);
    db.pragma('user_version = 1');
    db.exec('CREATE TABLE sessions (id TEXT PRIMARY KEY, name TEXT); CREATE INDEX sessions_name ON sessions (name)');
    const insert = db.prepare('INSERT INTO sessions VALUES (?, ?)');
    db.transaction(() => {
      for (let i = 0; i < 5000; i++) insert.run(`id${i}`, `name ${i} ${'x'.repeat(i % 50)}`);
    })();
    const pageSize = db.pragma('page_size', { simple: true }) as number;
    db.close();
    const bytes = fs.readFileSync(file);
    const pages = bytes.length / pageSize;
    expect(pages).toBeGreaterThan(20);
    const start = Math.floor(pages / 2) * pageSize;
    randomBytes(pageSize * 3).copy(bytes, start);
    fs.writeFileSync(file, bytes);
    // The damage is real: SQLite itself finds it.
    const check = new Database(file, { readonly: true });
    let found: string;
    try {
      found = (check.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n');
    } catch (err) {
      found = (err as Error).message;
    }
    check.close();
    expect(found).not.toBe('ok');

    expectRefused(/is damaged \(.+\); restore a backup/);
    restoreAndCheck(backup, sessionId, bytes);
  });

  it("another application's SQLite file: refused untouched as not ours", async () => {
    const { backup, sessionId } = await storeWithBackup();
    const db = new Database(file);
    db.exec("CREATE TABLE contacts (name TEXT, phone TEXT); INSERT INTO contacts VALUES ('Ann', '123')");
    db.close();
    const original = fs.readFileSync(file);
    expectRefused(/is not an AudioGenX Studio database/);
    restoreAndCheck(backup, sessionId, original);
  });

  it('an empty SQLite file (no tables, no ids) is taken as a new store', () => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    new Database(file).close();
    const s = openStore();
    expect(s.listSessions()).toEqual([]);
  });

  it('restore rejects names that are not backups in the folder', async () => {
    const s = openStore();
    s.createSession();
    for (const bad of ['../studio.sqlite', '/etc/passwd', 'agx-2020-01-01T00-00-00-000Z.sqlite', '..', 'studio.sqlite']) {
      const err = await catchAsync(() => s.restoreBackup(bad));
      expect(['bad_argument', 'not_found'], bad).toContain(err.code);
    }
    expect(catchError(() => Store.restoreInto(file, backupsDir, '../x/agx-2020-01-01T00-00-00-000Z.sqlite')).code).toBe('bad_argument');
    // A file with a backup's name but damaged content is refused before anything moves.
    fs.writeFileSync(path.join(backupsDir, 'agx-2020-01-01T00-00-00-000Z.sqlite'), randomBytes(8192));
    const err = await catchAsync(() => s.restoreBackup('agx-2020-01-01T00-00-00-000Z.sqlite'));
    expect(err.code).toBe('store_corrupt');
    expect(s.listSessions()).toHaveLength(1);
  });
});

describe('Store: backups', () => {
  it('takes one at open when there is content, rolls to keepRecent, restores old content', async () => {
    let s = openStore(3);
    const a = s.createSession('Before');
    s.addTake(takeInput(a.id));
    const first = (await s.backup())!;
    expect(first.file).toMatch(/^agx-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d-\d{3}Z\.sqlite$/);
    expect(first.bytes).toBeGreaterThan(100_000);
    expect(s.listBackups()).toEqual([first]);

    s.renameSession(a.id, 'After');
    s.addTake(takeInput(a.id));
    s.close();
    // A backup from a moment ago: reopening does not add another (quick restarts keep older backups).
    s = openStore(3);
    expect(s.listBackups()).toEqual([first]);
    s.close();
    // Once the newest backup is older than the minimum age, reopening a store with content backs it up.
    s = openStore(3, 0);
    expect(s.listBackups()).toHaveLength(2);
    // Only a change is backed up; the recent tier keeps 3 (today's newest is among them).
    expect(await s.backup()).toBeNull();
    for (let i = 0; i < 4; i++) {
      s.renameSession(a.id, i === 3 ? 'After' : `After ${i}`);
      await s.backup();
    }
    const list = s.listBackups();
    expect(list).toHaveLength(3);
    expect(list.map((b) => b.createdAt)).toEqual([...list.map((b) => b.createdAt)].sort().reverse());
    expect(list.map((b) => b.file)).not.toContain(first.file);
    expect(fs.readdirSync(backupsDir).sort()).toEqual(list.map((b) => b.file).sort());

    // Restore the newest backup after more changes: the changes go, the file they were in is kept.
    s.renameSession(a.id, 'Later still');
    await s.restoreBackup(list[0]!.file);
    expect(s.getSession(a.id).name).toBe('After');
    expect(s.getSession(a.id).takeCount).toBe(2);
    expect(s.integrityCheck()).toBe('ok');
    const aside = fs.readdirSync(path.dirname(file)).filter((n) => /^studio\.sqlite\.replaced-[^-]/.test(n) && !/-(wal|shm)$/.test(n));
    expect(aside).toHaveLength(1);
    const old = new Database(path.join(path.dirname(file), aside[0]!), { readonly: true });
    expect((old.prepare('SELECT name FROM sessions').get() as { name: string }).name).toBe('Later still');
    old.close();
    // The store still works after a restore.
    expect(s.addTake(takeInput(a.id)).number).toBe(3);
  });
});
