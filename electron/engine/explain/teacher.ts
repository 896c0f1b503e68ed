import type { TokenWeight } from '../../common/domain.js';
import { AgxError, throwIfAborted } from '../../common/errors.js';
import { chooseBucket } from '../../common/methods.js';
import { floatData, type Model } from '../model.js';
import type { Manifest } from '../manifest.js';
import { type EngineTensor, tensor } from '../onnx/session-factory.js';
import type { PromptToken } from '../tokenizer.js';
import { stepWeightRows } from '../weights.js';

/** Everything an explainer needs about one (prompt, audio codes) pair, padded to a graph bucket. */
export interface TeacherForcedInput {
  /** Prompt tokens (the explanation has one column per token). */
  tokens: PromptToken[];
  /** Bucket sizes the graphs were exported for. */
  bucket: { steps: number; tokens: number };
  /** LM steps that carry the clip (frames + K - 1); later bucket steps are padding. */
  steps: number;
  /** Audio frames of the clip. */
  frames: number;
  /** LM input tokens [1, K, bucket.steps]: the delay pattern shifted right by one step. */
  lmInput: BigInt64Array;
  /** The delay pattern itself [K, steps] (what each step wrote; the empty token where none). */
  pattern: BigInt64Array;
  /** Text vectors U [1, bucket.tokens, d], zero beyond the prompt. */
  textVectors: Float32Array;
  /** 1 for prompt tokens, 0 for padding [1, bucket.tokens]. */
  textMask: Float32Array;
  /** 1 for real steps, 0 for padding [bucket.steps]. */
  stepMask: Float32Array;
  /** The take's token weights as they entered generation, per step [steps][tokens] (all 1 when none). */
  weightRows: Float32Array[];
  /** The same weights padded to the bucket [bucket.steps, bucket.tokens] (1 in the padding): the masked graphs' token scale. */
  tokenScale: Float32Array;
  /** e_t: final hidden states of the teacher-forced pass under the take's weights, no mask [bucket.steps, d]. */
  reference: Float32Array;
}

/**
 * A teacher-forced clip as the PyTorch tools of native-models/build read it (agx_build/tools:
 * reference_explainer.py, lane_ceiling.py): plain arrays in the bucket's layout, and the real sizes.
 */
export function teacherForcedJson(input: TeacherForcedInput): Record<string, unknown> {
  return {
    lmInput: Array.from(input.lmInput, Number),
    textVectors: Array.from(input.textVectors),
    textMask: Array.from(input.textMask),
    stepMask: Array.from(input.stepMask),
    reference: Array.from(input.reference),
    steps: input.bucket.steps,
    tokens: input.bucket.tokens,
    realSteps: input.steps,
    realTokens: input.tokens.length,
  };
}

/**
 * Prepares full-context teacher forcing: the generated (or encoded) sequence is fed back whole with
 * the causal mask, so each step sees the same past as during generation (docs/method.md, 'Teacher forcing').
 * codes: [K * frames], codebook-major. weights: the take's token weights (generate's), applied per step
 * as generation applied them; a kept prefix needs nothing more, as generation ran those steps under the
 * same weights.
 */
export async function teacherForce(
  model: Model,
  prompt: string,
  codes: Int32Array,
  frames: number,
  weights: readonly TokenWeight[] = [],
): Promise<TeacherForcedInput> {
  const m = model.manifest;
  const K = m.codebooks;
  const d = m.hiddenSize;
  if (codes.length !== K * frames || frames < 1) throw new AgxError('bad_argument', 'codes must hold K x frames entries');
  const tokens = await model.tokenizer.encode(prompt);
  if (weights.some((w) => w.token >= tokens.length))
    throw new AgxError('bad_argument', `a token weight names a token the prompt does not have (${tokens.length} tokens)`);
  const steps = frames + K - 1;
  const bucket = chooseBucket(m.graphs.lmExplain, steps, tokens.length);
  const S = bucket.steps;
  const L = bucket.tokens;
  const special = BigInt(m.specialTokens.audioEmpty);
  // input at step s = pattern at s - 1; pattern[k][s] = codes[k][s - k]
  const lmInput = new BigInt64Array(K * S).fill(special);
  const pattern = new BigInt64Array(K * steps).fill(special);
  for (let k = 0; k < K; k++) {
    for (let f = 0; f < frames; f++) {
      const code = BigInt(codes[k * frames + f]!);
      pattern[k * steps + f + k] = code;
      if (f + k + 1 < S) lmInput[k * S + f + k + 1] = code;
    }
  }
  const ids = BigInt64Array.from(tokens, (t) => BigInt(t.id));
  const enc = await (
    await model.graph('textEncoder')
  ).run({ ids: tensor.i64(ids, [1, tokens.length]), text_mask: tensor.f32(new Float32Array(tokens.length).fill(1), [1, tokens.length]) }, [
    'text_vectors',
  ]);
  const textVectors = new Float32Array(L * d);
  textVectors.set(floatData(enc.text_vectors));
  const textMask = Float32Array.from({ length: L }, (_, i) => (i < tokens.length ? 1 : 0));
  const stepMask = Float32Array.from({ length: S }, (_, s) => (s < steps ? 1 : 0));
  const weightRows = stepWeightRows(weights, tokens.length, steps, m.frameRate, K);
  // lm_explain's factual row scales the post-softmax cross-attention by `mask` exactly as lm_step's
  // token_weights do, so mask = the take's weights gives the take's own hidden states.
  const scale = new Float32Array(S * L).fill(1);
  weightRows.forEach((row, s) => scale.set(row, s * L));
  const explain = await model.graphFile(m.graphs.lmExplain.find((b) => b.steps === S && b.tokens === L)!.file);
  const out = await explain.run(
    {
      tokens: tensor.i64(lmInput, [1, K, S]),
      text_vectors: tensor.f32(textVectors, [1, L, d]),
      text_mask: tensor.f32(textMask, [1, L]),
      step_mask: tensor.f32(stepMask, [S]),
      mask: tensor.f32(scale, [S, L]),
      reference: tensor.f32(new Float32Array(S * d).fill(1), [S, d]),
    },
    ['hidden'],
  );
  const reference = floatData(out.hidden).slice(0, S * d); // the factual row: the take's weights, no explanation mask
  return { tokens, bucket, steps, frames, lmInput, pattern, textVectors, textMask, stepMask, weightRows, tokenScale: scale, reference };
}

/** The prompt tokens whose weight is not 0 at every step of the take. */
export function actingTokens(input: TeacherForcedInput): number[] {
  return input.tokens.map((_, i) => i).filter((i) => input.weightRows.some((row) => row[i] !== 0));
}

/**
 * The feeds every masked pass over a teacher-forced take shares (lm_explain and explainer_step): the
 * take's codes, the prompt's vectors and masks, and the take's own final hidden states as the reference.
 */
export function teacherFeeds(m: Manifest, input: TeacherForcedInput): Record<string, EngineTensor> {
  const { steps: S, tokens: L } = input.bucket;
  const d = m.hiddenSize;
  return {
    tokens: tensor.i64(input.lmInput, [1, m.codebooks, S]),
    text_vectors: tensor.f32(input.textVectors, [1, L, d]),
    text_mask: tensor.f32(input.textMask, [1, L]),
    step_mask: tensor.f32(input.stepMask, [S]),
    reference: tensor.f32(input.reference, [S, d]),
  };
}

/**
 * The effect of muting each word on the LM, per step: d[t, i] = 1 - cos(e_t, e_t with w_i = 0), the take's
 * weights otherwise, as [bucket.steps * bucket.tokens] (0 in the padding). One lm_explain pass per word
 * that acts somewhere in the take; a word muted throughout, and the padding, need none (their d is 0).
 * What the null-effect prior of "AudioGenX + null-effect prior" (ours) is made from. onPass(done, total)
 * follows the passes; the signal is checked between them.
 */
export async function mutingEffects(
  model: Model,
  input: TeacherForcedInput,
  signal?: AbortSignal,
  onPass?: (done: number, total: number) => void,
): Promise<Float32Array> {
  const m = model.manifest;
  const { steps: S, tokens: L } = input.bucket;
  const acting = actingTokens(input);
  const explain = await model.graphFile(m.graphs.lmExplain.find((b) => b.steps === S && b.tokens === L)!.file);
  const fixed = teacherFeeds(m, input);
  const effects = new Float32Array(S * L);
  for (const [n, i] of acting.entries()) {
    throwIfAborted(signal);
    const scale = input.tokenScale.slice();
    for (let s = 0; s < S; s++) scale[s * L + i] = 0;
    // the factual row's cosine with the reference: the take's own hidden states against the take without word i
    const cos = floatData((await explain.run({ ...fixed, mask: tensor.f32(scale, [S, L]) }, ['cos_factual'])).cos_factual);
    for (let s = 0; s < input.steps; s++) effects[s * L + i] = Math.max(0, 1 - cos[s]!);
    onPass?.(n + 1, acting.length);
  }
  return effects;
}
