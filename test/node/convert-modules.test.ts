// agx_convert's modules and ONNX export (native-models/convert/agx_convert/modules, export.py): a tiny
// random-weight AudioGen-shaped model is converted, and the bundle's graphs, run with onnxruntime-node
// as the engine runs them, must match an independent float64 reference (test/python/convert_reference.py,
// written from audiocraft's and transformers' behaviour, reading the checkpoints' own tensors) to 1e-4
// relative: T5 relative-position buckets and the text encoder, the KV-cache step against a full
// recompute, classifier-free guidance and the delay pattern (greedy codes identical), SEANet decode and
// encode, and AudioGenX's mask gradient against finite differences.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LmStepper } from '../../electron/engine/lm-step.js';
import { SessionFactory, tensor } from '../../electron/engine/onnx/session-factory.js';

const root = join(__dirname, '..', '..');
const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch, onnx, omegaconf'], { encoding: 'utf8' }).status === 0;

interface Arr {
  shape: number[];
  data: number[];
}
interface Fixture {
  bundle: string;
  rejoined: string;
  linked: number;
  gated: { graph: string; textVectors: Arr };
  cfgCoef: number;
  card: number;
  codebooks: number;
  buckets: { numBuckets: number; maxDistance: number; rel: number[]; reference: number[]; converter: number[] }[];
  text: { ids: number[][]; mask: number[][]; textVectors: Arr; crossKey: Arr };
  greedy: { frames: number; codes: number[][]; pattern: number[][]; guided: Arr; cond: Arr; uncond: Arr };
  codec: { hop: number; codes: number[][]; audio: Arr; wav: number[]; encoded: number[][] };
  explain: {
    file: string;
    tokens: number[][];
    textVectors: Arr;
    textMask: number[];
    stepMask: number[];
    mask: Arr;
    reference: Arr;
    loss: number;
    hidden: Arr;
    entries: [number, number][];
    finiteDifference: number[];
  };
  explainerStep: {
    file: string;
    hidden: number;
    params: Record<'w1' | 'b1' | 'prelu' | 'w2' | 'b2', Arr>;
    noise: Arr;
    tokenWeights: Arr;
    prior: Arr;
    hyper: number[];
    loss: number;
    p: Arr;
    mask: Arr;
    terms: number[];
    gradSums: Record<string, number[]>;
  };
}

/** max |a - b| over max |b|: the error relative to the reference's scale. */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num = Math.max(num, Math.abs(Number(a[i]) - b[i]!));
    den = Math.max(den, Math.abs(b[i]!));
  }
  return num / Math.max(den, 1e-12);
}

const f32 = (data: ArrayLike<number>, dims: number[]) => new ort.Tensor('float32', Float32Array.from(data), dims);
const i64 = (data: number[], dims: number[]) => new ort.Tensor('int64', BigInt64Array.from(data.map(BigInt)), dims);
const floats = (t: ort.Tensor) => Array.from(t.data as Float32Array);

describe.skipIf(!hasTorch)('agx_convert modules against an independent reference', () => {
  let dir: string;
  let fx: Fixture;
  const sessions = new Map<string, ort.InferenceSession>();
  const session = async (file: string) => {
    if (!sessions.has(file)) sessions.set(file, await ort.InferenceSession.create(join(fx.bundle, file)));
    return sessions.get(file)!;
  };

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'agx-convert-modules-'));
    execFileSync(python, [join(root, 'test', 'python', 'convert_fixture.py'), dir], {
      env: {
        ...process.env,
        PYTHONPATH: [join(root, 'native-models', 'convert'), join(root, 'test', 'python')].join(':'),
        OPENBLAS_NUM_THREADS: '1',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: 600_000,
    });
    fx = JSON.parse(readFileSync(join(dir, 'fixture.json'), 'utf8')) as Fixture;
  }, 660_000);

  afterAll(async () => {
    for (const s of sessions.values()) await s.release();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('buckets relative positions as transformers does (exact, log-spaced and clipped)', () => {
    for (const b of fx.buckets) expect(b.converter, `${b.numBuckets} buckets`).toEqual(b.reference);
    // every bucket is reached but "after the query, distance 0", which cannot happen
    for (const b of fx.buckets) expect(new Set(b.reference).size).toBe(b.numBuckets - 1);
  });

  it('text encoder: T5 + output_proj, padded and null prompts zeroed, cross keys per layer', async () => {
    const s = await session('text_encoder.onnx');
    const [b, l] = [fx.text.ids.length, fx.text.ids[0]!.length];
    const out = await s.run({ ids: i64(fx.text.ids.flat(), [b, l]), text_mask: f32(fx.text.mask.flat(), [b, l]) });
    expect(out.text_vectors!.dims).toEqual(fx.text.textVectors.shape);
    expect(relErr(floats(out.text_vectors!), fx.text.textVectors.data)).toBeLessThan(1e-4);
    expect(out.cross_key!.dims).toEqual(fx.text.crossKey.shape);
    expect(relErr(floats(out.cross_key!), fx.text.crossKey.data)).toBeLessThan(1e-4);
    // the null row ([pad] with mask [1, 0, ...], as the engine builds it) is audiocraft's empty condition
    const d = fx.text.textVectors.shape[2]!;
    expect(
      floats(out.text_vectors!)
        .slice(2 * l * d)
        .every((v) => v === 0),
    ).toBe(true);
  });

  it('a gated-GELU T5 (v1.1 / flan) encodes as the reference does', async () => {
    const s = await ort.InferenceSession.create(fx.gated.graph);
    const [b, l] = [fx.text.ids.length, fx.text.ids[0]!.length];
    const out = await s.run({ ids: i64(fx.text.ids.flat(), [b, l]), text_mask: f32(fx.text.mask.flat(), [b, l]) });
    await s.release();
    expect(relErr(floats(out.text_vectors!), fx.gated.textVectors.data)).toBeLessThan(1e-4);
    expect(relErr(floats(out.text_vectors!), fx.text.textVectors.data)).toBeGreaterThan(0.1); // another encoder
  });

  it('a graph whose weights came one file per tensor (torch above 2 GB) consolidates and runs the same', async () => {
    const s = await ort.InferenceSession.create(join(fx.rejoined, 'text_encoder.onnx'));
    const [b, l] = [fx.text.ids.length, fx.text.ids[0]!.length];
    const out = await s.run({ ids: i64(fx.text.ids.flat(), [b, l]), text_mask: f32(fx.text.mask.flat(), [b, l]) });
    await s.release();
    expect(relErr(floats(out.text_vectors!), fx.text.textVectors.data)).toBeLessThan(1e-4);
    expect(fx.linked).toBeGreaterThan(10); // the second graph's tensor files were hard links to the first's
  });

  it('greedy decoding with CFG 3 through the KV-cache step gives the reference codes and logits', async () => {
    const te = await session('text_encoder.onnx');
    // the engine's own stepper (fixed-capacity cache) over the converted lm_step
    const step = await new SessionFactory({}).create(join(fx.bundle, 'lm_step.onnx'));
    const l = fx.text.ids[0]!.length;
    const ids = [...fx.text.ids[1]!, ...fx.text.ids[2]!];
    const mask = [...fx.text.mask[1]!, ...fx.text.mask[2]!];
    const enc = await te.run({ ids: i64(ids, [2, l]), text_mask: f32(mask, [2, l]) });
    const k = fx.codebooks;
    const steps = fx.greedy.frames + k - 1;
    const [layers, , heads, , dh] = enc.cross_key!.dims as number[];
    const stepper = new LmStepper(step, { layers: layers!, batch: 2, heads: heads!, headDim: dh! }, steps);
    const cross = {
      key: tensor.f32(enc.cross_key!.data as Float32Array, enc.cross_key!.dims),
      value: tensor.f32(enc.cross_value!.data as Float32Array, enc.cross_value!.dims),
    };
    // the delay pattern: position 0 all empty; position p holds frame p - 1 - k in codebook k
    const pattern = Array.from({ length: k }, () => new Array<number>(steps + 1).fill(fx.card));
    const guidedAll: number[] = [];
    const condAll: number[] = [];
    const uncondAll: number[] = [];
    for (let s = 0; s < steps; s++) {
      const tokens = [0, 1].flatMap(() => pattern.map((row) => row[s]!));
      const logits = await stepper.next({
        tokens: BigInt64Array.from(tokens, BigInt),
        cross,
        textMask: tensor.f32(Float32Array.from(mask), [2, l]),
        tokenWeights: tensor.f32(new Float32Array(2 * l).fill(1), [2, l]),
      });
      const n = k * fx.card;
      for (let cb = 0; cb < k; cb++) {
        const row: number[] = [];
        for (let c = 0; c < fx.card; c++) {
          const cond = logits[cb * fx.card + c]!;
          const uncond = logits[n + cb * fx.card + c]!;
          row.push(uncond + (cond - uncond) * fx.cfgCoef);
        }
        guidedAll.push(...row);
        const frame = s - cb;
        if (frame >= 0 && frame < fx.greedy.frames) pattern[cb]![s + 1] = row.indexOf(Math.max(...row));
      }
      condAll.push(...logits.slice(0, n));
      uncondAll.push(...logits.slice(n));
    }
    expect(relErr(condAll, fx.greedy.cond.data)).toBeLessThan(1e-4);
    expect(relErr(uncondAll, fx.greedy.uncond.data)).toBeLessThan(1e-4);
    expect(relErr(guidedAll, fx.greedy.guided.data)).toBeLessThan(1e-4);
    expect(pattern).toEqual(fx.greedy.pattern);
    const codes = pattern.map((row, cb) => row.slice(1 + cb, 1 + cb + fx.greedy.frames));
    expect(codes).toEqual(fx.greedy.codes);
    await step.release();
  });

  it('codec decoder (SEANet with weight norm folded) matches the reference waveform', async () => {
    const s = await session('codec_decoder.onnx');
    const k = fx.codec.codes.length;
    const t = fx.codec.codes[0]!.length;
    const out = await s.run({ codes: i64(fx.codec.codes.flat(), [1, k, t]) });
    expect(out.audio!.dims).toEqual([1, t * fx.codec.hop]);
    expect(relErr(floats(out.audio!), fx.codec.audio.data)).toBeLessThan(1e-4);
  });

  it('codec encoder gives the reference codes', async () => {
    const s = await session('codec_encoder.onnx');
    const out = await s.run({ audio: f32(fx.codec.wav, [1, fx.codec.wav.length]) });
    const codes = Array.from(out.codes!.data as BigInt64Array, Number);
    expect(codes).toEqual(fx.codec.encoded.flat());
  });

  it("lm_explain: AudioGenX's mask gradient matches finite differences of the reference loss", async () => {
    const e = fx.explain;
    const s = await session(e.file);
    const [steps, tokens] = e.mask.shape as [number, number];
    const k = e.tokens.length;
    const out = await s.run({
      tokens: i64(e.tokens.flat(), [1, k, steps]),
      text_vectors: f32(e.textVectors.data, [1, ...e.textVectors.shape]),
      text_mask: f32(e.textMask, [1, tokens]),
      step_mask: f32(e.stepMask, [steps]),
      mask: f32(e.mask.data, e.mask.shape),
      reference: f32(e.reference.data, e.reference.shape),
    });
    expect(relErr(floats(out.hidden!), e.hidden.data)).toBeLessThan(1e-4);
    expect(Math.abs(Number(out.loss!.data[0]) - e.loss) / Math.abs(e.loss)).toBeLessThan(1e-4);
    const grad = floats(out.grad_mask!);
    const picked = e.entries.map(([i, j]) => grad[i * tokens + j]!);
    expect(relErr(picked, e.finiteDifference)).toBeLessThan(1e-4);
    expect(picked.slice(-2)).toEqual([0, 0]); // a padded token and a masked-out step
    expect(Math.max(...e.finiteDifference.map(Math.abs))).toBeGreaterThan(1e-3); // the check is not vacuous
  });

  it('explainer_step: one AudioGenX epoch gives the reference p, M, loss terms and every gradient (token weights, coefficients, prior)', async () => {
    const e = fx.explain;
    const x = fx.explainerStep;
    const s = await session(x.file);
    const [steps, tokens] = e.mask.shape as [number, number];
    const params = Object.fromEntries(Object.entries(x.params).map(([n, a]) => [n, f32(a.data, a.shape)]));
    const out = await s.run({
      tokens: i64(e.tokens.flat(), [1, e.tokens.length, steps]),
      text_vectors: f32(e.textVectors.data, [1, ...e.textVectors.shape]),
      text_mask: f32(e.textMask, [1, tokens]),
      step_mask: f32(e.stepMask, [steps]),
      reference: f32(e.reference.data, e.reference.shape),
      token_weights: f32(x.tokenWeights.data, x.tokenWeights.shape),
      ...params,
      noise: f32(x.noise.data, x.noise.shape),
      hyper: f32(x.hyper, [5]),
      prior: f32(x.prior.data, x.prior.shape),
    });
    expect(relErr(floats(out.p!), x.p.data)).toBeLessThan(1e-4);
    expect(relErr(floats(out.mask!), x.mask.data)).toBeLessThan(1e-4);
    expect(relErr(floats(out.terms!), x.terms)).toBeLessThan(1e-4);
    expect(Math.abs(Number(out.loss!.data[0]) - x.loss) / Math.abs(x.loss)).toBeLessThan(1e-4);
    // each step's gradient entries summed: the finite difference along that step's whole slice
    for (const name of ['w1', 'b1', 'prelu', 'w2', 'b2']) {
      const grad = floats(out[`grad_${name}`]!);
      const per = grad.length / steps;
      const sums = Array.from({ length: steps }, (_, t) => grad.slice(t * per, (t + 1) * per).reduce((a, b) => a + b, 0));
      expect(relErr(sums, x.gradSums[name]!), name).toBeLessThan(1e-4);
      expect(Math.max(...x.gradSums[name]!.map(Math.abs)), name).toBeGreaterThan(1e-4);
    }
  });

  it('moves a Constant that torch wrote to a file of its own (graphs over 2 GB) into the shared weights', async () => {
    // what torch 1.13 wrote for each layer's causal mask in AudioGen-medium's gradient graphs
    const src = join(dir, 'external-constant');
    const made = spawnSync(
      python,
      [
        '-c',
        `import sys, pathlib, numpy as np, onnx
from onnx import helper, TensorProto
sys.path.insert(0, sys.argv[2])
from agx_convert.weights import share_weights
src = pathlib.Path(sys.argv[1]); src.mkdir(); out = src / 'out'; out.mkdir()
mask = np.triu(np.full((64, 64), -1e9, np.float32), 1)
(src / '_Constant_1_attr__value').write_bytes(mask.tobytes())
t = TensorProto(name='value', data_type=TensorProto.FLOAT, dims=[64, 64], data_location=TensorProto.EXTERNAL)
e = t.external_data.add(); e.key, e.value = 'location', '_Constant_1_attr__value'
g = helper.make_graph([helper.make_node('Constant', [], ['c'], value=t), helper.make_node('Add', ['x', 'c'], ['y'])], 'g',
    [helper.make_tensor_value_info('x', TensorProto.FLOAT, [64, 64])], [helper.make_tensor_value_info('y', TensorProto.FLOAT, [64, 64])])
onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid('', 17)]), str(src / 'g.onnx'))
share_weights([src / 'g.onnx'], out, 'lm_weights.bin')
(src / '_Constant_1_attr__value').unlink()  # the conversion deletes .parts/`,
        src,
        join(root, 'native-models', 'convert'),
      ],
      { encoding: 'utf8' },
    );
    expect(made.stderr).toBe('');
    const s = await ort.InferenceSession.create(join(src, 'out', 'g.onnx'));
    const y = (await s.run({ x: f32(new Array(64 * 64).fill(1), [64, 64]) })).y!.data as Float32Array;
    expect([y[0], y[1], y[64], y[65], y[64 * 64 - 1]]).toEqual([1, -1e9, 1, 1, 1]); // -1e9 + 1 is -1e9 in float32
  });

  it('stores every weight once, in the layout its node reads (no Transpose, Slice or Concat of an initializer)', () => {
    const check = spawnSync(
      python,
      [
        '-c',
        `import onnx, sys, pathlib
bad = []
for p in sorted(pathlib.Path(sys.argv[1]).glob('*.onnx')):
    g = onnx.load(str(p), load_external_data=False).graph
    inits = {i.name for i in g.initializer}
    bad += [p.name + ':' + n.op_type for n in g.node if n.op_type in ('Transpose', 'Slice', 'Concat', 'Unsqueeze', 'Squeeze', 'Reshape') and any(i in inits for i in n.input)]
    ext = [i for i in g.initializer if i.data_location == onnx.TensorProto.EXTERNAL]
    bad += [p.name + ':' + i.name for i in ext if {e.key: e.value for e in i.external_data}['location'] not in ('lm_weights.bin', 'codec_weights.bin')]
print(len(bad), *bad)`,
        fx.bundle,
      ],
      { encoding: 'utf8' },
    );
    expect(check.stdout.trim()).toBe('0');
    const manifest = JSON.parse(readFileSync(join(fx.bundle, 'manifest.json'), 'utf8')) as {
      files: Record<string, { bytes: number }>;
      sampleRate: number;
      frameRate: number;
      codebooks: number;
      cardinality: number;
      specialTokens: Record<string, number>;
    };
    expect(Object.keys(manifest.files)).toContain('lm_weights.bin');
    expect(manifest.files['lm_weights.bin']!.bytes).toBeGreaterThan(0);
    expect([manifest.sampleRate, manifest.frameRate, manifest.codebooks, manifest.cardinality]).toEqual([8000, 800, 4, 32]);
    expect(manifest.specialTokens).toEqual({ pad: 0, unk: 2, null: 0, audioEmpty: 32 });
  });
});
