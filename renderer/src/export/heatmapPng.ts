// The heat map of an explanation as a PNG, drawn client-side: token labels on the left, one row per
// token, time across with a seconds axis, and a colour scale.
import type { Mask } from '../../../electron/common/mask';
import { heatColor } from '../timeline/heat';

/** Draws the heat map and returns PNG bytes. */
export async function heatmapPng(mask: Mask, tokens: string[], frameRate: number, title: string): Promise<Uint8Array> {
  const steps = mask.length;
  const labelW = 120;
  const cellW = Math.max(4, Math.min(8, Math.floor(1000 / Math.max(1, steps))));
  const rowH = 22;
  const top = 34;
  const axisH = 28;
  const width = labelW + steps * cellW + 20;
  const height = top + tokens.length * rowH + axisH + 30;
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const c = canvas.getContext('2d');
  if (c === null) throw new Error('this window cannot draw images');
  c.fillStyle = '#12151c';
  c.fillRect(0, 0, width, height);
  c.fillStyle = '#d8dde8';
  c.font = '13px system-ui, sans-serif';
  c.textBaseline = 'middle';
  c.fillText(title, 10, 16);
  tokens.forEach((tok, i) => {
    c.fillStyle = '#d8dde8';
    c.fillText(tok, 10, top + i * rowH + rowH / 2);
    for (let t = 0; t < steps; t++) {
      const [r, g, b] = heatColor(mask[t]?.[i] ?? 0);
      c.fillStyle = `rgb(${r},${g},${b})`;
      c.fillRect(labelW + t * cellW, top + i * rowH, cellW, rowH - 1);
    }
  });
  const axisY = top + tokens.length * rowH + 4;
  c.fillStyle = '#8a93a6';
  c.font = '11px system-ui, sans-serif';
  const secs = steps / frameRate;
  const every = secs > 20 ? 5 : secs > 6 ? 1 : 0.5;
  for (let s = 0; s <= secs + 1e-9; s += every) {
    const x = labelW + s * frameRate * cellW;
    c.fillRect(x, axisY, 1, 6);
    c.fillText(`${s.toFixed(every < 1 ? 1 : 0)} s`, x + 2, axisY + 14);
  }
  // Colour scale 0..1.
  const sy = axisY + 30;
  for (let k = 0; k < 100; k++) {
    const [r, g, b] = heatColor(k / 99);
    c.fillStyle = `rgb(${r},${g},${b})`;
    c.fillRect(labelW + k * 2, sy - 6, 2, 10);
  }
  c.fillStyle = '#8a93a6';
  c.fillText('0', labelW - 12, sy);
  c.fillText('1', labelW + 204, sy);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/png'));
  if (blob === null) throw new Error('could not encode the PNG');
  return new Uint8Array(await blob.arrayBuffer());
}
