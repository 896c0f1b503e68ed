import { Rng } from './rng.js';

/**
 * Statistics over prompts for `agx evaluate` (docs/method.md, 'A fair comparison'). Prompts are the
 * unit of resampling: seeds of one prompt share its original clip, so they are not independent.
 * Every function is deterministic (seeded), so a report regenerates exactly from its results.
 */

function mean(xs: readonly number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Linear-interpolated quantile q in [0, 1] of sorted values. */
export function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Percentile-bootstrap interval of the mean: resample the values with replacement `resamples` times. */
export function bootstrapMeanCi(xs: readonly number[], opts: { level?: number; resamples?: number; seed?: number } = {}): [number, number] {
  const { level = 0.95, resamples = 10000, seed = 1 } = opts;
  if (xs.length === 0) return [Number.NaN, Number.NaN];
  const rng = new Rng(seed);
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (let i = 0; i < xs.length; i++) s += xs[Math.floor(rng.next() * xs.length)]!;
    means[b] = s / xs.length;
  }
  const sorted = Array.from(means).sort((a, b) => a - b);
  return [quantile(sorted, (1 - level) / 2), quantile(sorted, (1 + level) / 2)];
}

/**
 * Two-sided sign-flip permutation test of paired differences (H0: each difference is symmetric
 * about 0): the share of sign assignments whose |mean| reaches the observed |mean|. Exact (all 2^n
 * assignments) up to 16 pairs; above, `resamples` random assignments with p = (hits + 1) / (resamples + 1).
 */
export function signFlipTest(diffs: readonly number[], opts: { resamples?: number; seed?: number } = {}): number {
  const n = diffs.length;
  if (n === 0) return Number.NaN;
  const observed = Math.abs(mean(diffs)) - 1e-12; // a tie with the observed value counts as reaching it
  if (n <= 16) {
    let hits = 0;
    for (let bits = 0; bits < 1 << n; bits++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += bits & (1 << i) ? -diffs[i]! : diffs[i]!;
      if (Math.abs(s / n) >= observed) hits++;
    }
    return hits / (1 << n);
  }
  const { resamples = 20000, seed = 1 } = opts;
  const rng = new Rng(seed);
  let hits = 0;
  for (let b = 0; b < resamples; b++) {
    let s = 0;
    for (const d of diffs) s += rng.next() < 0.5 ? -d : d;
    if (Math.abs(s / n) >= observed) hits++;
  }
  return (hits + 1) / (resamples + 1);
}

/** One method's metric over prompts: mean of the per-prompt values and its bootstrap 95% interval. */
export interface Estimate {
  mean: number;
  ci95: [number, number];
  /** Prompts with a finite value. */
  n: number;
}

/** A method against the reference (AudioGenX) on the same prompts: mean of (method - reference), its interval, the sign-flip p. */
export interface PairedComparison extends Estimate {
  p: number;
}

/** Estimate of the per-prompt values, NaN ignored. */
export function estimate(xs: readonly number[]): Estimate {
  const v = xs.filter((x) => Number.isFinite(x));
  return { mean: v.length ? mean(v) : Number.NaN, ci95: bootstrapMeanCi(v), n: v.length };
}

/** Paired comparison over the prompts where both values are finite. */
export function paired(method: readonly number[], reference: readonly number[]): PairedComparison {
  const d = method.map((x, i) => x - reference[i]!).filter((x) => Number.isFinite(x));
  return { ...estimate(d), p: signFlipTest(d) };
}
