// The only file that imports onnxruntime-node: everything else sees the Graph seam below.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AgxError } from '../../common/errors.js';

/** A tensor as the engine passes it around: typed data, row-major, with its shape. */
export type EngineTensor =
  { type: 'float32'; data: Float32Array; dims: readonly number[] } | { type: 'int64'; data: BigInt64Array; dims: readonly number[] };

/** One loaded ONNX graph: run(feeds) -> outputs. */
export interface Graph {
  /** Input names in graph order. */
  readonly inputNames: readonly string[];
  /** Output names in graph order. */
  readonly outputNames: readonly string[];
  /** Runs the graph; only the requested outputs (default all) are returned. */
  run(feeds: Record<string, EngineTensor>, outputs?: readonly string[]): Promise<Record<string, EngineTensor>>;
  /** Frees native memory. */
  release(): Promise<void>;
}

/** Settings for every session the factory creates. */
export interface SessionOptions {
  /** Intra-op threads; 0 lets onnxruntime decide. */
  threads?: number;
  /** Execution provider preference: 'auto' tries the platform's GPU provider first. */
  provider?: 'auto' | 'cpu';
  /**
   * Whether idle intra-op threads busy-wait for the next operator (onnxruntime's default, fastest for
   * a batch job). The studio turns it off so its engine never starves the UI thread of a core.
   */
  spinning?: boolean;
}

const GPU_PROVIDERS: Record<string, string> = { linux: 'cuda', win32: 'dml', darwin: 'coreml' };

/** DirectML and CoreML ship inside onnxruntime-node; CUDA only when its provider library was installed. */
function gpuProviderAvailable(name: string): boolean {
  if (name !== 'cuda') return true;
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    return existsSync(join(pkg, 'bin', 'napi-v6', 'linux', process.arch, 'libonnxruntime_providers_cuda.so'));
  } catch {
    return false;
  }
}

/** Creates sessions and remembers which execution provider actually loaded. */
export class SessionFactory {
  private providerInUse: string | undefined;

  constructor(private readonly options: SessionOptions = {}) {}

  /** The execution provider of the last created session ('cpu' until a GPU one loads). */
  get provider(): string {
    return this.providerInUse ?? 'cpu';
  }

  /**
   * Loads one graph file. External weight files are resolved relative to it. `defaultThreads` is the
   * graph kind's own intra-op thread count, used when the caller did not choose one (threads 0).
   */
  async create(path: string, defaultThreads = 0): Promise<Graph> {
    const base: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: this.options.threads || defaultThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      ...(this.options.spinning === false
        ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }
        : {}),
    };
    const gpu = GPU_PROVIDERS[process.platform];
    const wantGpu =
      (this.options.provider ?? 'auto') === 'auto' && gpu !== undefined && this.providerInUse !== 'cpu' && gpuProviderAvailable(gpu);
    let session: ort.InferenceSession | undefined;
    if (wantGpu && gpu !== undefined) {
      try {
        session = await ort.InferenceSession.create(path, { ...base, executionProviders: [gpu, 'cpu'] });
        this.providerInUse = gpu;
      } catch {
        // The GPU provider's libraries are optional; a clean CPU fallback is the contract.
        session = undefined;
      }
    }
    if (session === undefined) {
      try {
        session = await ort.InferenceSession.create(path, { ...base, executionProviders: ['cpu'] });
      } catch (err) {
        throw new AgxError('bad_model', `cannot load model graph ${path}: ${firstLine(err)}`);
      }
      this.providerInUse = 'cpu';
    }
    return wrap(session);
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
}

function wrap(session: ort.InferenceSession): Graph {
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    async run(feeds, outputs) {
      const ortFeeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(feeds)) ortFeeds[name] = new ort.Tensor(t.type, t.data, t.dims);
      const result = outputs ? await session.run(ortFeeds, outputs as string[]) : await session.run(ortFeeds);
      const out: Record<string, EngineTensor> = {};
      for (const [name, t] of Object.entries(result)) {
        if (t.type === 'float32') out[name] = { type: 'float32', data: t.data as Float32Array, dims: t.dims };
        else if (t.type === 'int64') out[name] = { type: 'int64', data: t.data as BigInt64Array, dims: t.dims };
        else throw new AgxError('bad_model', `graph output ${name} has unsupported type ${t.type}`, false);
      }
      return out;
    },
    release: () => session.release(),
  };
}

/** Shorthand constructors for feeds. */
export const tensor = {
  f32: (data: Float32Array, dims: readonly number[]): EngineTensor => ({ type: 'float32', data, dims }),
  i64: (data: BigInt64Array, dims: readonly number[]): EngineTensor => ({ type: 'int64', data, dims }),
};
