// Draft token weights (TimelineState.draftWeights[takeId]) edited from the prompt chips, and the
// chips' accessible names. Pure, so the rules are unit-tested.
import {
  MAX_TOKEN_WEIGHT,
  MIN_TOKEN_WEIGHT,
  NEUTRAL_TOKEN_WEIGHT,
  type TimeSpan,
  type TokenWeight,
  weightSpan,
} from '../../../electron/common/domain';

/** Weights are kept to two decimals: what the popover and the wheel can set, and what a name says. */
export function roundWeight(w: number): number {
  return Math.round(Math.min(MAX_TOKEN_WEIGHT, Math.max(MIN_TOKEN_WEIGHT, w)) * 100) / 100;
}

/** A weight as a person reads it: 1.5, 0.25, 2. */
export function formatWeight(w: number): string {
  return String(roundWeight(w));
}

function isGlobal(w: TokenWeight): boolean {
  return w.startSec === undefined;
}

function sameSpan(w: TokenWeight, span: TimeSpan): boolean {
  const own = weightSpan(w);
  return own !== null && Math.abs(own.startSec - span.startSec) < 1e-9 && Math.abs(own.endSec - span.endSec) < 1e-9;
}

/** The whole-clip weight of token i (1 when none is set). */
export function globalWeight(weights: readonly TokenWeight[], i: number): number {
  return weights.find((w) => w.token === i && isGlobal(w))?.weight ?? NEUTRAL_TOKEN_WEIGHT;
}

/** Token i's weights inside time spans, in time order. */
export function regionalWeights(weights: readonly TokenWeight[], i: number): TokenWeight[] {
  return weights.filter((w) => w.token === i && !isGlobal(w)).sort((a, b) => a.startSec! - b.startSec!);
}

/**
 * Sets token i's weight for the whole clip (span null) or inside one time span; weight 1 removes the
 * entry, since 1 is what the model does anyway. Returns a new list in token order.
 */
export function setWeight(weights: readonly TokenWeight[], i: number, weight: number, span: TimeSpan | null): TokenWeight[] {
  const w = roundWeight(weight);
  const rest = weights.filter((x) => !(x.token === i && (span === null ? isGlobal(x) : sameSpan(x, span))));
  if (w !== NEUTRAL_TOKEN_WEIGHT)
    rest.push(span === null ? { token: i, weight: w } : { token: i, weight: w, startSec: span.startSec, endSec: span.endSec });
  return rest.sort((a, b) => a.token - b.token || (a.startSec ?? -1) - (b.startSec ?? -1));
}

/** Token i's weight in one scope: the whole clip (span null) or exactly this span; 1 when none is set. */
export function weightIn(weights: readonly TokenWeight[], i: number, span: TimeSpan | null): number {
  if (span === null) return globalWeight(weights, i);
  return weights.find((w) => w.token === i && sameSpan(w, span))?.weight ?? NEUTRAL_TOKEN_WEIGHT;
}

/**
 * The weight popover switching scope (whole clip <-> inside the selection). A value the slider was
 * moved to since the popover opened (`moved`, committed or not) goes with the user to the new scope,
 * and the old scope gets back what it had when the popover opened (`opened`); the new list is then
 * returned to commit. Without a move, the new scope shows its own weight and nothing changes.
 */
export function switchScope(
  opened: readonly TokenWeight[],
  current: readonly TokenWeight[],
  i: number,
  from: TimeSpan | null,
  to: TimeSpan | null,
  moved: number | null,
): { value: number; weights: TokenWeight[] | null } {
  if (moved === null) return { value: weightIn(current, i, to), weights: null };
  const restored = setWeight(current, i, weightIn(opened, i, from), from);
  return { value: roundWeight(moved), weights: setWeight(restored, i, moved, to) };
}

/** Click on a chip: a muted token goes back to 1, any other becomes muted (0). */
export function toggleMute(weights: readonly TokenWeight[], i: number): TokenWeight[] {
  return setWeight(weights, i, globalWeight(weights, i) === MIN_TOKEN_WEIGHT ? NEUTRAL_TOKEN_WEIGHT : MIN_TOKEN_WEIGHT, null);
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
  // a muted word has no importance: it could not act
  const muted = globalWeight(weights, i) === 0;
  const parts = muted ? [text] : [text, importance === null ? 'importance not computed' : `importance ${importance.toFixed(2)}`];
  return [...parts, ...weightParts(weights, i)].join(', ');
}

/** Token i's weights in words ("muted", "weight 1.5", "weight 0.8 from 1.00 to 2.00 s"); none at the default. */
export function weightParts(weights: readonly TokenWeight[], i: number): string[] {
  const g = globalWeight(weights, i);
  const parts = g === 0 ? ['muted'] : g !== 1 ? [`weight ${formatWeight(g)}`] : [];
  for (const r of regionalWeights(weights, i))
    parts.push(`weight ${formatWeight(r.weight)} from ${r.startSec!.toFixed(2)} to ${r.endSec!.toFixed(2)} s`);
  return parts;
}
