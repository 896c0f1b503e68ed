import { type ExplanationResult, isTimeSpan } from '../../common/domain.js';
import { AgxError } from '../../common/errors.js';
import { holisticMeans, intervalMeans } from '../../common/mask.js';
import { type MethodName, methodSpec, parseMethodParams } from '../../common/methods.js';
import type { Model } from '../model.js';
import type { PromptToken } from '../tokenizer.js';
import { audiogenx } from './audiogenx.js';
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
  /** Prompt tokens with offsets and vocabulary ids. */
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

/** The interval view: mean importance over the steps whose frames start inside [startSec, endSec). */
export function intervalView(e: Explanation, startSec: number, endSec: number): number[] {
  if (!isTimeSpan({ startSec, endSec })) {
    throw new AgxError('bad_argument', 'an interval must be start:end seconds with 0 <= start < end');
  }
  return intervalMeans(e.steps, e.frameRate, startSec, endSec);
}

/** Explains codes [K * frames] (generated, or encoded from audio) under a prompt. */
export async function explain(model: Model, prompt: string, codes: Int32Array, frames: number, methodName: string, rawParams: unknown, ctx: ExplainContext = {}): Promise<Explanation> {
  const method = getMethod(methodName);
  const params = parseMethodParams(method.name, rawParams);
  const t0 = performance.now();
  const input = await teacherForce(model, prompt, codes, frames);
  const t1 = performance.now();
  const result = await method.run(model, input, params, ctx);
  const steps = result.mask;
  return {
    method: method.name,
    params,
    tokens: input.tokens,
    steps,
    holistic: holisticMeans(steps),
    frameRate: model.manifest.frameRate,
    timings: { prepareMs: t1 - t0, methodMs: performance.now() - t1 },
    ...(result.diagnostics ? { diagnostics: result.diagnostics } : {}),
  };
}
