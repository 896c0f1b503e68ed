// The heat colour scale for token lanes and the exported PNG: dark blue-grey at 0 through teal to a
// warm amber at 1. Perceptually ordered and readable on the dark theme.

const STOPS: readonly [number, number, number, number][] = [
  [0.0, 22, 27, 38],
  [0.25, 28, 64, 92],
  [0.5, 24, 120, 130],
  [0.75, 120, 180, 110],
  [1.0, 250, 200, 90],
];

/** Value in [0, 1] (clamped; NaN counts as 0) to an RGB triple. */
export function heatColor(v: number): [number, number, number] {
  const x = Number.isFinite(v) ? Math.min(1, Math.max(0, v)) : 0;
  for (let k = 1; k < STOPS.length; k++) {
    const hi = STOPS[k]!;
    if (x <= hi[0]) {
      const lo = STOPS[k - 1]!;
      const f = (x - lo[0]) / (hi[0] - lo[0]);
      return [Math.round(lo[1] + f * (hi[1] - lo[1])), Math.round(lo[2] + f * (hi[2] - lo[2])), Math.round(lo[3] + f * (hi[3] - lo[3]))];
    }
  }
  const last = STOPS[STOPS.length - 1]!;
  return [last[1], last[2], last[3]];
}

/**
 * RGBA pixels of a mask drawn as token rows (height = tokens) by steps (width = steps): pixel (t, i)
 * is M[t][i]. Drawn scaled with smoothing off, one pixel per step stays exact at any zoom.
 */
export function maskPixels(mask: readonly (readonly number[])[], tokens: number): Uint8ClampedArray {
  const w = mask.length;
  const px = new Uint8ClampedArray(w * tokens * 4);
  for (let t = 0; t < w; t++) {
    const row = mask[t]!;
    for (let i = 0; i < tokens; i++) {
      const [r, g, b] = heatColor(row[i] ?? 0);
      const o = (i * w + t) * 4;
      px[o] = r;
      px[o + 1] = g;
      px[o + 2] = b;
      px[o + 3] = 255;
    }
  }
  return px;
}
