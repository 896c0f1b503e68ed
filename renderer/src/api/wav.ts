// Audio files on the renderer's side: what a file chosen for import holds (read from its header with
// the engine's own readers in electron/common, before anything is sent), its peaks for the span
// picker, a span cut out of it, and a render's samples as a file to save. A WAV is cut on its bytes;
// a compressed file (FLAC, MP3, Ogg) is decoded here with the Web Audio API (an AIFF's PCM read
// directly) and the span written as a WAV, because its bytes cannot be cut.
import {
  AUDIO_FORMAT_LABEL,
  readAudioHeader,
  readWavHeader,
  type AudioHeader,
  type WavHeader,
} from '../../../electron/common/audio-header';
import type { TimeSpan } from '../../../electron/common/domain';
import { encodeWav } from '../../../electron/common/wav-encode';

/** What the import file input and the timeline drop accept (the header, not the name, decides in the end). */
export const IMPORT_ACCEPT = '.wav,.flac,.mp3,.ogg,.opus,.oga,.aif,.aiff,.aifc,audio/*';

/** A file's header as the engine reads it, and for a WAV where its samples lie (to cut it without decoding). */
export interface AudioInfo {
  header: AudioHeader;
  wav: WavHeader | null;
}

/** Reads any supported file's header; throws an Error naming what is wrong when the studio cannot read it. */
export function readAudioInfo(bytes: Uint8Array): AudioInfo {
  const header = readAudioHeader(bytes);
  return { header, wav: header.format === 'wav' ? readWavHeader(bytes) : null };
}

/** Seconds with two decimals below 10 s, one above. */
const secs = (s: number): string => `${s.toFixed(s < 10 ? 2 : 1)} s`;

/**
 * "12.0 s · 44.1 kHz · stereo · 16-bit", "about 3.0 s · 44.1 kHz · mono · MP3": what a designer checks
 * before importing. `decodedSec` is a length measured here by decoding, for formats whose header has none.
 */
export function describeAudio(info: AudioInfo, decodedSec?: number): string {
  const h = info.header;
  const ch = h.channels === 1 ? 'mono' : h.channels === 2 ? 'stereo' : `${h.channels} channels`;
  const w = info.wav;
  const enc =
    w !== null
      ? w.tag === 3
        ? `${w.bitsPerSample}-bit float`
        : `${w.bitsPerSample}-bit`
      : h.bitsPerSample !== undefined
        ? `${AUDIO_FORMAT_LABEL[h.format]} ${h.bitsPerSample}-bit`
        : AUDIO_FORMAT_LABEL[h.format];
  const length =
    h.durationSec !== undefined
      ? secs(h.durationSec)
      : decodedSec !== undefined
        ? secs(decodedSec)
        : h.estimatedSec !== undefined
          ? `about ${secs(h.estimatedSec)}`
          : 'duration after import';
  return `${length} · ${+(h.sampleRate / 1000).toFixed(3)} kHz · ${ch} · ${enc}`;
}

/** Peak level (0..1) in `columns` equal slices of `frames` samples; long clips are sampled (~64 reads a column). */
function peaks(frames: number, columns: number, sample: (frame: number) => number): Float32Array {
  const out = new Float32Array(columns);
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * frames) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * frames) / columns));
    const step = Math.max(1, Math.floor((to - from) / 64));
    let peak = 0;
    for (let f = from; f < to && f < frames; f += step) peak = Math.max(peak, Math.abs(sample(f)));
    out[c] = Math.min(1, peak);
  }
  return out;
}

function sampleAt(v: DataView, w: WavHeader, at: number): number {
  switch (w.bitsPerSample) {
    case 8:
      return (v.getUint8(at) - 128) / 128;
    case 16:
      return v.getInt16(at, true) / 32768;
    case 24:
      return ((v.getUint8(at) | (v.getUint8(at + 1) << 8) | (v.getInt8(at + 2) << 16)) >> 0) / 8388608;
    case 32:
      return w.tag === 3 ? v.getFloat32(at, true) : v.getInt32(at, true) / 2147483648;
    default:
      return v.getFloat64(at, true);
  }
}

const blockAlign = (w: WavHeader): number => (w.channels * w.bitsPerSample) / 8;

/** Peaks of a WAV's first channel, read straight from its bytes (no decode). */
export function wavPeaks(bytes: Uint8Array, w: WavHeader, columns: number): Float32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return peaks(w.frames, columns, (f) => sampleAt(v, w, w.dataStart + f * blockAlign(w)));
}

/** Peaks of decoded samples (the first channel). */
export function samplePeaks(samples: Float32Array, columns: number): Float32Array {
  return peaks(samples.length, columns, (f) => samples[f]!);
}

/** The frames [first, last) of a span: the length rounds down, so a span of the model's maximum never comes out one frame over it. */
function spanFrames(span: TimeSpan, rate: number, frames: number): [number, number] {
  const first = Math.max(0, Math.min(frames, Math.round(span.startSec * rate)));
  return [first, Math.min(frames, first + Math.floor((span.endSec - span.startSec) * rate + 1e-6))];
}

/**
 * The same WAV cut to [startSec, endSec): every chunk before the data is kept byte for byte, the data
 * is sliced on whole sample frames, chunks after it are dropped, and the two sizes are rewritten.
 */
export function cutWav(bytes: Uint8Array, w: WavHeader, span: TimeSpan): Uint8Array {
  const [first, last] = spanFrames(span, w.sampleRate, w.frames);
  const data = bytes.subarray(w.dataStart + first * blockAlign(w), w.dataStart + last * blockAlign(w));
  const out = new Uint8Array(w.dataStart + data.length);
  out.set(bytes.subarray(0, w.dataStart));
  out.set(data, w.dataStart);
  const v = new DataView(out.buffer);
  v.setUint32(w.dataStart - 4, data.length, true);
  v.setUint32(4, out.length - 8, true);
  return out;
}

/** Decoded audio: planar floats at their own rate. */
export interface Samples {
  sampleRate: number;
  channels: Float32Array[];
}

/**
 * A span of decoded samples as a 32-bit float WAV: a compressed file cannot be cut on its bytes, and
 * float keeps every decoded value (a 16-bit FLAC's samples come back exactly).
 */
export function spanWav(audio: Samples, span: TimeSpan): Uint8Array {
  const [first, last] = spanFrames(span, audio.sampleRate, audio.channels[0]?.length ?? 0);
  return encodeWav(
    audio.channels.map((c) => c.subarray(first, last)),
    audio.sampleRate,
    'float32',
  );
}

/**
 * Decodes a compressed file here with the Web Audio API (Chromium reads FLAC, MP3 and Ogg Vorbis/Opus
 * offline), at the rate its header gives, so no resampling happens before the engine's own. Chromium
 * cannot decode AIFF: its samples, plain PCM, are read straight from where the header says they are.
 */
export async function decodeInBrowser(bytes: Uint8Array, header: AudioHeader): Promise<Samples> {
  if (header.pcm !== undefined && header.frames !== undefined)
    return readAiffPcm(bytes, header.pcm, header.channels, header.frames, header.sampleRate);
  const ctx = new OfflineAudioContext(1, 1, header.sampleRate);
  // decodeAudioData detaches the buffer it is given: hand it a copy.
  const buffer = await ctx.decodeAudioData(bytes.slice().buffer);
  return { sampleRate: buffer.sampleRate, channels: Array.from({ length: buffer.numberOfChannels }, (_, c) => buffer.getChannelData(c)) };
}

/** Uncompressed AIFF samples as planar floats, scaled as the engine scales integers (k / 2^(bits-1)). */
export function readAiffPcm(
  bytes: Uint8Array,
  pcm: NonNullable<AudioHeader['pcm']>,
  channels: number,
  frames: number,
  sampleRate: number,
): Samples {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = pcm.bits / 8;
  const le = pcm.encoding === 'int-le';
  const read = (at: number): number => {
    if (pcm.encoding === 'float-be') return pcm.bits === 64 ? v.getFloat64(at) : v.getFloat32(at);
    switch (pcm.bits) {
      case 8:
        return v.getInt8(at) / 128;
      case 16:
        return v.getInt16(at, le) / 32768;
      case 24: {
        const [hi, mid, lo] = le
          ? [v.getInt8(at + 2), v.getUint8(at + 1), v.getUint8(at)]
          : [v.getInt8(at), v.getUint8(at + 1), v.getUint8(at + 2)];
        return ((hi << 16) | (mid << 8) | lo) / 8388608;
      }
      default:
        return v.getInt32(at, le) / 2147483648;
    }
  };
  const out = Array.from({ length: channels }, () => new Float32Array(frames));
  for (let f = 0; f < frames; f++) for (let c = 0; c < channels; c++) out[c]![f] = read(pcm.offset + (f * channels + c) * size);
  return { sampleRate, channels: out };
}

/** Mono float samples as a 32-bit float WAV (a render kept as a file: no rounding of what was heard). */
export function floatWav(samples: Float32Array, sampleRate: number): Uint8Array {
  return encodeWav(samples, sampleRate, 'float32');
}
