// The interval view every front end shares: which steps a time range covers, and their mean.
import { describe, expect, it } from 'vitest';
import { holisticMeans, intervalMeans, stepRange } from '../../electron/common/mask.js';

describe('mask views', () => {
  it('covers the steps whose frames start inside [start, end), exactly at snapped times', () => {
    expect(stepRange(25, 128, 0, 1)).toEqual([0, 25]);
    expect(stepRange(25, 128, 0.04, 0.28)).toEqual([1, 7]); // 0.28 * 25 = 7.000000000000001
    expect(stepRange(25, 128, 0.1, 0.3)).toEqual([2, 8]); // 0.1 * 25 = 2.5 starts inside step 2
    expect(stepRange(25, 128, 4.9, 9)).toEqual([122, 128]);
    expect(stepRange(25, 128, 7, 8)).toEqual([127, 128]); // past the end: the last step, never empty
  });

  it('averages the covered rows per token, and every row for the holistic view', () => {
    const mask = [
      [1, 0],
      [0.5, 0.5],
      [0, 1],
      [0, 0],
    ];
    expect(intervalMeans(mask, 1, 0, 2)).toEqual([0.75, 0.25]);
    expect(intervalMeans(mask, 1, 1.5, 3)).toEqual([0.25, 0.75]);
    expect(holisticMeans(mask)).toEqual([0.375, 0.375]);
    expect(intervalMeans([], 25, 0, 1)).toEqual([]);
  });
});
