// One way to write a take to a file, whatever the format the user chose.
import { encodeFlac } from './flac.js';
import { encodeWav } from './wav.js';

/** WAV sample formats, or FLAC (24-bit: lossless for the model's float audio down to -144 dB). */
export type AudioFileFormat = 'pcm16' | 'pcm24' | 'float32' | 'flac';

export async function encodeAudioFile(
  samples: Float32Array | Float32Array[],
  sampleRate: number,
  format: AudioFileFormat,
): Promise<Uint8Array> {
  if (format === 'flac') return encodeFlac(Array.isArray(samples) ? samples : [samples], sampleRate, 24);
  return encodeWav(samples, sampleRate, format);
}

/** File extension and MIME type of a format. */
export function audioFileKind(format: AudioFileFormat): { ext: string; mimeType: string } {
  return format === 'flac' ? { ext: '.flac', mimeType: 'audio/flac' } : { ext: '.wav', mimeType: 'audio/wav' };
}
