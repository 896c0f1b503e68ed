import { FORMAT_FLOAT, readWavHeader } from '../../common/audio-header.js';

// The header reader and limits live in electron/common (the import dialog reads headers with the same code).
export {
  AudioFormatError,
  checkStreamFormat,
  MAX_CHANNELS,
  MAX_SAMPLE_RATE,
  MIN_SAMPLE_RATE,
  readWavHeader,
  type WavHeader,
} from '../../common/audio-header.js';
// The encoder too: the import dialog writes a picked span of a compressed file as a WAV with it.
export { encodeWav } from '../../common/wav-encode.js';

/** Audio decoded to planar floats: one Float32Array per channel, all the same length, values in [-1, 1]. */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** Decodes a RIFF/WAVE file (PCM 8/16/24/32-bit, float 32/64-bit, plain or WAVE_FORMAT_EXTENSIBLE); throws AudioFormatError for anything else. */
export function decodeWav(bytes: Uint8Array): DecodedAudio {
  const header = readWavHeader(bytes);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const { dataStart, frames } = header;
  const nch = header.channels;
  const bytesPerSample = header.bitsPerSample / 8;
  const frameBytes = nch * bytesPerSample;
  const channels: Float32Array[] = [];
  for (let c = 0; c < nch; c++) channels.push(new Float32Array(frames));

  // DataView reads are as fast as typed-array views in current V8, and need no alignment or endianness care.
  const bits = header.bitsPerSample;
  const isFloat = header.tag === FORMAT_FLOAT;
  for (let c = 0; c < nch; c++) {
    const out = channels[c]!;
    let p = dataStart + c * bytesPerSample;
    if (isFloat) {
      for (let i = 0; i < frames; i++, p += frameBytes) {
        const v = bits === 64 ? view.getFloat64(p, true) : view.getFloat32(p, true);
        // Keep the [-1, 1] contract even for hot float files; NaN becomes silence.
        out[i] = v > 1 ? 1 : v < -1 ? -1 : v === v ? v : 0;
      }
    } else if (bits === 8) {
      for (let i = 0; i < frames; i++, p += frameBytes) out[i] = (bytes[p]! - 128) / 128;
    } else if (bits === 16) {
      for (let i = 0; i < frames; i++, p += frameBytes) out[i] = view.getInt16(p, true) / 32768;
    } else if (bits === 24) {
      for (let i = 0; i < frames; i++, p += frameBytes) {
        const v = bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16);
        out[i] = ((v << 8) >> 8) / 8388608;
      }
    } else {
      for (let i = 0; i < frames; i++, p += frameBytes) out[i] = view.getInt32(p, true) / 2147483648;
    }
  }
  return { sampleRate: header.sampleRate, channels };
}

/** Averages all channels into one; returns an empty array for audio without channels. */
export function toMono(audio: DecodedAudio): Float32Array {
  const chans = audio.channels;
  if (chans.length === 0) return new Float32Array(0);
  // Channels should match in length; if not, only the common part is averaged.
  let n = Infinity;
  for (const ch of chans) n = Math.min(n, ch.length);
  const out = new Float32Array(n);
  if (chans.length === 1) {
    out.set(chans[0]!.subarray(0, n));
    return out;
  }
  const nch = chans.length;
  const inv = 1 / nch;
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (let c = 0; c < nch; c++) sum += chans[c]![i]!;
    out[i] = sum * inv;
  }
  return out;
}
