// Short-time Fourier transform magnitudes for the optional spectrogram under each waveform. The
// transform is fft.js's real-input FFT: measured 4.8x faster than the radix-2 FFT we had, with bins
// equal to 1e-12 (scripts/hand-written-compare.mjs; docs/decisions.md, 'Audio formats').
import FFT from 'fft.js';

/** A magnitude spectrogram: frames x bins, row-major, in dB relative to the loudest bin. */
export interface Spectrogram {
  frames: number;
  bins: number;
  /** Seconds between frame starts. */
  hopSec: number;
  /** Hz per bin. */
  binHz: number;
  /** dB (<= 0), frames * bins. */
  db: Float32Array;
}

/** STFT magnitude (Hann window) in dB; frame f covers samples [f * hop, f * hop + nFft). */
export function stft(samples: Float32Array, sampleRate: number, nFft = 512, hop = 256): Spectrogram {
  const bins = nFft / 2 + 1;
  const frames = Math.max(0, Math.floor((samples.length - nFft) / hop) + 1);
  const db = new Float32Array(frames * bins);
  const win = new Float64Array(nFft);
  for (let i = 0; i < nFft; i++) win[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / nFft);
  const transform = new FFT(nFft);
  const frame = new Array<number>(nFft);
  // Interleaved re/im; a real input fills bins 0..nFft/2, all the spectrogram reads.
  const spectrum = transform.createComplexArray();
  let max = 1e-12;
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < nFft; i++) frame[i] = samples[f * hop + i]! * win[i]!;
    transform.realTransform(spectrum, frame);
    for (let k = 0; k < bins; k++) {
      const mag = Math.hypot(spectrum[2 * k]!, spectrum[2 * k + 1]!);
      db[f * bins + k] = mag;
      if (mag > max) max = mag;
    }
  }
  for (let i = 0; i < db.length; i++) db[i] = 20 * Math.log10(Math.max(db[i]! / max, 1e-6));
  return { frames, bins, hopSec: hop / sampleRate, binHz: sampleRate / nFft, db };
}

/** Maps dB to 0..1 over a floor (default -80 dB) for drawing. */
export function dbToUnit(db: number, floorDb = -80): number {
  return Math.min(1, Math.max(0, 1 - db / floorDb));
}

/** How the timeline draws a spectrogram: dB floor, gamma on the 0..1 level, and the frequency range. */
export const SPECTRO_LOOK = {
  /** Quieter than this (dB below the clip's loudest bin) is drawn as background. */
  floorDb: -70,
  /** Below 1 lifts quiet detail (rain hiss, wind rumble) without washing out silence. */
  gamma: 0.8,
  /** Lowest frequency on the log axis (Hz); below it a 512-point FFT at 16 kHz has one bin or two. */
  minHz: 40,
  /** Rows of the drawn image (it is scaled to the row height; enough for a 2x display). */
  rows: 128,
} as const;

/**
 * Bin ranges for rows of a log-frequency axis, top row first (highest frequency): row r covers
 * [k0, k1] inclusive. Each row spans at least one bin, so low rows repeat a bin where the FFT is
 * coarser than the axis and high rows gather many bins (drawn as their loudest, so peaks survive).
 */
export function logFrequencyRows(bins: number, binHz: number, rows: number, minHz: number, maxHz: number): [number, number][] {
  const out: [number, number][] = [];
  const ratio = maxHz / minHz;
  for (let r = 0; r < rows; r++) {
    const hiHz = minHz * Math.pow(ratio, 1 - r / rows);
    const loHz = minHz * Math.pow(ratio, 1 - (r + 1) / rows);
    const k1 = Math.min(bins - 1, Math.round(hiHz / binHz));
    const k0 = Math.min(k1, Math.max(0, Math.round(loHz / binHz)));
    out.push([k0, k1]);
  }
  return out;
}

/** A level in 0..1 for drawing: the loudest bin of [k0, k1] in frame f, over the floor, with the gamma. */
export function spectroLevel(s: Spectrogram, f: number, k0: number, k1: number, floorDb: number, gamma: number): number {
  let db = -Infinity;
  for (let k = k0; k <= k1; k++) db = Math.max(db, s.db[f * s.bins + k]!);
  return Math.pow(dbToUnit(db, floorDb), gamma);
}
