import { describe, expect, it } from 'vitest';
import { activitySpans } from '../../electron/engine/classify.js';
import { Rng } from '../../electron/engine/rng.js';
import { sampleToken, topOrder } from '../../electron/engine/sampling.js';

describe('seeded sampling', () => {
  it('the PRNG is a fixed, portable stream per seed', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(xs).toEqual(Array.from({ length: 1000 }, () => b.next()));
    expect(new Rng(43).next()).not.toBe(xs[0]);
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.03);
  });

  it('combines conditional and unconditional logits with the guidance scale', () => {
    // cond favours 2, uncond favours 0; with cfg 3 the guided logits are uncond + 3 (cond - uncond)
    const cond = Float32Array.of(0, 0, 2, 0);
    const uncond = Float32Array.of(2, 0, 0, 0);
    const greedy = { cfg: 3, topK: 4, topP: 0, temperature: 0 };
    expect(sampleToken(cond, uncond, greedy, new Rng(1))).toBe(2);
    expect(sampleToken(cond, uncond, { ...greedy, cfg: 0 }, new Rng(1))).toBe(0);
  });

  it('top-k and top-p keep only the most likely codes; draws follow the probabilities', () => {
    const logits = Float32Array.from([3, 2, 1, 0, -1, -2], (x) => x);
    const p = { cfg: 1, topK: 2, topP: 0, temperature: 1 };
    const rng = new Rng(9);
    const counts = new Array(6).fill(0);
    for (let i = 0; i < 4000; i++) counts[sampleToken(logits, logits, p, rng)]++;
    expect(counts.slice(2).every((c) => c === 0)).toBe(true);
    // softmax over {3, 2}: 0.731 / 0.269
    expect(counts[0] / 4000).toBeCloseTo(1 / (1 + Math.exp(-1)), 1);
    const nucleus = { cfg: 1, topK: 6, topP: 0.5, temperature: 1 };
    for (let i = 0; i < 200; i++) expect(sampleToken(logits, logits, nucleus, rng)).toBe(0); // 0.64 >= 0.5 alone
  });
});

describe('top-k order', () => {
  it("is a full sort's first k (descending, ties by lower index) for any k, ties and sizes", () => {
    const rng = new Rng(5);
    for (let trial = 0; trial < 400; trial++) {
      const n = [1, 2, 17, 40, 256, 1024][trial % 6]!;
      // few distinct values in some trials, so ties are common
      const levels = trial % 3 === 0 ? 5 : 1e9;
      const x = Float64Array.from({ length: n }, () => Math.floor(rng.next() * levels) - levels / 2 + (trial % 2 ? 0 : rng.next()));
      const full = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[b]! - x[a]! || a - b);
      for (const k of [1, Math.ceil(n / 3), n - 6, n]) {
        if (k < 1) continue;
        expect(Array.from(topOrder(x, k).subarray(0, k))).toEqual(full.slice(0, k));
      }
    }
  });
});

describe('activity spans', () => {
  it('joins frames above threshold, bridging short gaps, per detected label', () => {
    const a = Float32Array.from({ length: 50 }, (_, f) => ((f >= 5 && f < 10) || (f >= 12 && f < 20) || f >= 40 ? 0.9 : 0.1));
    const spans = activitySpans([a, new Float32Array(50).fill(0.9)], ['dog', 'rain'], 25, ['dog']);
    expect(spans).toEqual([
      { label: 'dog', start: 0.2, end: 0.8 },
      { label: 'dog', start: 1.6, end: 2 },
    ]);
  });
});
