// fft.js ships no types; these are the calls the spectrogram makes.
declare module 'fft.js' {
  export default class FFT {
    constructor(size: number);
    /** An interleaved [re, im, re, im, ...] array of the transform's size. */
    createComplexArray(): number[];
    /** FFT of a real signal into `out`, bins 0..size/2 (the rest is their mirror). */
    realTransform(out: number[], input: ArrayLike<number>): void;
  }
}
