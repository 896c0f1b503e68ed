// The studio under hostile input (issue 15, items 2 and 3), against the real engine worker: the queue
// refuses work past its bound with 'busy', a queued import waits on disk, and a WAV whose header says
// 1 Hz fails in a moment instead of holding the engine.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioApi } from '../../electron/common/api.js';
import { bytesToBase64 } from '../../electron/common/base64.js';
import { encodeWav } from '../../electron/engine/audio/wav.js';
import type { Studio } from '../../electron/studio/studio.js';
import { directApi, jobEnd, tempDir, tempStudio } from './studio-helpers.js';

const PROMPT = 'a dog barks while rain falls';

/** One second of a 440 Hz tone at 44.1 kHz, as a WAV. */
function toneWav(): Uint8Array {
  return encodeWav(
    Float32Array.from({ length: 44100 }, (_, i) => 0.3 * Math.sin((2 * Math.PI * 440 * i) / 44100)),
    44100,
    'pcm16',
  );
}

/** 16 KB of 16-bit samples under a header that says 1 Hz: 8000 s, 128 M samples at the model's rate. */
function oneHzWav(): Uint8Array {
  const bytes = encodeWav(
    Float32Array.from({ length: 8000 }, (_, i) => 0.25 * Math.sin(i)),
    8000,
    'pcm16',
  );
  const view = new DataView(bytes.buffer);
  view.setUint32(24, 1, true);
  view.setUint32(28, 2, true);
  return bytes;
}

describe('studio under hostile input', () => {
  let dataDir: string;
  let studio: Studio;
  let api: StudioApi;
  let sessionId: string;
  let closed = false;
  const spoolDir = () => join(dataDir, 'import-spool');
  const spooled = () => (existsSync(spoolDir()) ? readdirSync(spoolDir()) : []);
  /** A 5 s generate: keeps the engine busy while the test queues behind it. */
  const hold = async () => (await api.generate({ sessionId, prompt: PROMPT, seed: 1, durationSec: 5 })).jobId;
  const cancelAll = async () => {
    for (const j of await api.listJobs({})) if (j.state === 'queued' || j.state === 'running') await api.cancelJob({ jobId: j.id });
  };

  beforeAll(async () => {
    dataDir = tempDir();
    studio = await tempStudio(dataDir);
    api = await directApi(studio);
    sessionId = (await api.createSession({})).session.id;
  });
  afterAll(async () => {
    if (!closed) await studio.close();
  });

  it('keeps a queued import on disk in the data folder, and removes the file when it is cancelled or has run', async () => {
    const running = await hold();
    const wav = toneWav();
    const first = await api.importAudio({ sessionId, fileName: 'a.wav', wavBase64: bytesToBase64(wav), prompt: 'a bell rings' });
    const second = await api.importAudio({ sessionId, fileName: 'b.wav', wavBase64: bytesToBase64(wav), prompt: 'a bell rings' });
    const files = spooled();
    expect(files).toHaveLength(2);
    for (const f of files) expect(new Uint8Array(readFileSync(join(spoolDir(), f)))).toEqual(wav);
    expect((await api.cancelJob({ jobId: first.jobId })).cancelled).toBe(true);
    expect(spooled()).toHaveLength(1);
    const end = await jobEnd(studio, second.jobId);
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    expect(spooled()).toEqual([]);
    expect((await api.listJobs({})).find((j) => j.id === running)?.state).toBe('done');
  });

  it("refuses a job past 32 waiting with 'busy', through the API, and a refused import leaves no file", async () => {
    await hold();
    let accepted = 1;
    let refusal: { code?: string; message?: string } | undefined;
    for (let i = 0; i < 40 && refusal === undefined; i++) {
      try {
        await api.generate({ sessionId, prompt: PROMPT, seed: 2 + i, durationSec: 1 });
        accepted++;
      } catch (err) {
        refusal = err as { code: string; message: string };
      }
    }
    expect(accepted).toBe(33);
    expect(refusal).toMatchObject({
      code: 'busy',
      message: '32 jobs are already waiting; wait for some to finish or cancel them, then try again',
    });
    await expect(
      api.importAudio({ sessionId, fileName: 'c.wav', wavBase64: bytesToBase64(toneWav()), prompt: 'a bell rings' }),
    ).rejects.toMatchObject({ code: 'busy' });
    expect(spooled()).toEqual([]);
    await cancelAll();
  });

  it('fails an import whose header says 1 Hz in a moment, with bad_audio, and the engine goes on', async () => {
    const t0 = performance.now();
    const { jobId } = await api.importAudio({
      sessionId,
      fileName: 'one-hz.wav',
      wavBase64: bytesToBase64(oneHzWav()),
      prompt: 'a bell rings',
    });
    const end = await jobEnd(studio, jobId);
    expect(end.state).toBe('failed');
    expect(end.error).toMatchObject({ code: 'bad_audio', message: 'WAV file declares 1 Hz; supported sample rates are 8-384 kHz' });
    // Before the header check this resampled to 128 M samples first: 20 s on a fast machine.
    expect(performance.now() - t0).toBeLessThan(3000);
    expect(spooled()).toEqual([]);
    const next = await api.generate({ sessionId, prompt: PROMPT, seed: 3, durationSec: 1 });
    expect((await jobEnd(studio, next.jobId)).state).toBe('done');
  }, 60_000);

  it('removes the files of imports still waiting when the studio closes', async () => {
    await hold();
    await api.importAudio({ sessionId, fileName: 'd.wav', wavBase64: bytesToBase64(toneWav()), prompt: 'a bell rings' });
    expect(spooled()).toHaveLength(1);
    closed = true;
    await studio.close();
    expect(spooled()).toEqual([]);
  });
});
