// Region regeneration ("inpainting"): replace only [S, E) of a clip. The LM continues from the clip's
// own codes before S (generateCodes' prefix, forced across the delay pattern), several candidates are
// drawn in one batch, and the one whose continuation past E best matches the clip's codes there in
// the codec's space is kept. The result is decoded once as a whole code sequence (Griffin-Lim needs
// context) and spliced into the ORIGINAL samples with equal-power crossfades, so every sample outside
// [S - fade, E + fade] is the original's (docs/decisions.md, "Replacing a region").
import { existsSync, openSync, readSync, closeSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_VARIATIONS, type TimeSpan, type TokenWeight } from '../common/domain.js';
import { AgxError, throwIfAborted } from '../common/errors.js';
import { checkRegions } from '../common/regions.js';
import { generateCodes } from './generate.js';
import type { Model } from './model.js';
import type { SamplingParams } from './sampling.js';
import type { PromptToken } from './tokenizer.js';

/** Candidates drawn per region when the caller does not say (seeds seed .. seed + 7; docs/decisions.md, "Replacing a region"). */
export const INPAINT_CANDIDATES = 8;
/** Seconds after E on which candidates are scored: 3 codec frames at tiny-foley's 25 Hz, 6 at AudioGen's 50 Hz. */
export const SEAM_SEC = 0.12;

/**
 * Samples of each equal-power crossfade: one codec frame, the shortest span the decoder's output can
 * change over (40 ms at 25 Hz, 20 ms at 50 Hz).
 */
export function inpaintFade(m: { sampleRate: number; frameRate: number }): number {
  return Math.round(m.sampleRate / m.frameRate);
}

/** Codec frames after E on which candidates are scored (SEAM_SEC at the model's frame rate, at least one). */
export function seamFrames(frameRate: number): number {
  return Math.max(1, Math.round(SEAM_SEC * frameRate));
}

/** What replacing regions of a clip needs. */
export interface InpaintRequest {
  prompt: string;
  /** Candidate c of every region uses seed + c. */
  seed: number;
  /** The original clip at the model's sample rate; samples outside the regions (and fades) are copied from it. */
  audio: Float32Array;
  /** The clip's codes [K * frames] codebook-major, covering at least audio.length samples. */
  codes: Int32Array;
  frames: number;
  /** Spans to replace (checked: inside the clip, start < end, no overlap). */
  regions: TimeSpan[];
  weights?: TokenWeight[];
  sampling?: Partial<SamplingParams>;
  /** Candidates per region (1..MAX_VARIATIONS, default INPAINT_CANDIDATES). */
  candidates?: number;
  signal?: AbortSignal;
  /** Fraction of the whole job done. */
  onProgress?: (fraction: number) => void;
}

/** How one region's seam was chosen. */
export interface SeamChoice {
  region: TimeSpan;
  /** Seed of each candidate. */
  seeds: number[];
  /** Each candidate's distance to the original after E (mean squared codebook-entry difference; 0 when the region ends the clip). */
  distances: number[];
  /** The seed kept. */
  chosenSeed: number;
}

/** A clip with its regions replaced. */
export interface InpaintResult {
  tokens: PromptToken[];
  /** The original's codes with each region's frames replaced. */
  codes: Int32Array;
  frames: number;
  /** Same length as the request's audio. */
  audio: Float32Array;
  sampling: SamplingParams;
  fadeSec: number;
  seams: SeamChoice[];
}

/** Encodes any model-rate clip for inpainting: zero-padded to whole codec frames so the codes cover every sample. */
export async function encodeForInpaint(model: Model, audio: Float32Array): Promise<{ codes: Int32Array; frames: number }> {
  const hop = model.manifest.sampleRate / model.manifest.frameRate;
  const padded = new Float32Array(Math.max(1, Math.ceil(audio.length / hop)) * hop);
  padded.set(audio);
  return model.encodeAudio(padded);
}

/**
 * The codec's codebook entries [K][card * dim] (log-mel patches), from the bundle's weight index; null
 * when the bundle does not expose them (a converted bundle keeps EnCodec's codebooks inside its graphs).
 */
const codebookCache = new WeakMap<Model, Float32Array[] | null>();
function codebooks(model: Model): Float32Array[] | null {
  if (codebookCache.has(model)) return codebookCache.get(model)!;
  let result: Float32Array[] | null = null;
  const indexPath = join(model.bundle.dir, 'codec_weights.index.json');
  if (existsSync(indexPath)) {
    const index = JSON.parse(readFileSync(indexPath, 'utf8')) as {
      file: string;
      tensors: { offset: number; bytes: number; dtype: string; shape: number[]; names: string[] }[];
    };
    const t = index.tensors.find((x) => x.names.includes('codec.codebooks'));
    const { codebooks: K, cardinality } = model.manifest;
    if (t !== undefined && t.dtype === 'float32' && t.shape.length === 3 && t.shape[0] === K && t.shape[1] === cardinality) {
      const buf = Buffer.alloc(t.bytes);
      const fd = openSync(join(model.bundle.dir, index.file), 'r');
      try {
        readSync(fd, buf, 0, t.bytes, t.offset);
      } finally {
        closeSync(fd);
      }
      const all = new Float32Array(buf.buffer, buf.byteOffset, t.bytes / 4);
      const per = cardinality * t.shape[2]!;
      result = Array.from({ length: K }, (_, k) => all.slice(k * per, (k + 1) * per));
    }
  }
  codebookCache.set(model, result);
  return result;
}

/**
 * Distance in the codec's space between codes a [K * aFrames] and b [K * bFrames] over frames
 * [from, from + n): the mean squared difference of their codebook entries (log-mel patch values);
 * without entries, the fraction of codes that differ.
 */
function codecDistance(model: Model, a: Int32Array, aFrames: number, b: Int32Array, bFrames: number, from: number, n: number): number {
  if (n <= 0) return 0;
  const K = model.manifest.codebooks;
  const books = codebooks(model);
  let sum = 0;
  let count = 0;
  for (let k = 0; k < K; k++) {
    for (let f = from; f < from + n; f++) {
      const ca = a[k * aFrames + f]!;
      const cb = b[k * bFrames + f]!;
      if (books === null) {
        sum += ca === cb ? 0 : 1;
        count += 1;
        continue;
      }
      const dim = books[k]!.length / model.manifest.cardinality;
      for (let d = 0; d < dim; d++) {
        const diff = books[k]![ca * dim + d]! - books[k]![cb * dim + d]!;
        sum += diff * diff;
      }
      count += dim;
    }
  }
  return sum / count;
}

/** Frames [0, n) of codes [K * frames], codebook-major. */
function firstFrames(codes: Int32Array, frames: number, K: number, n: number): Int32Array {
  const out = new Int32Array(K * n);
  for (let k = 0; k < K; k++) out.set(codes.subarray(k * frames, k * frames + n), k * n);
  return out;
}

/** Replaces the regions of a clip; see the file comment. */
export async function inpaint(model: Model, req: InpaintRequest): Promise<InpaintResult> {
  const m = model.manifest;
  const K = m.codebooks;
  const hop = m.sampleRate / m.frameRate;
  const { audio } = req;
  if (req.codes.length !== K * req.frames) throw new AgxError('bad_argument', "the clip's codes must be whole frames of every codebook");
  // An imported clip's codes stop at its last whole frame; re-encoded padded, they cover every sample.
  const given = req.frames * hop >= audio.length ? { codes: req.codes, frames: req.frames } : await encodeForInpaint(model, audio);
  const { frames } = given;
  const regions = checkRegions(req.regions, audio.length / m.sampleRate);
  const N = req.candidates ?? INPAINT_CANDIDATES;
  if (!Number.isInteger(N) || N < 1 || N > MAX_VARIATIONS)
    throw new AgxError('bad_argument', `candidates must be an integer from 1 to ${MAX_VARIATIONS}`);

  const codes = Int32Array.from(given.codes);
  const seams: SeamChoice[] = [];
  let tokens: PromptToken[] = [];
  let sampling: SamplingParams = { ...m.generation, ...req.sampling };
  const spans = regions.map((r) => {
    const s0 = Math.round(r.startSec * m.sampleRate);
    const e0 = Math.min(audio.length, Math.round(r.endSec * m.sampleRate));
    return { region: r, s0, e0, sF: Math.floor(s0 / hop), eF: Math.min(frames, Math.ceil(e0 / hop)) };
  });
  // Regions go left to right, each continuing from the codes as the earlier ones left them.
  for (const [i, { region, sF, eF }] of spans.entries()) {
    const look = Math.min(seamFrames(m.frameRate), frames - eF);
    const genFrames = eF + look;
    const gen = await generateCodes(model, {
      prompt: req.prompt,
      seed: req.seed,
      durationSec: genFrames / m.frameRate,
      variations: N,
      ...(req.weights ? { weights: req.weights } : {}),
      sampling,
      prefix: { codes: firstFrames(codes, frames, K, sF), frames: sF },
      ...(req.signal ? { signal: req.signal } : {}),
      // Decoding at the end is about a tenth of the work.
      onProgress: (s, n) => req.onProgress?.((0.9 * (i + s / n)) / spans.length),
    });
    tokens = gen.tokens;
    sampling = gen.sampling;
    // The candidate whose own continuation past E lands nearest the clip's frames there joins the tail best.
    const distances = gen.codes.map((c) => codecDistance(model, c, genFrames, codes, frames, eF, look));
    const best = distances.reduce((b, d, v) => (d < distances[b]! ? v : b), 0);
    const chosen = gen.codes[best]!;
    for (let k = 0; k < K; k++) codes.set(chosen.subarray(k * genFrames + sF, k * genFrames + eF), k * frames + sF);
    seams.push({ region, seeds: distances.map((_, v) => (req.seed + v) >>> 0), distances, chosenSeed: (req.seed + best) >>> 0 });
  }
  throwIfAborted(req.signal);
  const [decoded] = await model.decode([codes], frames);
  const out = Float32Array.from(audio);
  const fade = inpaintFade(m);
  // Regions closer than two fades are spliced as one span: crossfading the decoded audio with itself
  // would lift the gap by up to 3 dB, and every sample between them lies inside a fade anyway.
  const joined: { s0: number; e0: number }[] = [];
  for (const { s0, e0 } of spans) {
    const last = joined.at(-1);
    if (last !== undefined && s0 - last.e0 < 2 * fade) last.e0 = e0;
    else joined.push({ s0, e0 });
  }
  for (const { s0, e0 } of joined) spliceRegion(out, decoded!, s0, e0, fade);
  req.onProgress?.(1);
  return { tokens, codes, frames, audio: out, sampling, fadeSec: fade / m.sampleRate, seams };
}

/**
 * Writes fresh[s0, e0) into out, with equal-power crossfades (cos/sin, so power stays constant for
 * uncorrelated signals) over [s0 - fade, s0) and [e0, e0 + fade), shortened at the clip's ends.
 * Nothing outside [s0 - fade, e0 + fade) is touched.
 */
export function spliceRegion(out: Float32Array, fresh: Float32Array, s0: number, e0: number, fade: number): void {
  const fadeIn = Math.min(fade, s0);
  const fadeOut = Math.min(fade, out.length - e0);
  for (let j = 0; j < fadeIn; j++) {
    const i = s0 - fadeIn + j;
    const t = ((j + 0.5) / fadeIn) * (Math.PI / 2);
    out[i] = Math.cos(t) * out[i]! + Math.sin(t) * fresh[i]!;
  }
  out.set(fresh.subarray(s0, e0), s0);
  for (let j = 0; j < fadeOut; j++) {
    const i = e0 + j;
    const t = ((j + 0.5) / fadeOut) * (Math.PI / 2);
    out[i] = Math.cos(t) * fresh[i]! + Math.sin(t) * out[i]!;
  }
}
