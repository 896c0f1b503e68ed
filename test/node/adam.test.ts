// The engine's Adam (WebAssembly SIMD, float32, in chunks) against torch.optim.Adam's update written
// out in double precision: over several chunks, with a tail that is not a whole vector, and weight decay.
import { describe, expect, it } from 'vitest';
import { adamMoments, adamStep } from '../../electron/engine/explain/adam.js';
import { Rng } from '../../electron/engine/rng.js';

function referenceAdam(p: Float64Array, g: Float64Array, m: Float64Array, v: Float64Array, t: number, lr: number, wd: number): void {
  for (let i = 0; i < p.length; i++) {
    const gi = g[i]! + wd * p[i]!;
    m[i] = 0.9 * m[i]! + 0.1 * gi;
    v[i] = 0.999 * v[i]! + 0.001 * gi * gi;
    const denom = Math.sqrt(v[i]!) / Math.sqrt(1 - 0.999 ** t) + 1e-8;
    p[i] = p[i]! - (lr / (1 - 0.9 ** t)) * (m[i]! / denom);
  }
}

describe('Adam', () => {
  it('follows torch.optim.Adam over 20 steps, across chunks and a ragged tail', () => {
    const n = 3 * 16384 + 7; // three whole chunks and a tail of 7 (one vector and 3 entries)
    const rng = new Rng(11);
    const start = rng.floats(n, (u) => u * 2 - 1);
    const param = start.slice();
    const moments = adamMoments(n);
    const ref = { p: Float64Array.from(start), m: new Float64Array(n), v: new Float64Array(n) };
    let worst = 0;
    for (let t = 1; t <= 20; t++) {
      const grad = rng.floats(n, (u) => (u - 0.5) * 0.02);
      adamStep(param, grad, moments, t, 0.01, 1e-3);
      referenceAdam(ref.p, Float64Array.from(grad), ref.m, ref.v, t, 0.01, 1e-3);
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(param[i]! - ref.p[i]!));
    }
    // Each step moves an entry by up to lr = 0.01; float32 keeps them within a few ulp of 1 of the double path.
    expect(worst).toBeLessThan(2e-6);
    // ...and the parameters moved, the last entry (in the tail) too
    expect(Math.abs(param[n - 1]! - start[n - 1]!)).toBeGreaterThan(1e-5);
    expect(moments.v.every((x) => x > 0)).toBe(true);
  });
});
