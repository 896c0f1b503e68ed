import { AgxError, throwIfAborted } from '../../common/errors.js';
import { type AudioGenXNpParams, type AudioGenXParams, METHOD_CATALOG } from '../../common/methods.js';
import { floatData, type Model } from '../model.js';
import { type EngineTensor, tensor } from '../onnx/session-factory.js';
import { Rng } from '../rng.js';
import { type AdamMoments, adamMoments, adamStep } from './adam.js';
import type { ExplainContext, ExplainMethod, MethodResult } from './method.js';
import { actingTokens, mutingEffects, type TeacherForcedInput, teacherFeeds } from './teacher.js';

const PARAMS = ['w1', 'b1', 'prelu', 'w2', 'b2'] as const;
type ParamName = (typeof PARAMS)[number];

/** How often (epochs) a partial mask is reported, so a UI can draw it while the optimisation runs. */
const PARTIAL_EVERY = 5;

/**
 * PyTorch's default Linear init (uniform +-1/sqrt(fan_in)) and PReLU 0.25, drawn from a seeded stream;
 * the output bias is shifted by logit(init) so every p starts near `init` (0.5 leaves it unshifted:
 * the paper's init, bit for bit). Each tensor's stream is laid out for `drawSteps` steps and its first S
 * kept, so step t's generator starts the same whatever the bucket.
 */
function initialParams(rng: Rng, S: number, drawSteps: number, d: number, H: number, init: number): Record<ParamName, EngineTensor> {
  const uniform = (perStep: number, bound: number): Float32Array => {
    const kept = rng.floats(S * perStep, (u) => (u * 2 - 1) * bound);
    // the draws of steps S.. are passed over, not kept: a converted model's largest bucket can be long
    rng.skip((drawSteps - S) * perStep);
    return kept;
  };
  const k1 = 1 / Math.sqrt(d);
  const k2 = 1 / Math.sqrt(H);
  return {
    w1: tensor.f32(uniform(d * H, k1), [S, d, H]),
    b1: tensor.f32(uniform(H, k1), [S, H]),
    prelu: tensor.f32(new Float32Array(S).fill(0.25), [S]),
    w2: tensor.f32(uniform(H, k2), [S, H]),
    b2: tensor.f32(
      uniform(1, k2).map((b) => b + Math.log(init / (1 - init))),
      [S],
    ),
  };
}

/**
 * The steps the random stream is laid out for: the bundle's largest explanation bucket. The generators'
 * initial values and each epoch's noise take the stream's draws for steps 0..S-1 and skip the rest, and
 * the loss only sees real steps of a causal LM, so a clip's explanation is the same in any bucket that
 * holds it: finer buckets (tiny-foley 2.3.0) make short clips cheaper without changing what they explain.
 */
function drawSteps(m: Model['manifest']): number {
  return Math.max(...m.graphs.explainerStep.map((b) => b.steps));
}

/** Rows [steps][tokens] of a padded [S, L] matrix, without the padding. */
export function unpad(m: Float32Array, L: number, steps: number, tokens: number): Float32Array[] {
  return Array.from({ length: steps }, (_, s) => m.slice(s * L, s * L + tokens));
}

/**
 * The null-effect prior [bucket.steps * bucket.tokens]: the effect of muting each word per step
 * (teacher.ts mutingEffects) over the clip's largest, so 1 is the strongest effect in the clip and 0 none.
 */
export function nullEffectPrior(effects: Float32Array): Float32Array {
  const max = effects.reduce((a, b) => Math.max(a, b), 0);
  return max > 0 ? effects.map((x) => x / max) : effects.slice();
}

/**
 * AudioGenX: per-step mask generators over the text vectors, optimised with one exported graph run per
 * epoch (forward through Gumbel and the masked LM, exact backward) and the engine's Adam (adam.ts). The
 * explanation is the deterministic p after the last update (no Gumbel noise); the noise of each epoch
 * comes from a seeded stream, so the same seed gives the same explanation. gamma > 0 (the variant of
 * ours) adds the null-effect prior's term, its prior computed first; gamma 0 is the paper's loss.
 */
async function optimise(
  model: Model,
  input: TeacherForcedInput,
  params: AudioGenXParams & { gamma: number },
  ctx: ExplainContext,
  variant: boolean,
): Promise<MethodResult> {
  const m = model.manifest;
  const { steps: S, tokens: L } = input.bucket;
  const entry = m.graphs.explainerStep.find((b) => b.steps === S && b.tokens === L);
  if (entry === undefined) throw new AgxError('bad_model', `bundle ${m.name} has no explainer graph for bucket ${S}x${L}`);
  const graph = await model.graphFile(entry.file);
  const hasPrior = graph.inputNames.includes('prior');
  if (variant && !hasPrior)
    throw new AgxError(
      'bad_model',
      `bundle ${m.name} ${m.version}'s explainer graph has no null-effect prior input, so ${METHOD_CATALOG['audiogenx-np'].name} cannot run on it: use audiogenx, or tiny-foley 2.2.0 or later, or convert the model again (agx_convert 0.2.0 or later)`,
    );
  // tiny-foley before 2.1.0 and bundles converted before agx_convert 0.2.0 run Adam inside the graph, without token weights or term coefficients.
  const inGraphAdam = graph.outputNames.includes('new_w1');
  if (
    inGraphAdam &&
    (input.weightRows.some((row) => row.some((w) => w !== 1)) || params.factualTerm !== 1 || params.counterfactualTerm !== 1)
  )
    throw new AgxError(
      'bad_model',
      `bundle ${m.name} ${m.version}'s explainer graph has no token weights or term coefficients: explain this take with tiny-foley 2.1.0 or later, or convert the model again (agx_convert 0.2.0 or later)`,
    );
  const d = m.hiddenSize;
  const H = entry.hidden;
  const rng = new Rng(params.seed);
  const drawn = drawSteps(m);
  const init = initialParams(rng, S, drawn, d, H, params.init);
  const fixed = teacherFeeds(m, input);
  const losses: Record<string, number>[] = [];
  let graphMs = 0;
  const t0 = performance.now();
  // The prior's passes come first; progress counts a pass as an epoch (the catalog's cost model has the ratio).
  const passes = variant && params.gamma > 0 ? actingTokens(input).length : 0;
  const progress = (done: number) => done / (passes + params.epochs);
  const prior =
    passes > 0
      ? nullEffectPrior(await mutingEffects(model, input, ctx.signal, (done) => ctx.onProgress?.(progress(done))))
      : new Float32Array(S * L);
  const priorMs = performance.now() - t0;
  const epochs = async (run: (noise: EngineTensor, epoch: number) => Promise<Float32Array>): Promise<Float32Array> => {
    let p: Float32Array = new Float32Array(S * L);
    for (let epoch = 0; epoch < params.epochs; epoch++) {
      throwIfAborted(ctx.signal);
      // open interval (0, 1): the binary Concrete sample takes log(u) and log(1 - u)
      const noise = rng.floats(S * L, (u) => u + 0.5 / 4294967296);
      rng.skip((drawn - S) * L);
      p = await run(tensor.f32(noise, [S, L]), epoch);
      const partial = (epoch + 1) % PARTIAL_EVERY === 0 || epoch + 1 === params.epochs;
      ctx.onProgress?.(progress(passes + epoch + 1), partial ? unpad(p, L, input.steps, input.tokens.length) : undefined);
    }
    return p;
  };
  const timed = async (feeds: Record<string, EngineTensor>) => {
    const g0 = performance.now();
    const out = await graph.run(feeds);
    graphMs += performance.now() - g0;
    const t = floatData(out.terms);
    const terms: Record<string, number> = { factualCos: t[0]!, counterfactualCos: t[1]!, l1: t[2]!, l2: t[3]! };
    if (variant) terms.nullPrior = t[4]!;
    return { out, terms: { ...terms, loss: floatData(out.loss)[0]! } };
  };
  let p: Float32Array;
  if (inGraphAdam) {
    let state: Record<string, EngineTensor> = { ...init };
    for (const name of PARAMS) {
      state[`m_${name}`] = tensor.f32(new Float32Array(init[name].data.length), init[name].dims);
      state[`v_${name}`] = tensor.f32(new Float32Array(init[name].data.length), init[name].dims);
    }
    const hyper = tensor.f32(Float32Array.of(params.lr, params.weightDecay, params.alpha, params.beta), [4]);
    p = await epochs(async (noise, epoch) => {
      const { out, terms } = await timed({ ...fixed, ...state, hyper, noise, step: tensor.f32(Float32Array.of(epoch), [1]) });
      losses.push(terms);
      state = Object.fromEntries(PARAMS.flatMap((n) => [n, `m_${n}`, `v_${n}`]).map((k) => [k, out[`new_${k}`]!]));
      return floatData(out.p_next);
    });
  } else {
    const values = Object.fromEntries(PARAMS.map((n) => [n, Float32Array.from(init[n].data as Float32Array)])) as Record<
      ParamName,
      Float32Array
    >;
    const moments = Object.fromEntries(PARAMS.map((n) => [n, adamMoments(values[n].length)])) as Record<ParamName, AdamMoments>;
    const feeds = (noise: EngineTensor) => ({
      ...fixed,
      ...Object.fromEntries(PARAMS.map((n) => [n, tensor.f32(values[n], init[n].dims)])),
      // the masked passes scale the cross-attention by weight x M and weight x (1 - M), as generation scaled it by weight
      token_weights: tensor.f32(input.tokenScale, [S, L]),
      ...(hasPrior
        ? {
            hyper: tensor.f32(Float32Array.of(params.alpha, params.beta, params.factualTerm, params.counterfactualTerm, params.gamma), [5]),
            prior: tensor.f32(prior, [S, L]),
          }
        : { hyper: tensor.f32(Float32Array.of(params.alpha, params.beta, params.factualTerm, params.counterfactualTerm), [4]) }),
      noise,
    });
    await epochs(async (noise, epoch) => {
      const { out, terms } = await timed(feeds(noise));
      losses.push(terms);
      for (const n of PARAMS) adamStep(values[n], floatData(out[`grad_${n}`]), moments[n], epoch + 1, params.lr, params.weightDecay);
      return floatData(out.p); // p before this update: the lanes while it runs
    });
    // the generators' p after the last update (the graph's p does not depend on the noise)
    const last = new Float32Array(S * L).fill(0.5);
    p = floatData((await timed(feeds(tensor.f32(last, [S, L])))).out.p);
  }
  const totalMs = performance.now() - t0;
  return {
    mask: unpad(p, L, input.steps, input.tokens.length),
    diagnostics: { losses, graphMs, otherMs: totalMs - graphMs - priorMs, ...(variant ? { priorMs, priorPasses: passes } : {}) },
  };
}

export const audiogenx: ExplainMethod<AudioGenXParams> = {
  ...METHOD_CATALOG.audiogenx,
  run: (model, input, params, ctx) => optimise(model, input, { ...params, gamma: 0 }, ctx, false),
};

/** "AudioGenX + null-effect prior" (ours): AudioGenX with the prior's term (docs/method.md). */
export const audiogenxNp: ExplainMethod<AudioGenXNpParams> = {
  ...METHOD_CATALOG['audiogenx-np'],
  run: (model, input, params, ctx) => optimise(model, input, params, ctx, true),
};
