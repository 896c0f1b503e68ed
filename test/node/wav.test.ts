import { describe, expect, it } from 'vitest';
import { AudioFormatError, decodeWav, encodeWav, toMono, type DecodedAudio } from '../../electron/engine/audio/wav.js';

// Seeded PRNG (mulberry32) so every run sees the same "random" data.
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function noise(n: number, seed: number): Float32Array {
  const rnd = prng(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = rnd() * 2 - 1;
  // The extremes and zero are where scaling bugs show.
  if (n >= 3) {
    x[0] = 1;
    x[1] = -1;
    x[2] = 0;
  }
  return x;
}

function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

function ascii(s: string): number[] {
  return [...s].map((c) => c.charCodeAt(0));
}

function u16(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff];
}

function u32(n: number): number[] {
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff];
}

/** A RIFF chunk; `size` overrides the declared size, `pad` false omits the pad byte after odd bodies. */
function chunk(id: string, body: number[], opts: { size?: number; pad?: boolean } = {}): number[] {
  const padByte = body.length % 2 === 1 && opts.pad !== false ? [0] : [];
  return [...ascii(id), ...u32(opts.size ?? body.length), ...body, ...padByte];
}

function fmtBody(tag: number, channels: number, rate: number, bits: number): number[] {
  const align = (channels * bits) / 8;
  return [...u16(tag), ...u16(channels), ...u32(rate), ...u32(rate * align), ...u16(align), ...u16(bits)];
}

function riff(...chunks: number[][]): Uint8Array {
  const body = chunks.flat();
  return new Uint8Array([...ascii('RIFF'), ...u32(body.length + 4), ...ascii('WAVE'), ...body]);
}

function expectBad(bytes: Uint8Array, message: RegExp): void {
  let caught: unknown;
  try {
    decodeWav(bytes);
  } catch (err) {
    caught = err;
  }
  expect(caught).toBeInstanceOf(AudioFormatError);
  const err = caught as AudioFormatError;
  expect(err.code).toBe('bad_audio');
  expect(err.name).toBe('AudioFormatError');
  expect(err.message).toMatch(message);
  expect(err.message).not.toContain('\n');
}

const PCM16 = fmtBody(1, 1, 8000, 16);
const ONE_SAMPLE = chunk('data', [0x00, 0x40]); // 16384 / 32768 = 0.5

describe('encodeWav / decodeWav round trip', () => {
  // Encoding scales by 32767 and rounds (at most half a step off); decoding divides by 32768 as
  // soundfile/libsndfile do, adding a gain error of |x| / 32768. Together: at most 1.5 / 32768.
  const cases = [
    { format: 'pcm16', tol: 1.5 / 32768 },
    { format: 'pcm24', tol: 1.5 / 8388608 },
    { format: 'float32', tol: 0 }, // floats pass through bit-exactly
  ] as const;

  for (const { format, tol } of cases) {
    it(`${format} mono`, () => {
      const x = noise(1001, 1);
      const bytes = encodeWav(x, 22050, format);
      const audio = decodeWav(bytes);
      expect(audio.sampleRate).toBe(22050);
      expect(audio.channels).toHaveLength(1);
      expect(maxAbsDiff(audio.channels[0]!, x)).toBeLessThanOrEqual(tol);
    });

    it(`${format} stereo`, () => {
      const l = noise(777, 2);
      const r = noise(777, 3);
      const audio = decodeWav(encodeWav([l, r], 48000, format));
      expect(audio.sampleRate).toBe(48000);
      expect(audio.channels).toHaveLength(2);
      expect(maxAbsDiff(audio.channels[0]!, l)).toBeLessThanOrEqual(tol);
      expect(maxAbsDiff(audio.channels[1]!, r)).toBeLessThanOrEqual(tol);
    });
  }

  it('pcm16 round trip is within half a step when compared at the decoder scale', () => {
    const x = noise(500, 4);
    const y = decodeWav(encodeWav(x, 8000, 'pcm16')).channels[0]!;
    for (let i = 0; i < x.length; i++) {
      expect(Math.abs(y[i]! * 32768 - x[i]! * 32767)).toBeLessThanOrEqual(0.5 + 1e-9);
    }
  });

  it('writes consistent RIFF, fmt, fact and data sizes', () => {
    for (const format of ['pcm16', 'pcm24', 'float32'] as const) {
      for (const [nch, frames] of [
        [1, 0],
        [1, 3],
        [2, 5],
        [3, 4],
      ] as const) {
        const chans = Array.from({ length: nch }, (_, c) => noise(frames, 10 + c));
        const bytes = encodeWav(chans, 44100, format);
        const v = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const bps = format === 'pcm16' ? 2 : format === 'pcm24' ? 3 : 4;
        const dataSize = frames * nch * bps;
        expect(String.fromCharCode(...bytes.subarray(0, 4))).toBe('RIFF');
        expect(v.getUint32(4, true)).toBe(bytes.length - 8);
        expect(bytes.length % 2).toBe(0);
        const fmtSize = v.getUint32(16, true);
        expect(v.getUint16(20, true)).toBe(format === 'float32' ? 3 : 1);
        expect(v.getUint16(22, true)).toBe(nch);
        expect(v.getUint32(24, true)).toBe(44100);
        expect(v.getUint32(28, true)).toBe(44100 * nch * bps);
        expect(v.getUint16(32, true)).toBe(nch * bps);
        expect(v.getUint16(34, true)).toBe(bps * 8);
        let p = 20 + fmtSize;
        if (format === 'float32') {
          expect(fmtSize).toBe(18);
          expect(String.fromCharCode(...bytes.subarray(p, p + 4))).toBe('fact');
          expect(v.getUint32(p + 4, true)).toBe(4);
          expect(v.getUint32(p + 8, true)).toBe(frames);
          p += 12;
        } else {
          expect(fmtSize).toBe(16);
        }
        expect(String.fromCharCode(...bytes.subarray(p, p + 4))).toBe('data');
        expect(v.getUint32(p + 4, true)).toBe(dataSize);
        expect(bytes.length).toBe(p + 8 + dataSize + (dataSize % 2));
        const back = decodeWav(bytes);
        expect(back.channels).toHaveLength(nch);
        expect(back.channels[0]!.length).toBe(frames);
      }
    }
  });

  it('clamps PCM to [-1, 1], maps NaN to 0 and rounds to nearest', () => {
    const x = new Float32Array([1.5, -2, NaN, 0.6 / 32767, -0.6 / 32767, 1, -1]);
    const bytes = encodeWav(x, 8000, 'pcm16');
    const v = new DataView(bytes.buffer, 44);
    expect([0, 1, 2, 3, 4, 5, 6].map((i) => v.getInt16(i * 2, true))).toEqual([32767, -32767, 0, 1, -1, 32767, -32767]);
    const b24 = encodeWav(new Float32Array([2, -2, -1 / 8388607]), 8000, 'pcm24');
    expect([...b24.subarray(44, 53)]).toEqual([0xff, 0xff, 0x7f, 0x01, 0x00, 0x80, 0xff, 0xff, 0xff]);
  });

  it('rejects bad encoder arguments with a plain Error', () => {
    expect(() => encodeWav([], 8000, 'pcm16')).toThrow(/channels/);
    expect(() => encodeWav([new Float32Array(2), new Float32Array(3)], 8000, 'pcm16')).toThrow(/same length/);
    expect(() => encodeWav(new Float32Array(2), 0, 'pcm16')).toThrow(/sample rate/);
    expect(() => encodeWav(new Float32Array(2), 44100.5, 'pcm16')).toThrow(/sample rate/);
    expect(() => encodeWav(new Float32Array(2), 8000, 'mp3' as 'pcm16')).toThrow(/unknown format/);
  });
});

describe('decodeWav on hand-built files', () => {
  it('reads 8-bit unsigned PCM', () => {
    const audio = decodeWav(riff(chunk('fmt ', fmtBody(1, 1, 11025, 8)), chunk('data', [0, 128, 255, 64])));
    expect(audio.sampleRate).toBe(11025);
    expect([...audio.channels[0]!]).toEqual([-1, 0, 127 / 128, -0.5]);
  });

  it('reads an odd-sized 8-bit data chunk followed by its pad byte and another chunk', () => {
    const audio = decodeWav(riff(chunk('fmt ', fmtBody(1, 1, 8000, 8)), chunk('data', [0, 128, 192]), chunk('LIST', ascii('INFOabcd'))));
    expect([...audio.channels[0]!]).toEqual([-1, 0, 0.5]);
  });

  it('reads 32-bit signed PCM and 64-bit float', () => {
    const pcm32 = decodeWav(riff(chunk('fmt ', fmtBody(1, 1, 8000, 32)), chunk('data', [...u32(0x40000000), ...u32(0x80000000)])));
    expect([...pcm32.channels[0]!]).toEqual([0.5, -1]);
    const f64 = new DataView(new ArrayBuffer(24));
    f64.setFloat64(0, 0.25, true);
    f64.setFloat64(8, -3, true); // out of range: clamped
    f64.setFloat64(16, NaN, true); // becomes silence
    const float64 = decodeWav(riff(chunk('fmt ', fmtBody(3, 1, 8000, 64)), chunk('data', [...new Uint8Array(f64.buffer)])));
    expect([...float64.channels[0]!]).toEqual([0.25, -1, 0]);
  });

  it('reads WAVE_FORMAT_EXTENSIBLE (24-bit PCM stereo and 32-bit float subformats)', () => {
    const guid = (tag: number): number[] => [...u16(tag), 0, 0, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xaa, 0x00, 0x38, 0x9b, 0x71];
    const ext = (tag: number, channels: number, bits: number): number[] => [
      ...fmtBody(0xfffe, channels, 96000, bits),
      ...u16(22),
      ...u16(bits),
      ...u32(channels === 2 ? 3 : 4),
      ...guid(tag),
    ];
    // Frames: (L = 0x400000 = 0.5, R = -0x800000 = -1), (L = 0x000001, R = 0xFFFFFF = -1 step).
    const pcm = decodeWav(riff(chunk('fmt ', ext(1, 2, 24)), chunk('data', [0, 0, 0x40, 0, 0, 0x80, 1, 0, 0, 0xff, 0xff, 0xff])));
    expect(pcm.sampleRate).toBe(96000);
    expect([...pcm.channels[0]!]).toEqual([0.5, Math.fround(1 / 8388608)]);
    expect([...pcm.channels[1]!]).toEqual([-1, Math.fround(-1 / 8388608)]);

    const f = new DataView(new ArrayBuffer(8));
    f.setFloat32(0, 0.125, true);
    f.setFloat32(4, -0.75, true);
    const flt = decodeWav(riff(chunk('fmt ', ext(3, 1, 32)), chunk('data', [...new Uint8Array(f.buffer)])));
    expect([...flt.channels[0]!]).toEqual([0.125, -0.75]);
  });

  it('skips unknown chunks, including an odd-sized LIST chunk before data', () => {
    const audio = decodeWav(
      riff(
        chunk('JUNK', [1, 2, 3, 4]),
        chunk('fmt ', PCM16),
        chunk('LIST', ascii('INFOISFT\x05\x00\x00\x00agx!!')), // 17 bytes: odd, padded
        chunk('bext', [9]), // 1 byte: odd, padded
        ONE_SAMPLE,
      ),
    );
    expect([...audio.channels[0]!]).toEqual([0.5]);
  });

  it('tolerates a writer that forgot the pad byte after an odd chunk', () => {
    const audio = decodeWav(riff(chunk('fmt ', PCM16), chunk('LIST', ascii('INFOx'), { pad: false }), ONE_SAMPLE));
    expect([...audio.channels[0]!]).toEqual([0.5]);
  });

  it('accepts fmt after data and ignores the RIFF size field', () => {
    const bytes = riff(ONE_SAMPLE, chunk('fmt ', PCM16));
    new DataView(bytes.buffer).setUint32(4, 0, true); // as left by some streaming writers
    expect([...decodeWav(bytes).channels[0]!]).toEqual([0.5]);
  });

  it('truncates data to whole frames', () => {
    const audio = decodeWav(riff(chunk('fmt ', fmtBody(1, 2, 8000, 16)), chunk('data', [0, 0x40, 0, 0xc0, 1, 2, 3])));
    expect([...audio.channels[0]!]).toEqual([0.5]);
    expect([...audio.channels[1]!]).toEqual([-0.5]);
  });

  it('clamps a data chunk whose size points past the end of the file', () => {
    const audio = decodeWav(riff(chunk('fmt ', PCM16), chunk('data', [0, 0x40, 0, 0xc0, 7], { size: 0xffffffff, pad: false })));
    expect([...audio.channels[0]!]).toEqual([0.5, -0.5]);
  });

  it('decodes an empty data chunk to zero frames', () => {
    const audio = decodeWav(riff(chunk('fmt ', fmtBody(1, 2, 8000, 16)), chunk('data', [])));
    expect(audio.channels.map((c) => c.length)).toEqual([0, 0]);
  });

  it('works on a Node Buffer / Uint8Array view with a byte offset', () => {
    const file = encodeWav(noise(11, 5), 16000, 'pcm16');
    const big = new Uint8Array(file.length + 7);
    big.set(file, 3);
    const view = big.subarray(3, 3 + file.length);
    expect([...decodeWav(view).channels[0]!]).toEqual([...decodeWav(file).channels[0]!]);
    expect(decodeWav(Buffer.from(file)).channels[0]!.length).toBe(11);
  });
});

describe('decodeWav on malformed input', () => {
  it.each([
    ['empty input', new Uint8Array(0), /not a WAV file \(only 0 bytes/],
    ['11 bytes', new Uint8Array(ascii('RIFF\0\0\0\0WAV')), /not a WAV file \(only 11 bytes/],
    ['plain text', new Uint8Array(ascii('hello, this is not audio at all')), /not a WAV file \(no RIFF\/WAVE header\)/],
    ['RIFF but AVI', new Uint8Array([...ascii('RIFF'), ...u32(4), ...ascii('AVI ')]), /no RIFF\/WAVE header/],
    ['big-endian RIFX', new Uint8Array([...ascii('RIFX'), ...u32(4), ...ascii('WAVE')]), /RIFX/],
    ['RF64', new Uint8Array([...ascii('RF64'), ...u32(4), ...ascii('WAVE')]), /RF64 .*not supported/],
    ['header only', riff(), /no fmt chunk/],
    ['missing fmt', riff(ONE_SAMPLE), /no fmt chunk/],
    ['missing data', riff(chunk('fmt ', PCM16)), /no data chunk/],
    ['data hidden inside an oversized chunk', riff(chunk('fmt ', PCM16), chunk('JUNK', [], { size: 100 }), ONE_SAMPLE), /no data chunk/],
    ['zero channels', riff(chunk('fmt ', fmtBody(1, 0, 8000, 16)), ONE_SAMPLE), /0 channels/],
    ['sample rate 0', riff(chunk('fmt ', fmtBody(1, 1, 0, 16)), ONE_SAMPLE), /sample rate of 0/],
    ['fmt too short', riff(chunk('fmt ', PCM16.slice(0, 14)), ONE_SAMPLE), /fmt chunk is too short \(14 bytes/],
    ['fmt cut off by end of file', riff(chunk('fmt ', PCM16.slice(0, 10), { size: 16 })), /fmt chunk is too short \(10 bytes/],
    ['ADPCM', riff(chunk('fmt ', fmtBody(2, 1, 8000, 4)), ONE_SAMPLE), /format tag 0x0002 \(Microsoft ADPCM\)/],
    ['unknown tag', riff(chunk('fmt ', fmtBody(0x1234, 1, 8000, 16)), ONE_SAMPLE), /format tag 0x1234;/],
    ['12-bit PCM', riff(chunk('fmt ', fmtBody(1, 1, 8000, 12)), ONE_SAMPLE), /12-bit PCM/],
    ['0-bit PCM', riff(chunk('fmt ', fmtBody(1, 1, 8000, 0)), ONE_SAMPLE), /0-bit PCM/],
    ['16-bit float', riff(chunk('fmt ', fmtBody(3, 1, 8000, 16)), ONE_SAMPLE), /16-bit float/],
    [
      'short extensible fmt',
      riff(chunk('fmt ', [...fmtBody(0xfffe, 1, 8000, 16), ...u16(0)]), ONE_SAMPLE),
      /WAVE_FORMAT_EXTENSIBLE fmt chunk is too short/,
    ],
    [
      'extensible with unsupported subformat',
      riff(
        chunk('fmt ', [...fmtBody(0xfffe, 1, 8000, 16), ...u16(22), ...u16(16), ...u32(4), ...u16(0x55), ...new Array<number>(14).fill(0)]),
        ONE_SAMPLE,
      ),
      /format tag 0x0055 \(MP3\)/,
    ],
  ])('%s', (_name, bytes, message) => {
    expectBad(bytes, message);
  });

  // Anything goes except an exception other than AudioFormatError, or a result breaking the contract.
  function decodesOrRejects(bytes: Uint8Array): 'ok' | 'bad' {
    let audio: DecodedAudio;
    try {
      audio = decodeWav(bytes);
    } catch (err) {
      if (!(err instanceof AudioFormatError)) throw err;
      if (err.message.length === 0 || err.message.includes('\n')) throw new Error('unhelpful message');
      return 'bad';
    }
    // Plain checks rather than expect(): corrupted headers can declare thousands of channels.
    if (!(audio.sampleRate > 0)) throw new Error(`bad sample rate ${audio.sampleRate}`);
    if (audio.channels.length === 0) throw new Error('no channels');
    const n = audio.channels[0]!.length;
    for (const ch of audio.channels) {
      if (ch.length !== n) throw new Error('channels differ in length');
      for (const v of ch) if (!(v >= -1 && v <= 1)) throw new Error(`sample ${v} outside [-1, 1]`);
    }
    return 'ok';
  }

  it('2000 random byte buffers either decode or throw AudioFormatError', () => {
    const rnd = prng(42);
    const counts = { ok: 0, bad: 0 };
    const byte = (): number => Math.floor(rnd() * 256);
    for (let i = 0; i < 2000; i++) {
      const len = Math.floor(rnd() * 160);
      const bytes = new Uint8Array(len);
      for (let j = 0; j < len; j++) bytes[j] = byte();
      // Pure noise never gets past the header check, so most buffers get a valid header, and many a
      // plausible fmt chunk and data chunk with random fields, to exercise the chunk walker and the decoders.
      const mode = i % 4;
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
      if (mode > 0 && len >= 12) bytes.set(ascii('RIFF????WAVE'), 0);
      if (mode > 1 && len >= 36) {
        const fmtSize = pick([16, 16, 18, 40, byte()]);
        const tag = pick([1, 3, 0xfffe, byte()]);
        bytes.set(
          [...ascii('fmt '), ...u32(fmtSize), ...u16(tag), ...u16(pick([0, 1, 2, 3, byte()])), ...u32(pick([0, 8000, 48000, byte()]))],
          12,
        );
        bytes.set(u16(pick([8, 16, 24, 32, 64, byte()])), 34);
        if (tag === 0xfffe && len >= 46) bytes.set(u16(pick([1, 3, byte()])), 44);
        const at = 20 + fmtSize + (fmtSize % 2);
        if (mode === 3 && at + 8 <= len) bytes.set([...ascii('data'), ...u32(pick([len - at - 8, byte(), 0xffffffff]))], at);
      }
      counts[decodesOrRejects(bytes)]++;
    }
    // Guard against the fuzzer degenerating into only one outcome.
    expect(counts.ok).toBeGreaterThan(20);
    expect(counts.bad).toBeGreaterThan(20);
  });

  it('every truncation and random byte corruption of valid files either decodes or throws AudioFormatError', () => {
    const rnd = prng(7);
    const files = [
      encodeWav([noise(21, 1), noise(21, 2)], 44100, 'pcm24'),
      encodeWav(noise(33, 3), 16000, 'float32'),
      riff(chunk('fmt ', PCM16), chunk('LIST', ascii('INFOx')), chunk('data', [1, 2, 3, 4, 5, 6, 7])),
    ];
    for (const file of files) {
      for (let len = 0; len <= file.length; len++) decodesOrRejects(file.subarray(0, len));
      for (let i = 0; i < 300; i++) {
        const copy = file.slice(0, Math.floor(rnd() * (file.length + 1)));
        const flips = 1 + Math.floor(rnd() * 4);
        for (let f = 0; f < flips && copy.length > 0; f++) copy[Math.floor(rnd() * copy.length)] = Math.floor(rnd() * 256);
        decodesOrRejects(copy);
      }
    }
  });
});

describe('toMono', () => {
  it('averages the channels', () => {
    const audio: DecodedAudio = {
      sampleRate: 8000,
      channels: [new Float32Array([1, 0.5, -1]), new Float32Array([0, -0.5, -1]), new Float32Array([0.5, 0, 1])],
    };
    expect([...toMono(audio)]).toEqual([0.5, 0, Math.fround(-1 / 3)]);
  });

  it('copies a single channel instead of aliasing it', () => {
    const ch = new Float32Array([0.25, -0.25]);
    const mono = toMono({ sampleRate: 8000, channels: [ch] });
    expect([...mono]).toEqual([0.25, -0.25]);
    mono[0] = 0;
    expect(ch[0]).toBe(0.25);
  });

  it('handles no channels', () => {
    expect(toMono({ sampleRate: 8000, channels: [] })).toHaveLength(0);
  });
});
