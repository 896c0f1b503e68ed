// The command line reaches saved sessions through the same studio service and contract as the UI.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeWav } from '../../electron/engine/audio/wav.js';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { directApi, jobEnd, tempDir, tempStudio } from './studio-helpers.js';

const AGX = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
const agx = (...args: string[]) => spawnSync(process.execPath, [AGX, ...args, '--threads', '2'], { encoding: 'utf8' });

describe('agx sessions / agx export', () => {
  it('lists sessions and exports a take region and its explanation from a data folder', async () => {
    const dataDir = tempDir();
    const studio = await tempStudio(dataDir);
    const api = await directApi(studio);
    const { session } = await api.createSession({ name: 'Foley pass' });
    const gen = await jobEnd(studio, (await api.generate({ sessionId: session.id, prompt: 'a bell rings', seed: 5, durationSec: 2 })).jobId);
    const takeId = gen.result?.kind === 'takes' ? gen.result.takeIds[0]! : '';
    await jobEnd(studio, (await api.explain({ takeId, method: 'attention' })).jobId);
    await studio.close();

    const listed = agx('sessions', '--data-dir', dataDir, '--json');
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout).sessions).toEqual([expect.objectContaining({ id: session.id, name: 'Foley pass', takes: 1 })]);

    const wav = join(dataDir, 'out', 'bell.wav');
    const exported = agx('export', '--data-dir', dataDir, '--session', 'Foley pass', '--take', '1', '--region', '0.5:1.5', '--format', 'pcm24', '--out', wav);
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout.trim()).toBe(wav);
    const audio = decodeWav(readFileSync(wav));
    expect(audio.channels[0]!.length).toBe(16000);

    const csv = join(dataDir, 'out', 'bell.csv');
    expect(agx('export', '--data-dir', dataDir, '--session', session.id, '--take', '1', '--explanation', 'csv', '--out', csv).status).toBe(0);
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('step,time_sec,0:a,1:bell,2:rings');

    const missing = agx('export', '--data-dir', dataDir, '--session', 'Foley pass', '--take', '3', '--out', wav);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe('agx: error: session "Foley pass" has no Take 3 (it has 1)');
  });
});
