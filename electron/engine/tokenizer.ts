import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { MAX_PROMPT_CHARS, type Token } from '../common/domain.js';
import { AgxError } from '../common/errors.js';

// `tokenizers` is a CommonJS native addon.
const require = createRequire(import.meta.url);
const { Tokenizer: HfTokenizer } = require('tokenizers') as typeof import('tokenizers');

/** A prompt token as the engine holds it: the domain's Token plus its vocabulary id (toToken drops it). */
export interface PromptToken extends Token {
  /** Vocabulary id. */
  id: number;
  /** True when the word is outside the vocabulary (mapped to the unknown token). */
  unknown: boolean;
  /** A special token the tokenizer adds (T5's </s>), not text of the prompt. */
  special?: boolean;
}

/** Limits a prompt must respect. */
export interface PromptLimits {
  /** Most tokens the model takes. */
  maxTokens: number;
  /** Id of the unknown token. */
  unkId: number;
}

/** The checks that need no model: a prompt must have text and not be absurdly long. */
export function checkPromptText(prompt: unknown): asserts prompt is string {
  if (typeof prompt !== 'string' || prompt.trim().length === 0) throw new AgxError('bad_prompt', 'the prompt is empty');
  if (prompt.length > MAX_PROMPT_CHARS) {
    throw new AgxError('bad_prompt', `the prompt is ${prompt.length} characters long; the limit is ${MAX_PROMPT_CHARS}`);
  }
}

/** Wraps a Hugging Face tokenizer.json with character offsets in JavaScript string units. */
export class PromptTokenizer {
  private constructor(
    private readonly tok: InstanceType<typeof HfTokenizer>,
    private readonly limits: PromptLimits,
    /** Sub-word tokenizer (SentencePiece, BPE, WordPiece): it may cut a typed word into pieces. A word-level one (tiny-foley's) never does. */
    readonly subword: boolean,
  ) {}

  /** Loads tokenizer.json. */
  static fromFile(path: string, limits: PromptLimits): PromptTokenizer {
    try {
      const kind = (JSON.parse(readFileSync(path, 'utf8')) as { model?: { type?: unknown } }).model?.type;
      return new PromptTokenizer(HfTokenizer.fromFile(path), limits, kind !== 'WordLevel');
    } catch (err) {
      throw new AgxError('bad_model', `cannot read tokenizer ${path}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  /** Tokenises a prompt; empty, whitespace-only, too long, or too many tokens is a bad_prompt error. */
  async encode(prompt: string): Promise<PromptToken[]> {
    checkPromptText(prompt);
    const tokens = await this.tokenize(prompt);
    if (tokens.length === 0) throw new AgxError('bad_prompt', 'the prompt has no words the model can read');
    if (tokens.length > this.limits.maxTokens) {
      throw new AgxError('bad_prompt', `the prompt has ${tokens.length} tokens; this model takes at most ${this.limits.maxTokens}`);
    }
    return tokens;
  }

  /** Tokenises without the limits, so a prompt over them can still be counted (the prompt bar's counter). */
  async tokenize(prompt: string): Promise<PromptToken[]> {
    // SentencePiece drops trailing whitespace; a T5 tokenizer.json would add a bare "▁" piece for it
    // (test/node/t5-tokenizer-parity.test.ts). The offsets stay valid: the encoded text is a prefix.
    const enc = await this.tok.encode(prompt.trimEnd());
    const ids = enc.getIds();
    const toUtf16 = codePointToUtf16Index(prompt);
    const offsets = enc.getOffsets();
    const pieces = enc.getTokens();
    const special = enc.getSpecialTokensMask();
    const promptEnd = prompt.trimEnd().length;
    const out: PromptToken[] = [];
    ids.forEach((id, i) => {
      const [cpStart, cpEnd] = offsets[i] ?? [0, 0];
      let start = toUtf16(cpStart ?? 0);
      let end = toUtf16(cpEnd ?? 0);
      // A SentencePiece piece holds its word's leading space ("▁dog" spans " dog"); the lanes, the weights
      // and the unknown-word note want the word itself.
      while (start < end && /\s/.test(prompt[start]!)) start++;
      while (end > start && /\s/.test(prompt[end - 1]!)) end--;
      // a bare "▁" piece (before a character the vocabulary lacks, or trailing) stays inside the prompt
      if (start === end) start = end = Math.min(start, promptEnd);
      // T5's appended </s> covers no text; it is named and placed after the prompt, so its mask column shows.
      if (special[i] === 1 && start === end) {
        out.push({ id, text: pieces[i] ?? '', start: promptEnd, end: promptEnd, unknown: false, special: true });
        return;
      }
      // A piece that starts where the one before ended continues its word ("dogs" -> "dog", "s"); a bare
      // "▁" piece (no text) starts the word that follows it. The word view is electron/common/words.ts.
      const prev = out.at(-1);
      const continues = this.subword && prev !== undefined && prev.special !== true && end > start && start === prev.end;
      out.push({
        id,
        text: prompt.slice(start, end),
        start,
        end,
        unknown: id === this.limits.unkId,
        special: false,
        ...(continues ? { continues } : {}),
      });
    });
    return out;
  }
}

/** tokenizers reports offsets in Unicode code points; JavaScript strings index UTF-16 units. */
export function codePointToUtf16Index(s: string): (codePoint: number) => number {
  const table: number[] = [];
  let unit = 0;
  for (const ch of s) {
    table.push(unit);
    unit += ch.length;
  }
  table.push(unit);
  return (cp) => table[Math.max(0, Math.min(cp, table.length - 1))] ?? unit;
}
