// One entry point for every audio format a designer's library holds: WAV, FLAC, MP3, Ogg Vorbis/Opus
// and AIFF. The format comes from the bytes (never the file name); its header is read and checked with
// the same limits as a WAV's (wav.ts) before a sample is decoded; the WASM decoders (@audio/decode-*)
// are then fed in chunks, so work stops at the caller's maximum duration and at a cancel.
import { throwIfAborted } from '../../common/errors.js';
import { AudioFormatError, checkStreamFormat, decodeWav, readWavHeader, type DecodedAudio } from './wav.js';

export type AudioFormat = 'wav' | 'flac' | 'mp3' | 'vorbis' | 'opus' | 'aiff';

/** Display names, used in every message. */
const LABEL: Record<AudioFormat, string> = { wav: 'WAV', flac: 'FLAC', mp3: 'MP3', vorbis: 'Ogg Vorbis', opus: 'Ogg Opus', aiff: 'AIFF' };

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
}

export interface DecodeOptions {
  /** Stop decoding, with bad_audio, once more than this many seconds came out (formats whose header gives no length). */
  maxDurationSec?: number | undefined;
  /** Stops the work with AgxError 'cancelled' between chunks. */
  signal?: AbortSignal | undefined;
}

const READS = 'WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus or AIFF';
/** Bytes fed to a decoder at a time: small enough to stop soon after the maximum, large enough to cost nothing. */
const CHUNK = 64 * 1024;
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
  checkStreamFormat(LABEL[format], h.sampleRate, h.channels);
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
  for (let at = 12; at + 8 <= b.length && (comm === undefined || ssnd < 0); ) {
    const id = ascii(b, at, 4);
    const size = v.getUint32(at + 4);
    const body = at + 8;
    if (id === 'COMM' && size >= 18 && body + 18 <= b.length) {
      const codec = compressed && size >= 22 && body + 22 <= b.length ? ascii(b, body + 18, 4) : 'NONE';
      comm = { channels: v.getUint16(body), frames: v.getUint32(body + 2), bits: v.getUint16(body + 6), rate: extended(b, body + 8), codec };
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
  return { format: 'aiff', sampleRate, channels: comm.channels, frames: Math.min(comm.frames, held) };
}

const MPEG_RATES: Record<number, number[]> = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] };

/** An MPEG audio frame header at `at`: its rate and channels, or undefined. */
function mpegFrame(b: Uint8Array, at: number): { sampleRate: number; channels: number } | undefined {
  if (at + 4 > b.length || b[at] !== 0xff || (b[at + 1]! & 0xe0) !== 0xe0) return undefined;
  const version = (b[at + 1]! >> 3) & 3;
  const layer = (b[at + 1]! >> 1) & 3;
  const bitrate = b[at + 2]! >> 4;
  const rateIndex = (b[at + 2]! >> 2) & 3;
  if (version === 1 || layer === 0 || bitrate === 0 || bitrate === 15 || rateIndex === 3) return undefined;
  return { sampleRate: MPEG_RATES[version]![rateIndex]!, channels: b[at + 3]! >> 6 === 3 ? 1 : 2 };
}

function mp3Header(b: Uint8Array): Omit<AudioHeader, 'durationSec'> {
  let start = 0;
  if (ascii(b, 0, 3) === 'ID3' && b.length >= 10) {
    // ID3v2: 10-byte header, synchsafe size, optional 10-byte footer.
    start = 10 + ((b[6]! & 0x7f) << 21) + ((b[7]! & 0x7f) << 14) + ((b[8]! & 0x7f) << 7) + (b[9]! & 0x7f) + (b[5]! & 0x10 ? 10 : 0);
  }
  for (let at = start; at < Math.min(b.length, start + MP3_SCAN); at++) {
    const f = mpegFrame(b, at);
    if (f) return { format: 'mp3', ...f, frames: undefined };
  }
  throw new AudioFormatError('MP3 file has no MPEG audio frame (not MP3 data, or damaged)');
}

/** The codec of an Ogg stream, from its first packet (page header is 27 bytes plus the segment table). */
function oggCodec(b: Uint8Array): AudioFormat {
  const at = 27 + (b[26] ?? 0);
  if (b.length >= at + 8 && ascii(b, at, 8) === 'OpusHead') return 'opus';
  if (b.length >= at + 7 && b[at] === 1 && ascii(b, at + 1, 6) === 'vorbis') return 'vorbis';
  const what = b.length >= at + 5 && ascii(b, at + 1, 4) === 'FLAC' ? 'FLAC' : b.length >= at + 8 && ascii(b, at, 5) === 'Speex' ? 'Speex' : 'an unknown codec';
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

/** The message for a clip that decodes past the caller's maximum. */
export function tooLongMessage(seconds: number, maxDurationSec: number, known: boolean): string {
  return known
    ? `the clip is ${seconds.toFixed(1)} s long; this model explains at most ${maxDurationSec} s`
    : `the clip is longer than ${maxDurationSec} s; this model explains at most ${maxDurationSec} s`;
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
  if (rate !== header.sampleRate) throw new AudioFormatError(`${label} file decodes at ${rate} Hz but its header declares ${header.sampleRate} Hz`);
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
