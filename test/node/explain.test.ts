import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { explain, getMethod, intervalView } from '../../electron/engine/explain/index.js';
import { teacherFeeds, teacherForce } from '../../electron/engine/explain/teacher.js';
import { generateCodes } from '../../electron/engine/generate.js';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { floatData, Model } from '../../electron/engine/model.js';
import { type EngineTensor, tensor } from '../../electron/engine/onnx/session-factory.js';
import { Rng } from '../../electron/engine/rng.js';
import { embeddedModel, maxAbsDiff } from './helpers.js';

const PROMPT = 'a dog barks while rain falls';
const flat = (rows: ArrayLike<number>[]): number[] => rows.flatMap((r) => Array.from(r));

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
    const noise = tensor.f32(
      Float32Array.from({ length: S * L }, () => 0.05 + 0.9 * rng.next()),
      [S, L],
    );
    const fixed = {
      ...teacherFeeds(m, input),
      token_weights: tensor.f32(input.tokenScale, [S, L]),
      // gamma 0.01 with a prior in [0, 1]: the gradient check covers the null-effect prior's term (ours) too
      hyper: tensor.f32(Float32Array.of(1e-3, 1e-1, 1, 1, 0.01), [5]),
      prior: tensor.f32(
        Float32Array.from({ length: S * L }, () => rng.next()),
        [S, L],
      ),
      noise,
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

  it("explains a clip the same in any bucket that holds it: draws are made at the largest bucket's steps", async () => {
    // A 1 s clip (28 LM steps) runs in the 32-step bucket; the same bundle without its 32- and 64-step
    // buckets runs it in 96. Padding steps come after the clip's in a causal LM and the loss sees only real
    // steps, so the masks agree up to float summation order; the work does not.
    const fine = await embeddedModel();
    const coarse = await Model.load();
    const g = coarse.manifest.graphs;
    g.lmExplain = g.lmExplain.filter((b) => b.steps > 64);
    g.explainerStep = g.explainerStep.filter((b) => b.steps > 64);
    const { codes, frames } = await clip(fine, 2, 1);
    const inFine = await teacherForce(fine, PROMPT, codes, frames);
    const inCoarse = await teacherForce(coarse, PROMPT, codes, frames);
    expect([inFine.steps, inFine.bucket.steps, inCoarse.bucket.steps]).toEqual([28, 32, 96]);
    const a = await explain(fine, PROMPT, codes, frames, 'audiogenx', { epochs: 10, seed: 5 });
    const b = await explain(coarse, PROMPT, codes, frames, 'audiogenx', { epochs: 10, seed: 5 });
    expect(maxAbsDiff(flat(a.steps), flat(b.steps))).toBeLessThan(1e-4);
    // ...and a different seed does move the masks by far more than that
    const c = await explain(fine, PROMPT, codes, frames, 'audiogenx', { epochs: 10, seed: 6 });
    expect(maxAbsDiff(flat(a.steps), flat(c.steps))).toBeGreaterThan(1e-2);
    await coarse.close();
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

  it('Chefer runs its graph a chunk of steps at a time: progress after each chunk, cancellable between them', async () => {
    const model = await embeddedModel();
    const { codes, frames } = await clip(model, 3, 1);
    const steps = frames + model.manifest.codebooks - 1;
    const seen: number[] = [];
    await explain(model, PROMPT, codes, frames, 'chefer', {}, { onProgress: (f) => seen.push(f) });
    // 8 steps per run (bundle 2.2.0's lm_chefer), and only the clip's steps, not the bucket's
    expect(seen).toEqual(Array.from({ length: Math.ceil(steps / 8) }, (_, i) => Math.min((8 * (i + 1)) / steps, 1)));
    const ctl = new AbortController();
    const runs: number[] = [];
    await expect(
      explain(model, PROMPT, codes, frames, 'chefer', {}, { signal: ctl.signal, onProgress: (f) => (runs.push(f), ctl.abort()) }),
    ).rejects.toMatchObject({ code: 'cancelled' });
    expect(runs).toHaveLength(1);
  });

  it('rejects unknown methods and bad parameters with the valid choices', async () => {
    const model = await embeddedModel();
    expect(() => getMethod('shap')).toThrow(
      /unknown method "shap"; methods: audiogenx, audiogenx-np, random, attention, atman, gradcam-a, gradcam-e, chefer/,
    );
    const { codes, frames } = await clip(model, 2, 1);
    await expect(explain(model, PROMPT, codes, frames, 'audiogenx', { epochs: 0 })).rejects.toThrow(/parameter epochs/);
  });
});

const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' }).status === 0;

describe("Grad-CAM-a's definition", () => {
  // Grad-CAM (Selvaraju et al., 2017) on a cross-attention output O_t, the text tokens as positions: token i's
  // activation in channel c is A_i^c = P[h(c), t, i] V[h(c), i, c mod dh]; channel weights are the gradient
  // averaged over positions (= dy_t/dO_t^c, as O^c = sum_i A_i^c); the map is ReLU(sum_c weight_c A_i^c).
  it.skipIf(!hasTorch)('lm.py gradcam_map gives the hand-computed values (2 steps, 2 heads of 2 channels, 2 tokens)', () => {
    const grad = [
      [
        [1, 2, 0.5, 3],
        [-1, 0, 0, 0],
      ],
    ]; // [B, S, d]
    const attn = [
      [
        [
          [0.25, 0.75],
          [0.5, 0.5],
        ],
        [
          [0.6, 0.4],
          [1, 0],
        ],
      ],
    ]; // [B, H, S, L]
    const values = [
      [
        [
          [1, 2],
          [-1, 0.5],
        ],
        [
          [2, -1],
          [0, 1],
        ],
      ],
    ]; // [B, H, L, dh]
    // by hand: step 0, token 0: head 0 0.25 (1*1 + 2*2) = 1.25, head 1 0.6 (0.5*2 + 3*-1) = -1.2 -> 0.05;
    // token 1: 0.75 (1*-1 + 2*0.5) = 0, 0.4 (0.5*0 + 3*1) = 1.2 -> 1.2. Step 1, token 0: 0.5 (-1*1) = -0.5 -> ReLU 0;
    // token 1: 0.5 (-1*-1) = 0.5 -> 0.5 (a negative gradient with a negative activation counts: ReLU comes last).
    const byHand = [
      [0.05, 1.2],
      [0, 0.5],
    ];
    // the same from the definition, with loops
    const fromLoops = [0, 1].map((s) =>
      [0, 1].map((i) => {
        let sum = 0;
        for (let c = 0; c < 4; c++) {
          const h = Math.floor(c / 2);
          sum += grad[0]![s]![c]! * attn[0]![h]![s]![i]! * values[0]![h]![i]![c % 2]!;
        }
        return Math.max(0, sum);
      }),
    );
    const script =
      'import json, sys, torch\nfrom agx_build.lib.lm import gradcam_map\na = json.loads(sys.argv[1])\n' +
      'print(json.dumps(gradcam_map(*(torch.tensor(a[k], dtype=torch.float64) for k in ("grad", "attn", "values"))).tolist()))';
    const out = execFileSync(python, ['-c', script, JSON.stringify({ grad, attn, values })], {
      cwd: join(embeddedModelsDir(), 'build'),
      encoding: 'utf8',
    });
    const got = JSON.parse(out)[0] as number[][];
    for (const expected of [byHand, fromLoops])
      for (let s = 0; s < 2; s++) for (let i = 0; i < 2; i++) expect(got[s]![i]).toBeCloseTo(expected[s]![i]!, 12);
  });
});
