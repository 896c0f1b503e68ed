import { AgxError } from '../../common/errors.js';
import { type BaselineParams, METHOD_CATALOG } from '../../common/methods.js';
import { floatData, type Model } from '../model.js';
import { tensor } from '../onnx/session-factory.js';
import type { ExplainMethod } from './method.js';
import { scaleToUnit } from './probe.js';
import type { TeacherForcedInput } from './teacher.js';

type GradientGraph = 'lmGradcam' | 'lmChefer';

/**
 * Runs a gradient-based baseline graph of the input's bucket and returns one output, max-scaled.
 * Targets are the clip's own codes (delay pattern); each step is explained by its own target's
 * gradients (AudioLM.gradcam / AudioLM.chefer in native-models/build/agx_build/lib/lm.py).
 */
async function gradientMap(
  model: Model,
  input: TeacherForcedInput,
  graph: GradientGraph,
  output: string,
  scaling: BaselineParams['scaling'],
): Promise<Float32Array[]> {
  const m = model.manifest;
  const { steps: S, tokens: L } = input.bucket;
  const entry = m.graphs[graph].find((b) => b.steps === S && b.tokens === L);
  if (entry === undefined) throw new AgxError('bad_model', `bundle ${m.name} has no ${graph} graph for bucket ${S}x${L}`);
  const K = m.codebooks;
  const targets = new BigInt64Array(K * S).fill(BigInt(m.specialTokens.audioEmpty));
  for (let k = 0; k < K; k++) targets.set(input.pattern.subarray(k * input.steps, (k + 1) * input.steps), k * S);
  const out = await (
    await model.graphFile(entry.file)
  ).run(
    {
      tokens: tensor.i64(input.lmInput, [1, K, S]),
      text_vectors: tensor.f32(input.textVectors, [1, L, m.hiddenSize]),
      text_mask: tensor.f32(input.textMask, [1, L]),
      targets: tensor.i64(targets, [1, K, S]),
    },
    [output],
  );
  return scaleToUnit(floatData(out[output]), input.steps, input.tokens.length, L, scaling);
}

/** Grad-CAM-a: ReLU(gradient) x activation on each layer's cross-attention output, per token. */
export const gradcamA: ExplainMethod<BaselineParams> = {
  ...METHOD_CATALOG['gradcam-a'],
  async run(model, input, params) {
    return { mask: await gradientMap(model, input, 'lmGradcam', 'gradcam_a', params.scaling) };
  },
};

/** Grad-CAM-e: ReLU(gradient x attention) on the last layer's cross-attention map. */
export const gradcamE: ExplainMethod<BaselineParams> = {
  ...METHOD_CATALOG['gradcam-e'],
  async run(model, input, params) {
    return { mask: await gradientMap(model, input, 'lmGradcam', 'gradcam_e', params.scaling) };
  },
};

/** Chefer et al. (2021): gradient-weighted relevance propagated through self- and cross-attention. */
export const chefer: ExplainMethod<BaselineParams> = {
  ...METHOD_CATALOG['chefer'],
  async run(model, input, params) {
    return { mask: await gradientMap(model, input, 'lmChefer', 'relevance', params.scaling) };
  },
};
