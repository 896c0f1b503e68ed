// The studio service against the real engine (in its worker) and a real store on a temp folder.
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioApi, StudioEvent } from '../../electron/common/api.js';
import { base64ToBytes, base64ToFloat32, bytesToBase64 } from '../../electron/common/base64.js';
import { intervalMeans } from '../../electron/common/mask.js';
import { predictSeconds } from '../../electron/common/methods.js';
import { decodeWav, encodeWav } from '../../electron/engine/audio/wav.js';
import { embeddedModelsDir, resolveBundle } from '../../electron/engine/manifest.js';
import { explainWork } from '../../electron/studio/estimate.js';
import { createStudio, type Studio } from '../../electron/studio/studio.js';
import { directApi, jobEnd, tempDir, tempStudio } from './studio-helpers.js';

const PROMPT = 'a dog barks while rain falls';

describe('studio service', () => {
  let dataDir: string;
  let studio: Studio;
  let api: StudioApi;
  let sessionId: string;
  let takeId: string;
  let explanationId: string;
  const events: StudioEvent[] = [];

  beforeAll(async () => {
    dataDir = tempDir();
    studio = await tempStudio(dataDir);
    studio.onEvent((e) => events.push(e));
    api = await directApi(studio);
    sessionId = (await api.createSession({})).session.id;
  });
  afterAll(async () => {
    await studio.close();
  });

  it('describes itself: model, methods with defaults, provider, data folder', async () => {
    const info = await api.getInfo({});
    expect(info.model.id).toBe('tiny-foley');
    expect(info.methods.map((m) => m.name)).toContain('audiogenx');
    expect(info.methods.find((m) => m.name === 'audiogenx')!.defaults.epochs).toBeGreaterThan(0);
    expect(info.provider).toBe('cpu');
    expect(info.dataDir).toBe(dataDir);
    expect(info.storeError).toBeNull();
  });

  it('generates takes through the queue, stores them, and names the session after the first prompt', async () => {
    const { jobId } = await api.generate({ sessionId, prompt: PROMPT, seed: 7, durationSec: 2, variations: 2 });
    const end = await jobEnd(studio, jobId);
    expect(end.state).toBe('done');
    expect(end.result?.kind).toBe('takes');
    const state = await api.openSession({ sessionId });
    expect(state.session.name).toBe(PROMPT);
    expect(state.takes.map((t) => [t.number, t.seed, t.source])).toEqual([
      [1, 7, 'generated'],
      [2, 8, 'generated'],
    ]);
    const take = state.takes[0]!;
    expect(take.tokens.map((t) => t.text)).toEqual(['a', 'dog', 'barks', 'while', 'rain', 'falls']);
    expect(take.frames).toBe(50);
    expect(take.modelSha256).toMatch(/^[0-9a-f]{64}$/);
    takeId = take.id;
    const audio = base64ToFloat32((await api.getTakeAudio({ takeId })).samplesBase64);
    expect(audio.length).toBe(2 * 16000);
    const rms = Math.sqrt(audio.reduce((a, v) => a + v * v, 0) / audio.length);
    expect(rms).toBeGreaterThan(0.005);
    const states = events.filter((e) => e.type === 'job' && e.job.id === jobId).map((e) => (e.type === 'job' ? e.job.state : ''));
    expect(states[0]).toBe('queued');
    expect(states).toContain('running');
    expect(states.at(-1)).toBe('done');
    // Time to first audio: the first take's opening came while the job ran, as the take's own samples
    // (24 frames of the 32 decoded alone; the part where that equals decoding the whole clip).
    const previews = events.filter((e) => e.type === 'preview' && e.jobId === jobId);
    expect(previews).toHaveLength(1);
    const preview = previews[0]!.type === 'preview' ? previews[0]!.audio : null;
    expect(events.indexOf(previews[0]!)).toBeLessThan(
      events.findIndex((e) => e.type === 'job' && e.job.id === jobId && e.job.state === 'done'),
    );
    expect(preview!.sampleRate).toBe(16000);
    const opening = base64ToFloat32(preview!.samplesBase64);
    expect(opening.length).toBe(24 * 640);
    let err = 0;
    let energy = 0;
    opening.forEach((x, i) => {
      err += (x - audio[i]!) ** 2;
      energy += audio[i]! ** 2;
    });
    expect(Math.sqrt(err / energy)).toBeLessThan(1e-3);
  });

  it('explains a take with AudioGenX, streaming partial masks, and stores the mask', async () => {
    const estimate = await api.estimateExplain({ takeId, method: 'audiogenx', params: { epochs: 20 } });
    expect(estimate.seconds).toBeGreaterThan(0);
    const { jobId } = await api.explain({ takeId, method: 'audiogenx', params: { epochs: 20 } });
    const end = await jobEnd(studio, jobId);
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    const partials = events.filter((e) => e.type === 'partial' && e.jobId === jobId);
    expect(partials.length).toBeGreaterThanOrEqual(3);
    explanationId = end.result?.kind === 'explanation' ? end.result.explanationId : '';
    const state = await api.openSession({ sessionId });
    const e = state.explanations.find((x) => x.id === explanationId)!;
    expect(e.takeId).toBe(takeId);
    expect(e.params.epochs).toBe(20);
    expect(e.mask.length).toBe(53); // 50 frames + K - 1 delay steps
    expect(e.mask[0]!.length).toBe(6);
    for (const row of e.mask) for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
    const again = await api.estimateExplain({ takeId, method: 'audiogenx', params: { epochs: 40 } });
    expect(again.basis).toContain('measured');
    // the measured run's time, scaled by the catalog's cost of 40 against 20 epochs on this take's work
    const m = resolveBundle().manifest;
    const work = explainWork(e.mask.length - (m.codebooks - 1), e.mask[0]!.length, m.codebooks, m.graphs.lmExplain);
    const scale = predictSeconds('audiogenx', { epochs: 40 }, work) / predictSeconds('audiogenx', { epochs: 20 }, work);
    expect(scale).toBeGreaterThan(1);
    expect(again.seconds).toBeCloseTo(scale * (e.elapsedMs / 1000), 1);
  });

  it('keeps the event loop responsive while the engine works (timer drift under 50 ms)', async () => {
    let worst = 0;
    let last = performance.now();
    const timer = setInterval(() => {
      const t = performance.now();
      worst = Math.max(worst, t - last - 10);
      last = t;
    }, 10);
    const gen = await api.generate({ sessionId, prompt: 'a bell rings then a siren wails', seed: 1, durationSec: 5 });
    const ex = await api.explain({ takeId, method: 'audiogenx', params: { epochs: 15 } });
    await jobEnd(studio, gen.jobId);
    await jobEnd(studio, ex.jobId);
    clearInterval(timer);
    console.log(`worst timer drift during generation + explanation: ${worst.toFixed(1)} ms`);
    expect(worst).toBeLessThan(50);
  });

  it('cancels a running explanation and a queued generation', async () => {
    const running = await api.explain({ takeId, method: 'audiogenx', params: { epochs: 400 } });
    const queued = await api.generate({ sessionId, prompt: PROMPT, seed: 3, durationSec: 1 });
    const jobs = await api.listJobs({});
    expect(jobs.find((j) => j.id === queued.jobId)?.state).toBe('queued');
    expect((await api.cancelJob({ jobId: queued.jobId })).cancelled).toBe(true);
    await new Promise((r) => setTimeout(r, 400));
    const t0 = performance.now();
    expect((await api.cancelJob({ jobId: running.jobId })).cancelled).toBe(true);
    const end = await jobEnd(studio, running.jobId);
    expect(end.state).toBe('cancelled');
    expect(performance.now() - t0).toBeLessThan(2000);
    const after = await api.listJobs({});
    expect(after.find((j) => j.id === queued.jobId)?.state).toBe('cancelled');
    expect((await api.cancelJob({ jobId: running.jobId })).cancelled).toBe(false);
    // The worker is usable after a cancel.
    const next = await api.generate({ sessionId, prompt: PROMPT, seed: 4, durationSec: 1 });
    expect((await jobEnd(studio, next.jobId)).state).toBe('done');
  });

  it('regenerates with a muted word, and keeps the audio before a region when asked', async () => {
    const parent = (await api.openSession({ sessionId })).takes.find((t) => t.id === takeId)!;
    const { jobId } = await api.regenerate({ takeId, weights: [{ token: 1, weight: 0 }], keepBeforeSec: 1 });
    const end = await jobEnd(studio, jobId);
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    expect((await api.openSession({ sessionId })).session.name).toBe(PROMPT);
    const childId = end.result?.kind === 'takes' ? end.result.takeIds[0]! : '';
    const child = (await api.openSession({ sessionId })).takes.find((t) => t.id === childId)!;
    expect(child.parentTakeId).toBe(parent.id);
    expect(child.source).toBe('regenerated');
    expect(child.seed).toBe(parent.seed);
    expect(child.weights).toEqual([{ token: 1, weight: 0 }]);
    expect(child.keptBeforeSec).toBe(1);
    // Kept frames decode from the same codes; the first ~0.9 s of audio matches closely.
    const a = base64ToFloat32((await api.getTakeAudio({ takeId: parent.id })).samplesBase64);
    const b = base64ToFloat32((await api.getTakeAudio({ takeId: childId })).samplesBase64);
    let diff = 0;
    let energy = 0;
    for (let i = 0; i < 14000; i++) {
      diff += (a[i]! - b[i]!) ** 2;
      energy += a[i]! ** 2;
    }
    expect(diff / energy).toBeLessThan(0.05);
  });

  it('evaluates one explanation with the paper’s metrics and stores them', async () => {
    const { jobId } = await api.evaluateExplanation({ explanationId });
    const end = await jobEnd(studio, jobId);
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    const stored = (await api.openSession({ sessionId })).explanations.find((e) => e.id === explanationId)!;
    expect(stored.metrics).not.toBeNull();
    const m = stored.metrics!;
    for (const v of [m.fidF, m.fidCF, m.klF, m.klCF]) expect(Number.isFinite(v)).toBe(true);
    expect(m.klF).toBeGreaterThanOrEqual(0);
    expect(m.size).toBeGreaterThan(0);
  });

  it('exports a take region as WAV in each format, and an explanation as JSON, CSV and Audacity labels', async () => {
    for (const format of ['pcm16', 'pcm24', 'float32'] as const) {
      const file = await api.exportTake({ takeId, format, startSec: 0.5, endSec: 1.5 });
      expect(file.fileName).toMatch(/take1-0\.50-1\.50s\.wav$/);
      const wav = decodeWav(base64ToBytes(file.dataBase64));
      expect(wav.sampleRate).toBe(16000);
      expect(wav.channels[0]!.length).toBe(16000);
    }
    const e = (await api.openSession({ sessionId })).explanations.find((x) => x.id === explanationId)!;
    const json = JSON.parse(
      new TextDecoder().decode(base64ToBytes((await api.exportExplanation({ explanationId, format: 'json' })).dataBase64)),
    );
    expect(json.mask).toEqual(e.mask);
    expect(json.tokens.map((t: { text: string }) => t.text)).toContain('dog');
    const csv = new TextDecoder()
      .decode(base64ToBytes((await api.exportExplanation({ explanationId, format: 'csv' })).dataBase64))
      .trim()
      .split('\n');
    expect(csv[0]).toBe('step,time_sec,0:a,1:dog,2:barks,3:while,4:rain,5:falls');
    expect(csv.length).toBe(1 + e.mask.length);
    expect(Number(csv[10]!.split(',')[3])).toBeCloseTo(e.mask[9]![1]!, 4);
    const labels = new TextDecoder()
      .decode(base64ToBytes((await api.exportExplanation({ explanationId, format: 'audacity', intervalSec: 0.5, topK: 1 })).dataBase64))
      .trim()
      .split('\n');
    expect(labels.length).toBe(4);
    const [start, end, label] = labels[1]!.split('\t');
    expect([Number(start), Number(end)]).toEqual([0.5, 1]);
    const means = intervalMeans(e.mask, e.frameRate, 0.5, 1);
    const best = means.indexOf(Math.max(...means));
    expect(label).toBe(`${e.tokens[best]!.text} ${means[best]!.toFixed(2)}`);
  });

  it('imports a WAV (any rate) as a take that can be explained', async () => {
    const tone = new Float32Array(44100);
    for (let i = 0; i < tone.length; i++) tone[i] = 0.3 * Math.sin((2 * Math.PI * 880 * i) / 44100);
    const wavBase64 = bytesToBase64(encodeWav(tone, 44100, 'pcm16'));
    const { jobId } = await api.importAudio({ sessionId, fileName: 'tone.wav', wavBase64, prompt: 'a bell rings' });
    const end = await jobEnd(studio, jobId);
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    const id = end.result?.kind === 'takes' ? end.result.takeIds[0]! : '';
    const take = (await api.openSession({ sessionId })).takes.find((t) => t.id === id)!;
    expect(take.source).toBe('imported');
    expect(take.durationSec).toBeCloseTo(1, 2);
    const ex = await api.explain({ takeId: id, method: 'attention' });
    expect((await jobEnd(studio, ex.jobId)).state).toBe('done');
  });

  it('answers bad input with one clear error and stores nothing', async () => {
    const before = await api.openSession({ sessionId });
    const cases: [() => Promise<unknown>, string, RegExp][] = [
      [() => api.generate({ sessionId, prompt: '   ', seed: 1, durationSec: 1 }), 'bad_request', /prompt is empty/],
      [() => api.generate({ sessionId, prompt: 'x'.repeat(2001), seed: 1, durationSec: 1 }), 'bad_request', /longer than 2000/],
      [() => api.generate({ sessionId, prompt: PROMPT, seed: 1, durationSec: 60 }), 'bad_argument', /at most 5 s/],
      [() => api.generate({ sessionId, prompt: PROMPT, seed: -1, durationSec: 1 }), 'bad_request', /seed/],
      [() => api.explain({ takeId, method: 'shap' }), 'bad_argument', /unknown method "shap"; methods: audiogenx/],
      [() => api.openSession({ sessionId: 'nope' }), 'not_found', /session/],
      [() => api.importAudio({ sessionId, fileName: 'x.wav', wavBase64: '%%%', prompt: 'a dog barks' }), 'bad_audio', /base64/],
      [() => api.exportTake({ takeId, startSec: 3, endSec: 4 }), 'bad_argument', /within the take/],
    ];
    for (const [call, code, message] of cases) {
      const err = await call().then(
        () => undefined,
        (e: unknown) => e as { code: string; message: string },
      );
      expect(err?.code, String(message)).toBe(code);
      expect(err?.message).toMatch(message);
    }
    // A job that fails inside the engine (junk audio) fails as data, and the queue goes on.
    const junk = await api.importAudio({
      sessionId,
      fileName: 'junk.wav',
      wavBase64: bytesToBase64(new Uint8Array(100).fill(7)),
      prompt: 'a dog barks',
    });
    const end = await jobEnd(studio, junk.jobId);
    expect(end.state).toBe('failed');
    expect(end.error?.code).toBe('bad_audio');
    const after = await api.openSession({ sessionId });
    expect(after.takes.length).toBe(before.takes.length);
  });

  it('brings every take, explanation and the timeline back after a restart', async () => {
    const state = await api.openSession({ sessionId });
    const timeline = {
      ...state.timeline,
      pxPerSec: 321,
      selection: { startSec: 0.4, endSec: 1.2 },
      selectedTakeId: takeId,
      draftWeights: { [takeId]: [{ token: 1, weight: 0 }] },
    };
    await api.saveTimeline({ sessionId, state: timeline, undoLabel: 'Mute dog' });
    await studio.close();
    studio = await tempStudio(dataDir);
    api = await directApi(studio);
    const listed = await api.listSessions({});
    expect(listed.lastOpenedId).toBe(sessionId);
    const back = await api.openSession({ sessionId });
    expect(back.takes).toEqual(state.takes);
    expect(back.explanations.map((e) => [e.id, e.mask])).toEqual(state.explanations.map((e) => [e.id, e.mask]));
    expect(back.timeline.pxPerSec).toBe(321);
    expect(back.timeline.selection).toEqual({ startSec: 0.4, endSec: 1.2 });
    expect(back.timeline.draftWeights[takeId]).toEqual([{ token: 1, weight: 0 }]);
    expect(back.canUndo).toBe(true);
    const undone = await api.undo({ sessionId });
    // Undo steps back the edit (the muted word) but not the view (zoom), as in a DAW.
    expect(undone.timeline.draftWeights[takeId]).toEqual(state.timeline.draftWeights[takeId]);
    expect(undone.timeline.pxPerSec).toBe(321);
    expect(undone.canRedo).toBe(true);
  });

  it("refuses to explain, evaluate, render or continue another model's take, and regenerates it with the loaded one", async () => {
    // A retrained bundle: every file verifies, but its identity (the weights' digest) differs.
    const rebuilt = tempDir('agx-rebuilt-model-');
    cpSync(join(embeddedModelsDir(), 'tiny-foley'), rebuilt, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(rebuilt, 'manifest.json'), 'utf8'));
    const retrained = { id: 'f'.repeat(64), weightsSha256: 'f'.repeat(64) };
    writeFileSync(join(rebuilt, 'manifest.json'), JSON.stringify({ ...manifest, description: 'a rebuild', identity: retrained }, null, 1));
    await studio.close();
    studio = await createStudio({ dataDir, threads: 2, model: rebuilt });
    api = await directApi(studio);
    const refused = [
      () => api.explain({ takeId, method: 'audiogenx' }),
      () => api.evaluateExplanation({ explanationId }),
      () => api.renderExplanation({ explanationId, render: 'factual' }),
      () => api.regenerate({ takeId, weights: [], keepBeforeSec: 1 }),
    ];
    for (const call of refused)
      await expect(call()).rejects.toMatchObject({ code: 'model_mismatch', message: expect.stringContaining('--model') });
    expect((await api.listJobs({})).filter((j) => j.state === 'queued' || j.state === 'running')).toEqual([]);
    const { jobId } = await api.regenerate({ takeId, weights: [] });
    const end = await jobEnd(studio, jobId);
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    const newTakeId = end.result?.kind === 'takes' ? end.result.takeIds[0]! : '';
    const explained = await jobEnd(studio, (await api.explain({ takeId: newTakeId, method: 'attention' })).jobId);
    expect(explained.state, JSON.stringify(explained.error)).toBe('done');
  });
});
