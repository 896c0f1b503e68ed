import { AgxError, throwIfAborted } from '../../common/errors.js';
import { type BaselineParams, METHOD_CATALOG } from '../../common/methods.js';
import { floatData, type Model } from '../model.js';
import { type EngineTensor, type Graph, tensor } from '../onnx/session-factory.js';
import type { ExplainContext, ExplainMethod } from './method.js';
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
  ctx: ExplainContext,
): Promise<Float32Array[]> {
  const m = model.manifest;
  const { steps: S, tokens: L } = input.bucket;
  const entry = m.graphs[graph].find((b) => b.steps === S && b.tokens === L);
  if (entry === undefined) throw new AgxError('bad_model', `bundle ${m.name} has no ${graph} graph for bucket ${S}x${L}`);
  const K = m.codebooks;
  const targets = new BigInt64Array(K * S).fill(BigInt(m.specialTokens.audioEmpty));
  for (let k = 0; k < K; k++) targets.set(input.pattern.subarray(k * input.steps, (k + 1) * input.steps), k * S);
  const feeds = {
    tokens: tensor.i64(input.lmInput, [1, K, S]),
    text_vectors: tensor.f32(input.textVectors, [1, L, m.hiddenSize]),
    text_mask: tensor.f32(input.textMask, [1, L]),
    targets: tensor.i64(targets, [1, K, S]),
  };
  // Run once per job: the session and its arena (~0.4 GB for Chefer) are freed with the job rather than held by the worker.
  const flat = await model.usingGraphFile(entry.file, (g) => runGradientGraph(g, feeds, output, S, L, input.steps, ctx));
  return scaleToUnit(flat, input.steps, input.tokens.length, L, scaling);
}

/**
 * A gradient graph's [S, L] output for steps 0 .. steps - 1 (the rest of the bucket is 0 or whatever the
 * graph wrote). A graph with a `first` input (lm_chefer from bundle 2.2.0) explains a chunk of steps per
 * run, as many as its output has rows, and is looped over the clip's steps: its batch holds one copy
 * of the sequence per step, and all S at once peaked at 1.7 GB (docs/decisions.md, "Explainer speed and memory").
 * Between chunks it reports progress and honours cancellation.
 */
export async function runGradientGraph(
  graph: Graph,
  feeds: Record<string, EngineTensor>,
  output: string,
  S: number,
  L: number,
  steps: number,
  ctx: ExplainContext = {},
): Promise<Float32Array> {
  if (!graph.inputNames.includes('first')) return floatData((await graph.run(feeds, [output]))[output]);
  const flat = new Float32Array(S * L);
  for (let first = 0; first < steps;) {
    throwIfAborted(ctx.signal);
    const rows = floatData((await graph.run({ ...feeds, first: tensor.i64(BigInt64Array.of(BigInt(first)), [1]) }, [output]))[output]);
    const chunk = rows.length / L;
    if (chunk < 1) throw new AgxError('bad_model', `${output} of a chunked gradient graph has no rows`, false);
    flat.set(rows.subarray(0, Math.min(chunk, S - first) * L), first * L);
    first += chunk;
    ctx.onProgress?.(Math.min(first / steps, 1));
  }
  return flat;
}

/** Grad-CAM-a: ReLU(gradient) x activation on each layer's cross-attention output, per token. */
export const gradcamA: ExplainMethod<BaselineParams> = {
  ...METHOD_CATALOG['gradcam-a'],
  async run(model, input, params, ctx) {
    return { mask: await gradientMap(model, input, 'lmGradcam', 'gradcam_a', params.scaling, ctx) };
  },
};

/** Grad-CAM-e: ReLU(gradient x attention) on the last layer's cross-attention map. */
export const gradcamE: ExplainMethod<BaselineParams> = {
  ...METHOD_CATALOG['gradcam-e'],
  async run(model, input, params, ctx) {
    return { mask: await gradientMap(model, input, 'lmGradcam', 'gradcam_e', params.scaling, ctx) };
  },
};

/** Chefer et al. (2021): gradient-weighted relevance propagated through self- and cross-attention. */
export const chefer: ExplainMethod<BaselineParams> = {
  ...METHOD_CATALOG['chefer'],
  async run(model, input, params, ctx) {
    return { mask: await gradientMap(model, input, 'lmChefer', 'relevance', params.scaling, ctx) };
  },
};
