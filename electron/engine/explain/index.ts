import { AgxError } from '../../common/errors.js';
import { holisticMeans, intervalMeans } from '../../common/mask.js';
import type { Model } from '../model.js';
import type { PromptToken } from '../tokenizer.js';
import { audiogenx } from './audiogenx.js';
import type { ExplainContext, ExplainMethod } from './method.js';
import { chefer, gradcamA, gradcamE } from './gradient-methods.js';
import { atman, attention } from './probe.js';
import { randomMask } from './random.js';
import { teacherForce } from './teacher.js';

/** Every registered method, by the name the CLI takes. */
export const METHODS: Record<string, ExplainMethod<any>> = {
  [audiogenx.name]: audiogenx,
  [randomMask.name]: randomMask,
  [attention.name]: attention,
  [atman.name]: atman,
  [gradcamA.name]: gradcamA,
  [gradcamE.name]: gradcamE,
  [chefer.name]: chefer,
};

/** A finished explanation with its views. */
export interface Explanation {
  /** Method name. */
  method: string;
  /** The method's parameters after defaults, enough to reproduce it. */
  params: Record<string, unknown>;
  /** Prompt tokens with offsets. */
  tokens: PromptToken[];
  /** Per-step mask [steps][tokens]: step t writes codebook 0 of frame t (delay pattern). */
  steps: Float32Array[];
  /** Mean over all steps: one score per token. */
  holistic: number[];
  /** Audio frames per second (= LM steps per second). */
  frameRate: number;
  /** Milliseconds: teacher forcing and the method itself. */
  timings: { prepareMs: number; methodMs: number };
  /** Method-specific extras. */
  diagnostics?: Record<string, unknown>;
}

/** Looks a method up; an unknown name lists the valid ones. */
export function getMethod(name: string): ExplainMethod<any> {
  const m = METHODS[name];
  if (m === undefined) throw new AgxError('bad_argument', `unknown method "${name}"; methods: ${Object.keys(METHODS).join(', ')}`);
  return m;
}

/** The interval view: mean importance over the steps whose frames start inside [startSec, endSec). */
export function intervalView(e: Explanation, startSec: number, endSec: number): number[] {
  if (!(Number.isFinite(startSec) && Number.isFinite(endSec) && startSec >= 0 && startSec < endSec)) {
    throw new AgxError('bad_argument', 'an interval must be start:end seconds with 0 <= start < end');
  }
  return intervalMeans(e.steps, e.frameRate, startSec, endSec);
}

/** Explains codes [K * frames] (generated, or encoded from audio) under a prompt. */
export async function explain(model: Model, prompt: string, codes: Int32Array, frames: number, methodName: string, rawParams: unknown, ctx: ExplainContext = {}): Promise<Explanation> {
  const method = getMethod(methodName);
  const parsed = method.params.safeParse(rawParams ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    if (issue?.code === 'unrecognized_keys') {
      throw new AgxError('bad_argument', `${methodName} has no parameter ${issue.keys.map((k) => `"${k}"`).join(', ')}`);
    }
    throw new AgxError('bad_argument', `${methodName}: parameter ${issue?.path.join('.')}: ${issue?.message}`);
  }
  const t0 = performance.now();
  const input = await teacherForce(model, prompt, codes, frames);
  const t1 = performance.now();
  const result = await method.run(model, input, parsed.data, ctx);
  const steps = result.mask;
  return {
    method: method.name,
    params: parsed.data as Record<string, unknown>,
    tokens: input.tokens,
    steps,
    holistic: holisticMeans(steps),
    frameRate: model.manifest.frameRate,
    timings: { prepareMs: t1 - t0, methodMs: performance.now() - t1 },
    ...(result.diagnostics ? { diagnostics: result.diagnostics } : {}),
  };
}
