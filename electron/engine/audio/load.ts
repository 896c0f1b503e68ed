import { AgxError } from '../../common/errors.js';
import { resample, resampledLength, type ResampleOptions } from './resample.js';
import { decodeWav, readWavHeader, toMono } from './wav.js';

/** How much audio a caller can use, and how to follow or stop the work. */
export interface ModelAudioOptions extends ResampleOptions {
  /** Longest clip the caller can use (the model's maxDurationSec); longer files are refused from their header, before decoding. */
  maxDurationSec?: number | undefined;
}

/**
 * Any WAV's bytes as mono at the model's sample rate (what every model-facing path wants). The header
 * is checked first (wav.ts readWavHeader, plus maxDurationSec), so work is bounded by the bytes the
 * file holds and the length the caller can use, never by what a header claims.
 */
export function wavToModelAudio(bytes: Uint8Array, sampleRate: number, options: ModelAudioOptions = {}): Float32Array {
  const header = readWavHeader(bytes);
  const max = options.maxDurationSec;
  // The same bound the engine held the decoded audio to before: one sample of slack for rounding.
  if (max !== undefined && resampledLength(header.frames, header.sampleRate, sampleRate) > Math.round(max * sampleRate) + 1) {
    throw new AgxError('bad_audio', `the clip is ${header.durationSec.toFixed(1)} s long; this model explains at most ${max} s`);
  }
  const audio = decodeWav(bytes);
  return resample(toMono(audio), audio.sampleRate, sampleRate, options);
}
