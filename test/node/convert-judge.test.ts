// A real-audio judge (issue 17 item 4): PANNs CNN14 converted by `agx models convert --judge cnn14`
// (native-models/convert/agx_convert/judge.py). A tiny random-weight checkpoint in the release's
// format and names (test/python/cnn14_fixture.py) converts; classifier.onnx, run with onnxruntime-node
// as the engine runs it, matches an independent float64 NumPy forward of CNN14 (front end included) to
// 1e-4 relative; the full-size names and shapes are checked on torch's meta device against the
// parameter count of models.py's Cnn14; `agx classify --judge` and `agx evaluate --judge` use it; bad
// inputs get one clear error each. Skipped with the reason where /usr/bin/python3 lacks torch.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { agxCli } from './helpers.js';

const run = promisify(execFile);
const root = join(embeddedModelsDir(), '..');
const converter = join(root, 'native-models', 'convert');
const python = '/usr/bin/python3';
const missing = spawnSync(python, ['-c', 'import torch, onnx, omegaconf'], { encoding: 'utf8' });
const skipReason = missing.status === 0 ? undefined : `needs ${python} with python3-torch, python3-omegaconf, python3-onnx`;

interface Fixture {
  checkpoint: string;
  labels: string;
  names: string[];
  sampleRate: number;
  minSamples: number;
  cases: Record<string, { audio: number[]; reference: number[] }>;
}

/** max |a - b| over max |b|: the error relative to the reference's scale. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(a[i]! - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-12);
}
const logit = (p: ArrayLike<number>) => Array.from(p, (v) => Math.log(v / (1 - v)));

describe.skipIf(skipReason !== undefined)(`a CNN14 judge bundle${skipReason ? `: skipped, ${skipReason}` : ''}`, () => {
  let tmp: string;
  let fx: Fixture;
  let judgeDir: string;
  let env: NodeJS.ProcessEnv;
  const { agx, json } = agxCli(() => env);
  const convertJudge = (ckpt: string, labels: string, out: string) =>
    agx('models', 'convert', '--judge', 'cnn14', ckpt, '--labels', labels, '--out', out, '--json');

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'agx-convert-judge-'));
    env = { ...process.env, OPENBLAS_NUM_THREADS: '1', PYTHONPATH: converter, AGX_DEBUG: '', AGX_MODELS_DIR: join(tmp, 'judges') };
    await run(python, [join(root, 'test', 'python', 'cnn14_fixture.py'), join(tmp, 'fx')], { cwd: converter, env });
    fx = JSON.parse(readFileSync(join(tmp, 'fx', 'fixture.json'), 'utf8')) as Fixture;
    judgeDir = join(tmp, 'judges', 'cnn14-tiny');
    const r = await convertJudge(fx.checkpoint, fx.labels, judgeDir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/agx-convert .*checked: CNN14/);
  }, 300_000);
  afterAll(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('writes a judge manifest: its rate, the CSV labels in index order, sigmoid, licence and source checksums', () => {
    const m = JSON.parse(readFileSync(join(judgeDir, 'manifest.json'), 'utf8')) as Record<string, unknown>;
    expect(m).toMatchObject({
      kind: 'judge',
      architecture: 'cnn14',
      sampleRate: 32000,
      minSamples: fx.minSamples,
      activation: 'sigmoid',
      labels: fx.names,
      licence: 'CC-BY-4.0',
      graphs: { classifier: 'classifier.onnx' },
    });
    const sources = m.sources as { file: string; sha256: string }[];
    expect(sources.map((s) => s.file)).toEqual(['Cnn14_tiny.pth', 'class_labels_indices.csv']);
    for (const s of sources) {
      const sum = spawnSync('sha256sum', [join(tmp, 'fx', s.file)], { encoding: 'utf8' }).stdout.split(' ')[0];
      expect(s.sha256).toBe(sum);
    }
  });

  it('classifier.onnx matches the float64 NumPy forward of CNN14 to 1e-4 relative (whole clip and the shortest input)', async () => {
    const session = await ort.InferenceSession.create(join(judgeDir, 'classifier.onnx'));
    try {
      for (const [name, c] of Object.entries(fx.cases)) {
        const out = await session.run({ audio: new ort.Tensor('float32', Float32Array.from(c.audio), [1, c.audio.length]) });
        const p = out.probabilities!.data as Float32Array;
        expect(relErr(p, c.reference), name).toBeLessThan(1e-4);
        expect(relErr(logit(p), logit(c.reference)), name).toBeLessThan(1e-4);
      }
      // the reference's classes differ clearly, so agreement is not two flat outputs agreeing
      const ref = fx.cases.clip!.reference;
      expect(Math.max(...ref) - Math.min(...ref)).toBeGreaterThan(0.3);
    } finally {
      await session.release();
    }
  });

  it('full-size CNN14 on the meta device: every name and shape, 80,753,615 trainable parameters', async () => {
    const { stdout } = await run(python, ['-m', 'agx_convert', 'meta-check', '--judge', 'cnn14'], { cwd: converter, env });
    expect(JSON.parse(stdout)).toEqual({ tensors: 84, parameters: 80_753_615, frontEnd: 1_083_456, graphParameters: 81_829_007 });
  }, 120_000);

  it('agx models lists the judge bundle; agx classify --judge NAME labels a WAV with it (its top labels, its rate)', async () => {
    const models = (await json('models')).models as Record<string, unknown>[];
    expect(models.find((m) => m.dir === judgeDir)).toMatchObject({
      name: 'cnn14',
      kind: 'judge',
      classes: 5,
      status: 'ok',
      licence: 'CC-BY-4.0',
    });
    const out = await json('classify', join(tmp, 'fx', 'clip.wav'), '--judge', 'cnn14');
    expect(out.judge).toMatchObject({ name: 'cnn14', architecture: 'cnn14', sampleRate: 32000 });
    const labels = out.labels as { label: string; probability: number }[];
    expect(labels.map((l) => l.label).sort()).toEqual([...fx.names].sort());
    // the WAV is the fixture's clip in 16 bits: the same ranking as the reference's
    const ref = fx.cases.clip!.reference;
    expect(labels.map((l) => l.label)).toEqual(
      fx.names
        .map((n, i) => [n, ref[i]!] as const)
        .sort((a, b) => b[1] - a[1])
        .map((x) => x[0]),
    );
  }, 300_000);

  it('agx evaluate --judge scores tiny-foley clips (resampled 16 -> 32 kHz) with the judge and names it', async () => {
    const prompts = join(tmp, 'prompts.csv');
    writeFileSync(prompts, 'caption\na dog barks\n');
    const out = await json(
      'evaluate',
      '--prompts',
      prompts,
      '--methods',
      'random',
      '--seeds',
      '1',
      '--duration',
      '1',
      '--judge',
      judgeDir,
      '--out',
      join(tmp, 'eval'),
    );
    expect(out.judge).toMatchObject({ name: 'cnn14', architecture: 'cnn14', sampleRate: 32000 });
    expect(out.prompts).toBe(1);
    expect(out.calibrated).toBeNull(); // tiny-foley's temperature belongs to its own classifier
    const rows = readFileSync(out.results as string, 'utf8')
      .trim()
      .split('\n')
      .map(
        (l) =>
          JSON.parse(l) as { key: string; scores: { method: string; label: string; origProbs: number[]; seeds: { fid_f: number }[] }[] },
      );
    expect(rows[0]!.key).toMatch(/\tjudge:cnn14$/);
    const random = rows[0]!.scores.find((s) => s.method === 'random')!;
    expect(fx.names).toContain(random.label);
    expect(random.origProbs).toHaveLength(fx.names.length);
    expect(Number.isFinite(random.seeds[0]!.fid_f)).toBe(true);
  }, 300_000);

  it('bad inputs get one clear error each', async () => {
    const diff = await convertJudge(join(tmp, 'fx', 'Cnn14_broken.pth'), fx.labels, join(tmp, 'bad1'));
    expect(diff.code).not.toBe(0);
    expect(diff.stderr).toMatch(/1 missing, 0 unexpected, 1 of wrong shape/);
    expect(diff.stderr).toMatch(/missing: conv_block3\.bn1\.running_var \[8\]/);
    expect(diff.stderr).toMatch(/wrong shape: fc1\.bias: expected \[12\], found \[13\]/);

    const count = await convertJudge(fx.checkpoint, join(tmp, 'fx', 'four_labels.csv'), join(tmp, 'bad2'));
    expect(count.stderr).toMatch(/four_labels\.csv names 4 classes; the checkpoint's fc_audioset has 5 outputs/);

    const notJudge = await agx('classify', join(tmp, 'fx', 'clip.wav'), '--judge', join(embeddedModelsDir(), 'tiny-foley'));
    expect(notJudge.stderr).toMatch(/is not a judge bundle/);

    // a manifest naming one label fewer than the graph gives, with its checksums intact
    const fewer = join(tmp, 'bad-judges', 'fewer');
    cpSync(judgeDir, fewer, { recursive: true });
    const m = JSON.parse(readFileSync(join(fewer, 'manifest.json'), 'utf8')) as { labels: string[] };
    m.labels.pop();
    writeFileSync(join(fewer, 'manifest.json'), JSON.stringify(m));
    const labels = await agx('classify', join(tmp, 'fx', 'clip.wav'), '--judge', fewer);
    expect(labels.stderr).toMatch(/the classifier gives 5 outputs but manifest\.json names 4 labels/);

    // a corrupt graph: caught by its checksum, and, with the checksum rewritten, by onnxruntime
    const corrupt = join(tmp, 'bad-judges', 'corrupt');
    cpSync(judgeDir, corrupt, { recursive: true });
    const onnx = readFileSync(join(corrupt, 'classifier.onnx'));
    writeFileSync(join(corrupt, 'classifier.onnx'), onnx.subarray(0, 200));
    const sum = await agx('classify', join(tmp, 'fx', 'clip.wav'), '--judge', corrupt);
    expect(sum.stderr).toMatch(/classifier\.onnx is corrupt or modified/);
    const cm = JSON.parse(readFileSync(join(corrupt, 'manifest.json'), 'utf8')) as {
      files: Record<string, { sha256: string; bytes: number }>;
    };
    const sha = spawnSync('sha256sum', [join(corrupt, 'classifier.onnx')], { encoding: 'utf8' }).stdout.split(' ')[0]!;
    cm.files['classifier.onnx'] = { sha256: sha, bytes: 200 };
    writeFileSync(join(corrupt, 'manifest.json'), JSON.stringify(cm));
    const ort = await agx('classify', join(tmp, 'fx', 'clip.wav'), '--judge', corrupt);
    expect(ort.stderr).toMatch(/judge bundle cnn14: onnxruntime cannot open classifier\.onnx/);

    const short = join(tmp, 'short.wav');
    const wav = readFileSync(join(tmp, 'fx', 'clip.wav'));
    // the same WAV cut to 0.1 s (RIFF and data sizes rewritten): shorter than CNN14's 32 frames
    const n = 3200 * 2;
    const cut = Buffer.concat([wav.subarray(0, 44), wav.subarray(44, 44 + n)]);
    cut.writeUInt32LE(36 + n, 4);
    cut.writeUInt32LE(n, 40);
    writeFileSync(short, cut);
    const tooShort = await agx('classify', short, '--judge', judgeDir);
    expect(tooShort.stderr).toMatch(/shorter than judge cnn14 takes \(0\.31 s\)/);
  }, 300_000);
});
