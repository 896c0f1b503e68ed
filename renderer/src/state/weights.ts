// Draft token weights (TimelineState.draftWeights[takeId]) edited from the prompt chips, and the
// chips' accessible names. Pure, so the rules are unit-tested.
import type { TokenWeight } from '../../../electron/common/api';
import type { Range } from '../timeline/math';

/** Weights are kept to two decimals: what the popover and the wheel can set, and what a name says. */
export function roundWeight(w: number): number {
  return Math.round(Math.min(2, Math.max(0, w)) * 100) / 100;
}

/** A weight as a person reads it: 1.5, 0.25, 2. */
export function formatWeight(w: number): string {
  return String(roundWeight(w));
}

function isGlobal(w: TokenWeight): boolean {
  return w.startSec === undefined;
}

function sameRange(w: TokenWeight, r: Range): boolean {
  return w.startSec !== undefined && w.endSec !== undefined && Math.abs(w.startSec - r.startSec) < 1e-9 && Math.abs(w.endSec - r.endSec) < 1e-9;
}

/** The whole-clip weight of token i (1 when none is set). */
export function globalWeight(weights: readonly TokenWeight[], i: number): number {
  return weights.find((w) => w.token === i && isGlobal(w))?.weight ?? 1;
}

/** Interval weights of token i, in time order. */
export function regionalWeights(weights: readonly TokenWeight[], i: number): TokenWeight[] {
  return weights.filter((w) => w.token === i && !isGlobal(w)).sort((a, b) => a.startSec! - b.startSec!);
}

/**
 * Sets token i's weight for the whole clip (range null) or inside one interval; weight 1 removes the
 * entry, since 1 is what the model does anyway. Returns a new list in token order.
 */
export function setWeight(weights: readonly TokenWeight[], i: number, weight: number, range: Range | null): TokenWeight[] {
  const w = roundWeight(weight);
  const rest = weights.filter((x) => !(x.token === i && (range === null ? isGlobal(x) : sameRange(x, range))));
  if (w !== 1) rest.push(range === null ? { token: i, weight: w } : { token: i, weight: w, startSec: range.startSec, endSec: range.endSec });
  return rest.sort((a, b) => a.token - b.token || (a.startSec ?? -1) - (b.startSec ?? -1));
}

/** Click on a chip: a muted token goes back to 1, any other becomes muted (0). */
export function toggleMute(weights: readonly TokenWeight[], i: number): TokenWeight[] {
  return setWeight(weights, i, globalWeight(weights, i) === 0 ? 1 : 0, null);
}

/** Removes every weight of token i (global and regional). */
export function resetToken(weights: readonly TokenWeight[], i: number): TokenWeight[] {
  return weights.filter((w) => w.token !== i);
}

/** Wheel on a chip: one notch changes the whole-clip weight by 0.1, clamped to 0..2. */
export function nudgeWeight(weights: readonly TokenWeight[], i: number, notches: number): TokenWeight[] {
  return setWeight(weights, i, globalWeight(weights, i) + 0.1 * notches, null);
}

/** Whether two weight lists say the same thing. */
export function sameWeights(a: readonly TokenWeight[], b: readonly TokenWeight[]): boolean {
  const key = (w: TokenWeight): string => `${w.token}:${roundWeight(w.weight)}:${w.startSec ?? ''}:${w.endSec ?? ''}`;
  const ka = a.map(key).sort();
  const kb = b.map(key).sort();
  return ka.length === kb.length && ka.every((k, n) => k === kb[n]);
}

/**
 * A chip's accessible name: "<token>, importance 0.42", then ", muted" or ", weight 1.5" when the
 * whole-clip weight is edited, then ", weight 0.5 from 1.00 to 2.00 s" per interval weight.
 */
export function chipName(text: string, importance: number | null, weights: readonly TokenWeight[], i: number): string {
  const parts = [text, importance === null ? 'importance not computed' : `importance ${importance.toFixed(2)}`];
  const g = globalWeight(weights, i);
  if (g === 0) parts.push('muted');
  else if (g !== 1) parts.push(`weight ${formatWeight(g)}`);
  for (const r of regionalWeights(weights, i)) parts.push(`weight ${formatWeight(r.weight)} from ${r.startSec!.toFixed(2)} to ${r.endSec!.toFixed(2)} s`);
  return parts.join(', ');
}
