// Derived views of a session used by several components. Pure.
import type { Explanation, SessionState, Take, TokenWeight } from '../../../electron/common/api';
import { holisticMeans, type Mask } from '../../../electron/common/mask';
import { type PromptWord, promptWords, wordExplanation, wordTokens, wordWeights } from '../../../electron/common/words';

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

/** A take seen per word (electron/common/words.ts): what its chips, lanes and bars show. */
export interface WordTake {
  /** The take with its words as tokens and its weights per word (`token` = the word's index); the same object when every word is one token. */
  take: Take;
  words: PromptWord[];
}

const wordTakes = new WeakMap<Take, WordTake>();

/** The word view of a take (cached per take object). */
export function wordTake(take: Take): WordTake {
  let w = wordTakes.get(take);
  if (w === undefined) {
    const words = promptWords(take.tokens);
    const same = words.length === take.tokens.length;
    w = { take: same ? take : { ...take, tokens: wordTokens(take.tokens, words), weights: wordWeights(take.weights, words) }, words };
    wordTakes.set(take, w);
  }
  return w;
}

/** The draft weights per word: what the chips edit. */
export function draftWordWeightsOf(s: SessionState | null, take: Take): TokenWeight[] {
  return wordWeights(draftWeightsOf(s, take), wordTake(take).words);
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

/**
 * What a take's lanes and chips show: a live partial mask while an explanation runs, else the shown
 * explanation; per word (a word's lane is the largest of its pieces', electron/common/words.ts).
 */
export interface ShownMask {
  /** [steps][words]. */
  mask: Mask;
  /** Per word; null for a word the take muted (it has no importance). */
  holistic: (number | null)[];
  frameRate: number;
  /** The stored explanation (null while only a partial mask exists). */
  explanation: Explanation | null;
  /** True while the mask is a running job's partial result. */
  live: boolean;
}

const wordViews = new WeakMap<Mask, { mask: Mask; holistic: (number | null)[] }>();

/** A mask and its holistic view per word (cached per mask, so lanes draw one image per mask). */
function cachedWordView(mask: Mask, tokens: Take['tokens'], holistic?: (number | null)[]): { mask: Mask; holistic: (number | null)[] } {
  let v = wordViews.get(mask);
  if (v === undefined) {
    const w = wordExplanation({ tokens, mask, holistic: holistic ?? holisticMeans(mask) });
    v = { mask: w.mask, holistic: w.holistic };
    wordViews.set(mask, v);
  }
  return v;
}

/** The mask a take shows now (partial first), or null when it has none. */
export function shownMask(
  s: SessionState | null,
  partial: Record<string, { mask: Mask }>,
  takeId: string,
  frameRate: number,
): ShownMask | null {
  const p = partial[takeId];
  const take = s?.takes.find((t) => t.id === takeId);
  if (p !== undefined && p.mask.length > 0 && take !== undefined)
    return { ...cachedWordView(p.mask, take.tokens), frameRate, explanation: null, live: true };
  const e = shownExplanation(s, takeId);
  if (e === null) return null;
  return { ...cachedWordView(e.mask, e.tokens, e.holistic), frameRate: e.frameRate, explanation: e, live: false };
}
