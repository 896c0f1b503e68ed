// What every agx command shares: the Command shape, common options, model and audio loading.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { AgxError } from '../common/errors.js';
import { toModelAudio } from '../engine/audio/load.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import type { Manifest } from '../engine/manifest.js';
import { Model } from '../engine/model.js';
import { parseDevice } from '../engine/onnx/providers.js';
import { numberOption, type OptionSpec } from './args.js';

/** Options every command takes. */
export const COMMON: Record<string, OptionSpec> = {
  model: { type: 'string', help: 'bundle name or folder (default: the embedded tiny-foley; AGX_MODELS_DIR adds folders)' },
  threads: { type: 'string', help: "onnxruntime intra-op threads of every graph (default: all cores; a small model's lm_step one)" },
  device: {
    type: 'string',
    help: 'where the graphs run: auto, cpu, cuda, dml, coreml or webgpu (default auto: the GPU if one starts, else cpu with a note)',
  },
  json: { type: 'boolean', help: 'print the result as JSON on stdout' },
  help: { type: 'boolean', help: 'show this help' },
};

/** One agx command: help texts, its own options and run(). */
export interface Command {
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<unknown>;
}

/** Loads the bundle named by --model (default: the embedded one) with --threads and --device. */
export async function openModel(values: Record<string, string | boolean | undefined>): Promise<Model> {
  return Model.load(typeof values.model === 'string' ? values.model : undefined, sessionOptions(values));
}

/** --threads and --device as session settings (the model's, or a judge bundle's). */
export function sessionOptions(values: Record<string, string | boolean | undefined>): NonNullable<Parameters<typeof Model.load>[1]> {
  const threads = numberOption(values, 'threads', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 256, 'a whole number of threads');
  return { threads, provider: parseDevice(values.device), onProviderNote: printProviderNote };
}

/** auto's fallback reason, one line on stderr (stdout stays the result). */
export function printProviderNote(note: string): void {
  process.stderr.write(`agx: ${note}\n`);
}

/** Reads a WAV, FLAC, MP3, Ogg Vorbis/Opus or AIFF file as mono at the model's rate (whatever the file's); a longer file than maxDurationSec is refused from its header. */
export async function readAudioFile(path: string, sampleRate: number, maxDurationSec?: number): Promise<Float32Array> {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    bytes = readFileSync(path);
  } catch {
    throw new AgxError('io_error', `cannot read audio file ${path}`);
  }
  try {
    return await toModelAudio(bytes, sampleRate, { maxDurationSec });
  } catch (err) {
    throw new AgxError('bad_audio', `${basename(path)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Writes a user's output file atomically (temp file, fsync, rename), creating its folder; failures are one clear io_error and leave any old file intact. */
export function writeFileSafely(path: string, data: Uint8Array): void {
  writeFileAtomic(path, data, { createFolder: true });
}

/** Rounds for display and JSON. */
export function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** --seed: an unsigned 32-bit integer (default 0). */
export function seedOption(values: Record<string, string | boolean | undefined>): number {
  return numberOption(values, 'seed', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer from 0 to 4294967295');
}

/** --duration: seconds, more than 0 and at most the bundle's maximum (default: the maximum). */
export function durationOption(values: Record<string, string | boolean | undefined>, manifest: Manifest): number {
  const max = manifest.maxDurationSec;
  return numberOption(values, 'duration', max, (n) => n > 0 && n <= max, `more than 0 and at most ${max}`);
}

/** --format: a WAV sample format or flac (default: flac for an --out ending .flac, else pcm16). */
export function wavFormatOption(
  values: Record<string, string | boolean | undefined>,
  out?: string,
): 'pcm16' | 'pcm24' | 'float32' | 'flac' {
  const format = values.format ?? (out?.toLowerCase().endsWith('.flac') ? 'flac' : 'pcm16');
  if (format !== 'pcm16' && format !== 'pcm24' && format !== 'float32' && format !== 'flac')
    throw new AgxError('bad_argument', '--format must be pcm16, pcm24, float32 or flac');
  return format;
}
