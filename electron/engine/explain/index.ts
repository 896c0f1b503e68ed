import { type ExplanationResult, isTimeSpan, type TokenWeight } from '../../common/domain.js';
import { AgxError } from '../../common/errors.js';
import { holisticMeans, intervalImportance } from '../../common/mask.js';
import { type MethodName, methodSpec, parseMethodParams } from '../../common/methods.js';
import { requireMethodGraphs } from '../manifest.js';
import type { Model } from '../model.js';
import type { PromptToken } from '../tokenizer.js';
import { audiogenx, audiogenxNp } from './audiogenx.js';
import type { ExplainContext, ExplainMethod } from './method.js';
import { chefer, gradcamA, gradcamE } from './gradient-methods.js';
import { atman, attention } from './probe.js';
import { randomMask } from './random.js';
import { teacherForce } from './teacher.js';

/** Every method of the catalog with its implementation, by the name the CLI takes. */
// Each method's params type differs; the catalog's schema checks them before run(), so the table erases it.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const METHODS: Record<MethodName, ExplainMethod<any>> = {
  audiogenx,
  'audiogenx-np': audiogenxNp,
  random: randomMask,
  attention,
  atman,
  'gradcam-a': gradcamA,
  'gradcam-e': gradcamE,
  chefer,
};

/**
 * A finished explanation as the engine holds it: the domain's ExplanationResult with engine tokens,
 * the mask as typed rows under the name `steps` (the CLI's JSON and the engine's callers read it so),
 * and timings.
 */
export interface Explanation extends Omit<ExplanationResult, 'tokens' | 'mask'> {
  /** Prompt tokens with offsets and vocabulary ids; `muted` where the take had the word at weight 0 throughout. */
  tokens: PromptToken[];
  /** Per-step mask [steps][tokens]: step t writes codebook 0 of frame t (delay pattern). */
  steps: Float32Array[];
  /** Milliseconds: teacher forcing and the method itself. */
  timings: { prepareMs: number; methodMs: number };
  /** Method-specific extras. */
  diagnostics?: Record<string, unknown>;
}

/** Looks a method up; an unknown name lists the valid ones (the catalog's check). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see METHODS
export function getMethod(name: string): ExplainMethod<any> {
  return METHODS[methodSpec(name).name as MethodName];
}

/** The interval view: mean importance over the steps whose frames start inside [startSec, endSec); null for a muted token. */
export function intervalView(e: Explanation, startSec: number, endSec: number): (number | null)[] {
  if (!isTimeSpan({ startSec, endSec })) {
    throw new AgxError('bad_argument', 'an interval must be start:end seconds with 0 <= start < end');
  }
  return intervalImportance(
    e.steps,
    e.frameRate,
    { startSec, endSec },
    e.tokens.map((t) => t.muted === true),
  );
}

/**
 * Explains codes [K * frames] (generated, or encoded from audio) under a prompt and the take's token
 * weights (generate's; none for imported audio). Where a word's weight is 0 it cannot act, so its
 * mask cells there are 0 whatever the method returned; a word at 0 over the whole clip is `muted`
 * and its holistic importance is null (docs/method.md, 'The take as it was made').
 */
export async function explain(
  model: Model,
  prompt: string,
  codes: Int32Array,
  frames: number,
  methodName: string,
  rawParams: unknown,
  ctx: ExplainContext = {},
  weights: readonly TokenWeight[] = [],
): Promise<Explanation> {
  const method = getMethod(methodName);
  const params = parseMethodParams(method.name, rawParams);
  requireMethodGraphs(model.manifest, method.name as MethodName);
  const t0 = performance.now();
  const input = await teacherForce(model, prompt, codes, frames, weights);
  if (ctx.oneShot) await model.close();
  const t1 = performance.now();
  // Partial masks too, so the lanes never draw a value where the word could not act.
  const silence = (rows: Float32Array[]): Float32Array[] => {
    rows.forEach((row, s) =>
      input.weightRows[s]!.forEach((w, i) => {
        if (w === 0) row[i] = 0;
      }),
    );
    return rows;
  };
  const onProgress = ctx.onProgress;
  const result = await method.run(model, input, params, {
    ...ctx,
    ...(onProgress ? { onProgress: (f, partial) => onProgress(f, partial && silence(partial)) } : {}),
  });
  const steps = silence(result.mask);
  const muted = input.tokens.map((_, i) => input.weightRows.every((row) => row[i] === 0));
  return {
    method: method.name,
    params,
    tokens: input.tokens.map((t, i) => (muted[i] ? { ...t, muted: true } : t)),
    steps,
    holistic: holisticMeans(steps).map((v, i) => (muted[i] ? null : v)),
    frameRate: model.manifest.frameRate,
    timings: { prepareMs: t1 - t0, methodMs: performance.now() - t1 },
    ...(result.diagnostics ? { diagnostics: result.diagnostics } : {}),
  };
}
