// Queued imports wait in the data folder's import-spool (electron/studio/spool.ts): owner-only files,
// removed when their job ends; leftovers of a killed studio go after a day, a live studio's stay.
import { existsSync, mkdirSync, readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Spool } from '../../electron/studio/spool.js';
import { tempDir } from './studio-helpers.js';

describe('Spool', () => {
  it('writes owner-only files that read back the bytes and go when removed', () => {
    const spool = new Spool(tempDir('agx-spool-'));
    const bytes = new Uint8Array([1, 2, 3, 250]);
    const s = spool.put(bytes);
    expect(statSync(s.path).mode & 0o777).toBe(0o600);
    expect(new Uint8Array(s.read())).toEqual(bytes);
    s.remove();
    s.remove();
    expect(existsSync(s.path)).toBe(false);
  });

  it('removes files older than a day when a studio opens the folder, and keeps recent ones', () => {
    const dataDir = tempDir('agx-spool-');
    const dir = join(dataDir, 'import-spool');
    mkdirSync(dir);
    writeFileSync(join(dir, 'stale.bin'), 'x');
    writeFileSync(join(dir, 'recent.bin'), 'y');
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    utimesSync(join(dir, 'stale.bin'), twoDaysAgo, twoDaysAgo);
    new Spool(dataDir);
    expect(readdirSync(dir)).toEqual(['recent.bin']);
  });
});
