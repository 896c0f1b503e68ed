// The studio's one vocabulary: prompts, tokens, token weights, time spans, explanations and models,
// with their limits. Static limits are constants here; limits that depend on the model (longest clip,
// most prompt tokens, frame and sample rate) come from the bundle's manifest as ModelInfo.
// Masks and their views live beside this file in mask.ts. Pure TypeScript + zod: every layer and
// the renderer import it.
import { z } from 'zod';
import { AgxError } from './errors.js';
import { MaskSchema } from './mask.js';
import { promptWords } from './words.js';

/** Largest prompt, in UTF-16 units: a guard against pasting a book, checked before tokenising. */
export const MAX_PROMPT_CHARS = 2000;
/** A token weight of 0 mutes the word. */
export const MIN_TOKEN_WEIGHT = 0;
/** A token weight of 1 leaves the word as the model has it (so it is never stored). */
export const NEUTRAL_TOKEN_WEIGHT = 1;
/** A token weight of 2 doubles the word's cross-attention: the most emphasis a user may ask for. */
export const MAX_TOKEN_WEIGHT = 2;
/** Most token weights one request carries. */
export const MAX_TOKEN_WEIGHTS = 256;
/** Highest token index a weight may name (the model's maxTextTokens is the tighter, per-model bound). */
export const MAX_TOKEN_INDEX = 255;
/** Takes one generation draws in one batch (docs/decisions.md, "Variations: one limit"). */
export const MAX_VARIATIONS = 16;
/** Largest seed; variation v of a generation uses seed + v (mod 2^32). */
export const MAX_SEED = 0xffffffff;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
/** A time in seconds, >= 0. */
export const SecondsSchema = finite.refine((v) => v >= 0, 'must be >= 0 seconds');

/** A seed: 0 .. 2^32 - 1. */
export const SeedSchema = z.number().int().min(0).max(MAX_SEED);

/** One prompt token with its UTF-16 offsets in the prompt. */
export const TokenSchema = z.object({
  /** The token's text as the tokenizer sees it. */
  text: z.string(),
  /** UTF-16 start offset in the prompt. */
  start: z.number().int(),
  /** UTF-16 end offset (exclusive). */
  end: z.number().int(),
  /** True when the word is outside the model's vocabulary. */
  unknown: z.boolean().optional(),
  /** In an explanation: the take had this word at weight 0 over the whole clip, so it has no importance. */
  muted: z.boolean().optional(),
  /** A sub-word piece that continues the previous token's word (T5's "dogs" -> "dog", "s"): electron/common/words.ts. */
  continues: z.boolean().optional(),
});
export type Token = z.infer<typeof TokenSchema>;

/** A token as the contract carries it: the engine's tokens also hold vocabulary ids, which stay inside. */
export function toToken(t: {
  text: string;
  start: number;
  end: number;
  unknown?: boolean | undefined;
  muted?: boolean | undefined;
  continues?: boolean | undefined;
}): Token {
  return {
    text: t.text,
    start: t.start,
    end: t.end,
    ...(t.unknown ? { unknown: true } : {}),
    ...(t.muted ? { muted: true } : {}),
    ...(t.continues ? { continues: true } : {}),
  };
}

/** [startSec, endSec) on a clip's time axis: the one time-span type (selections, regions, weight spans). */
export interface TimeSpan {
  /** Start, seconds (inclusive). */
  startSec: number;
  /** End, seconds (exclusive). */
  endSec: number;
}

/** Whether a span is well formed: finite, from 0, start before end. */
export function isTimeSpan(span: { startSec?: number | undefined; endSec?: number | undefined }): span is TimeSpan {
  const { startSec: s, endSec: e } = span;
  return s !== undefined && e !== undefined && Number.isFinite(s) && Number.isFinite(e) && s >= 0 && s < e;
}

/** Reads "start:end" seconds (as the CLI's --interval, --region and weight@start:end take them); null when malformed. */
export function parseTimeSpan(text: string): TimeSpan | null {
  const m = /^\s*([^:\s]+)\s*:\s*([^:\s]+)\s*$/.exec(text);
  const span = m ? { startSec: Number(m[1]), endSec: Number(m[2]) } : null;
  return span !== null && isTimeSpan(span) ? span : null;
}

/** A time span's fields on the wire (named startSec / endSec everywhere). */
export const TimeSpanFieldsSchema = z.object({ startSec: SecondsSchema, endSec: SecondsSchema });

/** A time span on the wire; `what` names it in the error ("a selection must start before it ends"). */
export function timeSpanSchema(what: string) {
  return TimeSpanFieldsSchema.refine((s) => s.startSec < s.endSec, `${what} must start before it ends`);
}

/** The token weight value: 0 mutes, 1 leaves, 2 emphasises. */
export const WeightValueSchema = finite.refine(
  (v) => v >= MIN_TOKEN_WEIGHT && v <= MAX_TOKEN_WEIGHT,
  `weight must be from ${MIN_TOKEN_WEIGHT} to ${MAX_TOKEN_WEIGHT}`,
);

/** Whether a number is a valid token weight. */
export function isWeightValue(w: number): boolean {
  return Number.isFinite(w) && w >= MIN_TOKEN_WEIGHT && w <= MAX_TOKEN_WEIGHT;
}

/** A weight on one prompt token: 0 mutes, 1 leaves, 2 emphasises; optionally only inside a time span. */
export const TokenWeightSchema = z
  .object({
    /** Index into the prompt's token list. */
    token: z.number().int().min(0).max(MAX_TOKEN_INDEX),
    /** Multiplier of the token's post-softmax cross-attention, 0..2. */
    weight: WeightValueSchema,
    /** Span start in seconds (with endSec), else the whole clip. */
    startSec: SecondsSchema.optional(),
    /** Span end in seconds (exclusive). */
    endSec: SecondsSchema.optional(),
  })
  .refine((w) => (w.startSec === undefined) === (w.endSec === undefined), 'startSec and endSec come together')
  .refine((w) => w.startSec === undefined || w.startSec < w.endSec!, 'startSec must be before endSec');
export type TokenWeight = z.infer<typeof TokenWeightSchema>;

/** The span a weight applies in, or null for the whole clip. */
export function weightSpan(w: TokenWeight): TimeSpan | null {
  return w.startSec === undefined || w.endSec === undefined ? null : { startSec: w.startSec, endSec: w.endSec };
}

/** A bundle the studio can load; the limits that depend on the model come from its manifest.json. */
export const ModelInfoSchema = z.object({
  /** Bundle name (its folder). */
  id: z.string(),
  /** Bundle version. */
  version: z.string(),
  /** sha256 of its manifest.json (which holds every file's sha256): changes with any re-export of a graph. */
  manifestSha256: z.string(),
  /** The generating model's identity (manifest "identity.id": its weights, tokenizer and generation defaults), which a take's modelSha256 names; it survives a re-export of the graphs. */
  identity: z.string(),
  /** One line about it. */
  description: z.string(),
  /** Audio sample rate of its clips. */
  sampleRate: z.number(),
  /** LM steps (mask rows) per second. */
  frameRate: z.number(),
  /** Longest clip it generates. */
  maxDurationSec: z.number(),
  /** Most prompt tokens it reads. */
  maxTextTokens: z.number(),
  /** The classifier's labels (the evaluator's classes). */
  labels: z.array(z.string()),
});
export type ModelInfo = z.infer<typeof ModelInfoSchema>;

/** Throws bad_argument unless a clip length is more than 0 and at most the model's longest clip. */
export function checkDuration(durationSec: number, model: Pick<ModelInfo, 'id' | 'maxDurationSec'>): void {
  if (!(Number.isFinite(durationSec) && durationSec > 0 && durationSec <= model.maxDurationSec)) {
    throw new AgxError('bad_argument', `duration must be more than 0 and at most ${model.maxDurationSec} s for ${model.id}`);
  }
}

/** Parameters of an explanation method, after defaults: enough to reproduce it. */
export const MethodParamsSchema = z.record(z.string(), z.unknown());

/**
 * What an explanation method computed for a clip under a prompt: the mask M[step][token] over the
 * prompt's tokens and its holistic view. The stored Explanation adds its row, take and figures.
 */
export const ExplanationResultSchema = z.object({
  /** Method name (electron/common/methods.ts). */
  method: z.string(),
  /** Parameters after defaults (reproduce it from these). */
  params: MethodParamsSchema,
  /** Prompt tokens (mask columns). */
  tokens: z.array(TokenSchema),
  /** Mask rows per second. */
  frameRate: z.number(),
  /** Per-step mask [steps][tokens] in [0, 1]. */
  mask: MaskSchema,
  /** Mean over steps, one per token; null for a muted token (it has no importance). */
  holistic: z.array(z.number().nullable()),
});
export type ExplanationResult = z.infer<typeof ExplanationResultSchema>;

/**
 * The one wording of "the model does not know these words" (CLI stderr, the studio's prompt warning),
 * or null when it knows them all. Each distinct word is named once, in prompt order.
 */
export function unknownWordsNote(modelId: string, tokens: readonly Pick<Token, 'text' | 'unknown' | 'continues'>[]): string | null {
  // named by the word typed, not by the sub-word piece that fell to the unknown token
  const hit = promptWords(tokens).filter((w) => w.tokens.some((i) => tokens[i]!.unknown === true));
  const words = [...new Set(hit.map((w) => w.text.toLowerCase()))];
  if (words.length === 0) return null;
  return `${modelId} does not know ${words.map((w) => `"${w}"`).join(', ')}; ${words.length === 1 ? 'it is' : 'they are'} read as [UNK]`;
}
