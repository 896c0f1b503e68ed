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
    const gen = await jobEnd(
      studio,
      (await api.generate({ sessionId: session.id, prompt: 'a bell rings', seed: 5, durationSec: 2 })).jobId,
    );
    const takeId = gen.result?.kind === 'takes' ? gen.result.takeIds[0]! : '';
    await jobEnd(studio, (await api.explain({ takeId, method: 'attention' })).jobId);
    await studio.close();

    const listed = agx('sessions', '--data-dir', dataDir, '--json');
    expect(listed.status, listed.stderr).toBe(0);
    expect(JSON.parse(listed.stdout)).toEqual({
      dataDir,
      sessions: [expect.objectContaining({ id: session.id, name: 'Foley pass', takes: 1 })],
    });
    const text = agx('sessions', '--data-dir', dataDir);
    expect(text.stdout).toMatch(
      new RegExp(`^sessions in ${dataDir}:\n\\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d +1 takes +Foley pass +\\(${session.id}\\)\n$`),
    );

    const wav = join(dataDir, 'out', 'bell.wav');
    const exported = agx(
      'export',
      '--data-dir',
      dataDir,
      '--session',
      'Foley pass',
      '--take',
      '1',
      '--region',
      '0.5:1.5',
      '--format',
      'pcm24',
      '--out',
      wav,
    );
    expect(exported.status, exported.stderr).toBe(0);
    expect(exported.stdout.trim()).toBe(wav);
    const audio = decodeWav(readFileSync(wav));
    expect(audio.channels[0]!.length).toBe(16000);

    const csv = join(dataDir, 'out', 'bell.csv');
    expect(agx('export', '--data-dir', dataDir, '--session', session.id, '--take', '1', '--explanation', 'csv', '--out', csv).status).toBe(
      0,
    );
    expect(readFileSync(csv, 'utf8').split('\n')[0]).toBe('step,time_sec,0:a,1:bell,2:rings');

    const missing = agx('export', '--data-dir', dataDir, '--session', 'Foley pass', '--take', '3', '--out', wav);
    expect(missing.status).toBe(1);
    expect(missing.stderr.trim()).toBe('agx: error: session "Foley pass" has no Take 3 (it has 1)');
  });

  it('exit codes, choosing the explanation by method, and reads that leave the last opened session alone', async () => {
    const dataDir = tempDir();
    const studio = await tempStudio(dataDir);
    const api = await directApi(studio);
    const { session } = await api.createSession({ name: 'Foley pass' });
    const gen = await jobEnd(
      studio,
      (await api.generate({ sessionId: session.id, prompt: 'a bell rings', seed: 5, durationSec: 2 })).jobId,
    );
    const takeId = gen.result?.kind === 'takes' ? gen.result.takeIds[0]! : '';
    await jobEnd(studio, (await api.explain({ takeId, method: 'attention' })).jobId);
    await jobEnd(studio, (await api.explain({ takeId, method: 'random' })).jobId);
    const other = (await api.createSession({ name: 'Other' })).session;
    await studio.close();
    const out = join(dataDir, 'out', 'x.json');

    // An argument the studio service refuses is a bad command line (2), with the service's own message.
    const region = agx('export', '--data-dir', dataDir, '--session', 'Foley pass', '--take', '1', '--region', '100:200', '--out', out);
    expect([region.status, region.stderr]).toEqual([
      2,
      'agx: error: the region must lie within the take (0 to 2.00 s) and start before it ends\n',
    ]);

    const latest = agx('export', '--data-dir', dataDir, '--session', 'Foley pass', '--take', '1', '--explanation', 'json', '--out', out);
    expect(latest.status, latest.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).method).toBe('random');
    const chosen = agx(
      'export',
      '--data-dir',
      dataDir,
      '--session',
      'Foley pass',
      '--take',
      '1',
      '--explanation',
      'json',
      '--method',
      'attention',
      '--out',
      out,
    );
    expect(chosen.status, chosen.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8')).method).toBe('attention');
    const notYet = agx(
      'export',
      '--data-dir',
      dataDir,
      '--session',
      'Foley pass',
      '--take',
      '1',
      '--explanation',
      'json',
      '--method',
      'atman',
      '--out',
      out,
    );
    expect([notYet.status, notYet.stderr]).toEqual([
      1,
      'agx: error: Take 1 has no atman explanation (it has attention, random); explain it in the studio first\n',
    ]);
    const unknown = agx(
      'export',
      '--data-dir',
      dataDir,
      '--session',
      'Foley pass',
      '--take',
      '1',
      '--explanation',
      'json',
      '--method',
      'lime',
      '--out',
      out,
    );
    expect([unknown.status, unknown.stderr]).toEqual([
      2,
      'agx: error: unknown method "lime"; methods: audiogenx, audiogenx-np, random, attention, atman, gradcam-a, gradcam-e, chefer\n',
    ]);
    const alone = agx('export', '--data-dir', dataDir, '--session', 'Foley pass', '--take', '1', '--method', 'attention', '--out', out);
    expect([alone.status, alone.stderr]).toEqual([
      2,
      'agx: error: agx export: --method chooses an explanation; give --explanation json, csv or audacity too\n',
    ]);

    // Listing and exporting are reads: "Other" stays the session the studio opens next, and first in the list.
    expect(agx('sessions', '--data-dir', dataDir).status).toBe(0);
    const after = await tempStudio(dataDir);
    const listed = await (await directApi(after)).listSessions({});
    await after.close();
    expect(listed.lastOpenedId).toBe(other.id);
    expect(listed.sessions.map((s) => s.name)).toEqual(['Other', 'Foley pass']);
  });
});
