// Writing a WAV file from planar floats. Pure, so the engine (takes, exports) and the studio's import
// dialog (a span picked from a compressed file, a render saved as a file) write WAVs with one encoder.
import { FORMAT_FLOAT, FORMAT_PCM } from './audio-header.js';

/** Encodes mono (one array) or multichannel (array of equal-length arrays) audio as a WAV file: 16/24-bit PCM or 32-bit float. */
export function encodeWav(samples: Float32Array | Float32Array[], sampleRate: number, format: 'pcm16' | 'pcm24' | 'float32'): Uint8Array {
  const chans = Array.isArray(samples) ? samples : [samples];
  const nch = chans.length;
  if (nch === 0 || nch > 0xffff) throw new Error(`encodeWav: need 1 to 65535 channels, got ${nch}`);
  const frames = chans[0]!.length;
  for (const ch of chans) {
    if (ch.length !== frames) throw new Error('encodeWav: all channels must have the same length');
  }
  if (!Number.isInteger(sampleRate) || sampleRate <= 0 || sampleRate > 0xffffffff) {
    throw new Error(`encodeWav: sample rate must be a positive integer, got ${sampleRate}`);
  }
  let bytesPerSample: number;
  if (format === 'pcm16') bytesPerSample = 2;
  else if (format === 'pcm24') bytesPerSample = 3;
  else if (format === 'float32') bytesPerSample = 4;
  else throw new Error(`encodeWav: unknown format ${String(format)}`);

  const isFloat = format === 'float32';
  const blockAlign = nch * bytesPerSample;
  if (blockAlign > 0xffff) throw new Error(`encodeWav: too many channels (${nch}) for ${format}`);
  const dataSize = frames * blockAlign;
  const pad = dataSize % 2;
  // Non-PCM fmt chunks carry cbSize (18 bytes), and non-PCM files need a fact chunk.
  const fmtSize = isFloat ? 18 : 16;
  const factBytes = isFloat ? 12 : 0;
  const total = 12 + 8 + fmtSize + factBytes + 8 + dataSize + pad;
  if (total - 8 > 0xffffffff) throw new Error('encodeWav: audio too long for a WAV file (over 4 GB)');

  const out = new Uint8Array(total);
  const view = new DataView(out.buffer);
  const writeId = (offset: number, id: string): void => {
    for (let i = 0; i < 4; i++) view.setUint8(offset + i, id.charCodeAt(i));
  };
  writeId(0, 'RIFF');
  view.setUint32(4, total - 8, true);
  writeId(8, 'WAVE');
  writeId(12, 'fmt ');
  view.setUint32(16, fmtSize, true);
  view.setUint16(20, isFloat ? FORMAT_FLOAT : FORMAT_PCM, true);
  view.setUint16(22, nch, true);
  view.setUint32(24, sampleRate, true);
  view.setUint32(28, sampleRate * blockAlign, true);
  view.setUint16(32, blockAlign, true);
  view.setUint16(34, bytesPerSample * 8, true);
  let p = 20 + fmtSize;
  if (isFloat) {
    view.setUint16(36, 0, true);
    writeId(p, 'fact');
    view.setUint32(p + 4, 4, true);
    view.setUint32(p + 8, frames, true);
    p += 12;
  }
  writeId(p, 'data');
  view.setUint32(p + 4, dataSize, true);
  const dataStart = p + 8;

  for (let c = 0; c < nch; c++) {
    const ch = chans[c]!;
    let q = dataStart + c * bytesPerSample;
    if (format === 'float32') {
      for (let i = 0; i < frames; i++, q += blockAlign) view.setFloat32(q, ch[i]!, true);
    } else if (format === 'pcm16') {
      for (let i = 0; i < frames; i++, q += blockAlign) view.setInt16(q, pcmValue(ch[i]!, 32767), true);
    } else {
      for (let i = 0; i < frames; i++, q += blockAlign) {
        const v = pcmValue(ch[i]!, 8388607);
        out[q] = v & 0xff;
        out[q + 1] = (v >> 8) & 0xff;
        out[q + 2] = (v >> 16) & 0xff;
      }
    }
  }
  return out;
}

function pcmValue(x: number, scale: number): number {
  // NaN fails both comparisons and would poison Math.round, so it maps to 0.
  return Math.round((x > 1 ? 1 : x < -1 ? -1 : x === x ? x : 0) * scale);
}
