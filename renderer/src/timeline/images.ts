// Offscreen canvases the timeline draws scaled: a mask at one pixel per (step, token) and a
// spectrogram at one pixel per (STFT frame, log-frequency row). Cached by the data they come from, so scrolling and
// zooming never recompute them.
import { heatColor, maskPixels } from './heat';
import { logFrequencyRows, SPECTRO_LOOK, spectroLevel, stft } from './spectrogram';

const maskImages = new WeakMap<number[][], HTMLCanvasElement>();
const spectroImages = new WeakMap<Float32Array, HTMLCanvasElement>();

function canvasOf(w: number, h: number, px: Uint8ClampedArray): HTMLCanvasElement {
  const c = document.createElement('canvas');
  c.width = Math.max(1, w);
  c.height = Math.max(1, h);
  const ctx = c.getContext('2d');
  if (ctx !== null && w > 0 && h > 0) ctx.putImageData(new ImageData(px as Uint8ClampedArray<ArrayBuffer>, w, h), 0, 0);
  return c;
}

/** The mask as an image: width = steps, height = tokens. */
export function maskImage(mask: number[][]): HTMLCanvasElement {
  let c = maskImages.get(mask);
  if (c === undefined) {
    const tokens = mask[0]?.length ?? 0;
    c = canvasOf(mask.length, tokens, maskPixels(mask, tokens));
    maskImages.set(mask, c);
  }
  return c;
}

/**
 * The spectrogram as an image: width = frames, height = rows of a log-frequency axis (low frequencies
 * at the bottom), like a DAW's: on a linear axis rain and wind, which live below a few kHz, fill a
 * thin strip at the bottom and the rest of the row is dark.
 */
export function spectrogramImage(samples: Float32Array, sampleRate: number): { image: HTMLCanvasElement; hopSec: number } {
  const hopSec = 256 / sampleRate;
  let c = spectroImages.get(samples);
  if (c === undefined) {
    const s = stft(samples, sampleRate);
    const { floorDb, gamma, minHz, rows } = SPECTRO_LOOK;
    const ranges = logFrequencyRows(s.bins, s.binHz, rows, minHz, sampleRate / 2);
    const px = new Uint8ClampedArray(s.frames * rows * 4);
    for (let r = 0; r < rows; r++) {
      const [k0, k1] = ranges[r]!;
      for (let f = 0; f < s.frames; f++) {
        const [red, green, blue] = heatColor(spectroLevel(s, f, k0, k1, floorDb, gamma));
        const o = (r * s.frames + f) * 4;
        px[o] = red;
        px[o + 1] = green;
        px[o + 2] = blue;
        px[o + 3] = 255;
      }
    }
    c = canvasOf(s.frames, rows, px);
    spectroImages.set(samples, c);
  }
  return { image: c, hopSec };
}
