import { describe, expect, it } from 'vitest';
import { calibrationError, fitTemperature } from '../../electron/engine/classify.js';
import { captionsFromCsv, evaluatePrompt, kl, labelDistribution, meanStd, rescore, summarise } from '../../electron/engine/faithfulness.js';
import { embeddedModel } from './helpers.js';

describe('faithfulness protocol', () => {
  it('reads the caption column of AudioCaps-style CSV, with quotes, commas, CRLF and a BOM', () => {
    const csv =
      '\uFEFFaudiocap_id,youtube_id,start_time,Caption\r\n1,abc,0,"A dog barks, then a bell rings"\r\n2,def,10,"He said ""hello"" loudly"\r\n3,ghi,0,rain falls\r\n';
    expect(captionsFromCsv(csv)).toEqual(['A dog barks, then a bell rings', 'He said "hello" loudly', 'rain falls']);
    expect(() => captionsFromCsv('id,text\n1,x\n')).toThrow(/no "caption" column \(columns: id, text\)/);
  });

  it('turns sigmoid outputs into one distribution and measures KL', () => {
    const q = labelDistribution(Float32Array.of(0.9, 0.5, 0.1));
    expect(q.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(q[0]! / q[1]!).toBeCloseTo(9, 4); // softmax of logits: odds ratios are kept
    expect(kl(q, q)).toBeCloseTo(0, 12);
    expect(kl(q, labelDistribution(Float32Array.of(0.1, 0.5, 0.9)))).toBeGreaterThan(0.5);
    expect(meanStd([1, 3, Number.NaN])).toEqual({ mean: 2, std: 1 });
  });

  it('runs the protocol on the real model: floor row, per-method figures, mask size', async () => {
    const model = await embeddedModel();
    const rows = await evaluatePrompt(model, 'a dog barks while rain falls', ['random'], {
      seeds: [1, 2],
      originalSeed: 0,
      durationSec: 1,
    });
    expect(rows.map((r) => r.method)).toEqual(['floor', 'random']);
    const random = rows[1]!;
    expect(random.seeds).toHaveLength(2);
    expect(random.size).toBeGreaterThan(0.3);
    expect(random.size).toBeLessThan(0.7);
    for (const s of random.seeds) for (const v of [s.fid_f, s.fid_cf, s.kl_f, s.kl_cf]) expect(Number.isFinite(v)).toBe(true);
    const table = summarise(rows);
    expect(Object.keys(table)).toEqual(['floor', 'random']);
    expect(Number.isNaN(table.floor!.fid_cf.mean)).toBe(true);
    expect(table.random!.kl_f.mean).toBeGreaterThanOrEqual(0);
    // the judge's outputs are kept: at temperature 1 they give back the raw figures, at another they move
    expect(rescore(rows, 1)).toEqual(rows);
    const warm = rescore(rows, 4);
    expect(warm.map((r) => r.method)).toEqual(['floor', 'random']);
    expect(warm[1]!.seeds.map((s) => s.kl_f)).not.toEqual(random.seeds.map((s) => s.kl_f));
    expect(rescore([{ ...random, origProbs: undefined }], 4)).toEqual([]); // rows from before: left out, not misread
  });
});

describe('calibrating the judge', () => {
  // clips whose logits are (true logit) * 3: an over-confident judge whose right temperature is 3
  const sigmoid = (z: number): number => 1 / (1 + Math.exp(-z));
  const clips = Array.from({ length: 300 }, (_, i) => {
    // label 0 present; the calibrated judge gives it probability 0.6 of 3 labels, others 0.2 each
    const present = i % 5 < 3 ? [0] : [1 + (i % 2)];
    const z = [Math.log(3), 0, 0].map((v) => v * 3);
    return { probs: z.map(sigmoid), present };
  });

  it('labelDistribution: temperature divides the logits', () => {
    const q = labelDistribution(Float32Array.of(sigmoid(3 * Math.log(3)), 0.5, 0.5), 3);
    expect(Array.from(q)).toEqual([0.6, 0.2, 0.2].map((v) => expect.closeTo(v, 6)));
  });

  it('fitTemperature finds the temperature that makes the judge calibrated, and its errors fall to 0', () => {
    expect(fitTemperature(clips)).toBeCloseTo(3, 3);
    const raw = calibrationError(clips, 1);
    const cal = calibrationError(clips, 3);
    expect(raw.meanConfidence).toBeCloseTo(27 / 29, 6); // 3^3 / (3^3 + 1 + 1)
    expect(raw.topLabelEce).toBeCloseTo(27 / 29 - 0.6, 6);
    expect(cal.topLabelEce).toBeCloseTo(0, 6);
    expect(cal.ece).toBeCloseTo(0, 6);
    expect(cal.nll).toBeLessThan(raw.nll);
    expect(cal.topLabelAccuracy).toBeCloseTo(0.6, 12);
  });

  it('refuses a clip without labels', () => {
    expect(() => fitTemperature([{ probs: [0.5, 0.5], present: [] }])).toThrow(/at least one label/);
  });
});
