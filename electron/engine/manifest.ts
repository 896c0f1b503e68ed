import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { ModelInfo } from '../common/domain.js';
import { AgxError } from '../common/errors.js';
import { METHOD_NAMES, type MethodName } from '../common/methods.js';

const FileEntry = z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), bytes: z.number().int().nonnegative() });

/** manifest.json of a model bundle (see docs/architecture.md, "The model bundle contract"). */
export const ManifestSchema = z.object({
  name: z.string().min(1),
  version: z.string(),
  licence: z.string(),
  description: z.string().optional(),
  sampleRate: z.number().int().positive(),
  frameRate: z.number().positive(),
  codebooks: z.number().int().positive(),
  cardinality: z.number().int().positive(),
  pattern: z.literal('delay'),
  maxDurationSec: z.number().positive(),
  maxTextTokens: z.number().int().positive(),
  hiddenSize: z.number().int().positive(),
  layers: z.number().int().positive(),
  heads: z.number().int().positive(),
  specialTokens: z.object({ pad: z.number().int(), unk: z.number().int(), null: z.number().int(), audioEmpty: z.number().int() }),
  /** The judge's labels and threshold: a converted bundle (docs/convert.md) has no judge, so none. */
  labels: z.array(z.string()).default([]),
  classifierThreshold: z.number().optional(),
  /** The judge's calibration (scripts/calibrate-judge.mjs): `agx evaluate` also scores with softmax(logit / temperature). */
  judge: z.object({ temperature: z.number().positive(), calibration: z.record(z.string(), z.unknown()).optional() }).optional(),
  generation: z.object({ cfg: z.number(), topK: z.number().int(), topP: z.number(), temperature: z.number() }),
  /**
   * The generating model: id is what takes record; weightsSha256 digests the LM's and codec's tensors,
   * the tokenizer and the generation defaults (weights_sha256 in native-models/build/agx_build/stages/export.py).
   * A re-export with the same weights keeps the id; bundles from before 2.1.0 have none.
   */
  identity: z.object({ id: z.string().regex(/^[0-9a-f]{64}$/), weightsSha256: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
  graphs: z.object({
    textEncoder: z.string(),
    lmStep: z.string(),
    lmProbe: z.string(),
    lmExplain: z.array(z.object({ file: z.string(), steps: z.number().int(), tokens: z.number().int() })),
    lmGradcam: z.array(z.object({ file: z.string(), steps: z.number().int(), tokens: z.number().int() })).default([]),
    lmChefer: z.array(z.object({ file: z.string(), steps: z.number().int(), tokens: z.number().int() })).default([]),
    explainerStep: z
      .array(
        z.object({
          file: z.string(),
          steps: z.number().int(),
          tokens: z.number().int(),
          hidden: z.number().int(),
          /** The graph takes the null-effect prior (AudioGenX + null-effect prior, ours): bundles from 2.2.0, no converted one. */
          nullPrior: z.boolean().optional(),
        }),
      )
      .default([]),
    codecEncoder: z.string(),
    codecDecoder: z.string(),
    classifier: z.string().optional(),
    tokenizer: z.string(),
  }),
  /** Samples per codec frame (converted bundles; sampleRate / frameRate otherwise). */
  hopLength: z.number().int().positive().optional(),
  files: z.record(z.string(), FileEntry),
});

/** A parsed manifest. */
export type Manifest = z.infer<typeof ManifestSchema>;

/** A bundle on disk: its folder and parsed manifest. */
export interface BundleInfo {
  /** Absolute folder of the bundle. */
  dir: string;
  /** Its manifest. */
  manifest: Manifest;
}

/** The folder holding the embedded bundles (native-models/ at the package root). */
export function embeddedModelsDir(): string {
  // dist/electron/engine/manifest.js or electron/engine/manifest.ts: the package root is 3-4 levels up
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'native-models')) && existsSync(join(dir, 'package.json'))) return join(dir, 'native-models');
    dir = dirname(dir);
  }
  // A packaged Electron app ships the bundle beside app.asar, as resources/<bundle>.
  const resources = (process as { resourcesPath?: string }).resourcesPath;
  if (resources !== undefined && existsSync(join(resources, DEFAULT_MODEL, 'manifest.json'))) return resources;
  throw new AgxError('model_not_found', 'cannot find the embedded native-models folder', false);
}

/** The embedded default bundle's name. */
export const DEFAULT_MODEL = 'tiny-foley';

/** Folders searched for bundles: the embedded one, then each entry of AGX_MODELS_DIR (path-list). */
export function modelSearchDirs(env: NodeJS.ProcessEnv = process.env): string[] {
  const extra = (env.AGX_MODELS_DIR ?? '').split(process.platform === 'win32' ? ';' : ':').filter((p) => p.length > 0);
  return [embeddedModelsDir(), ...extra.map((p) => resolve(p))];
}

/** Reads and validates a bundle's manifest (no checksums: see verifyBundle). */
export function readManifest(dir: string): Manifest {
  const path = join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'not valid JSON';
    throw new AgxError('bad_model', `model bundle ${dir}: manifest.json is ${why}`);
  }
  const parsed = ManifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new AgxError(
      'bad_model',
      `model bundle ${dir}: manifest.json is invalid at ${issue?.path.join('.') || '(root)'}: ${issue?.message}`,
    );
  }
  const m = parsed.data;
  const judge = m.graphs.classifier !== undefined;
  if (judge !== (m.classifierThreshold !== undefined) || (judge && m.labels.length === 0))
    throw new AgxError(
      'bad_model',
      `model bundle ${dir}: graphs.classifier, classifierThreshold and labels come together (a judge, or none)`,
    );
  return m;
}

/** A folder with a manifest.json: parsed, or the reason it could not be. */
export interface BundleListing {
  /** Absolute folder. */
  dir: string;
  /** The manifest when it parsed. */
  manifest?: Manifest;
  /** Why it did not. */
  error?: string;
}

/** Every bundle found in the search folders (folders with a manifest.json). */
export function listBundles(env: NodeJS.ProcessEnv = process.env): BundleListing[] {
  const found: BundleListing[] = [];
  for (const root of modelSearchDirs(env)) {
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root)) {
      const dir = join(root, entry);
      if (!existsSync(join(dir, 'manifest.json'))) continue;
      try {
        found.push({ dir, manifest: readManifest(dir) });
      } catch (err) {
        // A broken bundle is reported by `agx models`, not by hiding every other bundle.
        found.push({ dir, error: err instanceof Error ? err.message : String(err) });
      }
    }
  }
  return found;
}

/** Resolves --model NAME|DIR: a folder path with a manifest, or a bundle name in the search folders. */
export function resolveBundle(nameOrDir: string = DEFAULT_MODEL, env: NodeJS.ProcessEnv = process.env): BundleInfo {
  const asDir = resolve(nameOrDir);
  if (existsSync(join(asDir, 'manifest.json')) && statSync(asDir).isDirectory()) {
    return { dir: asDir, manifest: readManifest(asDir) };
  }
  const all = listBundles(env);
  const hit = all.find((b) => basename(b.dir) === nameOrDir || b.manifest?.name === nameOrDir);
  if (hit === undefined) {
    const names = all.map((b) => basename(b.dir)).join(', ') || 'none';
    throw new AgxError('model_not_found', `unknown model "${nameOrDir}"; available: ${names}`);
  }
  return { dir: hit.dir, manifest: hit.manifest ?? readManifest(hit.dir) };
}

/** sha256 of a bundle's manifest.json (which holds every file's sha256): the bundle's identity. */
export function manifestSha256(dir: string): string {
  return createHash('sha256')
    .update(readFileSync(join(dir, 'manifest.json')))
    .digest('hex');
}

/** The identity a take records (manifest identity.id; before 2.1.0, the manifest's sha256, which it was carried forward from). */
export function modelIdentity(bundle: BundleInfo): string {
  return bundle.manifest.identity?.id ?? manifestSha256(bundle.dir);
}

/** The model as the studio describes it: every limit that depends on the model comes from here. */
export function modelInfoOf(bundle: BundleInfo): ModelInfo {
  const m = bundle.manifest;
  return {
    id: m.name,
    version: m.version,
    manifestSha256: manifestSha256(bundle.dir),
    identity: modelIdentity(bundle),
    description: m.description ?? '',
    sampleRate: m.sampleRate,
    frameRate: m.frameRate,
    maxDurationSec: m.maxDurationSec,
    maxTextTokens: m.maxTextTokens,
    labels: [...m.labels],
  };
}

/**
 * The judge's graph, or one clear error for a bundle without one (converted AudioGen/MusicGen bundles):
 * classifying, faithfulness and ground truth need tiny-foley's classifier.
 */
export function judgeGraph(m: Manifest, what = 'this'): string {
  if (m.graphs.classifier === undefined)
    throw new AgxError(
      'bad_model',
      `model ${m.name} has no sound-event classifier (judge), which ${what} needs; run it with --model tiny-foley`,
    );
  return m.graphs.classifier;
}

/** The graphs a method needs beyond generation's, by manifest key; a converted bundle has no Grad-CAM or Chefer graphs. */
const METHOD_GRAPHS: Partial<Record<MethodName, { key: 'lmExplain' | 'lmGradcam' | 'lmChefer'; what: string }>> = {
  audiogenx: { key: 'lmExplain', what: 'AudioGenX explain graphs' },
  'audiogenx-np': {
    key: 'lmExplain',
    what: 'explainer graphs with the null-effect prior (tiny-foley from 2.2.0, or converted by agx_convert 0.2.0 on)',
  },
  'gradcam-a': { key: 'lmGradcam', what: 'Grad-CAM graphs' },
  'gradcam-e': { key: 'lmGradcam', what: 'Grad-CAM graphs' },
  chefer: { key: 'lmChefer', what: 'Chefer relevance graphs' },
};

/** The explanation methods a bundle has the graphs for, in catalog order. */
export function bundleMethods(m: Manifest): MethodName[] {
  return METHOD_NAMES.filter((name) => {
    const need = METHOD_GRAPHS[name];
    if (name === 'audiogenx-np' && !m.graphs.explainerStep.every((b) => b.nullPrior === true)) return false;
    return need === undefined || m.graphs[need.key].length > 0;
  });
}

/** One clear error when the bundle lacks a method's graphs (before any generation or teacher forcing). */
export function requireMethodGraphs(m: Manifest, method: MethodName): void {
  requireBundleMethod(m.name, method, bundleMethods(m));
}

/** The same check from a model's name and bundleMethods (the studio holds no manifest). */
export function requireBundleMethod(model: string, method: MethodName, methods: readonly MethodName[]): void {
  if (methods.includes(method)) return;
  const what = METHOD_GRAPHS[method]?.what ?? 'graphs';
  throw new AgxError(
    'bad_argument',
    `model ${model} has no ${what}, so ${method} cannot explain with it; its methods: ${methods.join(', ')}`,
  );
}

/** sha256 of a file, streamed. */
export function fileSha256(path: string): Promise<string> {
  return new Promise((ok, fail) => {
    const h = createHash('sha256');
    createReadStream(path)
      .on('data', (chunk) => h.update(chunk))
      .on('end', () => ok(h.digest('hex')))
      .on('error', fail);
  });
}

/** Result of checking one file of a bundle. */
export interface FileCheck {
  /** File name inside the bundle. */
  file: string;
  /** ok, missing, or mismatch (size or sha256 differ from the manifest). */
  status: 'ok' | 'missing' | 'mismatch';
}

/** Checks every file the manifest lists against its size and sha256. */
export async function checkBundleFiles(bundle: { dir: string; manifest: Pick<Manifest, 'files'> }): Promise<FileCheck[]> {
  return Promise.all(
    Object.entries(bundle.manifest.files).map(async ([file, entry]): Promise<FileCheck> => {
      const path = join(bundle.dir, file);
      if (!existsSync(path)) return { file, status: 'missing' };
      if (statSync(path).size !== entry.bytes) return { file, status: 'mismatch' };
      return { file, status: (await fileSha256(path)) === entry.sha256 ? 'ok' : 'mismatch' };
    }),
  );
}

/** Throws a clear error unless every listed file is present and matches its checksum. */
export async function verifyBundle(bundle: BundleInfo): Promise<void> {
  const bad = (await checkBundleFiles(bundle)).filter((c) => c.status !== 'ok');
  if (bad.length > 0) {
    const first = bad[0]!;
    throw new AgxError(
      'checksum_mismatch',
      `model bundle ${bundle.manifest.name}: ${first.file} is ${first.status === 'missing' ? 'missing' : 'corrupt or modified (sha256 does not match manifest.json)'}` +
        (bad.length > 1 ? ` (and ${bad.length - 1} more file(s))` : ''),
    );
  }
  const graphs = bundle.manifest.graphs;
  const needed = [
    graphs.textEncoder,
    graphs.lmStep,
    graphs.lmProbe,
    graphs.codecEncoder,
    graphs.codecDecoder,
    ...(graphs.classifier === undefined ? [] : [graphs.classifier]),
    graphs.tokenizer,
    ...[...graphs.lmExplain, ...graphs.explainerStep, ...graphs.lmGradcam, ...graphs.lmChefer].map((b) => b.file),
  ];
  const unlisted = needed.find((f) => !(f in bundle.manifest.files));
  if (unlisted !== undefined)
    throw new AgxError('bad_model', `model bundle ${bundle.manifest.name}: ${unlisted} is not listed in manifest.json files`);
}
