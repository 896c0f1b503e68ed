import type { Rng } from './rng.js';

/** How one token is drawn from the LM's logits. */
export interface SamplingParams {
  /** Classifier-free guidance scale: logits = uncond + cfg * (cond - uncond). */
  cfg: number;
  /** Keep only the k most likely tokens (k >= cardinality keeps all). */
  topK: number;
  /** Nucleus sampling: keep the smallest set with this much probability; 0 disables. */
  topP: number;
  /** Softmax temperature; 0 picks the most likely token. */
  temperature: number;
}

/**
 * Draws one token from guided logits. `cond` and `uncond` are views of one codebook's logits.
 * Works in float64 and breaks ties by index so the result depends only on the inputs and the rng.
 */
export function sampleToken(cond: Float32Array, uncond: Float32Array, p: SamplingParams, rng: Rng): number {
  const n = cond.length;
  const logits = scratch.logits(n);
  for (let i = 0; i < n; i++) logits[i] = uncond[i]! + p.cfg * (cond[i]! - uncond[i]!);
  const u = rng.next(); // drawn unconditionally so the stream advances the same way for every setting
  if (p.temperature <= 0) return argmax(logits);
  const k = Math.max(1, Math.min(n, Math.floor(p.topK) || n));
  const order = topOrder(logits, k);
  const max = logits[order[0]!]!;
  const probs = scratch.probs(k);
  let total = 0;
  for (let j = 0; j < k; j++) {
    probs[j] = Math.exp((logits[order[j]!]! - max) / p.temperature);
    total += probs[j]!;
  }
  let keep = k;
  if (p.topP > 0 && p.topP < 1) {
    let cum = 0;
    for (let j = 0; j < k; j++) {
      cum += probs[j]! / total;
      if (cum >= p.topP) {
        keep = j + 1;
        break;
      }
    }
    total = 0;
    for (let j = 0; j < keep; j++) total += probs[j]!;
  }
  let acc = 0;
  const target = u * total;
  for (let j = 0; j < keep; j++) {
    acc += probs[j]!;
    if (target < acc) return order[j]!;
  }
  return order[keep - 1]!;
}

// Per-call buffers, reused: sampleToken runs once per stream and codebook at every LM step and is
// synchronous, so one set serves every caller.
const scratch = {
  l: new Float64Array(0),
  p: new Float64Array(0),
  o: new Int32Array(0),
  logits(n: number): Float64Array {
    if (this.l.length < n) this.l = new Float64Array(n);
    return this.l.subarray(0, n);
  },
  probs(n: number): Float64Array {
    if (this.p.length < n) this.p = new Float64Array(n);
    return this.p.subarray(0, n);
  },
  order(n: number): Int32Array {
    if (this.o.length < n) this.o = new Int32Array(n);
    return this.o.subarray(0, n);
  },
};

/**
 * Indices of x whose first k are the k largest in descending order, ties by lower index: the order
 * of a full sort by `x[b] - x[a] || a - b`, found by a partial quicksort that leaves the rest unsorted
 * (a full Array sort with a comparator was ~10% of the LM loop). The comparison is that expression
 * itself, so it is the same total order, and a total order has one sorted prefix.
 */
export function topOrder(x: Float64Array, k: number): Int32Array {
  const n = x.length;
  const o = scratch.order(n);
  for (let i = 0; i < n; i++) o[i] = i;
  partialSort(o, x, 0, n - 1, k);
  return o;
}

function partialSort(o: Int32Array, x: Float64Array, lo: number, hi: number, k: number): void {
  while (hi - lo > 16) {
    const pivot = o[(lo + hi) >> 1]!;
    const pv = x[pivot]!;
    let i = lo - 1;
    let j = hi + 1;
    for (;;) {
      do i++;
      while ((pv - x[o[i]!]! || o[i]! - pivot) < 0);
      do j--;
      while ((pv - x[o[j]!]! || o[j]! - pivot) > 0);
      if (i >= j) break;
      const t = o[i]!;
      o[i] = o[j]!;
      o[j] = t;
    }
    // [lo, j] precedes [j + 1, hi]; only parts that reach into the first k are sorted
    if (j + 1 < k) partialSort(o, x, j + 1, hi, k);
    hi = j;
  }
  for (let a = lo + 1; a <= hi; a++) {
    const v = o[a]!;
    const xv = x[v]!;
    let b = a - 1;
    while (b >= lo && (xv - x[o[b]!]! || o[b]! - v) > 0) {
      o[b + 1] = o[b]!;
      b--;
    }
    o[b + 1] = v;
  }
}

function argmax(x: Float64Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}
