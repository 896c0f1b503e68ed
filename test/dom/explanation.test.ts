import { describe, expect, it } from 'vitest';
import { intervalImportance } from '../../electron/common/mask';
import { diffHolistic, holisticOf, topTokens } from '../../renderer/src/timeline/explanation';
import { heatColor, maskPixels } from '../../renderer/src/timeline/heat';

const intervalOf = (mask: number[][], frameRate: number, span: { startSec: number; endSec: number }) =>
  intervalImportance(mask, frameRate, span, []);

// 10 steps x 2 tokens: token 0 is on in steps 0-4, token 1 in steps 5-9 (0.4 s each at 25 steps/s).
const mask = Array.from({ length: 10 }, (_, t) => (t < 5 ? [1, 0] : [0, 0.5]));

describe('explanation views', () => {
  it('holistic is the mean over all steps', () => {
    expect(holisticOf(mask)).toEqual([0.5, 0.25]);
    expect(holisticOf([])).toEqual([]);
  });

  it('interval is the mean over exactly the selected steps', () => {
    expect(intervalOf(mask, 25, { startSec: 0, endSec: 0.2 })).toEqual([1, 0]);
    expect(intervalOf(mask, 25, { startSec: 0.2, endSec: 0.4 })).toEqual([0, 0.5]);
    const mid = intervalOf(mask, 25, { startSec: 0.12, endSec: 0.24 });
    // steps 3, 4, 5: two with token 0 on, one with token 1 at 0.5.
    expect(mid[0]).toBeCloseTo(2 / 3);
    expect(mid[1]).toBeCloseTo(0.5 / 3);
    // Between two frame starts: the step that starts there.
    expect(intervalOf(mask, 25, { startSec: 0.13, endSec: 0.14 })).toEqual([1, 0]);
    // A muted word has no importance in any span.
    expect(intervalImportance(mask, 25, { startSec: 0, endSec: 0.2 }, [true, false])).toEqual([null, 0]);
  });

  it('diff matches tokens by text and occurrence', () => {
    const rows = diffHolistic(['a', 'dog', 'barks'], [0.1, 0.8, 0.5], ['a', 'dog', 'howls'], [0.2, 0.4, 0.9]);
    expect(rows.map((r) => r.token)).toEqual(['a', 'dog', 'barks', 'howls']);
    // A minus B: "dog" matters 0.4 more in A, the take the comparison is read from.
    expect(rows[1]!.delta).toBeCloseTo(0.4);
    expect(rows[2]).toEqual({ token: 'barks', a: 0.5, b: null, delta: null });
    expect(rows[3]).toEqual({ token: 'howls', a: null, b: 0.9, delta: null });
  });

  it('top tokens, largest first', () => {
    expect(topTokens([0.1, 0.9, 0.5, 0.9], 3)).toEqual([1, 3, 2]);
  });
});

describe('heat colours', () => {
  it('are ordered from dark to bright and clamp', () => {
    const lum = (v: number): number => heatColor(v).reduce((a, b) => a + b, 0);
    for (let v = 0.1; v <= 1; v += 0.1) expect(lum(v)).toBeGreaterThan(lum(v - 0.1));
    expect(heatColor(-1)).toEqual(heatColor(0));
    expect(heatColor(Number.NaN)).toEqual(heatColor(0));
    expect(heatColor(7)).toEqual(heatColor(1));
  });

  it('mask pixels: row i is token i, column t is step t', () => {
    const px = maskPixels(mask, 2);
    const at = (t: number, i: number): number[] => Array.from(px.slice((i * 10 + t) * 4, (i * 10 + t) * 4 + 3));
    expect(at(0, 0)).toEqual(heatColor(1));
    expect(at(0, 1)).toEqual(heatColor(0));
    expect(at(7, 1)).toEqual(heatColor(0.5));
  });
});
