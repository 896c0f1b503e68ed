// Our hand-written WAV reader/writer against wavefile, and the radix-2 FFT the spectrogram had against
// fft.js (which replaced it), side by side in one run: same results? which is faster? docs/decisions.md
// quotes the table.
// The libraries are not dependencies of the studio; install them beside this run first:
//   npm install --no-save wavefile@11 && npx tsc -p tsconfig.json && node scripts/hand-written-compare.mjs
// (or point COMPARE_DEPS at a folder whose node_modules holds them).
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { decodeWav, encodeWav } from '../dist/electron/engine/audio/wav.js';

const require = createRequire(process.env.COMPARE_DEPS ? join(process.env.COMPARE_DEPS, 'x.js') : import.meta.url);
const { WaveFile } = require('wavefile');
const FFT = require('fft.js');

/** The radix-2 FFT the spectrogram used before fft.js (git show 5588274:renderer/src/timeline/spectrogram.ts). */
function radix2(re, im) {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let len = 2; len <= n; len <<= 1) {
    const ang = (-2 * Math.PI) / len;
    const wr = Math.cos(ang);
    const wi = Math.sin(ang);
    for (let i = 0; i < n; i += len) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < len / 2; k++) {
        const h = i + k + len / 2;
        const br = re[h] * cr - im[h] * ci;
        const bi = re[h] * ci + im[h] * cr;
        re[h] = re[i + k] - br;
        im[h] = im[i + k] - bi;
        re[i + k] += br;
        im[i + k] += bi;
        const t = cr * wr - ci * wi;
        ci = cr * wi + ci * wr;
        cr = t;
      }
    }
  }
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median milliseconds of `runs` calls, alternating with the other candidate by the caller. */
function time(fn) {
  const t = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

// WAV: 60 s of 48 kHz stereo 24-bit, the size of a typical library file.
const rate = 48000;
const n = rate * 60;
const left = new Float32Array(n).map((_, i) => 0.5 * Math.sin((2 * Math.PI * 440 * i) / rate));
const right = new Float32Array(n).map((_, i) => 0.25 * Math.sin((2 * Math.PI * 1000 * i) / rate));
const bytes = encodeWav([left, right], rate, 'pcm24');

const ours = decodeWav(bytes);
const wf = new WaveFile(bytes);
const theirs = wf.getSamples(false, Float64Array).map((ch) => Float32Array.from(ch, (v) => v / 8388608));
let maxDiff = 0;
for (let c = 0; c < 2; c++) for (let i = 0; i < n; i++) maxDiff = Math.max(maxDiff, Math.abs(ours.channels[c][i] - theirs[c][i]));

const runs = 7;
const wav = { oursRead: [], theirsRead: [], oursWrite: [], theirsWrite: [] };
for (let r = 0; r < runs; r++) {
  wav.oursRead.push(time(() => decodeWav(bytes)));
  wav.theirsRead.push(time(() => new WaveFile(bytes).getSamples(false, Float64Array)));
  wav.oursWrite.push(time(() => encodeWav([left, right], rate, 'pcm24')));
  wav.theirsWrite.push(
    time(() => {
      const w = new WaveFile();
      w.fromScratch(2, rate, '32f', [left, right]);
      w.toBitDepth('24');
      w.toBuffer();
    }),
  );
}

// FFT: the spectrogram's 512-point transform, 20,000 frames (a 5 s clip at every zoom, many times over).
const fft = radix2;
const size = 512;
const frames = 20000;
const signal = Float64Array.from({ length: size }, (_, i) => Math.sin(i * 0.3) + 0.5 * Math.cos(i * 1.7));
const re = new Float64Array(size);
const im = new Float64Array(size);
re.set(signal);
fft(re, im);
const lib = new FFT(size);
const out = lib.createComplexArray();
lib.realTransform(out, Array.from(signal));
lib.completeSpectrum(out);
let fftDiff = 0;
for (let k = 0; k < size; k++) fftDiff = Math.max(fftDiff, Math.abs(re[k] - out[2 * k]), Math.abs(im[k] - out[2 * k + 1]));
const ffts = { ours: [], theirs: [] };
const input = Array.from(signal);
for (let r = 0; r < runs; r++) {
  ffts.ours.push(
    time(() => {
      for (let f = 0; f < frames; f++) {
        re.set(signal);
        im.fill(0);
        fft(re, im);
      }
    }),
  );
  ffts.theirs.push(
    time(() => {
      for (let f = 0; f < frames; f++) {
        lib.realTransform(out, input);
        lib.completeSpectrum(out);
      }
    }),
  );
}

const row = (what, a, b) => `| ${what} | ${median(a).toFixed(1)} | ${median(b).toFixed(1)} | ${(median(b) / median(a)).toFixed(2)} |`;
console.log(`node ${process.version}, medians of ${runs} alternating runs, ms`);
console.log('| task | ours | library | library / ours |');
console.log('|---|---|---|---|');
console.log(row('read 60 s 48 kHz stereo 24-bit WAV (wavefile)', wav.oursRead, wav.theirsRead));
console.log(row('write the same (wavefile, from float)', wav.oursWrite, wav.theirsWrite));
console.log(row(`${frames} FFTs of ${size} points (fft.js, real input)`, ffts.ours, ffts.theirs));
console.log(`largest sample difference, WAV read: ${maxDiff.toExponential(2)}; largest bin difference, FFT: ${fftDiff.toExponential(2)}`);
