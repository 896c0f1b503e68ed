// Opening a session is a read. The renderer opens the session that is already open after every
// finished job and at every start; none of that may write. Choosing another session is recorded
// (the studio reopens it at start). A second, read-only connection watches PRAGMA data_version,
// which changes whenever any other connection commits.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storePaths } from '../../electron/store/data-dir.js';
import { Store } from '../../electron/store/store.js';
import { directApi, tempDir, tempStudio } from './studio-helpers.js';

let dir: string;
const closers: (() => unknown)[] = [];

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agx-open-read-'));
});
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Whether another connection committed to `file` since this was called. */
function commitWatcher(file: string): () => boolean {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  closers.push(() => db.close());
  const start = db.pragma('data_version', { simple: true }) as number;
  return () => (db.pragma('data_version', { simple: true }) as number) !== start;
}

describe('opening a session', () => {
  it('in the store: reading a session and re-marking the last opened one commit nothing', () => {
    const { file, backupsDir } = storePaths(path.join(dir, 'data'));
    const s = Store.open({ file, backupsDir });
    closers.push(() => s.close());
    const a = s.createSession('A');
    const b = s.createSession('B');
    s.markOpened(a.id);
    const before = s.getSession(a.id);
    const walBytes = fs.statSync(`${file}-wal`).size;
    const committed = commitWatcher(file);

    for (let i = 0; i < 3; i++) {
      s.markOpened(a.id);
      s.listTakes(a.id);
      s.listExplanations(a.id);
      s.getTimeline(a.id);
      s.undoStatus(a.id);
      s.listSessions();
      s.lastOpenedSessionId();
    }
    expect(committed()).toBe(false);
    expect(fs.statSync(`${file}-wal`).size).toBe(walBytes);
    expect(s.getSession(a.id)).toEqual(before);

    // Choosing another session is recorded: it is listed first and reopened at start.
    s.markOpened(b.id);
    expect(committed()).toBe(true);
    expect(s.lastOpenedSessionId()).toBe(b.id);
    expect(s.listSessions().map((x) => x.id)).toEqual([b.id, a.id]);
  });

  it('through the studio: openSession of the session reopened at start commits nothing', async () => {
    const dataDir = tempDir();
    closers.push(() => fs.rmSync(dataDir, { recursive: true, force: true }));
    const studio = await tempStudio(dataDir);
    closers.push(() => studio.close());
    const api = await directApi(studio);
    const { session } = await api.createSession({ name: 'Rain study' });
    const other = await api.createSession({ name: 'Bells' });
    await api.openSession({ sessionId: session.id });
    const committed = commitWatcher(storePaths(dataDir).file);

    const first = await api.openSession({ sessionId: session.id });
    const again = await api.openSession({ sessionId: session.id });
    expect(again).toEqual(first);
    expect((await api.listSessions({})).lastOpenedId).toBe(session.id);
    expect(committed()).toBe(false);

    await api.openSession({ sessionId: other.session.id });
    expect(committed()).toBe(true);
    expect((await api.listSessions({})).lastOpenedId).toBe(other.session.id);
  });
});
