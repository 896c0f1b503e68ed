import { resample, resampledLength, type ResampleOptions } from './resample.js';
import { decodeAudio, readAudioHeader, tooLongMessage } from './decode.js';
import { AudioFormatError, toMono } from './wav.js';

/** How much audio a caller can use, and how to follow or stop the work. */
export interface ModelAudioOptions extends ResampleOptions {
  /** Longest clip the caller can use (the model's maxDurationSec); longer files are refused from their header, before decoding, or once decoding passes it. */
  maxDurationSec?: number | undefined;
}

/**
 * Any supported file's bytes (WAV, FLAC, MP3, Ogg Vorbis/Opus, AIFF: decode.ts) as mono at the model's
 * sample rate, what every model-facing path wants. The header is checked first, so work is bounded by
 * the bytes the file holds and the length the caller can use, never by what a header claims.
 */
export async function toModelAudio(bytes: Uint8Array, sampleRate: number, options: ModelAudioOptions = {}): Promise<Float32Array> {
  const header = readAudioHeader(bytes);
  const max = options.maxDurationSec;
  // The same bound the engine held the decoded audio to before: one sample of slack for rounding.
  const tooLong = (frames: number, rate: number): boolean =>
    max !== undefined && resampledLength(frames, rate, sampleRate) > Math.round(max * sampleRate) + 1;
  if (header.frames !== undefined && tooLong(header.frames, header.sampleRate)) {
    throw new AudioFormatError(tooLongMessage(header.frames / header.sampleRate, max!, true));
  }
  const audio = await decodeAudio(bytes, { maxDurationSec: max, signal: options.signal });
  const frames = audio.channels[0]?.length ?? 0;
  if (tooLong(frames, audio.sampleRate)) throw new AudioFormatError(tooLongMessage(frames / audio.sampleRate, max!, true));
  return resample(toMono(audio), audio.sampleRate, sampleRate, options);
}
