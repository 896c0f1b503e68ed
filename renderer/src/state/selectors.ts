// Derived views of a session used by several components. Pure.
import type { Explanation, SessionState, Take, TokenWeight } from '../../../electron/common/api';
import { holisticMeans, type Mask } from '../../../electron/common/mask';

/** Takes on the timeline (hidden ones left out), in take order. */
export function visibleTakes(s: SessionState | null): Take[] {
  if (s === null) return [];
  const hidden = new Set(s.timeline.hiddenTakeIds);
  return s.takes.filter((t) => !hidden.has(t.id)).sort((a, b) => a.number - b.number);
}

/** Explanations of one take, newest first. */
export function explanationsOf(s: SessionState | null, takeId: string): Explanation[] {
  if (s === null) return [];
  return s.explanations.filter((e) => e.takeId === takeId).sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

/** The explanation a take's lanes show: the one chosen in the timeline, else its newest. */
export function shownExplanation(s: SessionState | null, takeId: string): Explanation | null {
  if (s === null) return null;
  const chosen = s.timeline.shownExplanation[takeId];
  const list = explanationsOf(s, takeId);
  return list.find((e) => e.id === chosen) ?? list[0] ?? null;
}

/** The take the prompt bar and the inspector follow. */
export function selectedTake(s: SessionState | null): Take | null {
  const takes = visibleTakes(s);
  return takes.find((t) => t.id === s?.timeline.selectedTakeId) ?? takes[takes.length - 1] ?? null;
}

/** The weights being edited for a take's next regeneration (its own weights until edited). */
export function draftWeightsOf(s: SessionState | null, take: Take): TokenWeight[] {
  return s?.timeline.draftWeights[take.id] ?? take.weights;
}

/** Longest visible take, seconds (what "fit" shows; 5 s before there is any). */
export function contentSeconds(s: SessionState | null): number {
  const takes = visibleTakes(s);
  return takes.length === 0 ? 5 : Math.max(...takes.map((t) => t.durationSec));
}

/** The human label of a method name. */
export function methodLabel(methods: readonly { name: string; label: string }[] | undefined, name: string): string {
  return methods?.find((m) => m.name === name)?.label ?? name;
}

/** What a take's lanes and chips show: a live partial mask while an explanation runs, else the shown explanation. */
export interface ShownMask {
  mask: Mask;
  /** Per token; null for a word the take muted (it has no importance). */
  holistic: (number | null)[];
  frameRate: number;
  /** The stored explanation (null while only a partial mask exists). */
  explanation: Explanation | null;
  /** True while the mask is a running job's partial result. */
  live: boolean;
}

const holisticCache = new WeakMap<Mask, number[]>();

function cachedHolistic(mask: Mask): number[] {
  let h = holisticCache.get(mask);
  if (h === undefined) {
    h = holisticMeans(mask);
    holisticCache.set(mask, h);
  }
  return h;
}

/** The mask a take shows now (partial first), or null when it has none. */
export function shownMask(
  s: SessionState | null,
  partial: Record<string, { mask: Mask }>,
  takeId: string,
  frameRate: number,
): ShownMask | null {
  const p = partial[takeId];
  if (p !== undefined && p.mask.length > 0)
    return { mask: p.mask, holistic: cachedHolistic(p.mask), frameRate, explanation: null, live: true };
  const e = shownExplanation(s, takeId);
  if (e === null) return null;
  return { mask: e.mask, holistic: e.holistic, frameRate: e.frameRate, explanation: e, live: false };
}
