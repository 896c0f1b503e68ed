import { describe, expect, it } from 'vitest';
import type { PromptToken } from '../../electron/engine/tokenizer.js';
import { parseWeightSpec } from '../../electron/engine/weights.js';

const tokens: PromptToken[] = ['a', 'Dog', 'barks', 'and', 'a', 'dog', 'yelps'].map((text, i) => ({
  id: i,
  text,
  start: i,
  end: i + 1,
  unknown: false,
}));

describe('--weights spec', () => {
  it('reads word=weight pairs, case-insensitively, applying to every matching token', () => {
    expect(parseWeightSpec('dog=0, yelps = 1.5', tokens)).toEqual([
      { token: 1, weight: 0 },
      { token: 5, weight: 0 },
      { token: 6, weight: 1.5 },
    ]);
  });

  it('reads an interval in seconds', () => {
    expect(parseWeightSpec('barks=0.2@1.5:3', tokens)).toEqual([{ token: 2, weight: 0.2, startSec: 1.5, endSec: 3 }]);
  });

  it('refuses what it cannot read with the reason', () => {
    expect(() => parseWeightSpec('cat=0', tokens)).toThrow(/"cat", which is not a token of the prompt; tokens: a, Dog, barks/);
    expect(() => parseWeightSpec('dog', tokens)).toThrow(/write word=weight/);
    expect(() => parseWeightSpec('dog=-1', tokens)).toThrow(/from 0 to 2/);
    expect(() => parseWeightSpec('dog=NaN', tokens)).toThrow(/from 0 to 2/);
    expect(() => parseWeightSpec('dog=0@3:1', tokens)).toThrow(/0 <= start < end/);
    expect(() => parseWeightSpec('dog=0@x:1', tokens)).toThrow(/0 <= start < end/);
  });
});
