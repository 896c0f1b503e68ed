import { describe, expect, it } from 'vitest';
import { explain, getMethod, intervalView } from '../../electron/engine/explain/index.js';
import { teacherForce } from '../../electron/engine/explain/teacher.js';
import { generateCodes } from '../../electron/engine/generate.js';
import { floatData, type Model } from '../../electron/engine/model.js';
import { type EngineTensor, tensor } from '../../electron/engine/onnx/session-factory.js';
import { Rng } from '../../electron/engine/rng.js';
import { embeddedModel } from './helpers.js';

const PROMPT = 'a dog barks while rain falls';

async function clip(model: Model, seed = 2, durationSec = 2): Promise<{ codes: Int32Array; frames: number }> {
  const g = await generateCodes(model, { prompt: PROMPT, seed, durationSec });
  return { codes: g.codes[0]!, frames: g.frames };
}

describe('AudioGenX explainer', () => {
  it('the explainer graph gradient matches finite differences of its own loss (through Gumbel, MLP and masked LM)', async () => {
    const model = await embeddedModel();
    const m = model.manifest;
    const { codes, frames } = await clip(model);
    const input = await teacherForce(model, PROMPT, codes, frames);
    const { steps: S, tokens: L } = input.bucket;
    const entry = m.graphs.explainerStep.find((b) => b.steps === S && b.tokens === L)!;
    const graph = await model.graphFile(entry.file);
    const H = entry.hidden;
    const d = m.hiddenSize;
    const rng = new Rng(7);
    const u = (n: number, k: number): Float32Array => Float32Array.from({ length: n }, () => (rng.next() * 2 - 1) * k);
    const params: Record<string, EngineTensor> = {
      w1: tensor.f32(u(S * d * H, 1 / Math.sqrt(d)), [S, d, H]),
      b1: tensor.f32(u(S * H, 0.05), [S, H]),
      prelu: tensor.f32(new Float32Array(S).fill(0.25), [S]),
      w2: tensor.f32(u(S * H, 1 / Math.sqrt(H)), [S, H]),
      b2: tensor.f32(u(S, 0.1), [S]),
    };
    const zeros: Record<string, EngineTensor> = {};
    for (const [k, v] of Object.entries(params)) {
      zeros[`m_${k}`] = tensor.f32(new Float32Array(v.data.length), v.dims);
      zeros[`v_${k}`] = tensor.f32(new Float32Array(v.data.length), v.dims);
    }
    const noise = tensor.f32(
      Float32Array.from({ length: S * L }, () => 0.05 + 0.9 * rng.next()),
      [S, L],
    );
    const fixed = {
      tokens: tensor.i64(input.lmInput, [1, m.codebooks, S]),
      text_vectors: tensor.f32(input.textVectors, [1, L, d]),
      text_mask: tensor.f32(input.textMask, [1, L]),
      step_mask: tensor.f32(input.stepMask, [S]),
      reference: tensor.f32(input.reference, [S, d]),
      hyper: tensor.f32(Float32Array.of(0, 0, 1e-3, 1e-1), [4]),
      step: tensor.f32(Float32Array.of(0), [1]),
      noise,
      ...zeros,
    };
    const run = async (b2: Float32Array) => graph.run({ ...fixed, ...params, b2: tensor.f32(b2, [S]) });
    const base = await run(params.b2!.data as Float32Array);
    const grad = floatData(base.grad_b2);
    // b2[t] shifts the logits of every token at step t: checks the whole chain for that step.
    const eps = 1e-2;
    const checked: number[] = [];
    for (const t of [0, 7, 20, 40]) {
      const plus = Float32Array.from(params.b2!.data as Float32Array);
      const minus = Float32Array.from(plus);
      plus[t]! += eps;
      minus[t]! -= eps;
      const fd = (floatData((await run(plus)).loss)[0]! - floatData((await run(minus)).loss)[0]!) / (2 * eps);
      // float32 losses of ~100 summed cosines: central differences are good to ~3e-4 here
      expect(Math.abs(fd - grad[t]!)).toBeLessThan(1e-3 + 0.02 * Math.abs(grad[t]!));
      checked.push(Math.abs(grad[t]!));
    }
    expect(Math.max(...checked)).toBeGreaterThan(2e-2); // large enough that a wrong or zero gradient fails
    // padded steps get no gradient
    for (let t = input.steps; t < S; t++) expect(grad[t]).toBe(0);
  });

  it('is deterministic for a seed, reports progress with partial masks, and gives importances in [0, 1]', async () => {
    const model = await embeddedModel();
    const { codes, frames } = await clip(model);
    const fractions: number[] = [];
    let partials = 0;
    const a = await explain(
      model,
      PROMPT,
      codes,
      frames,
      'audiogenx',
      { epochs: 10, seed: 3 },
      {
        onProgress: (f, partial) => {
          fractions.push(f);
          if (partial) partials++;
        },
      },
    );
    const b = await explain(model, PROMPT, codes, frames, 'audiogenx', { epochs: 10, seed: 3 });
    expect(a.steps).toEqual(b.steps);
    expect(fractions).toHaveLength(10);
    expect(fractions.at(-1)).toBe(1);
    expect(partials).toBe(2);
    expect(a.steps).toHaveLength(frames + model.manifest.codebooks - 1);
    expect(a.steps[0]).toHaveLength(6);
    for (const row of a.steps) for (const v of row) expect(v >= 0 && v <= 1).toBe(true);
    expect(a.holistic).toHaveLength(6);
    const whole = intervalView(a, 0, 100);
    a.holistic.forEach((h, i) => expect(whole[i]).toBeCloseTo(h, 5));
    const c = await explain(model, PROMPT, codes, frames, 'audiogenx', { epochs: 10, seed: 4 });
    expect(c.steps).not.toEqual(a.steps);
  });

  it('is cancellable between epochs', async () => {
    const model = await embeddedModel();
    const { codes, frames } = await clip(model);
    const ctl = new AbortController();
    await expect(
      explain(
        model,
        PROMPT,
        codes,
        frames,
        'audiogenx',
        { epochs: 50 },
        { signal: ctl.signal, onProgress: (f) => f >= 0.1 && ctl.abort() },
      ),
    ).rejects.toMatchObject({ code: 'cancelled' });
  });

  it('baselines (random, attention, atman, gradcam-a, gradcam-e, chefer) give [steps][tokens] masks in [0, 1], reproducibly', async () => {
    const model = await embeddedModel();
    const { codes, frames } = await clip(model);
    for (const method of ['random', 'attention', 'atman', 'gradcam-a', 'gradcam-e', 'chefer']) {
      const a = await explain(model, PROMPT, codes, frames, method, {});
      const b = await explain(model, PROMPT, codes, frames, method, {});
      expect(a.steps, method).toEqual(b.steps);
      expect(a.steps).toHaveLength(frames + model.manifest.codebooks - 1);
      let max = 0;
      for (const row of a.steps) {
        expect(row).toHaveLength(6);
        for (const v of row) {
          expect(v >= 0 && v <= 1, `${method} value ${v}`).toBe(true);
          max = Math.max(max, v);
        }
      }
      expect(max, method).toBeCloseTo(1, 5); // scaled to [0, 1]: the largest score maps to 1
    }
    // attention rows are softmax weights over the prompt (mean of heads and layers) before scaling
    const att = await explain(model, PROMPT, codes, frames, 'attention', {});
    expect(att.steps.every((row) => row.some((v) => v > 0))).toBe(true);
  });

  it('rejects unknown methods and bad parameters with the valid choices', async () => {
    const model = await embeddedModel();
    expect(() => getMethod('shap')).toThrow(
      /unknown method "shap"; methods: audiogenx, random, attention, atman, gradcam-a, gradcam-e, chefer/,
    );
    const { codes, frames } = await clip(model, 2, 1);
    await expect(explain(model, PROMPT, codes, frames, 'audiogenx', { epochs: 0 })).rejects.toThrow(/parameter epochs/);
  });
});
