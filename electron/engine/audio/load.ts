import { resample } from './resample.js';
import { decodeWav, toMono } from './wav.js';

/** Any WAV's bytes as mono at the model's sample rate (what every model-facing path wants). */
export function wavToModelAudio(bytes: Uint8Array, sampleRate: number): Float32Array {
  const audio = decodeWav(bytes);
  return resample(toMono(audio), audio.sampleRate, sampleRate);
}
