import { AgxError } from '../../common/errors.js';

/** Audio decoded to planar floats: one Float32Array per channel, all the same length, values in [-1, 1]. */
export interface DecodedAudio {
  sampleRate: number;
  channels: Float32Array[];
}

/** Thrown for any input that is not a WAV file this module can read; the message is one line a person can act on. */
export class AudioFormatError extends AgxError {
  constructor(message: string) {
    super('bad_audio', message);
    this.name = 'AudioFormatError';
  }
}

/** Sample rates a header may declare. Below 8 kHz a tiny file would expand into hours at the model's rate; above 384 kHz no recorder writes. */
export const MIN_SAMPLE_RATE = 8000;
export const MAX_SAMPLE_RATE = 384000;
/** Channels a header may declare: 64 holds 7th-order ambisonics, more than any designer's file. */
export const MAX_CHANNELS = 64;

const FORMAT_PCM = 0x0001;
const FORMAT_FLOAT = 0x0003;
const FORMAT_EXTENSIBLE = 0xfffe;

// Only used to make "unsupported format" messages readable.
const FORMAT_NAMES: Record<number, string> = {
  0x0002: 'Microsoft ADPCM',
  0x0006: 'A-law',
  0x0007: 'mu-law',
  0x0011: 'IMA ADPCM',
  0x0031: 'GSM 6.10',
  0x0050: 'MPEG',
  0x0055: 'MP3',
  0x00ff: 'AAC',
  0x1610: 'AAC',
  0xf1ac: 'FLAC',
};

interface Format {
  tag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
}

function fourCC(view: DataView, offset: number): string {
  return String.fromCharCode(
    view.getUint8(offset),
    view.getUint8(offset + 1),
    view.getUint8(offset + 2),
    view.getUint8(offset + 3),
  );
}

function isPrintableId(view: DataView, offset: number): boolean {
  if (offset + 4 > view.byteLength) return false;
  for (let i = 0; i < 4; i++) {
    const c = view.getUint8(offset + i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

const KNOWN_CHUNKS = new Set(['fmt ', 'data', 'fact', 'LIST', 'cue ', 'bext', 'iXML', 'smpl', 'inst', 'JUNK', 'PAD ', 'id3 ', 'ID3 ', 'PEAK', 'acid']);

function missingPad(view: DataView, at: number): boolean {
  if (at >= view.byteLength || view.getUint8(at) === 0 || !isPrintableId(view, at)) return false;
  return KNOWN_CHUNKS.has(fourCC(view, at)) || !isPrintableId(view, at + 1);
}

function hex4(n: number): string {
  return '0x' + n.toString(16).padStart(4, '0');
}

function parseFmt(view: DataView, start: number, size: number): Format {
  if (size < 16) throw new AudioFormatError(`WAV fmt chunk is too short (${size} bytes, need at least 16)`);
  let tag = view.getUint16(start, true);
  const channels = view.getUint16(start + 2, true);
  const sampleRate = view.getUint32(start + 4, true);
  const bitsPerSample = view.getUint16(start + 14, true);
  if (tag === FORMAT_EXTENSIBLE) {
    // cbSize(2) + validBits(2) + channelMask(4) + GUID(16) after the 16-byte base.
    if (size < 40) {
      throw new AudioFormatError(`WAVE_FORMAT_EXTENSIBLE fmt chunk is too short (${size} bytes, need 40)`);
    }
    tag = view.getUint16(start + 24, true);
  }
  return { tag, channels, sampleRate, bitsPerSample };
}

/** The limits every format's header must pass (decode.ts uses it for FLAC, AIFF, MP3 and Ogg); label names the format in the message. */
export function checkStreamFormat(label: string, sampleRate: number, channels: number): void {
  if (channels === 0) throw new AudioFormatError(`${label} file declares 0 channels`);
  if (channels > MAX_CHANNELS) throw new AudioFormatError(`${label} file declares ${channels} channels; at most ${MAX_CHANNELS} are supported`);
  if (sampleRate === 0) throw new AudioFormatError(`${label} file declares a sample rate of 0 Hz`);
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new AudioFormatError(`${label} file declares ${sampleRate} Hz; supported sample rates are ${MIN_SAMPLE_RATE / 1000}-${MAX_SAMPLE_RATE / 1000} kHz`);
  }
}

function checkFormat(fmt: Format): void {
  checkStreamFormat('WAV', fmt.sampleRate, fmt.channels);
  if (fmt.tag === FORMAT_PCM) {
    if (![8, 16, 24, 32].includes(fmt.bitsPerSample)) {
      throw new AudioFormatError(
        `unsupported WAV bit depth: ${fmt.bitsPerSample}-bit PCM (supported: 8, 16, 24, 32)`,
      );
    }
  } else if (fmt.tag === FORMAT_FLOAT) {
    if (fmt.bitsPerSample !== 32 && fmt.bitsPerSample !== 64) {
      throw new AudioFormatError(
        `unsupported WAV bit depth: ${fmt.bitsPerSample}-bit float (supported: 32, 64)`,
      );
    }
  } else {
    const name = FORMAT_NAMES[fmt.tag];
    throw new AudioFormatError(
      `unsupported WAV encoding: format tag ${hex4(fmt.tag)}${name ? ` (${name})` : ''}; only PCM and IEEE float can be read`,
    );
  }
}

/** What a WAV file's header says, checked; enough to judge a file before decoding any sample. */
export interface WavHeader {
  /** FORMAT_PCM or FORMAT_FLOAT (an extensible file's subformat). */
  tag: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** Byte range of the samples, cut to the bytes the file really has. */
  dataStart: number;
  dataEnd: number;
  /** Whole frames present: a data size that claims more than the file holds (a truncated file, a streaming writer's 0xFFFFFFFF) counts only what is there. */
  frames: number;
  /** frames / sampleRate. */
  durationSec: number;
}

/**
 * Reads and checks a RIFF/WAVE header without decoding a sample: encoding, bit depth, channels
 * (1-64), sample rate (8-384 kHz) and the length the file really holds. Throws AudioFormatError
 * (code bad_audio) with one line a person can act on.
 */
export function readWavHeader(bytes: Uint8Array): WavHeader {
  if (!(bytes instanceof Uint8Array)) throw new AudioFormatError('not a WAV file (input is not a byte array)');
  if (bytes.byteLength < 12) {
    throw new AudioFormatError(`not a WAV file (only ${bytes.byteLength} bytes, too short for a RIFF/WAVE header)`);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const riff = fourCC(view, 0);
  const wave = fourCC(view, 8);
  if (wave === 'WAVE' && riff === 'RIFX') throw new AudioFormatError('big-endian WAV (RIFX) files are not supported');
  if (wave === 'WAVE' && (riff === 'RF64' || riff === 'BW64')) {
    throw new AudioFormatError(`${riff} WAV files (over 4 GB) are not supported`);
  }
  if (riff !== 'RIFF' || wave !== 'WAVE') throw new AudioFormatError('not a WAV file (no RIFF/WAVE header)');

  const end = view.byteLength;
  let fmt: Format | undefined;
  let dataStart = -1;
  let dataEnd = -1;
  // The RIFF size field is ignored on purpose: streaming writers leave it 0 or 0xFFFFFFFF.
  let offset = 12;
  while (offset + 8 <= end && (fmt === undefined || dataStart < 0)) {
    const id = fourCC(view, offset);
    const size = view.getUint32(offset + 4, true);
    const bodyStart = offset + 8;
    // Truncated files: keep whatever part of the chunk is actually present.
    const bodyEnd = Math.min(bodyStart + size, end);
    if (id === 'fmt ' && fmt === undefined) {
      fmt = parseFmt(view, bodyStart, bodyEnd - bodyStart);
    } else if (id === 'data' && dataStart < 0) {
      dataStart = bodyStart;
      dataEnd = bodyEnd;
    }
    let next = bodyStart + size;
    // RIFF pads odd chunks with a zero byte, but some writers forget it: skip the pad unless a chunk id clearly starts right here.
    if (size % 2 === 1 && !missingPad(view, next)) next += 1;
    offset = next;
  }

  if (fmt === undefined) throw new AudioFormatError('WAV file has no fmt chunk (format description missing)');
  checkFormat(fmt);
  if (dataStart < 0) throw new AudioFormatError('WAV file has no data chunk (no audio samples)');
  // Computed rather than read from nBlockAlign, which some writers get wrong.
  const frames = Math.floor((dataEnd - dataStart) / ((fmt.channels * fmt.bitsPerSample) / 8));
  return { ...fmt, dataStart, dataEnd, frames, durationSec: frames / fmt.sampleRate };
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

/** Encodes mono (one array) or multichannel (array of equal-length arrays) audio as a WAV file: 16/24-bit PCM or 32-bit float. */
export function encodeWav(
  samples: Float32Array | Float32Array[],
  sampleRate: number,
  format: 'pcm16' | 'pcm24' | 'float32',
): Uint8Array {
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
