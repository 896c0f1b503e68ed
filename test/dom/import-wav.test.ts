// Import shows what a file holds before the click and cuts a long clip to a span the model takes
// (issue 15, item 6, and 'Formats a designer has'): the renderer reads headers with the engine's own
// readers (electron/common/audio-header.ts) for WAV, FLAC, AIFF, MP3 and Ogg; the cut is decoded by the
// engine sample for sample; the waveform span picker; a render saved as a float WAV.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as common from '../../electron/common/audio-header';
import { decodeAudio, readAudioHeader as engineAudioHeader } from '../../electron/engine/audio/decode';
import { decodeWav, encodeWav, readWavHeader as engineHeader } from '../../electron/engine/audio/wav';
import {
  cutWav,
  decodeInBrowser,
  describeAudio,
  floatWav,
  IMPORT_ACCEPT,
  readAudioInfo,
  samplePeaks,
  spanWav,
  wavPeaks,
} from '../../renderer/src/api/wav';

const fixture = (name: string): Uint8Array => new Uint8Array(readFileSync(join(__dirname, '..', 'fixtures', 'audio', name)));
const readWavHeader = (bytes: Uint8Array) => readAudioInfo(bytes).wav!;

vi.mock('../../renderer/src/audio/player', () => ({ audioOut: {} }));

function tone(seconds: number, rate: number, channels: number): Float32Array[] {
  const n = Math.round(seconds * rate);
  return Array.from({ length: channels }, (_, c) =>
    Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / rate) * (i / n)),
  );
}

describe('WAV files in the renderer', () => {
  it('reads duration, rate, channels and encoding as the engine does', () => {
    for (const [sec, rate, ch, fmt] of [
      [12, 22050, 2, 'pcm16'],
      [1.5, 48000, 1, 'pcm24'],
      [0.25, 16000, 3, 'float32'],
    ] as const) {
      const bytes = encodeWav(tone(sec, rate, ch), rate, fmt);
      const mine = readWavHeader(bytes);
      const engine = engineHeader(bytes);
      expect(mine).toEqual(engine);
      expect(mine.durationSec).toBeCloseTo(sec, 6);
    }
    expect(describeAudio(readAudioInfo(encodeWav(tone(12, 22050, 2), 22050, 'pcm16')))).toBe('12.0 s · 22.05 kHz · stereo · 16-bit');
    expect(describeAudio(readAudioInfo(encodeWav(tone(1.5, 48000, 1), 48000, 'float32')))).toBe('1.50 s · 48 kHz · mono · 32-bit float');
  });

  it('says why a file is not one it can read', () => {
    expect(() => readAudioInfo(new TextEncoder().encode('this is a text file, not audio'))).toThrow(
      /not an audio file this app reads \(expected WAV, FLAC, MP3/,
    );
    const bytes = encodeWav(tone(0.1, 16000, 1), 16000, 'pcm16');
    new DataView(bytes.buffer).setUint16(20, 2, true); // ADPCM
    expect(() => readAudioInfo(bytes)).toThrow(/unsupported WAV encoding: format tag 0x0002 \(Microsoft ADPCM\)/);
    const flac = fixture('source.flac');
    flac[18] = 0; // sample rate 0 Hz in STREAMINFO
    flac[19] = 0;
    flac[20] &= 0x0f;
    expect(() => readAudioInfo(flac)).toThrow(/FLAC file declares a sample rate of 0 Hz/);
  });

  it('cuts a span on whole frames: the engine decodes exactly those samples, no longer than asked', () => {
    const rate = 22050;
    const src = tone(12, rate, 2);
    const bytes = encodeWav(src, rate, 'pcm24');
    const info = readWavHeader(bytes);
    const cut = cutWav(bytes, info, { startSec: 3.21, endSec: 8.21 });
    const back = decodeWav(cut);
    const whole = decodeWav(bytes);
    const first = Math.round(3.21 * rate);
    expect(back.sampleRate).toBe(rate);
    expect(back.channels).toHaveLength(2);
    expect(back.channels[0]!.length).toBe(5 * rate);
    expect(back.channels[1]!.length / rate).toBeLessThanOrEqual(5);
    expect(back.channels[1]).toEqual(whole.channels[1]!.subarray(first, first + 5 * rate));
    expect(engineHeader(cut).durationSec).toBe(5);
  });

  it('draws peaks where the sound is', () => {
    const bytes = encodeWav(tone(2, 16000, 1), 16000, 'pcm16');
    const peaks = wavPeaks(bytes, readWavHeader(bytes), 10);
    expect(peaks).toHaveLength(10);
    // The test tone fades in: later columns are louder.
    expect(peaks[9]!).toBeGreaterThan(peaks[1]! * 3);
    expect(peaks[9]!).toBeLessThanOrEqual(0.5);
  });

  it('shows the span to import on the waveform, with a keyboard slider bounded by the clip', async () => {
    const { SpanPicker } = await import('../../renderer/src/components/ImportDialog');
    const bytes = encodeWav(tone(12, 16000, 1), 16000, 'pcm16');
    const html = renderToStaticMarkup(
      createElement(SpanPicker, {
        peaks: wavPeaks(bytes, readWavHeader(bytes), 240),
        durationSec: 12,
        spanSec: 5,
        startSec: 3,
        onStart: () => {},
      }),
    );
    expect(html).toContain('the imported span is 3.00–8.00 s');
    expect(html).toMatch(/<rect class="span" x="120" y="0" width="200"/);
    expect(html).toMatch(/type="range" min="0" max="7"/);
  });

  it('saves a render as a 32-bit float WAV the engine reads back unchanged', () => {
    const samples = tone(0.5, 16000, 1)[0]!;
    const back = decodeWav(floatWav(samples, 16000));
    expect(back.sampleRate).toBe(16000);
    expect(back.channels[0]).toEqual(samples);
  });
});

describe('every format a designer has, read in the renderer', () => {
  const FRAMES = 2205; // the fixtures: 0.1 s of 22.05 kHz stereo (test/fixtures/audio/README.md)

  it('the renderer, the engine and electron/common read one header with one reader', () => {
    expect(engineAudioHeader).toBe(common.readAudioHeader);
    expect(engineHeader).toBe(common.readWavHeader);
    for (const name of ['source.wav', 'source.flac', 'source.aiff', 'source.mp3', 'source.ogg', 'source.opus']) {
      const bytes = fixture(name);
      expect(readAudioInfo(bytes).header, name).toEqual(engineAudioHeader(bytes));
    }
  });

  it('shows duration, rate and channels where the header has them', () => {
    for (const [name, format, text] of [
      ['source.wav', 'wav', '0.10 s · 22.05 kHz · stereo · 16-bit'],
      ['source.flac', 'flac', '0.10 s · 22.05 kHz · stereo · FLAC 16-bit'],
      ['source.aiff', 'aiff', '0.10 s · 22.05 kHz · stereo · AIFF'],
    ] as const) {
      const info = readAudioInfo(fixture(name));
      expect(info.header, name).toMatchObject({ format, sampleRate: 22050, channels: 2, frames: FRAMES });
      expect(describeAudio(info), name).toBe(text);
    }
  });

  it('MP3: rate and channels, and "about" a length from its Info frame; Ogg: the length after import', () => {
    const mp3 = readAudioInfo(fixture('source.mp3'));
    expect(mp3.header).toMatchObject({ format: 'mp3', sampleRate: 22050, channels: 1, frames: undefined, durationSec: undefined });
    // The encoder's frames hold the 0.1 s plus its delay and padding: an estimate, said as one.
    expect(mp3.header.estimatedSec).toBeGreaterThan(0.09);
    expect(mp3.header.estimatedSec).toBeLessThan(0.25);
    expect(describeAudio(mp3)).toMatch(/^about 0\.\d\d s · 22\.05 kHz · mono · MP3$/);
    expect(describeAudio(readAudioInfo(fixture('source.ogg')))).toBe('duration after import · 22.05 kHz · stereo · Ogg Vorbis');
    expect(describeAudio(readAudioInfo(fixture('source.opus')))).toBe('duration after import · 48 kHz · stereo · Ogg Opus');
    // Once decoded here (a span may have to be picked), the measured length is shown.
    expect(describeAudio(readAudioInfo(fixture('source.opus')), 0.1)).toBe('0.10 s · 48 kHz · stereo · Ogg Opus');
  });

  it('estimates a constant-bitrate MP3 without an Info frame from its size and bitrate', () => {
    // Eight 128 kbit/s MPEG-1 Layer III frames at 44.1 kHz (417 bytes each), no Xing/Info tag.
    const frame = new Uint8Array(417);
    frame.set([0xff, 0xfb, 0x90, 0x44]);
    const bytes = new Uint8Array(417 * 8);
    for (let i = 0; i < 8; i++) bytes.set(frame, i * 417);
    const h = readAudioInfo(bytes).header;
    expect(h).toMatchObject({ format: 'mp3', sampleRate: 44100, channels: 2 });
    expect(h.estimatedSec).toBeCloseTo((417 * 8 * 8) / 128000, 6);
  });

  it('a span of decoded samples goes to the engine as a WAV holding exactly those samples', async () => {
    // What decodeInBrowser gives for a FLAC: planar floats at the header's rate (here the engine's decode stands in for Chromium's).
    const audio = await decodeAudio(fixture('source.flac'));
    const wav = spanWav(audio, { startSec: 0.02, endSec: 0.07 });
    const back = decodeWav(wav);
    const first = Math.round(0.02 * 22050);
    const n = Math.floor(0.05 * 22050 + 1e-6);
    expect(back.sampleRate).toBe(22050);
    expect(back.channels).toHaveLength(2);
    expect(back.channels[0]).toEqual(audio.channels[0]!.subarray(first, first + n));
    expect(back.channels[1]).toEqual(audio.channels[1]!.subarray(first, first + n));
    expect(samplePeaks(audio.channels[0]!, 10)).toHaveLength(10);
  });

  it("reads an AIFF's samples itself (Chromium's Web Audio cannot), exactly as the engine decodes them", async () => {
    const bytes = fixture('source.aiff');
    const mine = await decodeInBrowser(bytes, readAudioInfo(bytes).header);
    const engine = await decodeAudio(bytes);
    expect(mine.sampleRate).toBe(22050);
    expect(mine.channels).toHaveLength(2);
    expect(mine.channels[0]).toEqual(engine.channels[0]);
    expect(mine.channels[1]).toEqual(engine.channels[1]);
    // And the engine's WAV of the same sound holds the same samples.
    expect(mine.channels[0]).toEqual(decodeWav(fixture('source.wav')).channels[0]);
  });

  it('the file input accepts every format the engine reads', () => {
    for (const ext of ['.wav', '.flac', '.mp3', '.ogg', '.opus', '.oga', '.aif', '.aiff']) expect(IMPORT_ACCEPT.split(',')).toContain(ext);
    expect(IMPORT_ACCEPT).toContain('audio/*');
  });
});
