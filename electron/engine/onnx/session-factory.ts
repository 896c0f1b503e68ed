// The only file that imports onnxruntime-node: everything else sees the Graph seam below.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { AgxError } from '../../common/errors.js';
import { type Device, type Platform, ProviderChoice, type Provider, providerSessionOptions } from './providers.js';

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
  /** --device: 'auto' tries the platform's GPU providers first (providers.ts); absent means auto. */
  provider?: Device;
  /** Told once when auto settles for less than its first choice (the CLI prints it on stderr). */
  onProviderNote?: (note: string) => void;
  /**
   * Whether idle intra-op threads busy-wait for the next operator (onnxruntime's default, fastest for
   * a batch job). The studio turns it off so its engine never starves the UI thread of a core.
   */
  spinning?: boolean;
}

/** What this onnxruntime-node offers here; a non-bundled provider (CUDA) counts once its library is installed. */
export function ortPlatform(): Platform {
  const dir = bindingDir();
  return {
    os: process.platform,
    backends: ort.listSupportedBackends(),
    installed: (name) =>
      dir !== undefined &&
      [`libonnxruntime_providers_${name}.so`, `onnxruntime_providers_${name}.dll`].some((f) => existsSync(join(dir, f))) &&
      [`libonnxruntime_providers_shared.so`, `onnxruntime_providers_shared.dll`].some((f) => existsSync(join(dir, f))),
  };
}

function bindingDir(): string | undefined {
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    return join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
  } catch {
    return undefined;
  }
}

/** Creates sessions and remembers which execution provider actually loaded. */
export class SessionFactory {
  private readonly choice: ProviderChoice;

  constructor(private readonly options: SessionOptions = {}) {
    this.choice = new ProviderChoice(options.provider ?? 'auto', ortPlatform(), options.onProviderNote);
  }

  /** The execution provider sessions run on ('cpu' until the first session resolved auto). */
  get provider(): Provider {
    return this.choice.provider;
  }

  /** Why auto runs on less than its first choice, or null. */
  get providerNote(): string | null {
    return this.choice.note;
  }

  /**
   * Loads one graph file. External weight files are resolved relative to it. `defaultThreads` is the
   * graph kind's own intra-op thread count, used when the caller did not choose one (threads 0).
   * `sharedWeights`: the graph reads large memory-mapped weights that other sessions map too; prepacking
   * would give each session its own copy (measured: a second lm_step session of a 192 MiB LM adds
   * 146 MiB of private memory with it, 1.7 MiB without; docs/convert.md, "Engine support").
   */
  async create(path: string, defaultThreads = 0, sharedWeights = false): Promise<Graph> {
    const sessionConfig = {
      ...(this.options.spinning === false ? { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } : {}),
      ...(sharedWeights ? { disable_prepacking: '1' } : {}),
    };
    const base: ort.InferenceSession.SessionOptions = {
      intraOpNumThreads: this.options.threads || defaultThreads,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
      executionMode: 'sequential',
      ...(Object.keys(sessionConfig).length > 0 ? { extra: { session: sessionConfig } } : {}),
    };
    try {
      const session = await this.choice.open((eps) =>
        ort.InferenceSession.create(path, { ...base, ...providerSessionOptions(eps[0] as Provider), executionProviders: eps }),
      );
      return wrap(session);
    } catch (err) {
      if (err instanceof AgxError) throw err;
      throw new AgxError('bad_model', `cannot load model graph ${path}: ${firstLine(err)}`);
    }
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
