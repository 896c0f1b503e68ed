// Import shows what a WAV holds before the click and cuts a long clip to a span the model takes
// (issue 15, item 6): the renderer's header reader against the engine's, the cut decoded by the
// engine sample for sample, the waveform span picker, and a render saved as a float WAV.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it, vi } from 'vitest';
import { decodeWav, encodeWav, readWavHeader as engineHeader } from '../../electron/engine/audio/wav';
import { cutWav, describeWav, floatWav, readWavHeader, wavPeaks } from '../../renderer/src/api/wav';

vi.mock('../../renderer/src/audio/player', () => ({ audioOut: {} }));

function tone(seconds: number, rate: number, channels: number): Float32Array[] {
  const n = Math.round(seconds * rate);
  return Array.from({ length: channels }, (_, c) => Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin((2 * Math.PI * (220 + 110 * c) * i) / rate) * (i / n)));
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
      expect(mine).toMatchObject({ sampleRate: engine.sampleRate, channels: engine.channels, bitsPerSample: engine.bitsPerSample, frames: engine.frames, dataOffset: engine.dataStart });
      expect(mine.durationSec).toBeCloseTo(sec, 6);
    }
    expect(describeWav(readWavHeader(encodeWav(tone(12, 22050, 2), 22050, 'pcm16')))).toBe('12.0 s · 22.05 kHz · stereo · 16-bit');
    expect(describeWav(readWavHeader(encodeWav(tone(1.5, 48000, 1), 48000, 'float32')))).toBe('1.50 s · 48 kHz · mono · 32-bit float');
  });

  it('says why a file is not one it can read', () => {
    expect(() => readWavHeader(new TextEncoder().encode('this is a text file, not audio'))).toThrow(/not a WAV file/);
    const bytes = encodeWav(tone(0.1, 16000, 1), 16000, 'pcm16');
    new DataView(bytes.buffer).setUint16(20, 2, true); // ADPCM
    expect(() => readWavHeader(bytes)).toThrow(/unsupported WAV encoding/);
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
    const html = renderToStaticMarkup(createElement(SpanPicker, { read: { bytes, wav: readWavHeader(bytes) }, spanSec: 5, startSec: 3, onStart: () => {} }));
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
