// Messages between the studio (main thread) and the engine worker. Typed arrays travel by structured
// clone; errors travel as data.
import type { ErrorData } from '../common/errors.js';
import type { Sampling, Token, TokenWeight } from '../common/api.js';

/** Everything the worker can be asked to do, one job at a time. */
export type EngineTask =
  | {
      kind: 'generate';
      prompt: string;
      seed: number;
      durationSec: number;
      variations: number;
      weights: TokenWeight[];
      /** Per-step weights [steps][tokens] (explanation renders: M or 1 - M). */
      stepWeights?: Float32Array[];
      sampling: Sampling;
      /** Codes to keep before generating on (codebook-major [K * frames]). */
      prefix?: { codes: Int32Array; frames: number };
    }
  | { kind: 'explain'; prompt: string; codes: Int32Array; frames: number; method: string; params: Record<string, unknown> }
  | { kind: 'evaluate'; prompt: string; codes: Int32Array; frames: number; mask: Float32Array[]; seed: number }
  | { kind: 'import'; wav: Uint8Array; prompt: string };

/** What each task kind returns. */
export interface EngineResults {
  generate: {
    tokens: Token[];
    /** Per variation, codebook-major [K * frames]. */
    codes: Int32Array[];
    audio: Float32Array[];
    frames: number;
    sampling: { cfg: number; topK: number; topP: number; temperature: number };
  };
  explain: { method: string; params: Record<string, unknown>; tokens: Token[]; mask: Float32Array[]; holistic: number[]; frameRate: number };
  evaluate: { label: string; fid_f: number; fid_cf: number; kl_f: number; kl_cf: number; size: number; seed: number };
  import: { tokens: Token[]; codes: Int32Array; audio: Float32Array; frames: number };
}

/** The model as the worker loaded it. */
export interface EngineInfo {
  modelId: string;
  version: string;
  description: string;
  /** sha256 of the bundle's manifest (which holds every file's sha256). */
  manifestSha256: string;
  sampleRate: number;
  frameRate: number;
  codebooks: number;
  maxDurationSec: number;
  maxTextTokens: number;
  labels: string[];
  provider: string;
  methods: { name: string; label: string; needs: string[]; defaults: Record<string, unknown> }[];
  sampling: { cfg: number; topK: number; topP: number; temperature: number };
}

/** Options the worker starts with (workerData). */
export interface EngineWorkerData {
  model?: string | undefined;
  threads?: number | undefined;
  /**
   * Two Int32 slots the main thread writes and the worker reads between inference steps (its event
   * loop is blocked during each one): [CANCEL_SLOT] = number of the job to cancel, [CLOSING_SLOT] = 1
   * when the studio is shutting down.
   */
  flags: SharedArrayBuffer;
}

/** Slots of EngineWorkerData.flags. */
export const CANCEL_SLOT = 0;
export const CLOSING_SLOT = 1;

/** Main thread -> worker: run a task, or stop after releasing the model (no inference is cut off mid-run). */
export type ToWorker = { type: 'run'; jobNumber: number; task: EngineTask } | { type: 'shutdown' };

/** Worker -> main thread. */
export type FromWorker =
  | { type: 'ready'; info: EngineInfo }
  | { type: 'init-failed'; error: ErrorData }
  | { type: 'progress'; jobNumber: number; fraction: number; partial?: Float32Array[] | undefined }
  | { type: 'done'; jobNumber: number; result: EngineResults[keyof EngineResults] }
  | { type: 'failed'; jobNumber: number; error: ErrorData };
