import { describe, expect, it } from 'vitest';
import { dbToUnit, stft } from '../../renderer/src/timeline/spectrogram';
import { peakAbs, peaks } from '../../renderer/src/timeline/waveform';

const SR = 16000;
const sine = (hz: number, sec: number, amp = 0.5): Float32Array =>
  Float32Array.from({ length: Math.round(sec * SR) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / SR));

describe('stft', () => {
  it('matches a direct DFT of the Hann-windowed frame, in dB of the loudest bin', () => {
    const n = 16;
    const x = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 0.7) + 0.3 * Math.cos(i * 2.1));
    const mags = Array.from({ length: n / 2 + 1 }, (_, k) => {
      let r = 0;
      let m = 0;
      for (let i = 0; i < n; i++) {
        const w = x[i]! * (0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n));
        r += w * Math.cos((-2 * Math.PI * k * i) / n);
        m += w * Math.sin((-2 * Math.PI * k * i) / n);
      }
      return Math.hypot(r, m);
    });
    const max = Math.max(...mags);
    const s = stft(x, SR, n, n);
    expect(s.frames).toBe(1);
    for (let k = 0; k <= n / 2; k++) expect(s.db[k]).toBeCloseTo(20 * Math.log10(Math.max(mags[k]! / max, 1e-6)), 4);
  });

  it('puts a 1 kHz sine in bin 32 of a 512-point frame', () => {
    const s = stft(sine(1000, 0.5), SR);
    expect(s.bins).toBe(257);
    expect(s.frames).toBe(Math.floor((8000 - 512) / 256) + 1);
    const f = 5;
    let best = 0;
    for (let k = 1; k < s.bins; k++) if (s.db[f * s.bins + k]! > s.db[f * s.bins + best]!) best = k;
    expect(best).toBe(32);
    expect(s.db[f * s.bins + best]).toBeCloseTo(0, 0);
    expect(s.db[f * s.bins + 100]!).toBeLessThan(-40);
  });

  it('maps dB to 0..1', () => {
    expect(dbToUnit(0)).toBe(1);
    expect(dbToUnit(-80)).toBe(0);
    expect(dbToUnit(-200)).toBe(0);
    expect(dbToUnit(-40)).toBeCloseTo(0.5);
  });
});

describe('waveform peaks', () => {
  it('min/max per column over the visible window', () => {
    const s = new Float32Array(SR);
    s[100] = 0.9;
    s[8000] = -0.7;
    const p = peaks(s, SR, 0, 0.5, 2);
    expect(Array.from(p).map((v) => Math.round(v * 10) / 10)).toEqual([0, 0.9, -0.7, 0]);
    expect(peakAbs(s)).toBeCloseTo(0.9);
  });

  it('zoomed in past one sample per column still draws every column', () => {
    const s = Float32Array.from({ length: 10 }, (_, i) => i / 10);
    const p = peaks(s, 10, 0, 0.05, 20);
    expect(p[2 * 3]).toBeCloseTo(0.1);
    expect(p[2 * 19 + 1]).toBeCloseTo(0.9);
  });

  it('columns past the end are empty', () => {
    const p = peaks(new Float32Array([0.5, 0.5]), 2, 0, 1, 4);
    expect(Array.from(p.slice(2))).toEqual([0, 0, 0, 0, 0, 0]);
  });
});
