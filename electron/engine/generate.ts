import { checkDuration, isWeightValue, MAX_SEED, MAX_TOKEN_WEIGHT, MAX_VARIATIONS, type TokenWeight } from '../common/domain.js';
import { AgxError, throwIfAborted } from '../common/errors.js';
import type { MaskRows } from '../common/mask.js';
import { LmStepper } from './lm-step.js';
import type { Model } from './model.js';
import { tensor } from './onnx/session-factory.js';
import { Rng } from './rng.js';
import { type SamplingParams, sampleToken } from './sampling.js';
import type { PromptToken } from './tokenizer.js';
import { stepWeightRows } from './weights.js';

// Callers of generateCodes name the weight type from here too; it is the domain's one definition.
export type { TokenWeight } from '../common/domain.js';

/** Everything that determines a generation. */
export interface GenerateRequest {
  /** The prompt. */
  prompt: string;
  /** Seed; variation v uses seed + v. */
  seed: number;
  /** Clip length in seconds (at most the bundle's maxDurationSec). */
  durationSec: number;
  /** Number of takes drawn in one batch. */
  variations?: number;
  /** Token weights (mute / emphasis), for the whole clip or inside a time span. */
  weights?: TokenWeight[];
  /**
   * An explanation's mask applied as per-step weights [steps][tokens]: M (the factual render) or
   * 1 - M (the counterfactual); multiplied with `weights`. Rows beyond the mask keep weight 1.
   */
  maskWeights?: MaskRows;
  /** Codes to keep: [K * prefixFrames] codebook-major; generation continues after them. */
  prefix?: { codes: Int32Array; frames: number };
  /** Sampling overrides (defaults from the manifest). */
  sampling?: Partial<SamplingParams>;
  /** Cancels between steps. */
  signal?: AbortSignal;
  /** Called after every LM step. */
  onProgress?: (step: number, steps: number) => void;
  /**
   * Called once, as soon as the first `frames` frames of the first variation are complete in every
   * codebook (the delay pattern finishes frame f at step f + K - 1), with their codes [K * frames]
   * codebook-major; generation waits for it. Not called when the clip is no longer than that.
   */
  onFirstFrames?: { frames: number; call: (codes: Int32Array) => Promise<void> };
}

/** A generated batch: codes per variation, before decoding. */
export interface GeneratedCodes {
  /** Prompt tokens with offsets. */
  tokens: PromptToken[];
  /** [variation][K * frames] codebook-major. */
  codes: Int32Array[];
  /** Frames per clip. */
  frames: number;
  /** The sampling parameters used. */
  sampling: SamplingParams;
  /** Milliseconds spent in the text encoder and the LM loop. */
  timings: { textMs: number; lmMs: number; steps: number };
}

/** Validates a request and fills defaults; throws bad_argument with the reason. */
function checkRequest(model: Model, req: GenerateRequest, tokens: PromptToken[]): { frames: number; variations: number } {
  const m = model.manifest;
  checkDuration(req.durationSec, { id: m.name, maxDurationSec: m.maxDurationSec });
  if (!Number.isSafeInteger(req.seed) || req.seed < 0 || req.seed > MAX_SEED) {
    throw new AgxError('bad_argument', `seed must be an integer from 0 to ${MAX_SEED}`);
  }
  const variations = req.variations ?? 1;
  if (!Number.isInteger(variations) || variations < 1 || variations > MAX_VARIATIONS) {
    throw new AgxError('bad_argument', `variations must be an integer from 1 to ${MAX_VARIATIONS}`);
  }
  for (const w of req.weights ?? []) {
    if (!Number.isInteger(w.token) || w.token < 0 || w.token >= tokens.length) {
      throw new AgxError('bad_argument', `token weight refers to token ${w.token}; the prompt has ${tokens.length}`);
    }
    if (!isWeightValue(w.weight)) {
      throw new AgxError('bad_argument', `token weight must be from 0 to ${MAX_TOKEN_WEIGHT}`);
    }
    if ((w.startSec !== undefined || w.endSec !== undefined) && !((w.startSec ?? 0) < (w.endSec ?? Infinity))) {
      throw new AgxError('bad_argument', 'a token weight span must have start < end');
    }
  }
  for (const row of req.maskWeights ?? []) {
    if (row.length !== tokens.length || !Array.prototype.every.call(row, (w: number) => isWeightValue(w))) {
      throw new AgxError('bad_argument', `mask weights must have one value per token (${tokens.length}) from 0 to ${MAX_TOKEN_WEIGHT}`);
    }
  }
  const frames = Math.max(1, Math.round(req.durationSec * m.frameRate));
  if (req.prefix !== undefined) {
    const { codes, frames: pf } = req.prefix;
    if (!Number.isInteger(pf) || pf < 0 || pf > frames || codes.length !== pf * m.codebooks) {
      throw new AgxError('bad_argument', `the kept prefix must be whole frames within the clip (${frames} frames)`);
    }
    if (codes.some((c) => !Number.isInteger(c) || c < 0 || c >= m.cardinality)) {
      throw new AgxError('bad_argument', 'the kept prefix holds codes outside the codebook');
    }
  }
  return { frames, variations };
}

/** The `token_weights` feed of the conditional rows at every step: token weights times mask weights, [steps][L]. */
function tokenWeightRows(req: GenerateRequest, L: number, steps: number, frameRate: number, K: number): Float32Array[] {
  const rows = stepWeightRows(req.weights ?? [], L, steps, frameRate, K);
  (req.maskWeights ?? []).slice(0, steps).forEach((row, s) => {
    for (let i = 0; i < row.length; i++) rows[s]![i]! *= row[i]!;
  });
  return rows;
}

/**
 * Autoregressive generation with the delay pattern, classifier-free guidance and a KV cache.
 * Rows 0..V-1 of the batch are conditional, V..2V-1 unconditional (null text).
 */
export async function generateCodes(model: Model, req: GenerateRequest): Promise<GeneratedCodes> {
  const m = model.manifest;
  const tokens = await model.tokenizer.encode(req.prompt);
  const { frames, variations: V } = checkRequest(model, req, tokens);
  const sampling: SamplingParams = { ...m.generation, ...req.sampling };
  const K = m.codebooks;
  const card = m.cardinality;
  const special = m.specialTokens.audioEmpty;
  const L = tokens.length;
  const B = 2 * V;
  const steps = frames + K - 1;
  const [textEncoder, lmStep] = await Promise.all([model.graph('textEncoder'), model.graph('lmStep')]);
  throwIfAborted(req.signal);

  const t0 = performance.now();
  const ids = new BigInt64Array(B * L).fill(BigInt(m.specialTokens.pad));
  const textMask = new Float32Array(B * L);
  for (let v = 0; v < V; v++) {
    tokens.forEach((t, i) => {
      ids[v * L + i] = BigInt(t.id);
      textMask[v * L + i] = 1;
    });
    ids[(V + v) * L] = BigInt(m.specialTokens.null);
    textMask[(V + v) * L] = 1;
  }
  const text = await textEncoder.run({ ids: tensor.i64(ids, [B, L]), text_mask: tensor.f32(textMask, [B, L]) }, [
    'cross_key',
    'cross_value',
  ]);
  const t1 = performance.now();

  const weights = tokenWeightRows(req, L, steps, m.frameRate, K);
  const rngs = Array.from({ length: V }, (_, v) => new Rng((req.seed + v) >>> 0));
  const pattern = Array.from({ length: V }, () => new Int32Array(K * steps).fill(special)); // [v][k * steps + s]
  const prefixFrames = req.prefix?.frames ?? 0;
  const stepper = new LmStepper(lmStep, { layers: m.layers, batch: B, heads: m.heads, headDim: m.hiddenSize / m.heads }, steps);
  const cross = { key: text.cross_key!, value: text.cross_value! };
  const textMaskFeed = tensor.f32(textMask, [B, L]);
  const tokenWeights = new Float32Array(B * L);
  const input = new BigInt64Array(B * K);

  for (let s = 0; s < steps; s++) {
    throwIfAborted(req.signal);
    for (let v = 0; v < V; v++) {
      for (let k = 0; k < K; k++) {
        const prev = s === 0 ? special : pattern[v]![k * steps + s - 1]!;
        input[v * K + k] = BigInt(prev);
        input[(V + v) * K + k] = BigInt(prev);
      }
      tokenWeights.set(weights[s]!, v * L);
      tokenWeights.fill(1, (V + v) * L, (V + v + 1) * L);
    }
    const logits = await stepper.next({ tokens: input, cross, textMask: textMaskFeed, tokenWeights: tensor.f32(tokenWeights, [B, L]) }); // [B, K, card]
    for (let v = 0; v < V; v++) {
      for (let k = 0; k < K; k++) {
        const frame = s - k;
        let tok = special;
        if (frame >= 0 && frame < frames) {
          if (frame < prefixFrames) {
            tok = req.prefix!.codes[k * prefixFrames + frame]!;
          } else {
            const cond = logits.subarray((v * K + k) * card, (v * K + k + 1) * card);
            const uncond = logits.subarray(((V + v) * K + k) * card, ((V + v) * K + k + 1) * card);
            tok = sampleToken(cond, uncond, sampling, rngs[v]!);
          }
        }
        pattern[v]![k * steps + s] = tok;
      }
    }
    req.onProgress?.(s + 1, steps);
    const first = req.onFirstFrames;
    if (first !== undefined && first.frames < frames && s + 1 === first.frames + K - 1)
      await first.call(framesOf(pattern[0]!, K, first.frames));
  }
  const codes = pattern.map((p) => framesOf(p, K, frames));
  return { tokens, codes, frames, sampling, timings: { textMs: t1 - t0, lmMs: performance.now() - t1, steps } };
}

/** Frames 0 .. n - 1 of one variation's delay pattern [K * steps], as codes [K * n] codebook-major. */
function framesOf(pattern: Int32Array, K: number, n: number): Int32Array {
  const steps = pattern.length / K;
  const c = new Int32Array(K * n);
  for (let k = 0; k < K; k++) c.set(pattern.subarray(k * steps + k, k * steps + k + n), k * n);
  return c;
}
