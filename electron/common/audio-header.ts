// What an audio file's header says, read from its bytes without decoding a sample: which format it is
// (magic numbers, never the file name), rate, channels and, where the format records it, length; and the
// limits every header must pass. Pure (no Node, no DOM), so the engine (decode.ts, wav.ts) and the
// studio's import dialog read a file with the same code and say the same thing about it.
import { AgxError } from './errors.js';

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

/** WAV format tags decodeWav reads. */
export const FORMAT_PCM = 0x0001;
export const FORMAT_FLOAT = 0x0003;
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
  return String.fromCharCode(view.getUint8(offset), view.getUint8(offset + 1), view.getUint8(offset + 2), view.getUint8(offset + 3));
}

function isPrintableId(view: DataView, offset: number): boolean {
  if (offset + 4 > view.byteLength) return false;
  for (let i = 0; i < 4; i++) {
    const c = view.getUint8(offset + i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

const KNOWN_CHUNKS = new Set([
  'fmt ',
  'data',
  'fact',
  'LIST',
  'cue ',
  'bext',
  'iXML',
  'smpl',
  'inst',
  'JUNK',
  'PAD ',
  'id3 ',
  'ID3 ',
  'PEAK',
  'acid',
]);

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
  if (channels > MAX_CHANNELS)
    throw new AudioFormatError(`${label} file declares ${channels} channels; at most ${MAX_CHANNELS} are supported`);
  if (sampleRate === 0) throw new AudioFormatError(`${label} file declares a sample rate of 0 Hz`);
  if (sampleRate < MIN_SAMPLE_RATE || sampleRate > MAX_SAMPLE_RATE) {
    throw new AudioFormatError(
      `${label} file declares ${sampleRate} Hz; supported sample rates are ${MIN_SAMPLE_RATE / 1000}-${MAX_SAMPLE_RATE / 1000} kHz`,
    );
  }
}

function checkFormat(fmt: Format): void {
  checkStreamFormat('WAV', fmt.sampleRate, fmt.channels);
  if (fmt.tag === FORMAT_PCM) {
    if (![8, 16, 24, 32].includes(fmt.bitsPerSample)) {
      throw new AudioFormatError(`unsupported WAV bit depth: ${fmt.bitsPerSample}-bit PCM (supported: 8, 16, 24, 32)`);
    }
  } else if (fmt.tag === FORMAT_FLOAT) {
    if (fmt.bitsPerSample !== 32 && fmt.bitsPerSample !== 64) {
      throw new AudioFormatError(`unsupported WAV bit depth: ${fmt.bitsPerSample}-bit float (supported: 32, 64)`);
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

export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'vorbis' | 'opus' | 'aiff';

/** Display names, used in every message. */
export const AUDIO_FORMAT_LABEL: Record<AudioFormat, string> = {
  wav: 'WAV',
  flac: 'FLAC',
  mp3: 'MP3',
  vorbis: 'Ogg Vorbis',
  opus: 'Ogg Opus',
  aiff: 'AIFF',
};

/** What a file's header says, checked; frames is undefined where the format does not say (MP3, Ogg). */
export interface AudioHeader {
  format: AudioFormat;
  /** The rate the samples decode at (Opus always decodes at 48 kHz). */
  sampleRate: number;
  channels: number;
  frames: number | undefined;
  durationSec: number | undefined;
  /** FLAC's bits per sample (its decoder scales by 2^(bits-1) - 1; decodeAudio rescales to WAV's 2^(bits-1)). */
  bitsPerSample?: number | undefined;
  /**
   * MP3 only: the length its Xing/Info frame count gives, or (constant bitrate, no such frame) its size
   * over its bitrate. Shown as "about"; frames stays undefined because decoding is what counts.
   */
  estimatedSec?: number | undefined;
  /**
   * Uncompressed AIFF only: where its samples lie and how they are stored, so the import dialog can read
   * them itself (Chromium's Web Audio does not decode AIFF) to cut a span. The engine decodes with its own decoder.
   */
  pcm?: { offset: number; bits: number; encoding: 'int-be' | 'int-le' | 'float-be' } | undefined;
}

const READS = 'WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus or AIFF';
/** The first MPEG frame must start within this many bytes after any ID3 tag. */
const MP3_SCAN = 64 * 1024;

const ascii = (b: Uint8Array, at: number, n: number): string => String.fromCharCode(...b.subarray(at, at + n));

/** Which format the bytes are, from their magic numbers; throws for anything else. */
export function sniffFormat(bytes: Uint8Array): AudioFormat {
  if (!(bytes instanceof Uint8Array)) throw new AudioFormatError('not an audio file (input is not a byte array)');
  if (bytes.length >= 12 && ['RIFF', 'RIFX', 'RF64', 'BW64'].includes(ascii(bytes, 0, 4)) && ascii(bytes, 8, 4) === 'WAVE') return 'wav';
  if (bytes.length >= 4 && ascii(bytes, 0, 4) === 'fLaC') return 'flac';
  if (bytes.length >= 12 && ascii(bytes, 0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(bytes, 8, 4))) return 'aiff';
  if (bytes.length >= 4 && ascii(bytes, 0, 4) === 'OggS') return oggCodec(bytes);
  if (bytes.length >= 3 && ascii(bytes, 0, 3) === 'ID3') return 'mp3';
  if (bytes.length >= 4 && mpegFrame(bytes, 0) !== undefined) return 'mp3';
  throw new AudioFormatError(`not an audio file this app reads (expected ${READS})`);
}

/** Reads and checks the header of any supported format without decoding a sample. */
export function readAudioHeader(bytes: Uint8Array): AudioHeader {
  const format = sniffFormat(bytes);
  let h: Omit<AudioHeader, 'durationSec'>;
  if (format === 'wav') {
    const w = readWavHeader(bytes);
    h = { format, sampleRate: w.sampleRate, channels: w.channels, frames: w.frames };
  } else if (format === 'flac') h = flacHeader(bytes);
  else if (format === 'aiff') h = aiffHeader(bytes);
  else if (format === 'mp3') h = mp3Header(bytes);
  else h = oggHeader(bytes, format);
  checkStreamFormat(AUDIO_FORMAT_LABEL[format], h.sampleRate, h.channels);
  return { ...h, durationSec: h.frames === undefined ? undefined : h.frames / h.sampleRate };
}

function flacHeader(b: Uint8Array): Omit<AudioHeader, 'durationSec'> {
  // STREAMINFO must be the first metadata block: 4-byte block header, then 34 bytes.
  if (b.length < 42 || (b[4]! & 0x7f) !== 0) throw new AudioFormatError('FLAC file has no STREAMINFO block (header missing or cut short)');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const maxBlock = v.getUint16(10);
  const sampleRate = (b[18]! << 12) | (b[19]! << 4) | (b[20]! >> 4);
  const channels = ((b[20]! >> 1) & 7) + 1;
  const bitsPerSample = (((b[20]! & 1) << 4) | (b[21]! >> 4)) + 1;
  const total = (b[21]! & 0x0f) * 2 ** 32 + v.getUint32(22);
  if (sampleRate === 0) throw new AudioFormatError('FLAC file declares a sample rate of 0 Hz');
  // The smallest FLAC frame (constant subframes) is about 8 bytes for up to maxBlock samples: a length beyond that is a lie.
  if (total > 0 && maxBlock > 0 && total > Math.ceil((b.length - 42) / 8) * maxBlock) {
    throw new AudioFormatError(`FLAC file declares ${(total / sampleRate).toFixed(1)} s, more than its ${b.length} bytes can hold`);
  }
  return { format: 'flac', sampleRate, channels, frames: total > 0 ? total : undefined, bitsPerSample };
}

/** IEEE 754 80-bit extended (AIFF's sample rate); integral rates only need the top 32 mantissa bits. */
function extended(b: Uint8Array, at: number): number {
  const exp = ((b[at]! & 0x7f) << 8) | b[at + 1]!;
  const hi = ((b[at + 2]! << 24) >>> 0) + ((b[at + 3]! << 16) | (b[at + 4]! << 8) | b[at + 5]!);
  const x = hi * 2 ** (exp - 16383 - 31);
  return b[at]! & 0x80 ? -x : x;
}

function aiffHeader(b: Uint8Array): Omit<AudioHeader, 'durationSec'> {
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const compressed = ascii(b, 8, 4) === 'AIFC';
  let comm: { channels: number; frames: number; bits: number; rate: number; codec: string } | undefined;
  let ssnd = -1;
  let ssndEnd = -1;
  for (let at = 12; at + 8 <= b.length && (comm === undefined || ssnd < 0);) {
    const id = ascii(b, at, 4);
    const size = v.getUint32(at + 4);
    const body = at + 8;
    if (id === 'COMM' && size >= 18 && body + 18 <= b.length) {
      const codec = compressed && size >= 22 && body + 22 <= b.length ? ascii(b, body + 18, 4) : 'NONE';
      comm = {
        channels: v.getUint16(body),
        frames: v.getUint32(body + 2),
        bits: v.getUint16(body + 6),
        rate: extended(b, body + 8),
        codec,
      };
    } else if (id === 'SSND' && body + 8 <= b.length) {
      ssnd = body + 8 + v.getUint32(body);
      ssndEnd = Math.min(body + size, b.length);
    }
    at = body + size + (size % 2);
  }
  if (comm === undefined) throw new AudioFormatError('AIFF file has no COMM chunk (format description missing)');
  const sampleRate = Math.round(comm.rate);
  if (!(sampleRate > 0)) throw new AudioFormatError(`AIFF file declares a sample rate of ${sampleRate} Hz`);
  checkStreamFormat('AIFF', sampleRate, comm.channels);
  if (ssnd < 0) throw new AudioFormatError('AIFF file has no SSND chunk (no audio samples)');
  // Uncompressed: count only the frames the file holds, like a WAV; compressed AIFC keeps the declared count for the decoder.
  const pcm = ['NONE', 'twos', 'sowt', 'raw ', 'fl32', 'FL32', 'fl64', 'FL64', 'in24', 'in32'].includes(comm.codec);
  const frameBytes = comm.channels * Math.ceil(comm.bits / 8);
  const held = pcm && frameBytes > 0 ? Math.floor(Math.max(0, ssndEnd - ssnd) / frameBytes) : comm.frames;
  const encoding = ['NONE', 'twos', 'in24', 'in32'].includes(comm.codec)
    ? 'int-be'
    : comm.codec === 'sowt'
      ? 'int-le'
      : /^(fl|FL)(32|64)$/.test(comm.codec)
        ? 'float-be'
        : undefined;
  const bits = encoding === 'float-be' ? (comm.codec.endsWith('64') ? 64 : 32) : comm.bits;
  return {
    format: 'aiff',
    sampleRate,
    channels: comm.channels,
    frames: Math.min(comm.frames, held),
    pcm: encoding !== undefined && [8, 16, 24, 32, 64].includes(bits) ? { offset: ssnd, bits, encoding } : undefined,
  };
}

const MPEG_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** Layer III bitrates in kbit/s by header index: MPEG-1, then MPEG-2/2.5. */
const MP3_KBPS = [
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

interface MpegFrame {
  sampleRate: number;
  channels: number;
  /** Bits per second (Layer III only; undefined for Layers I and II). */
  bitrate: number | undefined;
  /** Samples per frame (Layer III: 1152 for MPEG-1, 576 for MPEG-2/2.5). */
  samples: number;
}

/** An MPEG audio frame header at `at`: its rate, channels and bitrate, or undefined. */
function mpegFrame(b: Uint8Array, at: number): MpegFrame | undefined {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return undefined;
  const version = (b[at + 1]! >> 3) & 3;
  const layer = (b[at + 1]! >> 1) & 3;
  const bitrate = b[at + 2]! >> 4;
  const rateIndex = (b[at + 2]! >> 2) & 3;
  if (version === 1 || layer === 0 || bitrate === 0 || bitrate === 15 || rateIndex === 3) return undefined;
  const layer3 = layer === 1;
  return {
    sampleRate: MPEG_RATES[version]![rateIndex]!,
    channels: b[at + 3]! >> 6 === 3 ? 1 : 2,
    bitrate: layer3 ? MP3_KBPS[version === 3 ? 0 : 1]![bitrate]! * 1000 : undefined,
    samples: layer3 && version !== 3 ? 576 : 1152,
  };
}

/** How long an MP3 probably is without decoding it: the Xing/Info frame count, else size over a constant bitrate. */
function mp3Estimate(b: Uint8Array, at: number, f: MpegFrame): number | undefined {
  // The Xing/Info tag sits after the side information, within the first 40 bytes of the first frame.
  for (let p = at + 4; p < Math.min(b.length - 12, at + 40); p++) {
    const tag = ascii(b, p, 4);
    if (tag === 'VBRI') return undefined;
    if (tag === 'Xing' || tag === 'Info') {
      const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
      if ((v.getUint32(p + 4) & 1) === 0) return tag === 'Info' && f.bitrate ? ((b.length - at) * 8) / f.bitrate : undefined;
      return (v.getUint32(p + 8) * f.samples) / f.sampleRate;
    }
  }
  return f.bitrate ? ((b.length - at) * 8) / f.bitrate : undefined;
}

function mp3Header(b: Uint8Array): Omit<AudioHeader, 'durationSec'> {
  let start = 0;
  if (ascii(b, 0, 3) === 'ID3' && b.length >= 10) {
    // ID3v2: 10-byte header, synchsafe size, optional 10-byte footer.
    start = 10 + ((b[6]! & 0x7f) << 21) + ((b[7]! & 0x7f) << 14) + ((b[8]! & 0x7f) << 7) + (b[9]! & 0x7f) + (b[5]! & 0x10 ? 10 : 0);
  }
  for (let at = start; at < Math.min(b.length, start + MP3_SCAN); at++) {
    const f = mpegFrame(b, at);
    if (f) return { format: 'mp3', sampleRate: f.sampleRate, channels: f.channels, frames: undefined, estimatedSec: mp3Estimate(b, at, f) };
  }
  throw new AudioFormatError('MP3 file has no MPEG audio frame (not MP3 data, or damaged)');
}

/** The codec of an Ogg stream, from its first packet (page header is 27 bytes plus the segment table). */
function oggCodec(b: Uint8Array): AudioFormat {
  const at = 27 + (b[26] ?? 0);
  if (b.length >= at + 8 && ascii(b, at, 8) === 'OpusHead') return 'opus';
  if (b.length >= at + 7 && b[at] === 1 && ascii(b, at + 1, 6) === 'vorbis') return 'vorbis';
  const what =
    b.length >= at + 5 && ascii(b, at + 1, 4) === 'FLAC'
      ? 'FLAC'
      : b.length >= at + 8 && ascii(b, at, 5) === 'Speex'
        ? 'Speex'
        : 'an unknown codec';
  throw new AudioFormatError(`Ogg file holds ${what}; only Vorbis and Opus can be read`);
}

function oggHeader(b: Uint8Array, format: 'vorbis' | 'opus'): Omit<AudioHeader, 'durationSec'> {
  const at = 27 + b[26]!;
  if (format === 'opus') {
    if (b.length < at + 19) throw new AudioFormatError('Ogg Opus file is cut short inside its OpusHead header');
    // Opus decodes at 48 kHz whatever input rate the header records.
    return { format, sampleRate: 48000, channels: b[at + 9]!, frames: undefined };
  }
  if (b.length < at + 16) throw new AudioFormatError('Ogg Vorbis file is cut short inside its identification header');
  const v = new DataView(b.buffer, b.byteOffset, b.byteLength);
  return { format, sampleRate: v.getUint32(at + 12, true), channels: b[at + 11]!, frames: undefined };
}

/** The message for a clip that decodes past the caller's maximum. */
export function tooLongMessage(seconds: number, maxDurationSec: number, known: boolean): string {
  return known
    ? `the clip is ${seconds.toFixed(1)} s long; this model explains at most ${maxDurationSec} s`
    : `the clip is longer than ${maxDurationSec} s; this model explains at most ${maxDurationSec} s`;
}
