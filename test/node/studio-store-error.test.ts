// A damaged database: the studio still starts, says what is wrong, never touches the file, and
// restores a backup on request.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { directApi, tempDir, tempStudio } from './studio-helpers.js';

describe('studio with a damaged store', () => {
  it('reports store_corrupt, keeps the file as found, and restores a backup', async () => {
    const dataDir = tempDir();
    let studio = await tempStudio(dataDir);
    let api = await directApi(studio);
    const { session } = await api.createSession({ name: 'Rain study' });
    await api.saveTimeline({
      sessionId: session.id,
      state: { ...(await api.openSession({ sessionId: session.id })).timeline, pxPerSec: 99 },
      undoLabel: 'Zoom',
    });
    await studio.close(); // takes a backup on the way out

    const file = join(dataDir, 'studio.sqlite');
    const damaged = Buffer.from(readFileSync(file));
    damaged.fill(0x5a, 0, 100); // the header: no longer an SQLite file
    writeFileSync(file, damaged);

    studio = await tempStudio(dataDir);
    api = await directApi(studio);
    const info = await api.getInfo({});
    expect(info.storeError?.code).toBe('store_corrupt');
    expect(info.storeError?.message).toMatch(/studio\.sqlite/);
    await expect(api.listSessions({})).rejects.toMatchObject({ code: 'store_corrupt' });
    expect(readFileSync(file).equals(damaged)).toBe(true);

    const backups = await api.listBackups({});
    expect(backups.length).toBeGreaterThan(0);
    await api.restoreBackup({ file: backups[0]!.file });
    expect((await api.getInfo({})).storeError).toBeNull();
    const listed = await api.listSessions({});
    expect(listed.sessions.map((s) => s.name)).toEqual(['Rain study']);
    expect((await api.openSession({ sessionId: session.id })).timeline.pxPerSec).toBe(99);
    await studio.close();
  });
});
