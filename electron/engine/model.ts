import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { AgxError } from '../common/errors.js';
import { modelScale } from '../common/methods.js';
import { type BundleInfo, judgeGraph, type Manifest, resolveBundle, verifyBundle } from './manifest.js';
import { type EngineTensor, type Graph, SessionFactory, type SessionOptions, tensor } from './onnx/session-factory.js';
import { PromptTokenizer } from './tokenizer.js';

/** LM weights from this size on are shared between sessions unpacked (Model.sharedWeights). */
export const SHARED_WEIGHTS_BYTES = 64 * 2 ** 20;

type GraphName = 'textEncoder' | 'lmStep' | 'lmProbe' | 'codecEncoder' | 'codecDecoder' | 'classifier';

/** What the classifier says about a clip. */
export interface Classification {
  /** Per label probability, in manifest label order. */
  probabilities: Float32Array;
  /** Frame activity [labels][frames] at the codec frame rate. */
  activity: Float32Array[];
}

/**
 * A loaded model bundle: manifest, tokenizer and lazily created ONNX sessions (each created once and
 * reused; creation costs ~0.1-0.2 s). Pure Node, so it can live in a worker thread.
 */
export class Model {
  private readonly graphs = new Map<string, Promise<Graph>>();

  private constructor(
    readonly bundle: BundleInfo,
    readonly tokenizer: PromptTokenizer,
    private readonly factory: SessionFactory,
  ) {}

  /** Resolves, checksum-verifies and opens a bundle (--model NAME|DIR; default the embedded one). */
  static async load(nameOrDir?: string, options: SessionOptions = {}): Promise<Model> {
    const bundle = resolveBundle(nameOrDir);
    await verifyBundle(bundle);
    const m = bundle.manifest;
    const tokenizer = PromptTokenizer.fromFile(join(bundle.dir, m.graphs.tokenizer), {
      maxTokens: m.maxTextTokens,
      unkId: m.specialTokens.unk,
    });
    return new Model(bundle, tokenizer, new SessionFactory(options));
  }

  /**
   * Whether the bundle's LM weights are large enough that every session should read the one memory
   * map rather than prepack its own copy (a converted AudioGen/MusicGen; tiny-foley's 26 MB keeps
   * prepacking, with which its speed was measured).
   */
  private get sharedWeights(): boolean {
    return (this.manifest.files['lm_weights.bin']?.bytes ?? 0) >= SHARED_WEIGHTS_BYTES;
  }

  /** The bundle's manifest. */
  get manifest(): Manifest {
    return this.bundle.manifest;
  }

  /** Execution provider in use ('cpu', 'cuda', ...). */
  get provider(): string {
    return this.factory.provider;
  }

  /** Why --device auto runs on less than its first choice (null when nothing was given up). */
  get providerNote(): string | null {
    return this.factory.providerNote;
  }

  /** A graph by role, created on first use. */
  graph(name: GraphName): Promise<Graph> {
    const file = name === 'classifier' ? judgeGraph(this.manifest) : this.manifest.graphs[name];
    return this.graphFile(file, graphThreads(this.manifest, name === 'lmStep' ? 'lmStep' : 'other'));
  }

  /** A graph by file name (explain buckets); `defaultThreads` (graphThreads) unless --threads says otherwise. */
  graphFile(file: string, defaultThreads = graphThreads(this.manifest, 'other')): Promise<Graph> {
    let g = this.graphs.get(file);
    if (g === undefined) {
      g = this.factory.create(join(this.bundle.dir, file), defaultThreads, this.sharedWeights);
      g.catch(() => this.graphs.delete(file));
      this.graphs.set(file, g);
    }
    return g;
  }

  /**
   * Runs fn on a session of its own for a graph that a job runs once (the gradient baselines), then
   * releases it: onnxruntime's arena keeps a session's peak working memory until the session goes,
   * and a cached lm_chefer session held ~0.4 GB in the worker after its job. Creating it costs ~0.1 s.
   */
  async usingGraphFile<T>(file: string, fn: (graph: Graph) => Promise<T>): Promise<T> {
    const graph = await this.factory.create(join(this.bundle.dir, file), graphThreads(this.manifest, 'other'), this.sharedWeights);
    try {
      return await fn(graph);
    } finally {
      await graph.release();
    }
  }

  /** Creates every generation graph now (for benchmarks and warm starts). */
  async warmUp(): Promise<void> {
    await Promise.all((['textEncoder', 'lmStep', 'codecDecoder'] as const).map((n) => this.graph(n)));
  }

  /** codes [batch][K * frames] (codebook-major) -> audio [batch][frames * samplesPerFrame]. */
  async decode(codes: Int32Array[], frames: number): Promise<Float32Array[]> {
    const K = this.manifest.codebooks;
    const dec = await this.graph('codecDecoder');
    const out: Float32Array[] = [];
    // One clip per run keeps peak memory flat however many variations there are.
    for (const c of codes) {
      const feed = tensor.i64(
        BigInt64Array.from(c, (v) => BigInt(v)),
        [1, K, frames],
      );
      const res = await dec.run({ codes: feed });
      out.push(Float32Array.from(floatData(res.audio)));
    }
    return out;
  }

  /** 16 kHz mono audio -> codes [K * frames] (codebook-major) and the frame count. */
  async encodeAudio(audio: Float32Array): Promise<{ codes: Int32Array; frames: number }> {
    const hop = this.manifest.sampleRate / this.manifest.frameRate;
    if (audio.length < hop) throw new AgxError('bad_audio', 'the audio is shorter than one codec frame');
    // A converted EnCodec (manifest hopLength) omits audiocraft's per-layer extra padding, which is zero
    // for whole frames, and would silently drop a partial last frame: it is zero-padded, as
    // encodeForInpaint pads (audiocraft pads it inside each conv, so only the last frame's codes may differ).
    const whole = this.manifest.hopLength;
    if (whole !== undefined && audio.length % whole !== 0) {
      const padded = new Float32Array(Math.ceil(audio.length / whole) * whole);
      padded.set(audio);
      audio = padded;
    }
    const enc = await this.graph('codecEncoder');
    const res = await enc.run({ audio: tensor.f32(audio, [1, audio.length]) });
    const codes = res.codes!;
    return { codes: Int32Array.from(codes.data as BigInt64Array, (v) => Number(v)), frames: codes.dims[2]! };
  }

  /** 16 kHz mono audio -> label probabilities and frame activity. */
  async classify(audio: Float32Array): Promise<Classification> {
    if (audio.length < this.manifest.sampleRate / this.manifest.frameRate) {
      throw new AgxError('bad_audio', 'the audio is shorter than one classifier frame (40 ms)');
    }
    const clf = await this.graph('classifier');
    const res = await clf.run({ audio: tensor.f32(audio, [1, audio.length]) });
    const probabilities = Float32Array.from(floatData(res.probabilities));
    const act = res.activity!;
    const [, labels, frames] = act.dims as [number, number, number];
    const data = floatData(act);
    const activity = Array.from({ length: labels }, (_, i) => data.slice(i * frames, (i + 1) * frames));
    return { probabilities, activity };
  }

  /**
   * Frees every session; a later use creates them again, so a batch command can also call it when it is
   * done with what it has run (explain's oneShot), and those sessions do not add to the next step's peak.
   */
  async close(): Promise<void> {
    const held = [...this.graphs.values()];
    this.graphs.clear();
    await Promise.all(held.map(async (g) => (await g).release()));
  }
}

/** The float data of a graph output (throws when the graph broke the contract). */
export function floatData(t: EngineTensor | undefined): Float32Array {
  if (t === undefined || t.type !== 'float32') throw new AgxError('bad_model', 'graph output missing or not float32', false);
  return t.data;
}

/**
 * A graph's default intra-op threads (--threads overrides): every core, named, except a small LM's
 * lm_step. Named, because onnxruntime-node's default (0) ran one thread on the 2-core build machine (a
 * process created one pool thread for 0 as for 1): AudioGen-medium's lm_step took 1.7-2.2 s per step with
 * one core busy against 703 ms on two (docs/results.md, "Real models at full size"), and tiny-foley's
 * explainer_step 40.2 against 33.1 ms per epoch, its decoder 85.2 against 77.5 ms (medians of 38 and 28
 * interleaved runs, docs/decisions.md). A small LM's step (tiny-foley: ~180 small operators on two rows)
 * keeps one thread, where a second only adds synchronisation (1.45 vs 3.66 ms of CPU per step side by
 * side); the switch sits where a step's matrix products (layers x width^2, modelScale) are 16x
 * tiny-foley's (e.g. 16 layers of 512); nothing in between was measured.
 */
export function graphThreads(m: Pick<Manifest, 'layers' | 'hiddenSize'>, graph: 'lmStep' | 'other'): number {
  return graph === 'lmStep' && modelScale(m) < 16 ? 1 : availableParallelism();
}
