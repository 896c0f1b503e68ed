import type { z } from 'zod';
import type { Model } from '../model.js';
import type { TeacherForcedInput } from './teacher.js';

/** What a method needs from the model: plain forward passes, gradients, or attention maps. */
export type MethodNeed = 'forward' | 'gradient' | 'attention';

/** Progress and cancellation for one explanation. */
export interface ExplainContext {
  /** Cancels between epochs / passes. */
  signal?: AbortSignal | undefined;
  /** fraction in [0, 1]; `partial` is the current mask [steps][tokens] when the method has one. */
  onProgress?: ((fraction: number, partial?: Float32Array[]) => void) | undefined;
}

/** What a method returns: the per-step mask [steps][tokens] in [0, 1], plus method-specific data. */
export interface MethodResult {
  /** M[t][i]: importance of prompt token i for LM step t. */
  mask: Float32Array[];
  /** Anything worth keeping (loss curves, raw scores). */
  diagnostics?: Record<string, unknown>;
}

/** One explanation method: a name, its needs, a params schema with defaults, and run(). */
export interface ExplainMethod<P> {
  /** The name the CLI and the StudioApi take. */
  name: string;
  /** Human label. */
  label: string;
  /** What it needs from the model. */
  needs: MethodNeed[];
  /** zod schema of its parameters (with defaults, so {} is valid). */
  params: z.ZodType<P>;
  /** Computes the mask for a teacher-forced input. */
  run(model: Model, input: TeacherForcedInput, params: P, ctx: ExplainContext): Promise<MethodResult>;
}
