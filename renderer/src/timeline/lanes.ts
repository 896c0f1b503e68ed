// What the token lanes show and what hovering them reads out, pure so it is unit-tested: the steps
// that lie inside the clip, the absolute or per-lane relative scale, the hover readout, and the
// spectrogram's frequency ticks.
import type { Mask } from '../../../electron/common/mask';

/** Absolute: the mask's values as computed. Relative: each lane stretched between its own low and high (5th and 95th percentiles) over the take. */
export type LaneScale = 'absolute' | 'relative';

/**
 * Mask rows that lie inside the clip: step t writes frame t, and the last codebooks - 1 steps (the
 * delay pattern's tail) write no frame of the clip, so the lanes stop where the audio stops.
 */
export function stepsInClip(mask: Mask, durationSec: number, frameRate: number): number {
  return Math.max(0, Math.min(mask.length, Math.ceil(durationSec * frameRate - 1e-9)));
}

/**
 * The percentiles of a lane the relative scale stretches between: auto-levels, as an image editor
 * does, so one outlying step (AudioGenX's step 0, which rates every word high) does not set the
 * range for the whole take. Values outside them clip to the ends.
 */
export const RELATIVE_PERCENTILES = [0.05, 0.95] as const;

/** The p-quantile of sorted values, linearly interpolated. */
function quantile(sorted: readonly number[], p: number): number {
  const pos = p * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.min(sorted.length - 1, lo + 1);
  return sorted[lo]! + (pos - lo) * (sorted[hi]! - sorted[lo]!);
}

/** Each lane's range for the relative scale over the first `steps` rows: its 5th to 95th percentile (both 0 for an empty lane). */
export function laneRanges(mask: Mask, steps: number): { min: number; max: number }[] {
  const tokens = mask[0]?.length ?? 0;
  const n = Math.min(steps, mask.length);
  return Array.from({ length: tokens }, (_, i) => {
    if (n === 0) return { min: 0, max: 0 };
    const lane = Array.from({ length: n }, (_, t) => mask[t]![i] ?? 0).sort((a, b) => a - b);
    return { min: quantile(lane, RELATIVE_PERCENTILES[0]), max: quantile(lane, RELATIVE_PERCENTILES[1]) };
  });
}

/**
 * A lane whose values stay within this of each other over the take is flat: stretching it would turn
 * noise into full-scale contrast, so it keeps its absolute colours.
 */
export const FLAT_SPAN = 0.05;

/** Whether a lane's range is too narrow to stretch. */
export function isFlat(range: { min: number; max: number }): boolean {
  return range.max - range.min < FLAT_SPAN;
}

/** A value on the relative scale: 0 at the lane's low, 1 at its high (clipped beyond them); a flat lane keeps its absolute value. */
export function relativeValue(v: number, range: { min: number; max: number }): number {
  return isFlat(range) ? v : Math.min(1, Math.max(0, (v - range.min) / (range.max - range.min)));
}

const laneMasks = new WeakMap<Mask, Map<string, number[][]>>();

/** The mask as the lanes draw it: the steps inside the clip, on the chosen scale (cached per mask, so its image is drawn once). */
export function laneMask(mask: Mask, steps: number, scale: LaneScale): number[][] {
  let cache = laneMasks.get(mask);
  if (cache === undefined) laneMasks.set(mask, (cache = new Map()));
  const key = `${scale}:${steps}`;
  let out = cache.get(key);
  if (out === undefined) {
    const inClip = mask.slice(0, steps) as number[][];
    const ranges = laneRanges(mask, steps);
    out = scale === 'absolute' ? inClip : inClip.map((row) => row.map((v, i) => relativeValue(v, ranges[i]!)));
    cache.set(key, out);
  }
  return out;
}

/** What the pointer is over in a lane. */
export interface LaneReadout {
  word: string;
  timeSec: number;
  /** The mask's value at that step; null for a word the take muted (no importance) or past the clip's end. */
  value: number | null;
  /** The same value on the lane's relative scale (null as value is). */
  relative: number | null;
  /** The lane hardly varies over the take, so the relative scale leaves it absolute. */
  flat: boolean;
  muted: boolean;
  unknown: boolean;
}

/** The readout of lane `lane` at `timeSec`; muted words and times past the clip read no value. */
export function laneReadout(
  mask: Mask,
  frameRate: number,
  durationSec: number,
  token: { text: string; unknown?: boolean | undefined },
  lane: number,
  timeSec: number,
  muted: boolean,
): LaneReadout {
  const steps = stepsInClip(mask, durationSec, frameRate);
  const t = Math.floor(timeSec * frameRate);
  const base = { word: token.text, timeSec, muted, unknown: token.unknown === true };
  if (muted || t < 0 || t >= steps) return { ...base, value: null, relative: null, flat: false };
  const v = mask[t]![lane] ?? 0;
  const range = laneRanges(mask, steps)[lane]!;
  return { ...base, value: v, relative: relativeValue(v, range), flat: isFlat(range) };
}

/** The readout as one line: "dog · 1.24 s · 0.87 (0.95 of its lane's range)". */
export function formatReadout(r: LaneReadout, scale: LaneScale): string {
  const head = `${r.word}${r.unknown ? ' (unknown word)' : ''} · ${r.timeSec.toFixed(2)} s`;
  if (r.muted) return `${head} · muted in this take: no importance`;
  if (r.value === null) return `${head} · past the end of the clip`;
  if (scale === 'absolute') return `${head} · ${r.value.toFixed(2)}`;
  return r.flat
    ? `${head} · ${r.value.toFixed(2)} (flat over the take: shown absolute)`
    : `${head} · ${r.relative!.toFixed(2)} of its lane's range (absolute ${r.value.toFixed(2)})`;
}

/** Frequency ticks (Hz) for a log axis from minHz (bottom) to maxHz (top) over `height` pixels: 100, 200, 500, 1 k, 2 k, 5 k ... */
export function frequencyTicks(minHz: number, maxHz: number, height: number): { hz: number; y: number; label: string }[] {
  const out: { hz: number; y: number; label: string }[] = [];
  const span = Math.log(maxHz / minHz);
  for (let decade = 10; decade <= maxHz; decade *= 10) {
    for (const m of [1, 2, 5]) {
      const hz = decade * m;
      if (hz <= minHz || hz >= maxHz) continue;
      const y = height * (1 - Math.log(hz / minHz) / span);
      out.push({ hz, y, label: hz >= 1000 ? `${hz / 1000} kHz` : `${hz} Hz` });
    }
  }
  return out;
}

/** The frequency at height y of the log axis (y = 0 at the top: maxHz). */
export function frequencyAt(y: number, height: number, minHz: number, maxHz: number): number {
  return minHz * Math.pow(maxHz / minHz, 1 - Math.min(1, Math.max(0, y / height)));
}
