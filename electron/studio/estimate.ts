// What an explanation will cost before it starts: a typical figure per method, scaled by the LM bucket
// and epochs, and replaced by this machine's own measurement once a job of that method has run.
import type { MethodInfo } from '../common/api.js';

/** The last measured run per method. */
export type CostBook = Map<string, { seconds: number; frames: number; params: Record<string, unknown> }>;

/**
 * Seconds for a 5 s clip (a 128-step bucket) with default parameters, measured with `agx bench
 * --methods` on a 2-core CPU (docs/results.md).
 */
const TYPICAL_SECONDS: Record<string, number> = {
  audiogenx: 5.8,
  random: 0.01,
  attention: 0.19,
  atman: 0.29,
  'gradcam-a': 0.37,
  'gradcam-e': 0.35,
  chefer: 8.0,
};

/** The explain graphs come in buckets of 64 and 128 steps; cost follows the bucket, not the exact length. */
function bucketScale(frames: number): number {
  return frames + 3 <= 64 ? 0.5 : 1;
}

/** AudioGenX's cost is its epochs; other methods have no such knob. */
function epochScale(params: Record<string, unknown>, defaults: Record<string, unknown>): number {
  const e = Number(params.epochs ?? defaults.epochs);
  const d = Number(defaults.epochs);
  return Number.isFinite(e) && Number.isFinite(d) && d > 0 ? e / d : 1;
}

/** Estimated seconds of one explanation, and what the estimate rests on. */
export function estimateExplainSeconds(method: MethodInfo, params: Record<string, unknown>, frames: number, measured: CostBook): { seconds: number; basis: string } {
  const scale = bucketScale(frames) * epochScale(params, method.defaults);
  const last = measured.get(method.name);
  if (last !== undefined) {
    const lastScale = bucketScale(last.frames) * epochScale(last.params, method.defaults);
    return { seconds: (last.seconds / lastScale) * scale, basis: `measured on this machine (last ${method.label}: ${last.seconds.toFixed(1)} s)` };
  }
  const typical = TYPICAL_SECONDS[method.name] ?? 5;
  return { seconds: typical * scale, basis: 'typical on a 2-core CPU' };
}
