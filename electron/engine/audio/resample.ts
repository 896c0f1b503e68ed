// Band-limited resampling with a Kaiser-windowed sinc kernel.
//
// Time is measured in input samples. Output sample n sits at input time n * fromRate / toRate,
// so output and input start at the same instant and there is no half-sample shift.
import { throwIfAborted } from '../../common/errors.js';

/** Zero crossings of the sinc on each side of the kernel centre. */
const ZERO_CROSSINGS = 32;
/** Kaiser beta: about 90 dB stopband, with a transition band near 0.18 * cutoff at 32 zero crossings. */
const KAISER_BETA = 9;
/** Cutoff as a fraction of the lower Nyquist frequency; below 1 so the transition band ends near Nyquist instead of straddling it. */
const ROLLOFF = 0.92;
/** Polyphase tables beyond these sizes cost more to build than direct evaluation saves. */
const MAX_PHASES = 4096;
const MAX_TABLE_ENTRIES = 1 << 22;
/** Kernel samples per zero crossing for direct evaluation (linear interpolation error about -100 dB). */
const LOOKUP_DENSITY = 512;
/** Longest output this module will allocate (Float32Array elements). */
const MAX_OUTPUT = 2 ** 31;
/** Output samples between progress reports and cancellation checks (a few milliseconds of work at most ratios). */
const CHUNK = 1 << 15;

/** Progress and cancellation for long resamples; both are looked at between chunks of output. */
export interface ResampleOptions {
  /** Stops the work with AgxError 'cancelled' at the next chunk. */
  signal?: AbortSignal | undefined;
  /** Fraction of the output done, 0..1, after each chunk (a caller may abort its signal here). */
  onProgress?: ((fraction: number) => void) | undefined;
}

/** Between chunks: report progress, then stop if cancelled. */
function checkpoint(n: number, outLen: number, options: ResampleOptions): void {
  options.onProgress?.(n / outLen);
  throwIfAborted(options.signal);
}

/** Samples resample() returns for an input of n samples: round(n * toRate / fromRate). */
export function resampledLength(n: number, fromRate: number, toRate: number): number {
  return fromRate === toRate ? n : Math.round((n * toRate) / fromRate);
}

/** Zeroth-order modified Bessel function of the first kind (power series; converges fast for the betas used here). */
function besselI0(x: number): number {
  const q = (x * x) / 4;
  let term = 1;
  let sum = 1;
  for (let k = 1; k < 64; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return sum;
}

const I0_BETA = besselI0(KAISER_BETA);

/** Kernel value at distance u measured in zero crossings (u = t * 2 * cutoff), without the 2 * cutoff gain. */
function kernel(u: number): number {
  const a = Math.abs(u);
  if (a >= ZERO_CROSSINGS) return 0;
  const r = a / ZERO_CROSSINGS;
  const window = besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / I0_BETA;
  const sinc = a < 1e-12 ? 1 : Math.sin(Math.PI * a) / (Math.PI * a);
  return sinc * window;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

interface Plan {
  /** Cutoff in cycles per input sample. */
  cutoff: number;
  /** Taps on each side of the output position. */
  half: number;
}

function plan(fromRate: number, toRate: number): Plan {
  const cutoff = 0.5 * ROLLOFF * Math.min(1, toRate / fromRate);
  return { cutoff, half: Math.ceil(ZERO_CROSSINGS / (2 * cutoff)) };
}

interface Polyphase {
  up: number;
  down: number;
  taps: number;
  /** up rows of taps weights; row p is for fractional position p / up, each row summing to 1. */
  table: Float64Array;
}

// Few distinct rate pairs occur in practice, so a tiny cache saves rebuilding tables per call.
const tableCache = new Map<string, Polyphase>();

function polyphaseFor(fromRate: number, toRate: number, p: Plan): Polyphase | undefined {
  if (!Number.isInteger(fromRate) || !Number.isInteger(toRate)) return undefined;
  if (fromRate > Number.MAX_SAFE_INTEGER / MAX_PHASES || toRate > Number.MAX_SAFE_INTEGER / MAX_PHASES) return undefined;
  const g = gcd(fromRate, toRate);
  const up = toRate / g;
  const down = fromRate / g;
  const taps = 2 * p.half;
  if (up > MAX_PHASES || up * taps > MAX_TABLE_ENTRIES) return undefined;
  const key = `${up}/${down}`;
  const cached = tableCache.get(key);
  if (cached) return cached;

  const table = new Float64Array(up * taps);
  const scale = 2 * p.cutoff;
  for (let ph = 0; ph < up; ph++) {
    const frac = ph / up;
    let sum = 0;
    for (let j = 0; j < taps; j++) {
      // Tap j reads input index k - half + 1 + j, at distance frac + half - 1 - j from the output position.
      const w = kernel((frac + p.half - 1 - j) * scale);
      table[ph * taps + j] = w;
      sum += w;
    }
    // Exact unity DC gain in every phase; otherwise phases differ slightly and leave a faint tone at the output rate / up.
    for (let j = 0; j < taps; j++) table[ph * taps + j]! /= sum;
  }
  const poly = { up, down, taps, table };
  if (tableCache.size >= 8) tableCache.delete(tableCache.keys().next().value!);
  tableCache.set(key, poly);
  return poly;
}

/** Sample x[i], or 0 outside the signal (only used near the edges). */
function at(x: Float32Array, i: number): number {
  return i >= 0 && i < x.length ? x[i]! : 0;
}

function runPolyphase(input: Float32Array, outLen: number, poly: Polyphase, half: number, options: ResampleOptions): Float32Array {
  const { up, down, taps, table } = poly;
  const len = input.length;
  const out = new Float32Array(outLen);
  const whole = Math.floor(down / up);
  const rest = down - whole * up;
  let k = 0;
  let ph = 0;
  for (let n = 0; n < outLen; n++) {
    if (n % CHUNK === 0 && n > 0) checkpoint(n, outLen, options);
    // Taps cover input indices first .. first + taps - 1 around input position k + ph / up.
    const first = k - half + 1;
    const row = ph * taps;
    if (first >= 0 && first + taps <= len) {
      // Four accumulators break the floating-point add dependency chain, which V8 will not do itself.
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      let j = 0;
      for (; j + 3 < taps; j += 4) {
        a0 += table[row + j]! * input[first + j]!;
        a1 += table[row + j + 1]! * input[first + j + 1]!;
        a2 += table[row + j + 2]! * input[first + j + 2]!;
        a3 += table[row + j + 3]! * input[first + j + 3]!;
      }
      for (; j < taps; j++) a0 += table[row + j]! * input[first + j]!;
      out[n] = a0 + a1 + (a2 + a3);
    } else {
      // Near the edges the signal is taken as zero outside; cheaper than copying the input into a padded buffer.
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += table[row + j]! * at(input, first + j);
      out[n] = acc;
    }
    k += whole;
    ph += rest;
    if (ph >= up) {
      ph -= up;
      k += 1;
    }
  }
  return out;
}

function runDirect(input: Float32Array, outLen: number, fromRate: number, toRate: number, p: Plan, options: ResampleOptions): Float32Array {
  const zs = ZERO_CROSSINGS * LOOKUP_DENSITY;
  const lookup = new Float64Array(zs + 2);
  for (let m = 0; m <= zs; m++) lookup[m] = kernel(m / LOOKUP_DENSITY);
  const half = p.half;
  const taps = 2 * half;
  const toLookup = 2 * p.cutoff * LOOKUP_DENSITY;
  const out = new Float32Array(outLen);
  const step = fromRate / toRate;
  for (let n = 0; n < outLen; n++) {
    if (n % CHUNK === 0 && n > 0) checkpoint(n, outLen, options);
    const t = n * step;
    const k = Math.floor(t);
    const frac = t - k;
    const first = k - half + 1;
    let acc = 0;
    let wsum = 0;
    for (let j = 0; j < taps; j++) {
      const u = Math.abs(frac + half - 1 - j) * toLookup;
      const m = Math.floor(u);
      if (m >= zs) continue;
      const a = lookup[m]!;
      const w = a + (u - m) * (lookup[m + 1]! - a);
      acc += w * at(input, first + j);
      // Normalising by the weight sum gives exact unity DC gain, like the polyphase rows.
      wsum += w;
    }
    out[n] = wsum > 0 ? acc / wsum : 0;
  }
  return out;
}

/**
 * Resamples mono audio from fromRate to toRate (Hz) with a band-limited windowed-sinc filter; output
 * length is resampledLength(). Work is in chunks: options.signal can stop it between them.
 */
export function resample(input: Float32Array, fromRate: number, toRate: number, options: ResampleOptions = {}): Float32Array {
  for (const [name, rate] of [
    ['fromRate', fromRate],
    ['toRate', toRate],
  ] as const) {
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw new Error(`resample: ${name} must be a positive finite number of Hz, got ${String(rate)}`);
    }
  }
  throwIfAborted(options.signal);
  if (fromRate === toRate) return input.slice();
  const outLen = resampledLength(input.length, fromRate, toRate);
  if (!(outLen < MAX_OUTPUT)) {
    throw new Error(`resample: output would have ${outLen} samples, more than this resampler can allocate`);
  }
  if (outLen === 0) return new Float32Array(0);
  const p = plan(fromRate, toRate);
  if (!(2 * p.half < MAX_OUTPUT)) {
    throw new Error(`resample: ratio ${fromRate}:${toRate} is too extreme (filter would need ${2 * p.half} taps)`);
  }
  const poly = polyphaseFor(fromRate, toRate, p);
  const out = poly ? runPolyphase(input, outLen, poly, p.half, options) : runDirect(input, outLen, fromRate, toRate, p, options);
  options.onProgress?.(1);
  return out;
}
