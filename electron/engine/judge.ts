import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { AgxError } from '../common/errors.js';
import { resample } from './audio/resample.js';
import { checkBundleFiles, modelSearchDirs } from './manifest.js';
import { floatData, type Model } from './model.js';
import { type Graph, SessionFactory, type SessionOptions, tensor } from './onnx/session-factory.js';

/**
 * The faithfulness protocol's judge: a multi-label (sigmoid) audio classifier. Either a model bundle's
 * own classifier (tiny-foley's, the default) or a converted judge bundle (`agx models convert --judge
 * cnn14`, docs/convert.md), which runs at its own sample rate on any model's audio.
 */
export interface Judge {
  /** Shown in reports: which classifier scored the clips. */
  name: string;
  /** Class names, in output order. */
  labels: readonly string[];
  /** The rate the classifier takes; audio at another rate is resampled to it. */
  sampleRate: number;
  /** A fitted calibration temperature, where the judge has one. */
  temperature?: number | undefined;
  /** Per-class sigmoid outputs of mono audio at `rate` Hz. */
  probabilities(audio: Float32Array, rate: number): Promise<Float32Array>;
}

/** The bundle's own classifier (it takes the bundle's rate, at which the model's audio already is). */
export function bundleJudge(model: Model): Judge {
  const m = model.manifest;
  return {
    name: `${m.name} classifier`,
    labels: m.labels,
    sampleRate: m.sampleRate,
    temperature: m.judge?.temperature,
    async probabilities(audio, rate) {
      return (await model.classify(rate === m.sampleRate ? audio : resample(audio, rate, m.sampleRate))).probabilities;
    },
  };
}

const FileEntry = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });

/** manifest.json of a judge bundle (native-models/convert/agx_convert/judge.py writes it). */
export const JudgeManifestSchema = z.object({
  kind: z.literal('judge'),
  name: z.string().min(1),
  version: z.string(),
  architecture: z.string(),
  licence: z.string(),
  sampleRate: z.number().int().positive(),
  /** The shortest audio the graph takes (CNN14's five poolings need 32 frames). */
  minSamples: z.number().int().positive(),
  activation: z.literal('sigmoid'),
  labels: z.array(z.string().min(1)).min(1),
  graphs: z.object({ classifier: z.string() }),
  files: z.record(z.string(), FileEntry),
});
export type JudgeManifest = z.infer<typeof JudgeManifestSchema>;

/** The parsed judge manifest of a folder; undefined where the folder has no readable manifest.json. */
function readJudgeManifest(dir: string): JudgeManifest | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  } catch {
    return undefined;
  }
  if ((raw as { kind?: unknown } | null)?.kind !== 'judge')
    throw new AgxError(
      'bad_model',
      `${dir} is not a judge bundle (its manifest.json has no "kind": "judge"); make one with agx models convert --judge cnn14 (docs/convert.md)`,
    );
  const parsed = JudgeManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgxError(
      'bad_model',
      `judge bundle ${dir}: manifest.json is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  return parsed.data;
}

/** The judge manifest of a folder that holds one (for `agx models`); undefined for anything else. */
export function judgeManifestIn(dir: string): JudgeManifest | undefined {
  try {
    return readJudgeManifest(dir);
  } catch {
    return undefined;
  }
}

/** --judge DIR|NAME: a folder, or a judge bundle of that name in the model search folders (AGX_MODELS_DIR). */
function resolveJudge(nameOrDir: string): { dir: string; manifest: JudgeManifest } {
  const direct = resolve(nameOrDir);
  if (existsSync(direct) && statSync(direct).isDirectory()) {
    const manifest = readJudgeManifest(direct);
    if (manifest === undefined) throw new AgxError('bad_model', `${direct} is not a judge bundle (no readable manifest.json)`);
    return { dir: direct, manifest };
  }
  for (const root of modelSearchDirs()) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const dir = join(root, entry.name);
      // a model bundle or a broken folder is simply not this judge
      const manifest = judgeManifestIn(dir);
      if (manifest?.name === nameOrDir) return { dir, manifest };
    }
  }
  throw new AgxError('model_not_found', `no judge bundle "${nameOrDir}": give its folder, or put it in a folder on AGX_MODELS_DIR`);
}

/** A converted judge bundle, opened and checked. */
export interface LoadedJudge extends Judge {
  /** Its folder and manifest. */
  dir: string;
  manifest: JudgeManifest;
  /** Frees the session. */
  close(): Promise<void>;
}

/**
 * Opens a judge bundle: every file against its checksum, the graph through onnxruntime, and one run on
 * the shortest audio it takes, whose output must have one value per label.
 */
export async function openJudge(nameOrDir: string, options: SessionOptions = {}): Promise<LoadedJudge> {
  const { dir, manifest: m } = resolveJudge(nameOrDir);
  const bad = (await checkBundleFiles({ dir, manifest: m })).filter((c) => c.status !== 'ok');
  if (bad.length > 0)
    throw new AgxError(
      'checksum_mismatch',
      `judge bundle ${m.name}: ${bad[0]!.file} is ${bad[0]!.status === 'missing' ? 'missing' : 'corrupt or modified (sha256 does not match manifest.json)'}`,
    );
  if (!(m.graphs.classifier in m.files))
    throw new AgxError('bad_model', `judge bundle ${m.name}: ${m.graphs.classifier} is not listed in manifest.json files`);
  let graph: Graph;
  try {
    graph = await new SessionFactory(options).create(join(dir, m.graphs.classifier));
  } catch (err) {
    throw new AgxError(
      'bad_model',
      `judge bundle ${m.name}: onnxruntime cannot open ${m.graphs.classifier} (${err instanceof Error ? err.message.split('\n')[0] : String(err)})`,
    );
  }
  const run = async (audio: Float32Array): Promise<Float32Array> => {
    const out = await graph.run({ audio: tensor.f32(audio, [1, audio.length]) });
    return Float32Array.from(floatData(out.probabilities));
  };
  const outputs = (await run(new Float32Array(m.minSamples))).length;
  if (outputs !== m.labels.length) {
    await graph.release();
    throw new AgxError(
      'bad_model',
      `judge bundle ${m.name}: the classifier gives ${outputs} outputs but manifest.json names ${m.labels.length} labels`,
    );
  }
  return {
    name: m.name,
    labels: m.labels,
    sampleRate: m.sampleRate,
    dir,
    manifest: m,
    async probabilities(audio, rate) {
      const x = rate === m.sampleRate ? audio : resample(audio, rate, m.sampleRate);
      if (x.length < m.minSamples)
        throw new AgxError('bad_audio', `the audio is shorter than judge ${m.name} takes (${(m.minSamples / m.sampleRate).toFixed(2)} s)`);
      return run(x);
    },
    close: () => graph.release(),
  };
}
