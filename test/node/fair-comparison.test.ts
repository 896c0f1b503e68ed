// The fair-comparison tools of `agx evaluate` (docs/method.md, 'A fair comparison'): statistics over
// prompts, size matching, per-step scaling and random's per-prompt seed, on hand-made data with known answers.
import { describe, expect, it } from 'vitest';
import { generateCodes } from '../../electron/engine/generate.js';
import { explain } from '../../electron/engine/explain/index.js';
import { scaleToUnit } from '../../electron/engine/explain/probe.js';
import { averageOverSteps, evaluatePrompt, matchSize, type PromptScores, summarise } from '../../electron/engine/faithfulness.js';
import { bootstrapMeanCi, paired, quantile, signFlipTest } from '../../electron/engine/stats.js';
import { embeddedModel } from './helpers.js';

describe('statistics over prompts', () => {
  it('sign-flip test: exact p-values of small cases', () => {
    expect(signFlipTest([1, 1, 1, 1])).toBeCloseTo(2 / 16, 12); // only all-plus and all-minus reach |mean| 1
    expect(signFlipTest([3, 1, 1])).toBeCloseTo(2 / 8, 12); // sums +-3+-1+-1: only +-5 reach 5
    expect(signFlipTest([1, -1])).toBe(1); // observed mean 0: every assignment reaches it
  });

  it('sign-flip test: the sampled path above 16 pairs', () => {
    expect(signFlipTest(Array(20).fill(1))).toBeCloseTo(1 / 20001, 9); // exact p is 2 / 2^20: no sampled assignment reaches it
    expect(signFlipTest(Array.from({ length: 20 }, (_, i) => (i % 2 ? 1 : -1)))).toBe(1);
  });

  it('bootstrap interval of the mean', () => {
    expect(bootstrapMeanCi([2, 2, 2])).toEqual([2, 2]);
    // two values: resampled means 0, 0.5, 1 with probabilities 1/4, 1/2, 1/4, so the 2.5% and 97.5% points are 0 and 1
    expect(bootstrapMeanCi([0, 1])).toEqual([0, 1]);
    const [lo, hi] = bootstrapMeanCi(Array.from({ length: 400 }, (_, i) => i % 2));
    // mean 0.5, standard error 0.025: the normal interval is 0.451 to 0.549
    expect(lo).toBeCloseTo(0.451, 1);
    expect(hi).toBeCloseTo(0.549, 1);
    expect(quantile([0, 10], 0.25)).toBe(2.5);
  });

  it('paired comparison: method minus reference over the same prompts', () => {
    const c = paired([1, 2, 3, Number.NaN], [0, 0, 0, 5]);
    expect(c.mean).toBe(2);
    expect(c.n).toBe(3);
    expect(c.p).toBeCloseTo(2 / 8, 12);
  });

  it('summarise: per-prompt means, intervals, and the comparison with AudioGenX', () => {
    const row = (prompt: string, method: string, fidCf: number[], size: number): PromptScores => ({
      prompt,
      method,
      label: 'dog',
      size,
      seeds: fidCf.map((v, seed) => ({ seed, fid_f: 0, fid_cf: v, kl_f: 0, kl_cf: 0 })),
    });
    const rows = ['a', 'b', 'c', 'd'].flatMap((p, i) => [row(p, 'audiogenx', [0.8, 0.6], 0.4), row(p, 'random', [0.1 * i, 0.1 * i], 0.5)]);
    const t = summarise(rows);
    expect(t.audiogenx!.fid_cf.mean).toBeCloseTo(0.7, 12);
    expect(t.audiogenx!.fid_cf.ci95).toEqual([expect.closeTo(0.7, 12), expect.closeTo(0.7, 12)]);
    expect(t.audiogenx!.fid_cf.vsAudiogenx).toBeUndefined();
    const vs = t.random!.fid_cf.vsAudiogenx!;
    expect(vs.mean).toBeCloseTo(0.15 - 0.7, 12);
    expect(vs.p).toBeCloseTo(2 / 16, 12); // all four differences negative
    expect(t.random!.size.vsAudiogenx!.mean).toBeCloseTo(0.1, 12);
  });
});

describe('size matching and scaling', () => {
  it('matchSize: m -> m^p with the mean brought to the target, ranking kept', () => {
    const { mask, exponent } = matchSize([Float32Array.of(0.25, 1, 0)], 0.5);
    expect(exponent).toBeCloseTo(0.5, 6); // (0.25^p + 1 + 0) / 3 = 0.5  =>  p = 0.5
    expect(Array.from(mask[0]!)).toEqual([expect.closeTo(0.5, 6), 1, 0]);
    // out of reach (above the share of non-zero cells): the nearest reachable mean
    const far = matchSize([Float32Array.of(0.25, 1, 0)], 0.9);
    expect(Array.from(far.mask[0]!)).toEqual([expect.closeTo(1, 6), 1, 0]);
  });

  it('averageOverSteps: each token its mean over steps, at every step (the averaged-mask ablation)', () => {
    const avg = averageOverSteps([Float32Array.of(0, 1), Float32Array.of(0.5, 0), Float32Array.of(1, 0.5)]);
    expect(avg.map((r) => Array.from(r))).toEqual(Array(3).fill([expect.closeTo(0.5, 6), expect.closeTo(0.5, 6)]));
    expect(avg[0]).not.toBe(avg[1]); // rows are copies: a later map of one row leaves the others
  });

  it("scaleToUnit: 'matrix' by the whole matrix, 'step' min-max per step", () => {
    const flat = Float32Array.of(1, 3, -2, 2, 4, 4);
    expect(scaleToUnit(flat, 3, 2).map((r) => Array.from(r))).toEqual(
      [
        [0.5, 5 / 6],
        [0, 4 / 6],
        [1, 1],
      ].map((r) => r.map((v) => expect.closeTo(v, 6))),
    );
    expect(scaleToUnit(flat, 3, 2, 2, 'step').map((r) => Array.from(r))).toEqual([
      [0, 1],
      [0, 1],
      [0, 0],
    ]);
  });

  it("evaluatePrompt with sizeMatch: every other mask at AudioGenX's Size on the clip; refused without AudioGenX", async () => {
    const model = await embeddedModel();
    const opts = { seeds: [1], originalSeed: 0, durationSec: 0.5, sizeMatch: true, params: { random: { scaling: 'step' } } };
    const rows = await evaluatePrompt(model, 'a dog barks', ['random', 'audiogenx'], {
      ...opts,
      params: { ...opts.params, audiogenx: { epochs: 3 } },
    });
    expect(rows.map((r) => r.method)).toEqual(['floor', 'audiogenx', 'random']);
    const [, agx, random] = rows;
    expect(random!.size).toBeCloseTo(agx!.size, 4);
    expect(random!.sizeMatch!.rawSize).toBeGreaterThan(0.3); // uniform values: about 0.5 before matching
    expect(random!.sizeMatch!.rawSize).toBeLessThan(0.7);
    expect(agx!.sizeMatch).toBeUndefined();
    await expect(evaluatePrompt(model, 'a dog barks', ['random'], opts)).rejects.toThrow(/size matching needs audiogenx/);
  });

  it("random: same-shaped prompts get different masks by default; an explicit seed reproduces; 'step' scaling spans [0, 1] per step", async () => {
    const model = await embeddedModel();
    const { codes, frames } = await generateCodes(model, { prompt: 'a dog barks', seed: 1, durationSec: 0.5 });
    const a = await explain(model, 'a dog barks', codes[0]!, frames, 'random', {});
    const b = await explain(model, 'a bell rings', codes[0]!, frames, 'random', {});
    const a2 = await explain(model, 'a dog barks', codes[0]!, frames, 'random', {});
    expect(a.steps).toEqual(a2.steps);
    expect(a.steps).not.toEqual(b.steps);
    const s1 = await explain(model, 'a dog barks', codes[0]!, frames, 'random', { seed: 7 });
    const s2 = await explain(model, 'a bell rings', codes[0]!, frames, 'random', { seed: 7 });
    expect(s1.steps).toEqual(s2.steps);
    const step = await explain(model, 'a dog barks', codes[0]!, frames, 'attention', { scaling: 'step' });
    for (const row of step.steps) {
      expect(Math.min(...row)).toBe(0);
      expect(Math.max(...row)).toBeCloseTo(1, 6);
    }
  });
});
