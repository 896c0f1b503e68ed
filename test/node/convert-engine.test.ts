// A converted bundle runs in the engine (issue 17 item 2, docs/convert.md "Engine support"): the tiny
// random-weight AudioGen checkpoint of `agx_convert fixtures` is converted with `agx models convert` in
// this test's temp folder, and the CLI lists it, generates, explains and inpaints with it. It has no judge
// and no Grad-CAM / Chefer graphs, T5's sub-word tokenizer with `</s>`, 50 Hz frames of 320 samples.
// Needs dist/ (npx tsc -p tsconfig.json) and /usr/bin/python3 with torch, onnx and omegaconf.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeWav, encodeWav } from '../../electron/engine/audio/wav.js';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { createStudio } from '../../electron/studio/studio.js';
import { agxCli } from './helpers.js';
import { directApi, jobEnd, tempDir } from './studio-helpers.js';

const run = promisify(execFile);
const root = join(embeddedModelsDir(), '..');
const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch, onnx, omegaconf'], { encoding: 'utf8' }).status === 0;
const PROMPT = 'the dogs barked';

describe.skipIf(!hasTorch)('a converted AudioGen bundle in the engine', () => {
  let tmp: string;
  let env: NodeJS.ProcessEnv;
  const { agx, json } = agxCli(() => env);
  const mono = (path: string) => decodeWav(readFileSync(path)).channels[0]!;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'agx-convert-engine-'));
    env = { ...process.env, AGX_MODELS_DIR: join(tmp, 'models'), OPENBLAS_NUM_THREADS: '1', AGX_DEBUG: '' };
    await run(python, ['-m', 'agx_convert', 'fixtures', join(tmp, 'fx')], { cwd: join(root, 'native-models', 'convert'), env });
    const sources = [join(tmp, 'fx', 'audiogen'), join(tmp, 'fx', 't5-large')];
    const r = await agx('models', 'convert', ...sources, '--out', join(tmp, 'models', 'ag-tiny'));
    expect(r.code, r.stderr).toBe(0);
  }, 600_000);
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('agx models lists it with its licence, what generation opens, and only the methods it has graphs for', async () => {
    const models = (await json('models')).models as Record<string, unknown>[];
    const ag = models.find((m) => m.name === 'ag-tiny')!;
    expect(ag, JSON.stringify(models)).toBeDefined();
    expect(ag).toMatchObject({
      status: 'ok',
      licence: 'CC-BY-NC-4.0',
      judge: false,
      methods: ['audiogenx', 'audiogenx-np', 'random', 'attention', 'atman'],
    });
    const files = (
      JSON.parse(readFileSync(join(tmp, 'models', 'ag-tiny', 'manifest.json'), 'utf8')) as { files: Record<string, { bytes: number }> }
    ).files;
    const opened = ['text_encoder.onnx', 'lm_step.onnx', 'codec_decoder.onnx', 'lm_weights.bin', 'codec_weights.bin'];
    expect((ag.memory as { generateBytes: number }).generateBytes).toBe(opened.reduce((s, f) => s + files[f]!.bytes, 0));
    // tiny-foley keeps its judge and every method
    expect(models.find((m) => m.name === 'tiny-foley')).toMatchObject({
      judge: true,
      methods: expect.arrayContaining(['chefer', 'gradcam-a']),
    });
  });

  it('generates a WAV at the bundle rate; T5 pieces keep word offsets, </s> sits after the prompt, a word weighs its pieces', async () => {
    const out = join(tmp, 'gen.wav');
    const r = await json(
      'generate',
      '--model',
      'ag-tiny',
      '--prompt',
      PROMPT,
      '--seed',
      '3',
      '--duration',
      '1',
      '--weights',
      'dogs=0',
      '--out',
      out,
    );
    const tokens = r.tokens as { text: string; start: number; end: number }[];
    expect(tokens.slice(0, 3)).toEqual([
      { text: 'the', start: 0, end: 3 },
      { text: 'dog', start: 4, end: 7 },
      { text: 's', start: 7, end: 8, continues: true },
    ]);
    expect(tokens.at(-1)).toEqual({ text: '</s>', start: PROMPT.length, end: PROMPT.length });
    expect(r.weights).toEqual([
      { token: 1, weight: 0 },
      { token: 2, weight: 0 },
    ]);
    const wav = decodeWav(readFileSync(out));
    expect(wav.sampleRate).toBe(16000);
    const audio = wav.channels[0]!;
    expect(audio.length).toBe(16000);
    expect(audio.some((v) => v !== 0)).toBe(true);
  });

  /** agx explain of the converted bundle's 1 s take of PROMPT at seed 3. */
  const explainGenerated = (method: string, ...extra: string[]) =>
    json('explain', '--model', 'ag-tiny', '--prompt', PROMPT, '--seed', '3', '--duration', '1', '--method', method, ...extra);

  it('explains with AudioGenX and attention; a partial last codec frame is padded, not dropped', async () => {
    for (const method of ['audiogenx', 'attention']) {
      const extra = method === 'audiogenx' ? ['--epochs', '2'] : [];
      const e = await explainGenerated(method, ...extra);
      expect(e.frameRate).toBe(50);
      const tokens = e.tokens as unknown[];
      expect((e.holistic as number[]).length).toBe(tokens.length);
      const steps = e.steps as number[][];
      expect(steps.every((row) => row.length === tokens.length && row.every((v) => Number.isFinite(v) && v >= 0 && v <= 1))).toBe(true);
    }
    // the generated second (50 whole frames) and the same with 123 more samples (51 frames, the last padded)
    const audio = mono(join(tmp, 'gen.wav'));
    const longer = new Float32Array(16123);
    longer.set(audio);
    longer.fill(0.1, 16000);
    writeFileSync(join(tmp, 'whole.wav'), encodeWav(audio, 16000, 'float32'));
    writeFileSync(join(tmp, 'odd.wav'), encodeWav(longer, 16000, 'float32'));
    const rows = async (file: string) =>
      (
        (await json('explain', '--model', 'ag-tiny', '--prompt', PROMPT, '--audio', join(tmp, file), '--method', 'attention'))
          .steps as unknown[]
      ).length;
    expect(await rows('odd.wav')).toBe((await rows('whole.wav')) + 1);
  });

  it("explains a take made with a muted word (the engine's Adam, token weights and the null-effect prior)", async () => {
    const e = await explainGenerated('audiogenx-np', '--epochs', '2', '--weights', 'dogs=0');
    // "dogs" is T5's pieces "dog" + "s" at characters 4-8 of the prompt: both muted, nothing else
    const tokens = e.tokens as { start: number; end: number; muted?: boolean }[];
    const holistic = e.holistic as (number | null)[];
    const inDogs = tokens.map((t) => t.end > t.start && t.start >= 4 && t.end <= 8);
    expect(inDogs.filter(Boolean).length).toBe(2);
    expect(tokens.map((t) => t.muted === true)).toEqual(inDogs);
    expect(holistic.map((v) => v === null)).toEqual(inDogs);
  });

  it('refuses the methods and commands whose graphs it lacks with one message', async () => {
    const gradcam = await agx(
      'explain',
      '--model',
      'ag-tiny',
      '--prompt',
      PROMPT,
      '--seed',
      '1',
      '--duration',
      '1',
      '--method',
      'gradcam-a',
    );
    expect(gradcam.code).not.toBe(0);
    expect(gradcam.stderr).toMatch(
      /model ag-tiny has no Grad-CAM graphs, so gradcam-a cannot explain with it; its methods: audiogenx, audiogenx-np, random, attention, atman/,
    );
    const chefer = await agx('explain', '--model', 'ag-tiny', '--prompt', PROMPT, '--seed', '1', '--method', 'chefer');
    expect(chefer.stderr).toMatch(/no Chefer relevance graphs/);
    const classify = await agx('classify', join(tmp, 'gen.wav'), '--model', 'ag-tiny');
    expect(classify.code).not.toBe(0);
    expect(classify.stderr).toMatch(
      /model ag-tiny has no sound-event classifier \(judge\), which agx classify needs; run it with --model tiny-foley/,
    );
    for (const r of [gradcam, chefer, classify]) expect(r.stderr.split('\n').filter((l) => l.startsWith('agx: error')).length).toBe(1);
    for (const r of [gradcam, chefer, classify]) expect(r.stderr).not.toMatch(/at .*\.js:\d+/); // no stack trace
  });

  it('the studio lists only its methods and refuses the others as a call, not a failed job', async () => {
    const studio = await createStudio({ dataDir: tempDir(), threads: 1, model: join(tmp, 'models', 'ag-tiny') });
    try {
      const api = await directApi(studio);
      expect((await api.getInfo()).methods.map((m) => m.name)).toEqual(['audiogenx', 'audiogenx-np', 'random', 'attention', 'atman']);
      const sessionId = (await api.createSession({})).session.id;
      const { jobId } = await api.generate({ sessionId, prompt: PROMPT, seed: 2, durationSec: 1 });
      const end = await jobEnd(studio, jobId);
      expect(end.state, JSON.stringify(end.error)).toBe('done');
      const takeId = end.result?.kind === 'takes' ? end.result.takeIds[0]! : '';
      await expect(api.explain({ takeId, method: 'gradcam-e' })).rejects.toThrow(/model ag-tiny has no Grad-CAM graphs/);
      await expect(api.estimateExplain({ takeId, method: 'chefer' })).rejects.toThrow(/no Chefer relevance graphs/);
      const ok = await jobEnd(studio, (await api.explain({ takeId, method: 'attention' })).jobId);
      expect(ok.state, JSON.stringify(ok.error)).toBe('done');
    } finally {
      await studio.close();
    }
  }, 120_000);

  it('inpaints with a one-frame crossfade at 50 Hz: every sample outside [S - 20 ms, E + 20 ms) is the original', async () => {
    const out = join(tmp, 'inpainted.wav');
    const r = await json(
      'inpaint',
      '--model',
      'ag-tiny',
      '--audio',
      join(tmp, 'gen.wav'),
      '--region',
      '0.3:0.6',
      '--prompt',
      PROMPT,
      '--candidates',
      '2',
      '--out',
      out,
    );
    expect(r.fadeSec).toBe(0.02);
    const a = mono(join(tmp, 'gen.wav'));
    const b = mono(out);
    expect(b.length).toBe(a.length);
    const [s0, e0, fade] = [4800, 9600, 320];
    const outside = (i: number) => i < s0 - fade || i >= e0 + fade;
    expect(a.every((v, i) => !outside(i) || Math.abs(v - b[i]!) < 1e-6)).toBe(true);
  });
});
