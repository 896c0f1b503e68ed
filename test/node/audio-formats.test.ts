// Every format a designer's library holds decodes through one entry point (decodeAudio), behind the
// same header checks as WAV; fixtures in test/fixtures/audio (see its README) come from one WAV source.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeAudio, readAudioHeader } from '../../electron/engine/audio/decode.js';
import { encodeFlac } from '../../electron/engine/audio/flac.js';
import { toModelAudio } from '../../electron/engine/audio/load.js';
import { decodeWav } from '../../electron/engine/audio/wav.js';

const dir = join(import.meta.dirname, '..', 'fixtures', 'audio');
const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(dir, name)));
const source = decodeWav(fixture('source.wav'));
const FRAMES = 2205;

/** Largest normalised cross-correlation of a against b over lags up to maxLag (lossy codecs may shift). */
function bestCorrelation(a: Float32Array, b: Float32Array, maxLag: number): number {
  let best = -1;
  for (let lag = -maxLag; lag <= maxLag; lag++) {
    let ab = 0,
      aa = 0,
      bb = 0;
    for (let i = 200; i < Math.min(a.length, b.length) - 200; i++) {
      const x = a[i]!,
        y = b[i + lag] ?? 0;
      ab += x * y;
      aa += x * x;
      bb += y * y;
    }
    best = Math.max(best, ab / Math.sqrt(aa * bb));
  }
  return best;
}

describe('decodeAudio on every format', () => {
  it('source.wav is 0.1 s of 22.05 kHz stereo', () => {
    expect(source.sampleRate).toBe(22050);
    expect(source.channels).toHaveLength(2);
    expect(source.channels[0]).toHaveLength(FRAMES);
  });

  for (const name of ['source.flac', 'source.aiff']) {
    it(`${name} is lossless: the WAV's samples exactly`, async () => {
      const bytes = fixture(name);
      expect(readAudioHeader(bytes)).toMatchObject({ sampleRate: 22050, channels: 2, frames: FRAMES });
      const audio = await decodeAudio(bytes);
      expect(audio.sampleRate).toBe(22050);
      expect(audio.channels).toHaveLength(2);
      for (let c = 0; c < 2; c++) expect(audio.channels[c]).toEqual(source.channels[c]);
    });
  }

  const lossy: [string, string, number, number][] = [
    // name, format, rate, channels
    ['source.mp3', 'mp3', 22050, 1],
    ['source.ogg', 'vorbis', 22050, 2],
    ['source.opus', 'opus', 48000, 2],
  ];
  for (const [name, format, rate, channels] of lossy) {
    it(`${name} decodes to ${rate} Hz, ${channels} channel(s), the source's length and sound`, async () => {
      const bytes = fixture(name);
      expect(readAudioHeader(bytes)).toMatchObject({ format, sampleRate: rate, channels, frames: undefined });
      const audio = await decodeAudio(bytes);
      expect(audio.sampleRate).toBe(rate);
      expect(audio.channels).toHaveLength(channels);
      const want = Math.round((FRAMES * rate) / 22050);
      expect(Math.abs(audio.channels[0]!.length - want)).toBeLessThanOrEqual(rate / 100);
      // Same sound within the codec's tolerance: at the model's rate, the mono mixes correlate.
      const mono = await toModelAudio(bytes, 16000);
      const ref = await toModelAudio(fixture('source.wav'), 16000);
      expect(bestCorrelation(ref, mono, 40)).toBeGreaterThan(0.95);
    });
  }

  it('FLAC written by encodeFlac reads back exactly (16-bit) and declares its length', async () => {
    const flac = await encodeFlac(source.channels, 22050, 16);
    expect(readAudioHeader(flac)).toMatchObject({ format: 'flac', sampleRate: 22050, channels: 2, frames: FRAMES });
    const back = await decodeAudio(flac);
    for (let c = 0; c < 2; c++) {
      // encode scales by 32767 (as encodeWav does) and decode divides by 32768; the integers match.
      const a = back.channels[c]!.map((x) => Math.round(x * 32768));
      const b = source.channels[c]!.map((x) => Math.round(x * 32767));
      expect(a).toEqual(b);
    }
  });
});

describe('hostile files give one clear line', () => {
  const oneLine = async (bytes: Uint8Array): Promise<string> => {
    const err = await toModelAudio(bytes, 16000, { maxDurationSec: 5 }).then(
      () => undefined,
      (e: Error & { code?: string }) => e,
    );
    expect(err).toMatchObject({ code: 'bad_audio' });
    expect(err!.message).not.toContain('\n');
    return err!.message;
  };

  it('a truncated FLAC is reported as cut short', async () => {
    const flac = fixture('source.flac');
    expect(await oneLine(flac.subarray(0, Math.floor(flac.length / 2)))).toMatch(
      /^FLAC file (is cut short: its header declares 0\.10 s, only 0\.\d\d s decode|holds no audio that decodes)/,
    );
    expect(await oneLine(flac.subarray(0, 30))).toBe('FLAC file has no STREAMINFO block (header missing or cut short)');
  });

  it('an MP3 of junk bytes is refused', async () => {
    const junk = Uint8Array.from({ length: 4096 }, (_, i) => (i * 7919 + 13) % 251);
    expect(await oneLine(junk)).toBe('not an audio file this app reads (expected WAV, FLAC, MP3, Ogg Vorbis, Ogg Opus or AIFF)');
    const tagged = new Uint8Array(4096);
    tagged.set([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 10]);
    expect(await oneLine(tagged)).toBe('MP3 file has no MPEG audio frame (not MP3 data, or damaged)');
  });

  it('an AIFF claiming 1 Hz is refused from its header', async () => {
    const aiff = fixture('source.aiff').slice();
    const comm = Buffer.from(aiff).indexOf('COMM');
    // 1.0 as an 80-bit extended: exponent 16383, mantissa 0x8000...
    aiff.set([0x3f, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0], comm + 8 + 8);
    const t0 = performance.now();
    expect(await oneLine(aiff)).toBe('AIFF file declares 1 Hz; supported sample rates are 8-384 kHz');
    // Decoding 8000 s of audio takes many seconds; a refusal from the header takes milliseconds (1 s leaves room for a busy machine).
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('a FLAC declaring more than its bytes can hold, and one over the maximum, are refused before decoding', async () => {
    const flac = fixture('source.flac').slice();
    // total samples (36 bits from byte 21) = 2^35
    flac[21] = (flac[21]! & 0xf0) | 0x08;
    expect(await oneLine(flac)).toMatch(/^FLAC file declares \d+\.\d s, more than its \d+ bytes can hold$/);
    const long = await encodeFlac([new Float32Array(6 * 8000)], 8000, 16);
    expect(await oneLine(long)).toBe('the clip is 6.0 s long; this model explains at most 5 s');
  });

  it('an MP3 longer than the maximum stops decoding once past it', async () => {
    // The fixture's frames repeated: 0.1 s each, no length in any header.
    const mp3 = fixture('source.mp3');
    const many = new Uint8Array(mp3.length * 80);
    for (let i = 0; i < 80; i++) many.set(mp3, i * mp3.length);
    expect(await oneLine(many)).toMatch(/^the clip is (longer than 5 s|\d+\.\d s long); this model explains at most 5 s$/);
  });

  it('a cancel stops a decode', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(decodeAudio(fixture('source.ogg'), { signal: controller.signal })).rejects.toMatchObject({ code: 'cancelled' });
  });
});
