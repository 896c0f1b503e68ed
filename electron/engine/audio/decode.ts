// One entry point for every audio format a designer's library holds: WAV, FLAC, MP3, Ogg Vorbis/Opus
// and AIFF. The format comes from the bytes (never the file name); its header is read and checked with
// the same limits as a WAV's (wav.ts) before a sample is decoded; the WASM decoders (@audio/decode-*)
// are then fed in chunks, so work stops at the caller's maximum duration and at a cancel.
import { throwIfAborted } from '../../common/errors.js';
import {
  AUDIO_FORMAT_LABEL as LABEL,
  AudioFormatError,
  readAudioHeader,
  tooLongMessage,
  type AudioFormat,
} from '../../common/audio-header.js';
import { decodeWav, type DecodedAudio } from './wav.js';

// Sniffing and header reading live in electron/common (the import dialog reads headers with the same code).
export { readAudioHeader, sniffFormat, tooLongMessage, type AudioFormat, type AudioHeader } from '../../common/audio-header.js';

export interface DecodeOptions {
  /** Stop decoding, with bad_audio, once more than this many seconds came out (formats whose header gives no length). */
  maxDurationSec?: number | undefined;
  /** Stops the work with AgxError 'cancelled' between chunks. */
  signal?: AbortSignal | undefined;
}

/** Bytes fed to a decoder at a time: small enough to stop soon after the maximum, large enough to cost nothing. */
const CHUNK = 64 * 1024;

interface ChunkDecoder {
  decode(data: Uint8Array): { channelData: Float32Array[]; sampleRate: number };
  flush?(): { channelData: Float32Array[]; sampleRate: number };
  free(): void;
}

/** The WASM/JS decoder for a format, loaded on first use (each brings its own WASM). */
async function decoderFor(format: Exclude<AudioFormat, 'wav'>): Promise<ChunkDecoder> {
  switch (format) {
    case 'flac':
      return (await import('@audio/decode-flac')).decoder();
    case 'mp3':
      return (await import('@audio/decode-mp3')).decoder();
    case 'vorbis':
      return (await import('@audio/decode-vorbis')).decoder();
    case 'opus':
      return (await import('@audio/decode-opus')).decoder();
    case 'aiff':
      return (await import('@audio/decode-aiff')).decoder();
  }
}

/**
 * Decodes any supported file to planar floats at its own rate. The header is checked first
 * (readAudioHeader); a decode that runs past options.maxDurationSec stops there with bad_audio; a file
 * whose header declares more samples than decode is reported as cut short. Every failure is one line.
 */
export async function decodeAudio(bytes: Uint8Array, options: DecodeOptions = {}): Promise<DecodedAudio> {
  const header = readAudioHeader(bytes);
  const label = LABEL[header.format];
  const max = options.maxDurationSec;
  if (max !== undefined && header.durationSec !== undefined && header.durationSec > max + 1 / header.sampleRate) {
    throw new AudioFormatError(tooLongMessage(header.durationSec, max, true));
  }
  throwIfAborted(options.signal);
  if (header.format === 'wav') return decodeWav(bytes);

  const limit = max === undefined ? Infinity : Math.ceil(max * header.sampleRate) + 1;
  const parts: Float32Array[][] = [];
  let frames = 0;
  let rate = 0;
  const take = (r: { channelData: Float32Array[]; sampleRate: number }): void => {
    const n = r.channelData[0]?.length ?? 0;
    if (n === 0) return;
    rate = r.sampleRate;
    // MP3 decoders upmix mono to two identical channels; the header's count is the file's.
    parts.push(r.channelData.slice(0, header.channels));
    frames += n;
  };
  const dec = await decoderFor(header.format);
  try {
    for (let at = 0; at < bytes.length; at += CHUNK) {
      throwIfAborted(options.signal);
      take(dec.decode(bytes.slice(at, at + CHUNK)));
      if (frames > limit) throw new AudioFormatError(tooLongMessage(frames / header.sampleRate, max!, false));
    }
    if (dec.flush) take(dec.flush());
  } catch (err) {
    if (err instanceof Error && 'code' in err) throw err;
    // The decoders' own messages name their internals; one line saying which file kind failed is what a person can act on.
    throw new AudioFormatError(`${label} file could not be decoded (${oneLine(err)})`);
  } finally {
    dec.free();
  }
  if (frames === 0) throw new AudioFormatError(`${label} file holds no audio that decodes (cut short or damaged)`);
  if (rate !== header.sampleRate)
    throw new AudioFormatError(`${label} file decodes at ${rate} Hz but its header declares ${header.sampleRate} Hz`);
  if (header.frames !== undefined && frames < header.frames) {
    throw new AudioFormatError(
      `${label} file is cut short: its header declares ${(header.frames / rate).toFixed(2)} s, only ${(frames / rate).toFixed(2)} s decode`,
    );
  }
  if (max !== undefined && frames > limit) throw new AudioFormatError(tooLongMessage(frames / rate, max, true));
  const n = header.frames ?? frames;
  const channels = Array.from({ length: header.channels }, (_, c) => {
    const out = new Float32Array(n);
    let p = 0;
    for (const part of parts) {
      const src = part[c] ?? part[0]!;
      if (p >= n) break;
      out.set(src.subarray(0, n - p), p);
      p += src.length;
    }
    if (header.bitsPerSample !== undefined) {
      // Back to the integers, then the scale decodeWav uses (k / 2^(bits-1)), so a FLAC reads exactly as the WAV it was made from.
      const full = 2 ** (header.bitsPerSample - 1);
      for (let i = 0; i < n; i++) out[i] = Math.round(out[i]! * (full - 1)) / full;
    }
    return out;
  });
  return { sampleRate: rate, channels };
}

function oneLine(err: unknown): string {
  const s = err instanceof Error ? err.message : String(err);
  return s.split('\n')[0]!.slice(0, 200);
}
