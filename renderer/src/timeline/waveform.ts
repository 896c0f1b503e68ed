// Waveform peaks: min/max of the samples under each pixel column, computed only for the visible columns.

/** Min and max per column, interleaved [min0, max0, min1, max1, ...]; empty columns are 0, 0. */
export function peaks(samples: Float32Array, sampleRate: number, startSec: number, secPerColumn: number, columns: number): Float32Array {
  const out = new Float32Array(columns * 2);
  for (let c = 0; c < columns; c++) {
    const a = Math.max(0, Math.floor((startSec + c * secPerColumn) * sampleRate));
    // At least one sample per column, so a zoomed-in view draws a line rather than gaps.
    const b = Math.min(samples.length, Math.max(a + 1, Math.floor((startSec + (c + 1) * secPerColumn) * sampleRate)));
    if (a >= samples.length) break;
    let lo = Infinity;
    let hi = -Infinity;
    for (let s = a; s < b; s++) {
      const v = samples[s]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    out[2 * c] = lo;
    out[2 * c + 1] = hi;
  }
  return out;
}

/** Largest absolute sample (for normalising the drawing; 0 for silence). */
export function peakAbs(samples: Float32Array): number {
  let m = 0;
  for (let i = 0; i < samples.length; i++) {
    const v = Math.abs(samples[i]!);
    if (v > m) m = v;
  }
  return m;
}
