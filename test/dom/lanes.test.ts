import { describe, expect, it } from 'vitest';
import {
  formatReadout,
  frequencyAt,
  frequencyTicks,
  laneMask,
  laneRanges,
  laneReadout,
  relativeValue,
  stepsInClip,
} from '../../renderer/src/timeline/lanes';
import { insertWord } from '../../renderer/src/components/VocabularyPanel';

// 5 steps x 3 tokens: lane 0 rises, lane 1 is flat at 0.9, lane 2 peaks in the middle.
const MASK = [
  [0.2, 0.9, 0.1],
  [0.4, 0.9, 0.3],
  [0.6, 0.91, 0.9],
  [0.8, 0.9, 0.3],
  [1.0, 0.9, 0.1],
];

describe('token lanes', () => {
  it('stop at the clip: the delay tail past the last frame is not drawn', () => {
    // 0.12 s at 25 steps/s is 3 frames; the mask has 2 more (delay) steps.
    expect(stepsInClip(MASK, 0.12, 25)).toBe(3);
    expect(stepsInClip(MASK, 10, 25)).toBe(5);
    expect(laneMask(MASK, 3, 'absolute')).toEqual(MASK.slice(0, 3));
  });

  it('relative scale: each lane between its own 5th and 95th percentile over the clip; a flat lane stays absolute', () => {
    const ranges = laneRanges(MASK, 3);
    // [0.2, 0.4, 0.6]: 5th percentile 0.2 + 0.1 x 0.2, 95th 0.4 + 0.9 x 0.2.
    expect(ranges[0]!.min).toBeCloseTo(0.22, 9);
    expect(ranges[0]!.max).toBeCloseTo(0.58, 9);
    const rel = laneMask(MASK, 3, 'relative');
    // Clipped beyond the percentiles, linear between them.
    expect(rel.map((r) => r[0])).toEqual([0, 0.5, 1].map((v) => expect.closeTo(v, 9)));
    expect(rel.map((r) => r[1])).toEqual([0.9, 0.9, 0.91]);
    expect(rel[1]![2]).toBeCloseTo((0.3 - ranges[2]!.min) / (ranges[2]!.max - ranges[2]!.min), 9);
    expect(relativeValue(0.5, { min: 0.5, max: 0.5 })).toBe(0.5);
    // One outlying step does not set the range: 99 steps at 0..0.5 and one at 1.
    const spiky = [[1], ...Array.from({ length: 99 }, (_, t) => [(t % 10) / 20])];
    expect(laneRanges(spiky, 100)[0]!.max).toBeLessThan(0.5);
    // Cached: the same array (so its image is drawn once) for the same mask, length and scale.
    expect(laneMask(MASK, 3, 'relative')).toBe(rel);
  });

  it('reads out word, time and value; muted words and times past the clip have none', () => {
    const tok = { text: 'dog' };
    const r = laneReadout(MASK, 25, 0.2, tok, 0, 0.05, false);
    expect(r).toMatchObject({ word: 'dog', value: 0.4, muted: false, unknown: false });
    // Lane 0 over 5 steps: 5th percentile 0.24, 95th 0.96.
    expect(r.relative).toBeCloseTo((0.4 - 0.24) / 0.72, 9);
    expect(formatReadout(r, 'absolute')).toBe('dog · 0.05 s · 0.40');
    expect(formatReadout(r, 'relative')).toBe("dog · 0.05 s · 0.22 of its lane's range (absolute 0.40)");
    expect(formatReadout(laneReadout(MASK, 25, 0.2, tok, 0, 0.05, true), 'absolute')).toBe(
      'dog · 0.05 s · muted in this take: no importance',
    );
    expect(laneReadout(MASK, 25, 0.1, tok, 0, 0.15, false).value).toBeNull();
    expect(formatReadout(laneReadout(MASK, 25, 0.2, { text: 'outside', unknown: true }, 1, 0, false), 'relative')).toBe(
      'outside (unknown word) · 0.00 s · 0.90 (flat over the take: shown absolute)',
    );
  });

  it('labels the log frequency axis from the sample rate', () => {
    const ticks = frequencyTicks(40, 8000, 118);
    expect(ticks.map((t) => t.label)).toEqual(['50 Hz', '100 Hz', '200 Hz', '500 Hz', '1 kHz', '2 kHz', '5 kHz']);
    for (const t of ticks) expect(frequencyAt(t.y, 118, 40, 8000)).toBeCloseTo(t.hz, 6);
    // A 44.1 kHz clip reaches higher.
    expect(frequencyTicks(40, 22050, 118).at(-1)!.label).toBe('20 kHz');
  });
});

describe('vocabulary panel', () => {
  it('puts a word at the caret, spaced from its neighbours', () => {
    expect(insertWord('', 'dog', 0, 0)).toEqual({ text: 'dog ', caret: 4 });
    expect(insertWord('a dog', 'barks', 5, 5)).toEqual({ text: 'a dog barks ', caret: 12 });
    expect(insertWord('a  while rain', 'dog', 2, 2)).toEqual({ text: 'a dog while rain', caret: 6 });
    expect(insertWord('a cat barks', 'dog', 2, 5)).toEqual({ text: 'a dog barks', caret: 6 });
  });
});
