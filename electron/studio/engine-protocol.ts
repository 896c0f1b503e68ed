// Messages between the studio (main thread) and the engine worker. Typed arrays travel by structured
// clone; errors travel as data.
import type { Sampling } from '../common/api.js';
import type { ExplanationResult, ModelInfo, TimeSpan, Token, TokenWeight } from '../common/domain.js';
import type { ErrorData } from '../common/errors.js';
import type { Mask, MaskRows } from '../common/mask.js';
import type { Bucket, MethodName } from '../common/methods.js';
import type { Device } from '../engine/onnx/providers.js';

/** Everything the worker can be asked to do, one job at a time. */
export type EngineTask =
  | {
      kind: 'generate';
      prompt: string;
      seed: number;
      durationSec: number;
      variations: number;
      weights: TokenWeight[];
      /** An explanation's mask as per-step weights (renders: M, or 1 - M for the counterfactual). */
      maskWeights?: MaskRows;
      sampling: Sampling;
      /** Codes to keep before generating on (codebook-major [K * frames]). */
      prefix?: { codes: Int32Array; frames: number };
      /** Send the first variation's opening as a `preview` message while generating (Generate plays it). */
      preview?: boolean;
    }
  /** weights: the take's token weights, applied as they were in generation (none for imported audio). */
  | {
      kind: 'inpaint';
      prompt: string;
      seed: number;
      weights: TokenWeight[];
      sampling: Sampling;
      /** The parent take: its audio, and its codes [K * frames] codebook-major. */
      audio: Float32Array;
      codes: Int32Array;
      frames: number;
      regions: TimeSpan[];
    }
  | {
      kind: 'explain';
      prompt: string;
      codes: Int32Array;
      frames: number;
      weights: TokenWeight[];
      method: string;
      params: Record<string, unknown>;
    }
  | { kind: 'evaluate'; prompt: string; codes: Int32Array; frames: number; weights: TokenWeight[]; mask: MaskRows; seed: number }
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
  /** The parent's codes and audio with the regions replaced. */
  inpaint: {
    tokens: Token[];
    codes: Int32Array;
    audio: Float32Array;
    frames: number;
    sampling: { cfg: number; topK: number; topP: number; temperature: number };
  };
  /** The mask arrives in its wire form, converted once in the worker. */
  explain: ExplanationResult;
  evaluate: { label: string; fid_f: number; fid_cf: number; kl_f: number; kl_cf: number; size: number; seed: number };
  import: { tokens: Token[]; codes: Int32Array; audio: Float32Array; frames: number };
}

/** The model as the worker loaded it: what the contract shows, plus what the studio needs inside. */
export interface EngineInfo {
  /** The model as getInfo / listModels describe it (limits from its manifest). */
  model: ModelInfo;
  /** Codebooks per frame (a kept prefix is cut per codebook; LM steps = frames + codebooks - 1). */
  codebooks: number;
  /** The explain graphs' buckets (manifest graphs.lmExplain), for the cost estimate. */
  explainBuckets: Bucket[];
  /** The LM's compute per step relative to tiny-foley's (methods.modelScale), for the cost estimate. */
  modelScale: number;
  /** The explanation methods the bundle has graphs for (a converted bundle has no Grad-CAM or Chefer). */
  methods: MethodName[];
  /** Execution provider in use. */
  provider: string;
  /** Why --device auto runs on less than its first choice (absent when nothing was given up). */
  providerNote?: string | undefined;
  /** The manifest's default sampling. */
  sampling: { cfg: number; topK: number; topP: number; temperature: number };
  /** The bundle's tokenizer.json and unknown-token id: the studio tokenises on its own thread (tokenize). */
  tokenizer: { file: string; unkId: number };
}

/** Options the worker starts with (workerData). */
export interface EngineWorkerData {
  model?: string | undefined;
  threads?: number | undefined;
  device?: Device | undefined;
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
  | { type: 'progress'; jobNumber: number; fraction: number; partial?: Mask | undefined }
  /** A generation's first audio (its first variation's opening, decoded alone) while the rest is made. */
  | { type: 'preview'; jobNumber: number; audio: Float32Array }
  | { type: 'done'; jobNumber: number; result: EngineResults[keyof EngineResults] }
  | { type: 'failed'; jobNumber: number; error: ErrorData };
