// The take as it was made (issue 18, item 1): teacher forcing and explanations apply the take's token
// weights exactly as generation fed them; a word at weight 0 is muted, with no importance.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type { Explanation, Take } from '../../electron/common/api.js';
import { base64ToBytes } from '../../electron/common/base64.js';
import { nullEffectPrior } from '../../electron/engine/explain/audiogenx.js';
import { mutingEffects, teacherForce } from '../../electron/engine/explain/teacher.js';
import { generateCodes } from '../../electron/engine/generate.js';
import { LmStepper } from '../../electron/engine/lm-step.js';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { floatData } from '../../electron/engine/model.js';
import { tensor } from '../../electron/engine/onnx/session-factory.js';
import { Rng } from '../../electron/engine/rng.js';
import { parseWeightSpec, stepWeightRows } from '../../electron/engine/weights.js';
import { explanationExport } from '../../electron/studio/exports.js';
import { embeddedModel } from './helpers.js';

const PROMPT = 'a dog barks while rain falls';
const AGX = join(embeddedModelsDir(), '..', 'bin', 'agx.js');

async function agx(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [AGX, ...args], { maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err: any) {
    return { code: err.code ?? 1, stdout: err.stdout ?? '', stderr: err.stderr ?? '' };
  }
}

/** lm.heads.k.weight [card, d] from the bundle's shared weights (the heads' biases live in the graphs). */
function headWeights(k: number): Float32Array {
  const dir = embeddedModelsDir();
  const index = JSON.parse(readFileSync(join(dir, 'tiny-foley', 'lm_weights.index.json'), 'utf8'));
  const entry = index.tensors.find((t: { names: string[] }) => t.names.includes(`lm.heads.${k}.weight`));
  const bin = readFileSync(join(dir, 'tiny-foley', 'lm_weights.bin'));
  return new Float32Array(bin.buffer.slice(bin.byteOffset + entry.offset, bin.byteOffset + entry.offset + entry.bytes));
}

describe('explaining a take as it was made', () => {
  it("teacher forcing under the take's weights reproduces the logits generation computed, step by step", async () => {
    const model = await embeddedModel();
    const m = model.manifest;
    const K = m.codebooks;
    const d = m.hiddenSize;
    const card = m.cardinality;
    const tokens = await model.tokenizer.encode(PROMPT);
    // global mute and a windowed emphasis: both kinds of weight rows
    const weights = parseWeightSpec('dog=0,rain=1.8@0.2:0.6', tokens);
    const g = await generateCodes(model, { prompt: PROMPT, seed: 3, durationSec: 1, weights });
    const frames = g.frames;
    const steps = frames + K - 1;
    const L = tokens.length;
    // Generation's own feed, replayed with lm_step (conditional row only): the logits it sampled from.
    const [textEncoder, lmStep] = await Promise.all([model.graph('textEncoder'), model.graph('lmStep')]);
    const ids = BigInt64Array.from(tokens, (t) => BigInt(t.id));
    const textMask = new Float32Array(L).fill(1);
    const text = await textEncoder.run({ ids: tensor.i64(ids, [1, L]), text_mask: tensor.f32(textMask, [1, L]) }, [
      'cross_key',
      'cross_value',
    ]);
    const rows = stepWeightRows(weights, L, steps, m.frameRate, K);
    const input = await teacherForce(model, PROMPT, g.codes[0]!, frames, weights);
    const unweighted = await teacherForce(model, PROMPT, g.codes[0]!, frames);
    const heads = Array.from({ length: K }, (_, k) => headWeights(k));
    const projected = (hidden: Float32Array, s: number, k: number): Float32Array => {
      const out = new Float32Array(card);
      for (let c = 0; c < card; c++) {
        let v = 0;
        for (let j = 0; j < d; j++) v += heads[k]![c * d + j]! * hidden[s * d + j]!;
        out[c] = v;
      }
      return out;
    };
    const stepper = new LmStepper(lmStep, { layers: m.layers, batch: 1, heads: m.heads, headDim: d / m.heads }, steps);
    let first: Float32Array[] | null = null;
    let worst = 0;
    let worstUnweighted = 0;
    for (let s = 0; s < steps; s++) {
      const inp = BigInt64Array.from({ length: K }, (_, k) => input.lmInput[k * input.bucket.steps + s]!);
      const logits = await stepper.next({
        tokens: inp,
        cross: { key: text.cross_key!, value: text.cross_value! },
        textMask: tensor.f32(textMask, [1, L]),
        tokenWeights: tensor.f32(rows[s]!, [1, L]),
      });
      // The heads' biases are not in the shared weights; differences between steps cancel them.
      const gen = Array.from({ length: K }, (_, k) => logits.slice(k * card, (k + 1) * card));
      const tf = Array.from({ length: K }, (_, k) => projected(input.reference, s, k));
      const tfU = Array.from({ length: K }, (_, k) => projected(unweighted.reference, s, k));
      if (first === null) {
        first = gen.map((row, k) => row.map((v, c) => v - tf[k]![c]!)); // the biases
        continue;
      }
      for (let k = 0; k < K; k++) {
        for (let c = 0; c < card; c++) {
          worst = Math.max(worst, Math.abs(gen[k]![c]! - first[k]![c]! - tf[k]![c]!));
          worstUnweighted = Math.max(worstUnweighted, Math.abs(gen[k]![c]! - first[k]![c]! - tfU[k]![c]!));
        }
      }
    }
    expect(worst).toBeLessThan(2e-3);
    // without the weights, teacher forcing explains another sequence of logits
    expect(worstUnweighted).toBeGreaterThan(100 * worst);
    expect(worstUnweighted).toBeGreaterThan(0.05);
  });

  it("AudioGenX's masked passes scale the cross-attention by weight x M and weight x (1 - M), as teacher forcing under those scales does", async () => {
    const model = await embeddedModel();
    const m = model.manifest;
    const d = m.hiddenSize;
    const tokens = await model.tokenizer.encode(PROMPT);
    const weights = parseWeightSpec('dog=0,rain=1.8@0.2:0.6', tokens);
    const g = await generateCodes(model, { prompt: PROMPT, seed: 3, durationSec: 1, weights });
    const input = await teacherForce(model, PROMPT, g.codes[0]!, g.frames, weights);
    const { steps: S, tokens: L } = input.bucket;
    const entry = m.graphs.explainerStep.find((b) => b.steps === S && b.tokens === L)!;
    const H = entry.hidden;
    const rng = new Rng(5);
    const uniform = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * k);
    const state: Record<string, ReturnType<typeof tensor.f32>> = {
      w1: tensor.f32(uniform(S * d * H, 1 / Math.sqrt(d)), [S, d, H]),
      b1: tensor.f32(uniform(S * H, 0.05), [S, H]),
      prelu: tensor.f32(new Float32Array(S).fill(0.25), [S]),
      w2: tensor.f32(uniform(S * H, 1 / Math.sqrt(H)), [S, H]),
      b2: tensor.f32(uniform(S, 0.1), [S]),
    };
    const shared = {
      tokens: tensor.i64(input.lmInput, [1, m.codebooks, S]),
      text_vectors: tensor.f32(input.textVectors, [1, L, d]),
      text_mask: tensor.f32(input.textMask, [1, L]),
      step_mask: tensor.f32(input.stepMask, [S]),
      reference: tensor.f32(input.reference, [S, d]),
    };
    const prior = nullEffectPrior(await mutingEffects(model, input));
    // dog is muted throughout: no pass, no effect; the strongest effect in the clip is 1
    const dog = tokens.findIndex((t) => t.text === 'dog');
    expect(Array.from({ length: S }, (_, s) => prior[s * L + dog])).toEqual(new Array(S).fill(0));
    expect(Math.max(...prior)).toBe(1);
    const out = await (
      await model.graphFile(entry.file)
    ).run({
      ...shared,
      ...state,
      token_weights: tensor.f32(input.tokenScale, [S, L]),
      noise: tensor.f32(
        Float32Array.from({ length: S * L }, () => 0.05 + 0.9 * rng.next()),
        [S, L],
      ),
      // the variant of ours' term too: gamma and the null-effect prior under the take's weights
      hyper: tensor.f32(Float32Array.of(1e-3, 1e-1, 1, 1, 0.003), [5]),
      prior: tensor.f32(prior, [S, L]),
    });
    const M = floatData(out.mask);
    const terms = floatData(out.terms); // sum of the factual cosines, sum of the counterfactual ones
    // lm_explain's factual row under a given scale: the teacher-forced pass under those cross-attention scales
    const explain = await model.graphFile(m.graphs.lmExplain.find((b) => b.steps === S && b.tokens === L)!.file);
    const summedCos = async (scale: Float32Array): Promise<number> => {
      const r = await explain.run({ ...shared, mask: tensor.f32(scale, [S, L]) }, ['cos_factual']);
      return floatData(r.cos_factual)
        .slice(0, input.steps)
        .reduce((a, b) => a + b, 0);
    };
    const W = input.tokenScale;
    const factual = await summedCos(M.map((v, i) => W[i]! * v));
    const counterfactual = await summedCos(M.map((v, i) => W[i]! * (1 - v)));
    // float32 sums of ~30 cosines from two graphs
    expect(Math.abs(terms[0]! - factual)).toBeLessThan(2e-3);
    expect(Math.abs(terms[1]! - counterfactual)).toBeLessThan(2e-3);
    // the same passes without the take's weights are another thing: the check above can fail
    const ignored = Math.abs(terms[1]! - (await summedCos(M.map((v) => 1 - v))));
    expect(ignored).toBeGreaterThan(0.05);
    // the null-effect prior's term: sum over real (t, i) of p (1 - prior), p already 0 off them
    const p = floatData(out.p);
    const nullPrior = p.reduce((sum, v, k) => sum + v * (1 - prior[k]!), 0);
    expect(Math.abs(terms[4]! - nullPrior) / nullPrior).toBeLessThan(1e-4);
  });

  it('agx explain --weights dog=0 marks dog muted with no importance, and explains differently from the unweighted run', async () => {
    const args = ['explain', '--prompt', PROMPT, '--seed', '3', '--duration', '1', '--epochs', '5', '--json'];
    const [weighted, plain] = await Promise.all([agx(...args, '--weights', 'dog=0'), agx(...args)]);
    expect(weighted.code).toBe(0);
    expect(plain.code).toBe(0);
    const w = JSON.parse(weighted.stdout);
    const p = JSON.parse(plain.stdout);
    const dog = w.tokens.findIndex((t: { text: string }) => t.text === 'dog');
    expect(w.tokens[dog]).toMatchObject({ text: 'dog', muted: true });
    expect(w.holistic[dog]).toBeNull();
    expect(w.steps.every((row: number[]) => row[dog] === 0)).toBe(true);
    expect(w.tokens.filter((t: { muted?: boolean }) => t.muted)).toHaveLength(1);
    expect(p.tokens[dog].muted).toBeUndefined();
    expect(typeof p.holistic[dog]).toBe('number');
    const rain = w.tokens.findIndex((t: { text: string }) => t.text === 'rain');
    expect(w.holistic[rain]).not.toBe(p.holistic[rain]);
  });

  it('agx generate and explain warn on stderr about words the model does not know', async () => {
    const gen = await agx(
      'generate',
      '--prompt',
      'a bell rings three times',
      '--duration',
      '0.5',
      '--out',
      join(process.env.TMPDIR ?? '/tmp', `agx-unk-${process.pid}.wav`),
    );
    expect(gen.code).toBe(0);
    expect(gen.stderr.split('\n').filter((l) => l.startsWith('warning:'))).toEqual([
      'warning: tiny-foley does not know "three", "times"; they are read as [UNK]',
    ]);
    const ex = await agx(
      'explain',
      '--prompt',
      'a bell rings three times',
      '--seed',
      '1',
      '--duration',
      '0.5',
      '--method',
      'random',
      '--json',
    );
    expect(ex.code).toBe(0);
    expect(ex.stderr).toContain('warning: tiny-foley does not know "three", "times"; they are read as [UNK]');
    const known = await agx('explain', '--prompt', 'a bell rings', '--seed', '1', '--duration', '0.5', '--method', 'random', '--json');
    expect(known.stderr).not.toContain('warning:');
  });
});

describe('exports of an explanation of a weighted take', () => {
  const tokens = [
    { text: 'a', start: 0, end: 1 },
    { text: 'dog', start: 2, end: 5, muted: true },
    { text: 'barks', start: 6, end: 11 },
    { text: 'thrice', start: 12, end: 18, unknown: true },
  ];
  const mask = Array.from({ length: 25 }, (_, s) => [0.2, 0, 0.9 - s / 100, 0.95]);
  const e = {
    id: 'e1',
    takeId: 't1',
    method: 'audiogenx',
    params: {},
    tokens,
    frameRate: 25,
    mask,
    holistic: [0.2, null, 0.78, 0.95],
    metrics: null,
    elapsedMs: 1,
    createdAt: '',
  } as unknown as Explanation;
  const take = {
    number: 1,
    seed: 3,
    durationSec: 1,
    weights: [{ token: 1, weight: 0 }],
    modelId: 'tiny-foley',
    modelSha256: 'x',
    prompt: 'a dog barks thrice',
  } as unknown as Take;
  const read = (format: 'json' | 'csv' | 'audacity') =>
    new TextDecoder().decode(base64ToBytes(explanationExport(e, take, 'x', { format, intervalSec: 0.5, topK: 4 }).dataBase64));

  it('CSV marks muted and unknown words in the header and leaves a muted word without values', () => {
    const lines = read('csv').trim().split('\n');
    expect(lines[0]).toBe('step,time_sec,0:a,1:dog (muted),2:barks,3:thrice (unknown)');
    expect(lines[1]!.split(',')).toEqual(['0', '0.000', '0.20000', '', '0.90000', '0.95000']);
  });

  it('Audacity labels leave muted words out and mark unknown ones', () => {
    const labels = read('audacity').trim().split('\n');
    expect(labels[0]).toBe('0.000000\t0.500000\tthrice (unknown) 0.95, barks 0.84, a 0.20');
    expect(labels.every((l) => !l.includes('dog'))).toBe(true);
  });

  it('JSON keeps the flags and a null importance for the muted word', () => {
    const j = JSON.parse(read('json'));
    expect(j.tokens[1]).toMatchObject({ text: 'dog', muted: true });
    expect(j.tokens[3]).toMatchObject({ unknown: true });
    expect(j.holistic[1]).toBeNull();
  });
});
