import { type BaselineParams, METHOD_CATALOG } from '../../common/methods.js';
import { floatData, type Model } from '../model.js';
import { tensor } from '../onnx/session-factory.js';
import type { ExplainMethod } from './method.js';
import type { TeacherForcedInput } from './teacher.js';

/** AtMan's suppression: the pre-softmax score of the probed token times (1 - 0.9). */
const ATMAN_FACTOR = 0.1;

/**
 * One run of lm_probe.onnx at the clip's exact size with `rows` copies of the input, row r's
 * pre-softmax cross-attention scores multiplied by scale(r) -> cross-entropy [rows][steps] of the
 * clip's own codes (summed over codebooks) and attention [rows][steps][tokens] (mean of layers, heads).
 */
async function probe(
  model: Model,
  input: TeacherForcedInput,
  rows: number,
  scale: (row: number, token: number) => number,
): Promise<{ ce: Float32Array; attention: Float32Array }> {
  const m = model.manifest;
  const K = m.codebooks;
  const S = input.steps;
  const Sb = input.bucket.steps;
  const L = input.tokens.length;
  const d = m.hiddenSize;
  const tokens = new BigInt64Array(rows * K * S);
  const targets = new BigInt64Array(rows * K * S);
  const u = new Float32Array(rows * L * d);
  const scoreScale = new Float32Array(rows * S * L);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < K; k++) tokens.set(input.lmInput.subarray(k * Sb, k * Sb + S), (r * K + k) * S);
    targets.set(input.pattern, r * K * S);
    u.set(input.textVectors.subarray(0, L * d), r * L * d);
    for (let s = 0; s < S; s++) for (let i = 0; i < L; i++) scoreScale[(r * S + s) * L + i] = scale(r, i);
  }
  const out = await (
    await model.graph('lmProbe')
  ).run({
    tokens: tensor.i64(tokens, [rows, K, S]),
    text_vectors: tensor.f32(u, [rows, L, d]),
    text_mask: tensor.f32(new Float32Array(rows * L).fill(1), [rows, L]),
    score_scale: tensor.f32(scoreScale, [rows, S, L]),
    targets: tensor.i64(targets, [rows, K, S]),
  });
  return { ce: floatData(out.cross_entropy), attention: floatData(out.attention) };
}

/**
 * Rows [steps][tokens] of a flat row-major matrix (rows `stride` apart, so a padded bucket can be
 * read in place), scaled into [0, 1]. 'matrix': by the maximum over the whole matrix, or min-max
 * when negative values occur. 'step': min-max within each step (a constant step becomes 0).
 */
export function scaleToUnit(
  flat: Float32Array,
  steps: number,
  tokens: number,
  stride = tokens,
  scaling: BaselineParams['scaling'] = 'matrix',
): Float32Array[] {
  const rows = Array.from({ length: steps }, (_, s) => flat.subarray(s * stride, s * stride + tokens));
  const unit = (row: Float32Array, lo: number, span: number): Float32Array =>
    Float32Array.from(row, (v) => (span > 0 ? (v - lo) / span : 0));
  if (scaling === 'step') {
    return rows.map((row) => {
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of row) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return unit(row, lo, hi - lo);
    });
  }
  let min = Infinity;
  let max = -Infinity;
  for (const row of rows) {
    for (const v of row) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  const lo = min < 0 ? min : 0;
  // an all-zero matrix stays 0 (span 1 keeps today's behaviour)
  return rows.map((row) => unit(row, lo, max - lo > 0 ? max - lo : 1));
}

/** Raw cross-attention weights (mean over layers and heads), max-scaled. Attention, not importance. */
export const attention: ExplainMethod<BaselineParams> = {
  ...METHOD_CATALOG.attention,
  async run(model, input, params) {
    const { attention: att } = await probe(model, input, 1, () => 1);
    return { mask: scaleToUnit(att, input.steps, input.tokens.length, input.tokens.length, params.scaling) };
  },
};

/**
 * AtMan: suppress one token at a time (pre-softmax score x 0.1, all layers and heads, every step);
 * importance[t][i] = rise of the cross-entropy of the clip's own codes at step t. All tokens and the
 * unsuppressed pass run as one batch.
 */
export const atman: ExplainMethod<BaselineParams> = {
  ...METHOD_CATALOG.atman,
  async run(model, input, params) {
    const L = input.tokens.length;
    const S = input.steps;
    const { ce } = await probe(model, input, L + 1, (row, token) => (row === token + 1 ? ATMAN_FACTOR : 1));
    const rise = new Float32Array(S * L);
    for (let i = 0; i < L; i++) for (let s = 0; s < S; s++) rise[s * L + i] = ce[(i + 1) * S + s]! - ce[s]!;
    return {
      mask: scaleToUnit(rise, S, L, L, params.scaling),
      diagnostics: { meanCrossEntropy: ce.subarray(0, S).reduce((a, b) => a + b, 0) / S },
    };
  },
};
