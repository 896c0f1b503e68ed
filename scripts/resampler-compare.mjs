// Measures our resampler (electron/engine/audio/resample.ts, built into dist/) against libsamplerate
// (the WASM build @alexanderolsen/libsamplerate-js) and prints a Markdown table for docs/decisions.md.
//
//   npx tsc -p tsconfig.json && npm install --no-save @alexanderolsen/libsamplerate-js@2.1.2
//   node scripts/resampler-compare.mjs
//
// Stopband: worst output level (dB re. the input) of a full-scale sine anywhere from the output's
// Nyquist (and, second column, from 1.05x it) up to the input's Nyquist; everything left is aliasing.
// Passband ripple: max - min gain (dB) of sines from 50 Hz to 0.8x the output Nyquist.
// -3 dB: the frequency where the gain falls 3 dB, as a fraction of the output Nyquist.
// Speed: 60 s of noise, best of 3, in seconds of audio per second of CPU (one core); libsamplerate
// includes creating its converter (what one import pays).
import { createRequire } from 'node:module';
import { resample } from '../dist/electron/engine/audio/resample.js';

const require = createRequire(process.cwd() + '/');
let lsr;
try {
  lsr = require('@alexanderolsen/libsamplerate-js');
} catch {
  console.error('needs @alexanderolsen/libsamplerate-js: npm install --no-save @alexanderolsen/libsamplerate-js@2.1.2');
  process.exit(2);
}

const PAIRS = [
  [44100, 16000],
  [48000, 16000],
  [22050, 16000],
];

function sine(f, rate, n) {
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) x[i] = Math.sin((2 * Math.PI * f * i) / rate);
  return x;
}

/** RMS of the middle half (edges hold the filters' start-up and any delay). */
function midRms(y) {
  const a = Math.floor(y.length / 4);
  const b = Math.floor((3 * y.length) / 4);
  let s = 0;
  for (let i = a; i < b; i++) s += y[i] * y[i];
  return Math.sqrt(s / (b - a));
}

/** Amplitude of the tone at f (cycles per output sample) in the middle half: least squares on sin and cos, so neither delay nor a fractional number of periods biases it. */
function toneAmplitude(y, f) {
  const a = Math.floor(y.length / 4);
  const b = Math.floor((3 * y.length) / 4);
  let ss = 0,
    cc = 0,
    sc = 0,
    ys = 0,
    yc = 0;
  for (let i = a; i < b; i++) {
    const s = Math.sin(2 * Math.PI * f * i);
    const c = Math.cos(2 * Math.PI * f * i);
    ss += s * s;
    cc += c * c;
    sc += s * c;
    ys += y[i] * s;
    yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const p = (ys * cc - yc * sc) / det;
  const q = (yc * ss - ys * sc) / det;
  return Math.hypot(p, q);
}

const db = (x) => 20 * Math.log10(Math.max(x, 1e-12));

// libsamplerate-js's simple() cuts inputs over 4 MB short (60 s at 44.1 kHz came back as 1,599
// samples), so it is driven as a stream: full() in 64 Ki chunks, then zeros to flush the filter.
async function makeLsr(type, from, to) {
  const name = ['libsamplerate best', 'libsamplerate medium', 'libsamplerate fastest'][type];
  const run = async (x) => {
    const src = await lsr.create(1, from, to, { converterType: type });
    const want = Math.round((x.length * to) / from);
    const out = new Float32Array(want);
    let n = 0;
    const push = (y) => {
      out.set(y.subarray(0, Math.min(y.length, want - n)), n);
      n = Math.min(want, n + y.length);
    };
    for (let i = 0; i < x.length; i += 1 << 16) push(src.full(x.subarray(i, i + (1 << 16))));
    for (let k = 0; k < 8 && n < want; k++) push(src.full(new Float32Array(4096)));
    src.destroy();
    return out;
  };
  return { name, run, free: () => {} };
}

async function resamplers(from, to) {
  return [
    { name: 'ours (Kaiser sinc)', run: async (x) => resample(x, from, to), free: () => {} },
    await makeLsr(lsr.ConverterType.SRC_SINC_BEST_QUALITY, from, to),
    await makeLsr(lsr.ConverterType.SRC_SINC_MEDIUM_QUALITY, from, to),
    await makeLsr(lsr.ConverterType.SRC_SINC_FASTEST, from, to),
  ];
}

async function measure(r, from, to) {
  const n = Math.round(from * 0.5);
  const nyqOut = to / 2;
  // Stopband: whatever comes out is aliasing, so all of it counts.
  const leak = async (f) => midRms(await r.run(sine(f, from, n))) / Math.SQRT1_2;
  const gain = async (f) => toneAmplitude(await r.run(sine(f, from, n)), f / to);
  let worstStop = -Infinity;
  let worstStop105 = -Infinity;
  for (let f = nyqOut; f < from / 2 - 50; f += 97) {
    const g = db(await leak(f));
    worstStop = Math.max(worstStop, g);
    if (f >= 1.05 * nyqOut) worstStop105 = Math.max(worstStop105, g);
  }
  let lo = Infinity;
  let hi = -Infinity;
  for (let f = 50; f <= 0.8 * nyqOut; f += 61) {
    const g = db(await gain(f));
    lo = Math.min(lo, g);
    hi = Math.max(hi, g);
  }
  let f3 = 0;
  for (let f = 0.7 * nyqOut; f < nyqOut; f += 10) {
    if (db(await gain(f)) < -3) break;
    f3 = f;
  }
  const noise = Float32Array.from({ length: from * 60 }, (_, i) => Math.sin(i * 12.9898) * 0.5);
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    await r.run(noise);
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return { stop: worstStop, stop105: worstStop105, ripple: hi - lo, bw: f3 / nyqOut, speed: 60 / best };
}

console.log(
  '| rates | resampler | stopband from Nyquist (dB) | stopband from 1.05x Nyquist (dB) | passband ripple to 0.8x Nyquist (dB) | -3 dB point (x Nyquist) | speed (x real time) |',
);
console.log('|---|---|---|---|---|---|---|');
for (const [from, to] of PAIRS) {
  for (const r of await resamplers(from, to)) {
    const m = await measure(r, from, to);
    r.free();
    console.log(
      `| ${from / 1000}k -> ${to / 1000}k | ${r.name} | ${m.stop.toFixed(1)} | ${m.stop105.toFixed(1)} | ${m.ripple.toFixed(4)} | ${m.bw.toFixed(3)} | ${Math.round(m.speed)} |`,
    );
  }
}
