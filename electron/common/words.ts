// The word view of a prompt's tokens, shared by the CLI's weights, the studio's chips, lanes, bars and
// vocabulary note, and the CSV / Audacity exports. A sub-word tokenizer (T5's SentencePiece) splits
// a typed word into pieces ("dogs" -> "dog", "s"); the engine marks each piece that continues the
// word before it (Token.continues), so a word-level tokenizer's tokens (tiny-foley's, where "dog,"
// is "dog" and "," with nothing marked) stay one word each and this view is the identity for them.
import type { Token, TokenWeight } from './domain.js';
import { holisticMeans, type Mask, type MaskRows } from './mask.js';

/** One word of the prompt and the tokens it was split into. */
export interface PromptWord {
  /** The word as written (its tokens' text joined). */
  text: string;
  /** Indices of its tokens, in order. */
  tokens: number[];
}

/** The prompt's words: a token marked `continues` joins the word before it; every other token starts one (a special token such as </s> is a word of its own). */
export function promptWords(tokens: readonly Pick<Token, 'text' | 'continues'>[]): PromptWord[] {
  const words: PromptWord[] = [];
  tokens.forEach((t, i) => {
    const last = words.at(-1);
    if (last !== undefined && t.continues === true) {
      last.text += t.text;
      last.tokens.push(i);
    } else words.push({ text: t.text, tokens: [i] });
  });
  return words;
}

/** Whether every word is one token: then the word view is the token view, unchanged. */
function oneTokenEach(words: readonly PromptWord[], tokens: number): boolean {
  return words.length === tokens;
}

/**
 * The words as tokens: a word spans its pieces, is unknown when any piece is the unknown token, and
 * muted (in an explanation) when every piece is.
 */
export function wordTokens(tokens: readonly Token[], words: readonly PromptWord[] = promptWords(tokens)): Token[] {
  if (oneTokenEach(words, tokens.length)) return tokens as Token[];
  return words.map((w) => {
    const pieces = w.tokens.map((i) => tokens[i]!);
    const first = pieces[0]!;
    const last = pieces.at(-1)!;
    return {
      text: w.text,
      start: first.start,
      end: last.end,
      ...(pieces.some((p) => p.unknown === true) ? { unknown: true } : {}),
      ...(pieces.every((p) => p.muted === true) ? { muted: true } : {}),
    };
  });
}

/** An explanation (or a partial mask) seen per word. */
export interface WordExplanation {
  tokens: Token[];
  words: PromptWord[];
  /** [steps][words]: each word's lane, the largest of its pieces' importance at that step (see wordMask). */
  mask: Mask;
  /** Mean of each word's lane over the steps; null for a word every piece of which was muted. */
  holistic: (number | null)[];
}

/**
 * A word's lane is the maximum of its pieces' importance at each step, muted pieces left out. The
 * maximum, not the sum: every method's mask is an importance in [0, 1] per token (AudioGenX's is a
 * keep-probability per token, not a share of a total), and a word matters at a step when any of its
 * pieces does. A sum would leave [0, 1] and rate a word by how many pieces T5 cut it into; a mean
 * would dilute "dog" by its plural "s".
 */
export function wordMask(mask: MaskRows, words: readonly PromptWord[], muted: readonly boolean[] = []): Mask {
  return Array.from(mask, (row) =>
    words.map((w) => {
      const live = w.tokens.filter((i) => muted[i] !== true);
      return Math.max(0, ...(live.length > 0 ? live : w.tokens).map((i) => row[i] ?? 0));
    }),
  );
}

/** The word view of an explanation's tokens, mask and holistic importance (the same object's fields when every word is one token). */
export function wordExplanation(e: { tokens: readonly Token[]; mask: MaskRows; holistic: readonly (number | null)[] }): WordExplanation {
  const words = promptWords(e.tokens);
  if (oneTokenEach(words, e.tokens.length)) {
    return { tokens: e.tokens as Token[], words, mask: e.mask as Mask, holistic: e.holistic as (number | null)[] };
  }
  const muted = e.holistic.map((v) => v === null);
  const mask = wordMask(e.mask, words, muted);
  const means = holisticMeans(mask);
  return {
    tokens: wordTokens(e.tokens, words),
    words,
    mask,
    holistic: words.map((w, j) => (w.tokens.every((i) => muted[i]) ? null : means[j]!)),
  };
}

function weightKey(w: TokenWeight): string {
  return `${w.weight}:${w.startSec ?? ''}:${w.endSec ?? ''}`;
}

function weightsOf(weights: readonly TokenWeight[], token: number): TokenWeight[] {
  return weights.filter((w) => w.token === token);
}

function sameList(a: readonly TokenWeight[], b: readonly TokenWeight[]): boolean {
  const ka = a.map(weightKey).sort();
  const kb = b.map(weightKey).sort();
  return ka.length === kb.length && ka.every((k, n) => k === kb[n]);
}

/** Whether a word's pieces carry different weights (only the CLI's piece weights, such as `s=0`, do that). */
export function piecesWeightedApart(weights: readonly TokenWeight[], word: PromptWord): boolean {
  const first = weightsOf(weights, word.tokens[0]!);
  return word.tokens.some((i) => !sameList(weightsOf(weights, i), first));
}

/** Token weights as word weights (`token` is then the word's index): a word has its first piece's weights. */
export function wordWeights(weights: readonly TokenWeight[], words: readonly PromptWord[]): TokenWeight[] {
  return words.flatMap((w, j) => weightsOf(weights, w.tokens[0]!).map((x) => ({ ...x, token: j })));
}

/**
 * Word weights edited in the studio back to token weights: an edited word gives its weights to every
 * piece (muting "dogs" mutes "dog" and "s"); a word left as it was keeps its pieces' own weights.
 */
export function tokenWeights(edited: readonly TokenWeight[], before: readonly TokenWeight[], words: readonly PromptWord[]): TokenWeight[] {
  const out: TokenWeight[] = [];
  const wasWords = wordWeights(before, words);
  words.forEach((w, j) => {
    const now = weightsOf(edited, j);
    if (sameList(now, weightsOf(wasWords, j))) w.tokens.forEach((i) => out.push(...weightsOf(before, i)));
    else for (const i of w.tokens) out.push(...now.map((x) => ({ ...x, token: i })));
  });
  return out.sort((a, b) => a.token - b.token || (a.startSec ?? -1) - (b.startSec ?? -1));
}
