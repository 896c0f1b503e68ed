import { describe, expect, it } from 'vitest';
import { captionsFromCsv, evaluatePrompt, kl, labelDistribution, meanStd, summarise } from '../../electron/engine/faithfulness.js';
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
  });
});
