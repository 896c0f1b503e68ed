// WAV files on the renderer's side: what a file chosen for import holds (read from its RIFF header,
// before anything is sent), its peaks for the span picker, a span cut out of it with the bytes
// untouched, and a render's samples as a file to save. Pure functions over bytes.
import type { TimeSpan } from '../../../electron/common/domain';

/** What a WAV's header says. */
export interface WavInfo {
  /** 1 integer PCM, 3 IEEE float (WAVE_FORMAT_EXTENSIBLE is resolved to one of these). */
  format: 1 | 3;
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Bytes per sample frame (all channels). */
  blockAlign: number;
  /** Where the sample data starts. */
  dataOffset: number;
  /** Sample data bytes present in the file (the declared size, cut to what the file holds). */
  dataBytes: number;
  /** Sample frames present. */
  frames: number;
  durationSec: number;
}

const ascii = (b: Uint8Array, at: number): string => String.fromCharCode(b[at]!, b[at + 1]!, b[at + 2]!, b[at + 3]!);

/** Reads a WAV's header; throws an Error naming what is wrong when it is not a WAV this studio reads. */
export function readWavHeader(bytes: Uint8Array): WavInfo {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 12 || ascii(bytes, 0) !== 'RIFF' || ascii(bytes, 8) !== 'WAVE') throw new Error('not a WAV file (no RIFF/WAVE header)');
  let fmt: Omit<WavInfo, 'dataOffset' | 'dataBytes' | 'frames' | 'durationSec'> | null = null;
  let at = 12;
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at);
    const size = v.getUint32(at + 4, true);
    const body = at + 8;
    if (id === 'fmt ') {
      if (size < 16 || body + 16 > bytes.length) throw new Error('the WAV format chunk is cut short');
      let format = v.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE: the real format is the first two bytes of the sub-format GUID.
      if (format === 0xfffe && size >= 40 && body + 26 <= bytes.length) format = v.getUint16(body + 24, true);
      const bitsPerSample = v.getUint16(body + 14, true);
      const ok = (format === 1 && [8, 16, 24, 32].includes(bitsPerSample)) || (format === 3 && (bitsPerSample === 32 || bitsPerSample === 64));
      if (!ok) throw new Error(`unsupported WAV encoding (format ${format}, ${bitsPerSample}-bit): use PCM or 32-bit float`);
      fmt = { format: format as 1 | 3, channels: v.getUint16(body + 2, true), sampleRate: v.getUint32(body + 4, true), blockAlign: v.getUint16(body + 12, true), bitsPerSample };
      if (fmt.channels < 1 || fmt.sampleRate < 1 || fmt.blockAlign !== fmt.channels * (bitsPerSample / 8)) throw new Error('the WAV format chunk is inconsistent');
    } else if (id === 'data') {
      if (fmt === null) throw new Error('the WAV has its data before its format chunk');
      const dataBytes = Math.min(size, bytes.length - body);
      const frames = Math.floor(dataBytes / fmt.blockAlign);
      return { ...fmt, dataOffset: body, dataBytes, frames, durationSec: frames / fmt.sampleRate };
    }
    at = body + size + (size % 2);
  }
  throw new Error(fmt === null ? 'the WAV has no format chunk' : 'the WAV has no data chunk');
}

/** "12.0 s · 44.1 kHz · stereo · 16-bit": what a designer checks before importing. */
export function describeWav(w: WavInfo): string {
  const ch = w.channels === 1 ? 'mono' : w.channels === 2 ? 'stereo' : `${w.channels} channels`;
  const enc = w.format === 3 ? `${w.bitsPerSample}-bit float` : `${w.bitsPerSample}-bit`;
  return `${w.durationSec.toFixed(w.durationSec < 10 ? 2 : 1)} s · ${+(w.sampleRate / 1000).toFixed(3)} kHz · ${ch} · ${enc}`;
}

function sampleAt(v: DataView, w: WavInfo, at: number): number {
  switch (w.bitsPerSample) {
    case 8:
      return (v.getUint8(at) - 128) / 128;
    case 16:
      return v.getInt16(at, true) / 32768;
    case 24:
      return ((v.getUint8(at) | (v.getUint8(at + 1) << 8) | (v.getInt8(at + 2) << 16)) >> 0) / 8388608;
    case 32:
      return w.format === 3 ? v.getFloat32(at, true) : v.getInt32(at, true) / 2147483648;
    default:
      return v.getFloat64(at, true);
  }
}

/**
 * Peak level (0..1) of the first channel in `columns` equal slices of the file, for a small waveform.
 * Long files are sampled (at most ~64 reads per column), which is plenty for a picture.
 */
export function wavPeaks(bytes: Uint8Array, w: WavInfo, columns: number): Float32Array {
  const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float32Array(columns);
  for (let c = 0; c < columns; c++) {
    const from = Math.floor((c * w.frames) / columns);
    const to = Math.max(from + 1, Math.floor(((c + 1) * w.frames) / columns));
    const step = Math.max(1, Math.floor((to - from) / 64));
    let peak = 0;
    for (let f = from; f < to && f < w.frames; f += step) peak = Math.max(peak, Math.abs(sampleAt(v, w, w.dataOffset + f * w.blockAlign)));
    out[c] = Math.min(1, peak);
  }
  return out;
}

/**
 * The same WAV cut to [startSec, endSec): every chunk before the data is kept byte for byte, the data
 * is sliced on whole sample frames, chunks after it are dropped, and the two sizes are rewritten.
 */
export function cutWav(bytes: Uint8Array, w: WavInfo, span: TimeSpan): Uint8Array {
  const first = Math.max(0, Math.min(w.frames, Math.round(span.startSec * w.sampleRate)));
  // The length rounds down, so a span of the model's maximum never comes out one frame over it.
  const last = Math.min(w.frames, first + Math.floor((span.endSec - span.startSec) * w.sampleRate + 1e-6));
  const data = bytes.subarray(w.dataOffset + first * w.blockAlign, w.dataOffset + last * w.blockAlign);
  const out = new Uint8Array(w.dataOffset + data.length);
  out.set(bytes.subarray(0, w.dataOffset));
  out.set(data, w.dataOffset);
  const v = new DataView(out.buffer);
  v.setUint32(w.dataOffset - 4, data.length, true);
  v.setUint32(4, out.length - 8, true);
  return out;
}

/** Mono float samples as a 32-bit float WAV (a render kept as a file: no rounding of what was heard). */
export function floatWav(samples: Float32Array, sampleRate: number): Uint8Array {
  const out = new Uint8Array(44 + samples.length * 4);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string): void => {
    for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i);
  };
  put(0, 'RIFF');
  v.setUint32(4, out.length - 8, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 3, true);
  v.setUint16(22, 1, true);
  v.setUint32(24, sampleRate, true);
  v.setUint32(28, sampleRate * 4, true);
  v.setUint16(32, 4, true);
  v.setUint16(34, 32, true);
  put(36, 'data');
  v.setUint32(40, samples.length * 4, true);
  for (let i = 0; i < samples.length; i++) v.setFloat32(44 + i * 4, samples[i]!, true);
  return out;
}
