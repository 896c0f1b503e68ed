// Offscreen canvases the timeline draws scaled: a mask at one pixel per (step, token) and a
// spectrogram at one pixel per (STFT frame, bin). Cached by the data they come from, so scrolling and
// zooming never recompute them.
import { heatColor, maskPixels } from './heat';
import { dbToUnit, stft } from './spectrogram';

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

/** The spectrogram as an image: width = frames, height = bins (low frequencies at the bottom). */
export function spectrogramImage(samples: Float32Array, sampleRate: number): { image: HTMLCanvasElement; hopSec: number } {
  const hopSec = 256 / sampleRate;
  let c = spectroImages.get(samples);
  if (c === undefined) {
    const s = stft(samples, sampleRate);
    const px = new Uint8ClampedArray(s.frames * s.bins * 4);
    for (let f = 0; f < s.frames; f++) {
      for (let k = 0; k < s.bins; k++) {
        const [r, g, b] = heatColor(dbToUnit(s.db[f * s.bins + k]!, -60));
        const o = ((s.bins - 1 - k) * s.frames + f) * 4;
        px[o] = r;
        px[o + 1] = g;
        px[o + 2] = b;
        px[o + 3] = 255;
      }
    }
    c = canvasOf(s.frames, s.bins, px);
    spectroImages.set(samples, c);
  }
  return { image: c, hopSec };
}
