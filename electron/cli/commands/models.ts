import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { AgxError } from '../../common/errors.js';
import { bundleMethods, checkBundleFiles, embeddedModelsDir, listBundles, type Manifest } from '../../engine/manifest.js';
import { judgeManifestIn } from '../../engine/judge.js';
import { deviceReport } from '../../engine/onnx/device-report.js';
import { type Device, parseDevice } from '../../engine/onnx/providers.js';
import type { Command } from '../command.js';

/**
 * What a bundle needs in memory, from the manifest's file sizes: generation opens the text encoder,
 * lm_step and the codec decoder, and maps each shared weight file once; AudioGenX holds its
 * generator weights and their two Adam moments (three steps x hiddenSize x hidden fp32 tensors of
 * the widest bucket) on top, and the engine feeds and receives them each epoch.
 */
export function memoryNeed(m: Manifest): { generateBytes: number; audiogenxStateBytes: number } {
  const g = m.graphs;
  const files = new Set([g.textEncoder, g.lmStep, g.codecDecoder, ...Object.keys(m.files).filter((f) => f.endsWith('_weights.bin'))]);
  const generateBytes = [...files].reduce((sum, f) => sum + (m.files[f]?.bytes ?? 0), 0);
  const state = g.explainerStep.map((b) => 3 * b.steps * m.hiddenSize * b.hidden * 4);
  return { generateBytes, audiogenxStateBytes: Math.max(0, ...state) };
}

/** The converter is Python (Debian's PyTorch and onnx); AGX_PYTHON names another interpreter. */
function pythonPath(): string {
  return process.env.AGX_PYTHON ?? '/usr/bin/python3';
}

async function listModels(device: Device): Promise<unknown> {
  let firstGraph: string | undefined;
  const out = [];
  for (const b of listBundles()) {
    if (b.manifest === undefined) {
      // a converted judge (agx models convert --judge) sits beside the model bundles: listed as what it is
      const judge = judgeManifestIn(b.dir);
      if (judge !== undefined) {
        const bad = (await checkBundleFiles({ dir: b.dir, manifest: judge })).filter((c) => c.status !== 'ok');
        out.push({
          name: judge.name,
          version: judge.version,
          kind: 'judge',
          architecture: judge.architecture,
          classes: judge.labels.length,
          sampleRate: judge.sampleRate,
          licence: judge.licence,
          dir: b.dir,
          bytes: Object.values(judge.files).reduce((sum, f) => sum + f.bytes, 0),
          status: bad.length === 0 ? 'ok' : 'checksum mismatch',
          problems: bad,
        });
        continue;
      }
      out.push({ name: basename(b.dir), dir: b.dir, status: 'invalid', error: b.error });
      continue;
    }
    const checks = await checkBundleFiles({ dir: b.dir, manifest: b.manifest });
    const bad = checks.filter((c) => c.status !== 'ok');
    if (bad.length === 0) firstGraph ??= join(b.dir, b.manifest.graphs.textEncoder);
    const bytes = Object.values(b.manifest.files).reduce((s, f) => s + f.bytes, 0);
    out.push({
      name: b.manifest.name,
      version: b.manifest.version,
      licence: b.manifest.licence,
      dir: b.dir,
      bytes,
      memory: memoryNeed(b.manifest),
      methods: bundleMethods(b.manifest),
      judge: b.manifest.graphs.classifier !== undefined,
      status: bad.length === 0 ? 'ok' : 'checksum mismatch',
      problems: bad,
    });
  }
  return { models: out, device: await deviceReport(device, firstGraph) };
}

/**
 * `agx models convert SRC... --out DIR`: runs native-models/convert (python3 -m agx_convert convert).
 * Its progress lines go to our stderr as they come; its other output (PyTorch's tracer warnings) is kept
 * and shown only when it fails in a way it did not report itself.
 */
export async function convertModels(
  sources: string[],
  out: string,
  checkOnly: boolean,
  judge?: { arch: string; labels: string },
): Promise<unknown> {
  if (sources.length === 0) throw new AgxError('bad_argument', 'agx models convert: name the downloaded files or folders (SRC...)');
  if (judge !== undefined && (sources.length !== 1 || checkOnly))
    throw new AgxError(
      'bad_argument',
      'agx models convert --judge: give exactly one checkpoint (e.g. Cnn14_mAP=0.431.pth), with --labels and --out',
    );
  const converter = join(embeddedModelsDir(), 'convert');
  if (!existsSync(join(converter, 'agx_convert', '__main__.py')))
    throw new AgxError('not_found', `the converter is not installed here (${converter}); run it from a clone of the repository`);
  const python = pythonPath();
  // `npm run model:convert` runs in the package folder; the paths the user typed are relative to where they typed them
  const base = process.env.npm_lifecycle_event === 'model:convert' ? (process.env.INIT_CWD ?? '.') : '.';
  const args = judge
    ? ['-m', 'agx_convert', 'judge', resolve(base, sources[0]!), '--arch', judge.arch, '--labels', resolve(base, judge.labels)]
    : ['-m', 'agx_convert', 'convert', ...sources.map((s) => resolve(base, s))];
  args.push('--out', resolve(base, out));
  if (checkOnly) args.push('--check-only');
  return new Promise((done, fail) => {
    const child = spawn(python, args, {
      cwd: converter,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        PYTHONUNBUFFERED: '1',
        PYTHONDONTWRITEBYTECODE: '1',
        OPENBLAS_NUM_THREADS: process.env.OPENBLAS_NUM_THREADS ?? '1',
      },
    });
    let stdout = '';
    let pending = '';
    const other: string[] = [];
    const errors: string[] = [];
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      const lines = (pending + chunk).split('\n');
      pending = lines.pop()!;
      for (const line of lines) {
        if (line.startsWith('agx-convert ')) process.stderr.write(`${line}\n`);
        else if (line.startsWith('agx_convert: ') || errors.length > 0) errors.push(line);
        else other.push(line);
      }
    });
    child.on('error', (err: NodeJS.ErrnoException) => {
      fail(
        err.code === 'ENOENT'
          ? new AgxError(
              'not_found',
              `${python} not found: the converter needs Python 3 with Debian's python3-torch (set AGX_PYTHON to use another)`,
            )
          : new AgxError('internal', `cannot run ${python}: ${err.message}`, false),
      );
    });
    child.on('close', (code, signal) => {
      if (pending !== '') (errors.length > 0 || pending.startsWith('agx_convert: ') ? errors : other).push(pending);
      const message = errors
        .join('\n')
        .replace(/^agx_convert: (error|not implemented): /, '')
        .trim();
      if (code === 0) {
        try {
          done(JSON.parse(stdout));
        } catch {
          fail(new AgxError('internal', 'the converter finished but printed no result', false));
        }
      } else if (code === 1) fail(new AgxError('bad_model', message));
      else if (code === 3) fail(new AgxError('not_found', message.replace(/^agx_convert: /, '')));
      else if (code === 4) fail(new AgxError('bad_model', message));
      else {
        const tail = other.filter((l) => l.trim() !== '').slice(-5);
        const why = signal !== null ? `was stopped by ${signal}` : `failed (exit ${code})`;
        fail(new AgxError('internal', `the converter ${why}${tail.length > 0 ? `:\n${tail.join('\n')}` : ''}`, false));
      }
    });
  });
}

export const modelsCommand: Command = {
  summary: 'list the model bundles found (sizes, checksum status); convert downloaded AudioGen/MusicGen files or an AudioSet judge',
  usage:
    'agx models [--json]\n       agx models convert SRC... --out DIR [--check-only] [--json]   (docs/convert.md)\n       agx models convert --judge cnn14 CKPT --labels class_labels_indices.csv --out DIR [--json]',
  options: {
    judge: {
      type: 'string',
      help: 'convert: CKPT is an AudioSet classifier of this architecture (cnn14: PANNs CNN14), for --judge in evaluate and classify',
    },
    labels: { type: 'string', help: "convert --judge: AudioSet's class_labels_indices.csv (index, mid, display_name)" },
    out: { type: 'string', help: 'convert: the bundle folder to write (a rerun after a kill resumes there)' },
    'check-only': { type: 'boolean', help: 'convert: detect and check the sources, write no bundle' },
  },
  async run(values, positionals) {
    const [sub, ...rest] = positionals;
    if (sub === undefined) {
      if (values.out !== undefined || values['check-only'] !== undefined || values.judge !== undefined || values.labels !== undefined)
        throw new AgxError('bad_argument', 'agx models: --out, --check-only, --judge and --labels belong to agx models convert');
      return listModels(parseDevice(values.device));
    }
    if (sub !== 'convert') throw new AgxError('bad_argument', `agx models: unknown subcommand "${sub}"; subcommands: convert`);
    if (typeof values.out !== 'string' || values.out === '')
      throw new AgxError('bad_argument', 'agx models convert: --out DIR is required');
    if (typeof values.judge === 'string') {
      if (typeof values.labels !== 'string' || values.labels === '')
        throw new AgxError(
          'bad_argument',
          "agx models convert --judge: --labels class_labels_indices.csv is required (AudioSet's class list)",
        );
      return convertModels(rest, values.out, values['check-only'] === true, { arch: values.judge, labels: values.labels });
    }
    if (values.labels !== undefined) throw new AgxError('bad_argument', 'agx models convert: --labels belongs to --judge');
    return convertModels(rest, values.out, values['check-only'] === true);
  },
};
