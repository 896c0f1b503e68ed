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
  const logits = new Float64Array(n);
  for (let i = 0; i < n; i++) logits[i] = uncond[i]! + p.cfg * (cond[i]! - uncond[i]!);
  const u = rng.next(); // drawn unconditionally so the stream advances the same way for every setting
  if (p.temperature <= 0) return argmax(logits);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b]! - logits[a]! || a - b);
  const k = Math.max(1, Math.min(n, Math.floor(p.topK) || n));
  const max = logits[order[0]!]!;
  const probs = new Float64Array(k);
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

function argmax(x: Float64Array): number {
  let best = 0;
  for (let i = 1; i < x.length; i++) if (x[i]! > x[best]!) best = i;
  return best;
}
