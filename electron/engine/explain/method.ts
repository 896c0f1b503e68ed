import type { MethodSpec } from '../../common/methods.js';
import type { Model } from '../model.js';
import type { TeacherForcedInput } from './teacher.js';

/** Progress and cancellation for one explanation. */
export interface ExplainContext {
  /** Cancels between epochs / passes. */
  signal?: AbortSignal | undefined;
  /** fraction in [0, 1]; `partial` is the current mask [steps][tokens] when the method has one. */
  onProgress?: ((fraction: number, partial?: Float32Array[]) => void) | undefined;
  /**
   * The caller explains once and is done (a batch command): every session held, teacher forcing's
   * included, is freed before the method runs, so it does not add to the method's peak memory.
   */
  oneShot?: boolean | undefined;
}

/** What a method returns: the per-step mask [steps][tokens] in [0, 1], plus method-specific data. */
export interface MethodResult {
  /** M[t][i]: importance of prompt token i for LM step t. */
  mask: Float32Array[];
  /** Anything worth keeping (loss curves, raw scores). */
  diagnostics?: Record<string, unknown>;
}

/**
 * One explanation method: its catalog entry (electron/common/methods.ts: name, label, needs, params
 * schema, cost) and run(), which gets the params already checked and filled with defaults.
 */
export interface ExplainMethod<P> extends MethodSpec {
  /** Computes the mask for a teacher-forced input. */
  run(model: Model, input: TeacherForcedInput, params: P, ctx: ExplainContext): Promise<MethodResult>;
}
