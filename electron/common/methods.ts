// The catalog of explanation methods: name, label, what each needs from the model, its parameters
// (strict zod schemas with bounds and defaults) and a cost model fitted to measured timings. Pure, so
// the studio validates parameters and estimates cost when a call arrives, without loading
// onnxruntime; the engine's implementations (electron/engine/explain/*.ts) take their definitions
// from here.
import { z } from 'zod';
import { SeedSchema } from './domain.js';
import { AgxError } from './errors.js';

/** What a method needs from the model: plain forward passes, gradients, or attention maps. */
export type MethodNeed = 'forward' | 'gradient' | 'attention';

/** The padded size of the explain graphs (manifest graphs.lmExplain): LM steps x prompt tokens. */
export interface Bucket {
  /** LM steps the graph takes. */
  steps: number;
  /** Prompt tokens the graph takes. */
  tokens: number;
}

/** The size of one explanation: the clip's LM steps, the prompt's tokens, and the bucket they pad to. */
export interface ExplainWork {
  /** LM steps of the clip (frames + codebooks - 1). */
  steps: number;
  /** Prompt tokens. */
  tokens: number;
  /** The graph bucket (from the manifest; the exact size when it has none). */
  bucket: Bucket;
  /** The model's compute per LM step relative to the one the costs were fitted on (modelScale); 1 when absent. */
  modelScale?: number | undefined;
}

/** tiny-foley's LM, which every cost model below was measured on: 4 layers of width 256. */
export const FITTED_LM = { layers: 4, hiddenSize: 256 } as const;

/**
 * A model's compute per LM step relative to FITTED_LM: layers x width^2, since every matrix product of a
 * layer (attention, cross-attention, feed-forward; their FLOPs are most of a step) is width x width times
 * a constant of the architecture. AudioGen-medium (48 x 1536^2) is 432 times tiny-foley. A FLOP count,
 * checked once: at AudioGen-medium's size it predicts 51.9 s per AudioGenX epoch and one took 31.4 s (both on
 * two threads: a large model's products use the cores better than tiny-foley's small ones; docs/results.md,
 * "Real models at full size"). Not refitted on one point: a run on the machine recalibrates.
 */
export function modelScale(lm: { layers: number; hiddenSize: number }): number {
  return (lm.layers * lm.hiddenSize ** 2) / (FITTED_LM.layers * FITTED_LM.hiddenSize ** 2);
}

/** seconds ~= fixedSec + perUnitSec * units(work, params), on the 2-core CPU of docs/results.md. */
export interface CostModel {
  /** Seconds every run pays (session creation in a fresh process, one-off passes). */
  fixedSec: number;
  /** Seconds per unit of work. */
  perUnitSec: number;
  /** The unit of work, in words. */
  unit: string;
  /** Units of work of one run. */
  units(work: ExplainWork, params: Record<string, unknown>): number;
  /** Where the coefficients came from. */
  source: string;
}

/** One method of the catalog. */
export interface MethodSpec<S extends z.ZodType = z.ZodType> {
  /** The name the CLI and the StudioApi take. */
  name: string;
  /** Human label. */
  label: string;
  /** What it needs from the model. */
  needs: readonly MethodNeed[];
  /** Its parameters: strict (unknown keys rejected), bounded, with defaults so {} is valid. */
  params: S;
  /** What a run costs. */
  cost: CostModel;
}

/** AudioGenX's settings apart from its seed (docs/method.md, "Loss"). */
export interface AudioGenXSettings {
  epochs: number;
  lr: number;
  weightDecay: number;
  alpha: number;
  beta: number;
  /** The mask probability p the generators start from (the output bias's logit; 0.5 is PyTorch's default init). */
  init: number;
}

/** The paper's settings (Adam lr 1e-3, weight decay 1e-3, alpha 1e-3, beta 1e-1, 50 epochs, default init), kept as `preset: 'paper'`. */
export const AUDIOGENX_PRESETS = {
  paper: { epochs: 50, lr: 1e-3, weightDecay: 1e-3, alpha: 1e-3, beta: 1e-1, init: 0.5 },
} as const satisfies Record<string, AudioGenXSettings>;
export type AudioGenXPreset = keyof typeof AUDIOGENX_PRESETS;

/**
 * The shipped default, chosen on validation ground truth by a rule fixed before measuring (docs/decisions.md,
 * "AudioGenX's settings, chosen on validation ground truth"): alpha 1e-2 instead of 1e-3, so the L1 pull
 * outweighs the cosine terms' push on words whose muting barely moves the LM (they fell from 0.58 to 0.10
 * on the validation clips, token AUC 0.75 -> 0.93), and 25 epochs, tied with 50 within 0.01 AUC.
 */
export const AUDIOGENX_DEFAULT: AudioGenXSettings = { ...AUDIOGENX_PRESETS.paper, alpha: 1e-2, epochs: 25 };

/**
 * "AudioGenX + null-effect prior" (ours, not the paper's; docs/method.md): AudioGenX's settings and gamma,
 * the weight of a pull on p[t, i] by 1 - prior[t, i], where prior is the clip-normalised effect of
 * muting word i on the LM at step t. gamma 0 is AudioGenX exactly.
 */
export interface AudioGenXNpSettings extends AudioGenXSettings {
  gamma: number;
}
// gamma 0.003: the validation sweep's pick by the rule written before it ran (docs/decisions.md, "AudioGenX +
// null-effect prior (ours)"); it did not beat the shipped AudioGenX there, so the variant is not a default anywhere.
export const AUDIOGENX_NP_DEFAULT: AudioGenXNpSettings = { ...AUDIOGENX_DEFAULT, gamma: 0.003 };

const audiogenxFields = {
  preset: z.enum(Object.keys(AUDIOGENX_PRESETS) as [AudioGenXPreset, ...AudioGenXPreset[]]).optional(),
  epochs: z.number().int().min(1).max(1000).optional(),
  lr: z.number().positive().max(1).optional(),
  weightDecay: z.number().min(0).max(1).optional(),
  /** Weight of the mask's L1 term; bounded at 10, where it already drowns the cosine terms (each within [-1, 1] per step). */
  alpha: z.number().min(0).max(10).optional(),
  /** Weight of the mask's L2 norm term; same bound as alpha. */
  beta: z.number().min(0).max(10).optional(),
  /** Open interval: p = 0 or 1 would put the output bias at minus or plus infinity. */
  init: z.number().gt(0).lt(1).optional(),
  /** Seed of the Gumbel noise and the generators' initial weights. */
  seed: SeedSchema.optional(),
  /** Coefficient of the factual cosine term (default 1); 0 with counterfactualTerm 1 is the paper's "counterfactual only" ablation. */
  factualTerm: z.number().min(0).max(1).optional(),
  /** Coefficient of the counterfactual cosine term (default 1); 0 with factualTerm 1 is the paper's "factual only" ablation. */
  counterfactualTerm: z.number().min(0).max(1).optional(),
};

const audiogenxObject = z.object(audiogenxFields).strict();
const bothTerms = [
  (p: { factualTerm?: number | undefined; counterfactualTerm?: number | undefined }) => p.factualTerm !== 0 || p.counterfactualTerm !== 0,
  { message: 'factualTerm and counterfactualTerm cannot both be 0: nothing would tie the mask to the model' },
] as const;

/**
 * A preset (else the method's default) with any of its settings overridden; the preset sets AudioGenX's
 * settings and leaves the variant's gamma at its default. The output always holds every setting, so an
 * explanation's params reproduce it.
 */
function settle<D extends AudioGenXSettings>(defaults: D) {
  return ({ preset, ...given }: z.output<typeof audiogenxObject> & { gamma?: number | undefined }) =>
    ({
      ...defaults,
      ...(preset === undefined ? {} : AUDIOGENX_PRESETS[preset]),
      seed: 0,
      factualTerm: 1,
      counterfactualTerm: 1,
      ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
      ...(preset === undefined ? {} : { preset }),
    }) as D & { seed: number; factualTerm: number; counterfactualTerm: number; preset?: AudioGenXPreset };
}

/** AudioGenX's parameters (the paper's method). */
export const AudioGenXParamsSchema = audiogenxObject.refine(...bothTerms).transform(settle(AUDIOGENX_DEFAULT));
export type AudioGenXParams = z.output<typeof AudioGenXParamsSchema>;

/** The variant's parameters: AudioGenX's and gamma (bounded like alpha: both are a pull per mask entry). */
export const AudioGenXNpParamsSchema = audiogenxObject
  .extend({ gamma: z.number().min(0).max(10).optional() })
  .refine(...bothTerms)
  .transform(settle(AUDIOGENX_NP_DEFAULT));
export type AudioGenXNpParams = z.output<typeof AudioGenXNpParamsSchema>;

/** The methods that run AudioGenX's optimisation (presets, --audiogenx settings, size matching's reference). */
export const AUDIOGENX_METHODS = ['audiogenx', 'audiogenx-np'] as const;
export function isAudioGenX(name: string): boolean {
  return (AUDIOGENX_METHODS as readonly string[]).includes(name);
}

/**
 * How a baseline's raw scores become a [0, 1] mask (docs/method.md, 'A fair comparison'): 'matrix'
 * divides by the maximum over the whole steps x tokens matrix (min-max when scores go negative), the
 * scaling Table 1 was first run with; 'step' is min-max within each step.
 */
const scaling = z.enum(['matrix', 'step']).default('matrix');
export const BaselineParamsSchema = z.object({ scaling }).strict();
export type BaselineParams = z.output<typeof BaselineParamsSchema>;

/** Random-Mask's parameters: the seed of its uniform stream; without one, a hash of the prompt and the clip's codes, so prompts of the same shape get different masks. */
export const RandomParamsSchema = z.object({ seed: SeedSchema.optional(), scaling }).strict();
export type RandomParams = z.output<typeof RandomParamsSchema>;

/** Where the figures below come from. */
const BENCH = 'docs/data/bench.json (bundle 2.3.0, `agx bench --methods --runs 5`, 2-core CPU)';

// AudioGenX: one explainer_step graph run per epoch over the whole bucket, so cost = fixed + bucket
// steps x epochs. The per-epoch part is fitted through the origin to bench.json's explain.scaling (6 warm
// runs, 50 epochs: buckets of 32 steps 0.93 and 0.87 s, of 64 steps 1.53 and 1.39 s, of 128 steps 2.80
// and 3.26 s): 4.745e-4 s per step-epoch (a free intercept is 0.11 s, within the runs' spread, so the warm
// fit has none; the 16- and 32-token buckets cost the same within the noise, so tokens are not a factor).
// The fixed part is what a fresh process pays on top (creating the explainer session, teacher forcing):
// methods.audiogenx's median at the default 25 epochs on the 128-step bucket, 2.638 s, less the warm fit's 1.518 s.
const audiogenxCost: CostModel = {
  fixedSec: 1.1197,
  perUnitSec: 4.745e-4,
  unit: 'bucket step-epochs',
  units: (w, p) => w.bucket.steps * Number(p.epochs ?? 50),
  source: `${BENCH}, explain.scaling and methods.audiogenx`,
};

// The variant adds one lm_explain pass over the bucket per prompt token (the null-effect prior) before
// the epochs. On the bench one pass cost about one explainer epoch on the same bucket: methods.audiogenx-np
// (3.132 s) less methods.audiogenx (2.638 s) over 9 passes is 0.90 epochs each. (Measured side by side on the
// loaded machine before: 0.47, 118-120 ms per pass against 252-255 ms per epoch; the bench's fit is what estimates use.)
const PRIOR_PASS_EPOCHS = 0.9;
const audiogenxNpCost: CostModel = {
  ...audiogenxCost,
  units: (w, p) => w.bucket.steps * (Number(p.epochs ?? 50) + PRIOR_PASS_EPOCHS * w.tokens),
  source: `${audiogenxCost.source}; the prior's passes as one epoch each (methods.audiogenx-np)`,
};

// Attention and AtMan: one lm_probe run at the clip's exact size with 1 row (attention) or
// tokens + 1 rows (AtMan), so cost = fixed + rows x steps. The two fresh-process medians of
// bench.json's methods table (attention 0.169 s at 1 x 128, AtMan 0.250 s at 10 x 128) give
// 7.031e-5 s per row-step and 0.160 s fixed (mostly creating the lm_probe session).
const probeCost = (rows: (w: ExplainWork) => number): CostModel => ({
  fixedSec: 0.16,
  perUnitSec: 7.031e-5,
  unit: 'probe row-steps',
  units: (w) => rows(w) * w.steps,
  source: `${BENCH}, methods.attention and methods.atman`,
});

// The Grad-CAM graphs run once over the whole bucket. bench.json measured each in a fresh process at
// the 128-step bucket, so the only fit is proportional to bucket steps: Grad-CAM-a 0.171 s, Grad-CAM-e
// 0.183 s over 128 steps. Untested at other buckets.
const bucketCost = (secondsAt128: number, method: string): CostModel => ({
  fixedSec: 0,
  perUnitSec: secondsAt128 / 128,
  unit: 'bucket steps',
  units: (w) => w.bucket.steps,
  source: `${BENCH}, methods.${method} (one bucket measured)`,
});

// Chefer from bundle 2.2.0 runs lm_chefer once per chunk of 8 steps (electron/engine/explain/gradient-methods.ts),
// each run over the whole bucket, so cost = bucket steps x the clip's steps rounded up to 8, scaled to
// bench.json's 2.241 s at 128 x 128 (the 2.1.0 graph, all 128 steps in one batch, took 10.311 s).
const CHEFER_CHUNK = 8;
const cheferCost: CostModel = {
  fixedSec: 0,
  perUnitSec: 2.241 / (128 * 128),
  unit: 'bucket steps x chunked steps',
  units: (w) => w.bucket.steps * Math.ceil(w.steps / CHEFER_CHUNK) * CHEFER_CHUNK,
  source: `${BENCH}, methods.chefer (one bucket measured)`,
};

function method<S extends z.ZodType>(spec: MethodSpec<S>): MethodSpec<S> {
  return spec;
}

/** Every explanation method, in the order they are listed to people. */
export const METHOD_CATALOG = {
  audiogenx: method({ name: 'audiogenx', label: 'AudioGenX', needs: ['gradient'], params: AudioGenXParamsSchema, cost: audiogenxCost }),
  'audiogenx-np': method({
    name: 'audiogenx-np',
    label: 'AudioGenX + null-effect prior (ours)',
    needs: ['gradient'],
    params: AudioGenXNpParamsSchema,
    cost: audiogenxNpCost,
  }),
  random: method({
    name: 'random',
    label: 'Random mask',
    needs: [],
    params: RandomParamsSchema,
    // bench.json methods.random: 0.007 s whatever the size.
    cost: { fixedSec: 0.007, perUnitSec: 0, unit: 'none', units: () => 0, source: `${BENCH}, methods.random` },
  }),
  attention: method({
    name: 'attention',
    label: 'Cross-attention (not importance)',
    needs: ['attention'],
    params: BaselineParamsSchema,
    cost: probeCost(() => 1),
  }),
  atman: method({ name: 'atman', label: 'AtMan', needs: ['forward'], params: BaselineParamsSchema, cost: probeCost((w) => w.tokens + 1) }),
  'gradcam-a': method({
    name: 'gradcam-a',
    label: 'Grad-CAM-a',
    needs: ['gradient'],
    params: BaselineParamsSchema,
    cost: bucketCost(0.171, 'gradcam-a'),
  }),
  'gradcam-e': method({
    name: 'gradcam-e',
    label: 'Grad-CAM-e',
    needs: ['gradient', 'attention'],
    params: BaselineParamsSchema,
    cost: bucketCost(0.183, 'gradcam-e'),
  }),
  chefer: method({
    name: 'chefer',
    label: 'Chefer et al.',
    needs: ['gradient', 'attention'],
    params: BaselineParamsSchema,
    cost: cheferCost,
  }),
} as const;

/** A method's registry name. */
export type MethodName = keyof typeof METHOD_CATALOG;
/** Every method name, in catalog order. */
export const METHOD_NAMES = Object.keys(METHOD_CATALOG) as MethodName[];

/** An explanation method as getInfo lists it. */
export const MethodInfoSchema = z.object({
  /** Registry name. */
  name: z.string(),
  /** Human label. */
  label: z.string(),
  /** forward | gradient | attention. */
  needs: z.array(z.string()),
  /** Its parameters with their defaults. */
  defaults: z.record(z.string(), z.unknown()),
});
export type MethodInfo = z.infer<typeof MethodInfoSchema>;

/** Looks a method up; an unknown name lists the valid ones. */
export function methodSpec(name: string): MethodSpec {
  if (!Object.hasOwn(METHOD_CATALOG, name)) {
    throw new AgxError('bad_argument', `unknown method "${name.slice(0, 64)}"; methods: ${METHOD_NAMES.join(', ')}`);
  }
  return METHOD_CATALOG[name as MethodName];
}

/** The catalog as getInfo lists it. */
export function methodInfos(): MethodInfo[] {
  return METHOD_NAMES.map((name) => {
    const m = METHOD_CATALOG[name];
    return { name, label: m.label, needs: [...m.needs], defaults: m.params.parse({}) as Record<string, unknown> };
  });
}

/**
 * A method's parameters checked against its schema, defaults filled in; anything else is a
 * bad_argument naming the parameter. zod stops at the first level that has the wrong type, so a
 * deeply nested value costs no recursion.
 */
export function parseMethodParams(name: string, raw: unknown): Record<string, unknown> {
  const spec = methodSpec(name);
  const parsed = spec.params.safeParse(raw ?? {});
  if (parsed.success) return parsed.data as Record<string, unknown>;
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    // the schema's keys, not parse({})'s: an optional parameter (random's seed) has no default to show
    const object = spec.params instanceof z.ZodPipe ? spec.params.in : spec.params;
    const known = Object.keys((object as z.ZodObject).shape);
    throw new AgxError(
      'bad_argument',
      `${name} has no parameter ${issue.keys.map((k) => `"${k.slice(0, 64)}"`).join(', ')}; parameters: ${known.join(', ') || 'none'}`,
    );
  }
  throw new AgxError('bad_argument', `${name}: parameter ${issue?.path.join('.') || '(all)'}: ${issue?.message ?? 'invalid'}`);
}

/** The smallest exported bucket that holds the clip and the prompt. */
export function chooseBucket(buckets: readonly Bucket[], steps: number, tokens: number): Bucket {
  const fits = buckets.filter((b) => b.steps >= steps && b.tokens >= tokens).sort((a, b) => a.steps * a.tokens - b.steps * b.tokens);
  if (fits[0] === undefined) {
    throw new AgxError(
      'bad_argument',
      `no explanation graph fits ${steps} LM steps and ${tokens} tokens (buckets: ${buckets.map((b) => `${b.steps}x${b.tokens}`).join(', ')})`,
    );
  }
  return fits[0];
}

/** Predicted seconds of one run from the catalog's cost model (params after defaults). */
export function predictSeconds(name: string, params: Record<string, unknown>, work: ExplainWork): number {
  const { cost } = methodSpec(name);
  return (cost.fixedSec + cost.perUnitSec * cost.units(work, params)) * (work.modelScale ?? 1);
}
