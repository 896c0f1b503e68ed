// The one vocabulary (electron/common/domain.ts, mask.ts): time spans, weights, limits and the mask's
// one conversion, as every layer reads them.
import { describe, expect, it } from 'vitest';
import { CALLS } from '../../electron/common/api.js';
import {
  checkDuration,
  isTimeSpan,
  MAX_TOKEN_WEIGHT,
  MAX_VARIATIONS,
  parseTimeSpan,
  toToken,
  TokenWeightSchema,
  weightSpan,
} from '../../electron/common/domain.js';
import { complementMask, maskSize, maskToJson } from '../../electron/common/mask.js';

describe('domain', () => {
  it('reads a time span as start:end seconds, and nothing malformed', () => {
    expect(parseTimeSpan('0.5:2')).toEqual({ startSec: 0.5, endSec: 2 });
    expect(parseTimeSpan(' 1 : 1.5 ')).toEqual({ startSec: 1, endSec: 1.5 });
    for (const bad of ['2:1', '1:1', '-1:2', 'a:b', '1:', ':2', '1:2:3', 'Infinity:2', '0.5']) expect(parseTimeSpan(bad), bad).toBeNull();
    expect(isTimeSpan({ startSec: 0, endSec: 0.04 })).toBe(true);
    expect(isTimeSpan({ startSec: 0 })).toBe(false);
  });

  it('bounds a token weight by the one maximum, and names its span', () => {
    expect(TokenWeightSchema.safeParse({ token: 0, weight: MAX_TOKEN_WEIGHT }).success).toBe(true);
    expect(TokenWeightSchema.safeParse({ token: 0, weight: MAX_TOKEN_WEIGHT + 0.01 }).success).toBe(false);
    expect(weightSpan({ token: 1, weight: 0 })).toBeNull();
    expect(weightSpan({ token: 1, weight: 0, startSec: 1, endSec: 2 })).toEqual({ startSec: 1, endSec: 2 });
  });

  it('has one variations limit, the contract included', () => {
    const base = { sessionId: 's1', prompt: 'a dog barks', seed: 1, durationSec: 1 };
    expect(CALLS.generate.params.safeParse({ ...base, variations: MAX_VARIATIONS }).success).toBe(true);
    expect(CALLS.generate.params.safeParse({ ...base, variations: MAX_VARIATIONS + 1 }).success).toBe(false);
  });

  it('checks a duration against the model', () => {
    const model = { id: 'tiny-foley', maxDurationSec: 5 };
    expect(() => checkDuration(5, model)).not.toThrow();
    for (const bad of [0, -1, 5.01, Number.NaN])
      expect(() => checkDuration(bad, model)).toThrow(/more than 0 and at most 5 s for tiny-foley/);
  });

  it('keeps vocabulary ids inside the engine', () => {
    expect(toToken({ id: 7, text: 'dog', start: 2, end: 5, unknown: false } as never)).toEqual({ text: 'dog', start: 2, end: 5 });
    expect(toToken({ text: 'zorp', start: 0, end: 4, unknown: true })).toEqual({ text: 'zorp', start: 0, end: 4, unknown: true });
  });

  it('converts a mask once, and reads typed and plain rows alike', () => {
    const rows = [Float32Array.of(1, 0.5), Float32Array.of(0, 0.25)];
    const json = maskToJson(rows);
    expect(json).toEqual([
      [1, 0.5],
      [0, 0.25],
    ]);
    expect(maskSize(rows)).toBe(maskSize(json));
    expect(maskSize(json)).toBeCloseTo(0.4375, 9);
    expect(complementMask(json).map((r) => Array.from(r))).toEqual([
      [0, 0.5],
      [1, 0.75],
    ]);
  });
});
