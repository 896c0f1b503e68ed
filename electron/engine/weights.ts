import { isWeightValue, MAX_TOKEN_WEIGHT, parseTimeSpan, type TokenWeight } from '../common/domain.js';
import { AgxError } from '../common/errors.js';
import { promptWords } from '../common/words.js';
import type { PromptToken } from './tokenizer.js';

/**
 * Parses "dog=0,rain=1.5,bark=0.2@1.5:3" against the prompt's tokens: word=weight, optionally only
 * inside start:end seconds. A word matches every token with that text (case-insensitive), and every
 * piece of a prompt word with that text.
 */
export function parseWeightSpec(spec: string, tokens: PromptToken[]): TokenWeight[] {
  const out: TokenWeight[] = [];
  for (const part of spec
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p.length > 0)) {
    const m = /^(.+?)\s*=\s*([^@\s]+)\s*(?:@\s*([^:\s]+)\s*:\s*([^:\s]+))?$/.exec(part);
    if (m === null) throw new AgxError('bad_argument', `cannot read weight "${part}"; write word=weight or word=weight@start:end`);
    const [, word, w, s, e] = m as unknown as [string, string, string, string | undefined, string | undefined];
    const weight = Number(w);
    if (!isWeightValue(weight)) {
      throw new AgxError('bad_argument', `weight for "${word}" must be a number from 0 to ${MAX_TOKEN_WEIGHT} (got "${w}")`);
    }
    const span = s === undefined ? null : parseTimeSpan(`${s}:${e}`);
    if (s !== undefined && span === null) {
      throw new AgxError('bad_argument', `interval for "${word}" must be start:end seconds with 0 <= start < end (got "${s}:${e}")`);
    }
    const same = (text: string): boolean => text.toLowerCase() === word.toLowerCase();
    const hits = new Set(tokens.flatMap((t, i) => (same(t.text) ? [i] : [])));
    // a word T5 split into pieces ("dogs" -> "dog", "s") weighs all of them
    for (const w of promptWords(tokens)) if (same(w.text)) w.tokens.forEach((i) => hits.add(i));
    if (hits.size === 0) {
      throw new AgxError(
        'bad_argument',
        `weights name "${word}", which is not a token of the prompt; tokens: ${tokens.map((t) => t.text).join(', ')}`,
      );
    }
    for (const token of [...hits].sort((a, b) => a - b)) out.push({ token, weight, ...span });
  }
  return out;
}

/**
 * Token weights as per-step rows [steps][tokens] (1 where no weight applies): the `token_weights`
 * feed of generation's conditional rows, and the scale teacher forcing applies, so a take is
 * explained under exactly what made it. A span covers the steps that write its frames in any
 * codebook (delay pattern: up to K - 1 steps later); an open end reaches the clip's end.
 */
export function stepWeightRows(
  weights: readonly TokenWeight[],
  tokens: number,
  steps: number,
  frameRate: number,
  K: number,
): Float32Array[] {
  const rows = Array.from({ length: steps }, () => new Float32Array(tokens).fill(1));
  for (const w of weights) {
    const first = w.startSec === undefined ? 0 : Math.floor(w.startSec * frameRate);
    const last = w.endSec === undefined ? steps : Math.ceil(w.endSec * frameRate) + K - 1;
    for (let s = Math.max(0, first); s < Math.min(steps, last); s++) rows[s]![w.token] = w.weight;
  }
  return rows;
}
