import { describe, expect, it } from 'vitest';
import { logFrequencyRows, SPECTRO_LOOK, spectroLevel, stft } from '../../renderer/src/timeline/spectrogram';

const SR = 16000;

function sine(hz: number, seconds: number, amp = 0.5): Float32Array {
  return Float32Array.from({ length: Math.round(seconds * SR) }, (_, i) => amp * Math.sin((2 * Math.PI * hz * i) / SR));
}

describe('log-frequency spectrogram rows', () => {
  const bins = 257;
  const binHz = SR / 512;
  const rows = logFrequencyRows(bins, binHz, 128, 40, SR / 2);

  it('runs from Nyquist at the top down to the lowest frequency, each row at least one bin', () => {
    expect(rows).toHaveLength(128);
    expect(rows[0]![1]).toBe(bins - 1);
    expect(rows[127]![0]).toBe(1);
    for (const [k0, k1] of rows) expect(k0).toBeLessThanOrEqual(k1);
    for (let r = 1; r < rows.length; r++) expect(rows[r]![1]).toBeLessThanOrEqual(rows[r - 1]![1]);
  });

  it('gives the octaves equal height: 250-500 Hz and 2-4 kHz take about as many rows', () => {
    const rowsIn = (lo: number, hi: number): number =>
      rows.filter(([k0, k1]) => ((k0 + k1) / 2) * binHz >= lo && ((k0 + k1) / 2) * binHz < hi).length;
    const low = rowsIn(250, 500);
    const high = rowsIn(2000, 4000);
    expect(low).toBeGreaterThan(10);
    expect(Math.abs(low - high)).toBeLessThanOrEqual(3);
  });

  it('draws a tone in the row of its frequency, loud, and its surroundings near the floor', () => {
    const s = stft(sine(1000, 0.5), SR);
    const f = Math.floor(s.frames / 2);
    const level = (r: number): number => spectroLevel(s, f, rows[r]![0], rows[r]![1], SPECTRO_LOOK.floorDb, SPECTRO_LOOK.gamma);
    const toneRow = rows.findIndex(([k0, k1]) => k0 * binHz <= 1000 && 1000 <= k1 * binHz);
    expect(toneRow).toBeGreaterThan(0);
    expect(level(toneRow)).toBeGreaterThan(0.95);
    expect(level(0)).toBeLessThan(0.2);
    expect(level(127)).toBeLessThan(0.2);
  });

  it('keeps silence at the background colour', () => {
    const s = stft(new Float32Array(SR), SR);
    for (const [k0, k1] of rows) expect(spectroLevel(s, 0, k0, k1, SPECTRO_LOOK.floorDb, SPECTRO_LOOK.gamma)).toBe(0);
  });
});
