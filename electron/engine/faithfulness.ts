import { AgxError, throwIfAborted } from '../common/errors.js';
import { complementMask, type MaskRows, maskSize } from '../common/mask.js';
import { explain } from './explain/index.js';
import { generateCodes, type TokenWeight } from './generate.js';
import { bundleJudge, type Judge } from './judge.js';
import type { Model } from './model.js';
import { type Estimate, estimate, type PairedComparison, paired } from './stats.js';

/**
 * The paper's faithfulness protocol (docs/method.md, 'Faithfulness') for one prompt and one method.
 * The classifier is multi-label (sigmoid); as the paper's q is a softmax over classes, q here is the
 * softmax of the classifier's logits over the judge's labels (judge.ts: the bundle's own
 * classifier, or a converted AudioSet classifier such as CNN14).
 */

/** Per-seed figures of one prompt. */
export interface SeedScores {
  /** Seed of the regenerations. */
  seed: number;
  /** q(orig)_y - q(factual)_y (lower is better). */
  fid_f: number;
  /** q(orig)_y - q(counterfactual)_y (higher is better). */
  fid_cf: number;
  /** KL(q(factual) || q(orig)) (lower is better). */
  kl_f: number;
  /** KL(q(counterfactual) || q(orig)) (higher is better). */
  kl_cf: number;
  /**
   * The judge's sigmoid outputs for the factual and counterfactual clips (the floor: its plain
   * regeneration as f), kept so the figures can be recomputed under a calibrated judge (rescore).
   */
  probs?: { f: number[]; cf?: number[] };
}

/** One prompt's result for one method. */
export interface PromptScores {
  /** The prompt. */
  prompt: string;
  /** Method name. */
  method: string;
  /** argmax label of q(orig). */
  label: string;
  /** Mean mask value (after size matching, where it was asked for). */
  size: number;
  /** Under size matching: the mask's own mean before, and the exponent p of the map m -> m^p. */
  sizeMatch?: { rawSize: number; exponent: number };
  /** One entry per seed. */
  seeds: SeedScores[];
  /** The judge's sigmoid outputs for the original clip. */
  origProbs?: number[];
  /** The explanation's tokens with their holistic importance (before any averaging or size matching), for the token statistics. */
  tokens?: { text: string; unknown: boolean; importance: number | null }[];
}

/**
 * softmax over logit(p) / temperature: the classifier's sigmoid outputs as one distribution over
 * labels; temperature 1 is the raw judge, the manifest's judge.temperature the calibrated one.
 */
export function labelDistribution(p: ArrayLike<number>, temperature = 1): Float64Array {
  const logits = Array.from(p, (v) => Math.log(Math.max(v, 1e-7) / Math.max(1 - v, 1e-7)) / temperature);
  const max = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return Float64Array.from(e, (v) => v / sum);
}

/** KL(a || b) in nats. */
export function kl(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) if (a[i]! > 0) s += a[i]! * Math.log(a[i]! / Math.max(b[i]!, 1e-12));
  return s;
}

/** The judge's sigmoid outputs for a clip's codes (resampled to the judge's rate where it differs). */
async function judgeClip(model: Model, judge: Judge, codes: Int32Array, frames: number): Promise<number[]> {
  const [audio] = await model.decode([codes], frames);
  return Array.from(await judge.probabilities(audio!, model.manifest.sampleRate));
}

/** The protocol's four figures of one seed from the judge's outputs, under a temperature. */
function seedFigures(
  seed: number,
  orig: ArrayLike<number>,
  f: ArrayLike<number>,
  cf: ArrayLike<number> | undefined,
  temperature: number,
): SeedScores {
  const qOrig = labelDistribution(orig, temperature);
  // the label is the raw judge's top one: a temperature does not change the argmax
  const y = qOrig.indexOf(Math.max(...qOrig));
  const qf = labelDistribution(f, temperature);
  const qcf = cf ? labelDistribution(cf, temperature) : undefined;
  return {
    seed,
    fid_f: qOrig[y]! - qf[y]!,
    fid_cf: qcf ? qOrig[y]! - qcf[y]! : Number.NaN,
    kl_f: kl(qf, qOrig),
    kl_cf: qcf ? kl(qcf, qOrig) : Number.NaN,
  };
}

/**
 * The same results under a judge of another temperature, recomputed from the kept sigmoid outputs;
 * rows written before the outputs were kept are left out (they cannot be rescored).
 */
export function rescore(rows: PromptScores[], temperature: number): PromptScores[] {
  return rows
    .filter((r) => r.origProbs && r.seeds.every((s) => s.probs))
    .map((r) => ({
      ...r,
      seeds: r.seeds.map((s) => ({ ...seedFigures(s.seed, r.origProbs!, s.probs!.f, s.probs!.cf, temperature), probs: s.probs })),
    }));
}

/** Options of one protocol run. */
export interface ProtocolOptions {
  /** Seeds of the regenerations (the paper: 5). */
  seeds: number[];
  /** Seed of the original generation. */
  originalSeed: number;
  /** Clip length. */
  durationSec: number;
  /** Cancels between generations. */
  signal?: AbortSignal | undefined;
  /** Parameters per method (e.g. { attention: { scaling: 'step' } }); {} for any not named. */
  params?: Record<string, Record<string, unknown>>;
  /** Bring every other method's mask to AudioGenX's Size on the same clip (matchSize); needs audiogenx among the methods. */
  sizeMatch?: boolean;
  /** Replace every mask by its mean over steps (averageOverSteps), before any size matching. */
  averageSteps?: boolean;
  /** The classifier that scores the clips; default the bundle's own (bundleJudge). */
  judge?: Judge;
}

/** Each token's mean over steps, at every step: the paper's averaged-mask ablation (one value per token for the whole clip). */
export function averageOverSteps(rows: MaskRows): Float32Array[] {
  const mean = new Float32Array(rows[0]?.length ?? 0);
  for (const row of rows) for (let i = 0; i < mean.length; i++) mean[i]! += row[i]! / rows.length;
  return rows.map(() => Float32Array.from(mean));
}

/**
 * The mask m -> m^p with p > 0 chosen by bisection on log p so that its mean equals `target`: a
 * monotone map, so every step keeps its token ranking, and 0 and 1 stay put. Where the target is out
 * of reach (it lies outside (share of ones, share of non-zeros)), the nearest reachable mean is taken.
 */
export function matchSize(rows: MaskRows, target: number): { mask: Float32Array[]; exponent: number } {
  const at = (p: number): Float32Array[] => rows.map((row) => Float32Array.from(row, (v) => (v <= 0 ? 0 : v ** p)));
  let lo = -30; // log p: exp(-30) lifts every non-zero value to ~1, exp(30) sends every value below 1 to ~0
  let hi = 30;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (maskSize(at(Math.exp(mid))) > target) lo = mid;
    else hi = mid;
  }
  const exponent = Math.exp((lo + hi) / 2);
  return { mask: at(exponent), exponent };
}

/**
 * The original clip's label distribution, its top label, and a regenerator under a mask's weights.
 * weights: the clip's own token weights; every regeneration applies them, times the mask (weight x M).
 */
async function protocolFor(
  model: Model,
  prompt: string,
  codes: Int32Array,
  frames: number,
  weights: TokenWeight[],
  signal: AbortSignal | undefined,
  judge: Judge,
) {
  const origProbs = await judgeClip(model, judge, codes, frames);
  const qOrig = labelDistribution(origProbs);
  const y = qOrig.indexOf(Math.max(...qOrig));
  const durationSec = frames / model.manifest.frameRate;
  const regenerate = async (seed: number, maskWeights?: MaskRows): Promise<number[]> => {
    throwIfAborted(signal);
    const g = await generateCodes(model, { prompt, seed, durationSec, weights, ...(maskWeights ? { maskWeights } : {}), signal });
    return judgeClip(model, judge, g.codes[0]!, g.frames);
  };
  /** Regenerates with M and 1 - M under one seed and scores both against the original (raw judge). */
  const scoreMask = async (mask: MaskRows, seed: number): Promise<SeedScores> => {
    const f = await regenerate(seed, mask);
    const cf = await regenerate(seed, complementMask(mask));
    return { ...seedFigures(seed, origProbs, f, cf, 1), probs: { f, cf } };
  };
  /** The no-mask floor of one seed: a plain regeneration. */
  const scoreFloor = async (seed: number): Promise<SeedScores> => {
    const f = await regenerate(seed);
    return { ...seedFigures(seed, origProbs, f, undefined, 1), probs: { f } };
  };
  return { origProbs, label: judge.labels[y]!, scoreMask, scoreFloor };
}

/**
 * Generates the original, explains it with each method, regenerates with M and 1 - M under each
 * seed, and scores; the no-mask floor (plain regenerations) is returned under the method name "floor".
 */
export async function evaluatePrompt(model: Model, prompt: string, methods: string[], opts: ProtocolOptions): Promise<PromptScores[]> {
  if (opts.seeds.length === 0) throw new AgxError('bad_argument', 'at least one seed is needed');
  if (opts.sizeMatch && !methods.includes('audiogenx'))
    throw new AgxError('bad_argument', 'size matching needs audiogenx among the methods');
  const orig = await generateCodes(model, { prompt, seed: opts.originalSeed, durationSec: opts.durationSec });
  const codes = orig.codes[0]!;
  const { origProbs, label, scoreMask, scoreFloor } = await protocolFor(
    model,
    prompt,
    codes,
    orig.frames,
    [],
    opts.signal,
    opts.judge ?? bundleJudge(model),
  );
  const results: PromptScores[] = [];
  const floorSeeds: SeedScores[] = [];
  for (const seed of opts.seeds) floorSeeds.push(await scoreFloor(seed));
  results.push({ prompt, method: 'floor', label, size: Number.NaN, seeds: floorSeeds, origProbs });
  // AudioGenX first under size matching: its Size is every other mask's target
  const order = opts.sizeMatch ? ['audiogenx', ...methods.filter((m) => m !== 'audiogenx')] : methods;
  let target = Number.NaN;
  for (const method of order) {
    const e = await explain(model, prompt, codes, orig.frames, method, opts.params?.[method] ?? {}, { signal: opts.signal });
    let mask: MaskRows = opts.averageSteps ? averageOverSteps(e.steps) : e.steps;
    let matched: PromptScores['sizeMatch'];
    if (method === 'audiogenx') target = maskSize(mask);
    else if (opts.sizeMatch) {
      const m = matchSize(mask, target);
      matched = { rawSize: maskSize(mask), exponent: m.exponent };
      mask = m.mask;
    }
    const seeds: SeedScores[] = [];
    for (const seed of opts.seeds) seeds.push(await scoreMask(mask, seed));
    const tokens = e.tokens.map((t, i) => ({ text: t.text, unknown: t.unknown, importance: e.holistic[i] ?? null }));
    results.push({ prompt, method, label, size: maskSize(mask), ...(matched ? { sizeMatch: matched } : {}), seeds, origProbs, tokens });
  }
  return results;
}

/** The protocol's figures for one existing explanation of a clip, regenerated under one seed. */
export async function explanationFaithfulness(
  model: Model,
  prompt: string,
  clip: { codes: Int32Array; frames: number; weights: TokenWeight[] },
  mask: MaskRows,
  seed: number,
  signal?: AbortSignal,
): Promise<SeedScores & { label: string; size: number }> {
  const { label, scoreMask } = await protocolFor(model, prompt, clip.codes, clip.frames, clip.weights, signal, bundleJudge(model));
  // the judge's outputs stay here: the studio shows the figures only
  const { probs: _probs, ...scores } = await scoreMask(mask, seed);
  return { ...scores, label, size: maskSize(mask) };
}

/** Mean and (population) standard deviation, ignoring NaN. */
export function meanStd(xs: number[]): { mean: number; std: number } {
  const v = xs.filter((x) => Number.isFinite(x));
  if (v.length === 0) return { mean: Number.NaN, std: Number.NaN };
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, std: Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length) };
}

/** The report's metrics: the protocol's four and the mask's Size. */
export const METRICS = ['fid_f', 'fid_cf', 'kl_f', 'kl_cf', 'size'] as const;
export type Metric = (typeof METRICS)[number];

/**
 * One metric of one method: mean and (population) std over every (prompt, seed), as before; the
 * bootstrap 95% interval of the mean over prompts (each prompt's mean over its seeds); and, for
 * every method but AudioGenX and the floor, the paired comparison with AudioGenX over the same prompts.
 */
export interface MetricSummary extends Estimate {
  std: number;
  vsAudiogenx?: PairedComparison;
}

/** The report table: per method, per metric (docs/method.md, 'A fair comparison'). */
export function summarise(rows: PromptScores[]): Record<string, Record<Metric, MetricSummary>> {
  const byMethod = new Map<string, PromptScores[]>();
  for (const r of rows) byMethod.set(r.method, [...(byMethod.get(r.method) ?? []), r]);
  const perPrompt = (r: PromptScores, metric: Metric): number => (metric === 'size' ? r.size : meanStd(r.seeds.map((s) => s[metric])).mean);
  const reference = new Map((byMethod.get('audiogenx') ?? []).map((r) => [r.prompt, r]));
  const out: Record<string, Record<Metric, MetricSummary>> = {};
  for (const [method, rs] of byMethod) {
    const all = rs.flatMap((r) => r.seeds);
    out[method] = Object.fromEntries(
      METRICS.map((metric) => {
        const values = rs.map((r) => perPrompt(r, metric));
        const { std } = meanStd(metric === 'size' ? values : all.map((s) => s[metric]));
        const summary: MetricSummary = { ...estimate(values), std };
        if (method !== 'audiogenx' && method !== 'floor' && reference.size > 0) {
          const ref = rs.map((r) => {
            const a = reference.get(r.prompt);
            return a ? perPrompt(a, metric) : Number.NaN;
          });
          summary.vsAudiogenx = paired(values, ref);
        }
        return [metric, summary];
      }),
    ) as Record<Metric, MetricSummary>;
  }
  return out;
}

/** The `caption` column of a CSV (RFC 4180 quoting; other columns ignored). */
export function captionsFromCsv(text: string): string[] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  const header = (rows.shift() ?? []).map((h) =>
    h
      .trim()
      .replace(/^\uFEFF/, '')
      .toLowerCase(),
  );
  const col = header.indexOf('caption');
  if (col < 0) throw new AgxError('bad_argument', `the CSV has no "caption" column (columns: ${header.join(', ') || 'none'})`);
  return rows.map((r) => (r[col] ?? '').trim()).filter((c) => c.length > 0);
}
