// The explain estimate scales with the model's size (issue 17 item 3): the catalog's costs were measured
// on tiny-foley, and a converted AudioGen-medium does 432 times its compute per LM step, which the
// estimate must say before an Explain instead of quoting tiny-foley's seconds.
import { describe, expect, it } from 'vitest';
import { modelScale, predictSeconds } from '../../electron/common/methods.js';
import { availableParallelism } from 'node:os';
import { graphThreads } from '../../electron/engine/model.js';
import { estimateExplainSeconds, explainWork } from '../../electron/studio/estimate.js';

const AUDIOGEN_MEDIUM = { layers: 48, hiddenSize: 1536 };
const TINY_FOLEY = { layers: 4, hiddenSize: 256 };

describe('the explain estimate and the model size', () => {
  it('is the fitted cost for tiny-foley and 432 times it for AudioGen-medium', () => {
    expect(modelScale(TINY_FOLEY)).toBe(1);
    expect(modelScale(AUDIOGEN_MEDIUM)).toBe(432);
    const tiny = explainWork(250, 8, 4, [{ steps: 253, tokens: 32 }]);
    const big = explainWork(250, 8, 4, [{ steps: 253, tokens: 32 }], modelScale(AUDIOGEN_MEDIUM));
    const params = { epochs: 25 };
    expect(predictSeconds('audiogenx', params, big) / predictSeconds('audiogenx', params, tiny)).toBeCloseTo(432, 9);
    const fresh = estimateExplainSeconds('audiogenx', params, big, new Map());
    expect(fresh.basis).toBe("typical on a 2-core CPU, scaled by this model's 432x tiny-foley's compute per step");
    // tens of minutes on a 2-core CPU (measured at this size: 28.4 s + 25 x 31.4 s, 13.6 min), not tiny-foley's seconds
    expect(fresh.seconds).toBeGreaterThan(10 * 60);
  });

  it("a run measured on one model calibrates this machine's speed for another", () => {
    const tinyWork = explainWork(125, 8, 4, [{ steps: 128, tokens: 16 }]);
    const bigWork = explainWork(250, 8, 4, [{ steps: 253, tokens: 32 }], 432);
    const params = { epochs: 25 };
    // this machine ran tiny-foley twice as slowly as the catalog's fit
    const book = new Map([['audiogenx', { seconds: 2 * predictSeconds('audiogenx', params, tinyWork), work: tinyWork, params }]]);
    const est = estimateExplainSeconds('audiogenx', params, bigWork, book);
    expect(est.measured).toBe(true);
    expect(est.seconds / predictSeconds('audiogenx', params, bigWork)).toBeCloseTo(2, 9);
  });
});

describe("graphs' threads and the model size", () => {
  it('runs a tiny-foley-sized step on one thread and every other graph, and every graph of an AudioGen-medium-sized model, on every core', () => {
    expect(graphThreads(TINY_FOLEY, 'lmStep')).toBe(1);
    // every core, named: onnxruntime-node's default ran one thread on a 2-core machine
    expect(graphThreads(TINY_FOLEY, 'other')).toBe(availableParallelism());
    expect(graphThreads(AUDIOGEN_MEDIUM, 'lmStep')).toBe(availableParallelism());
    expect(graphThreads(AUDIOGEN_MEDIUM, 'other')).toBe(availableParallelism());
    expect(graphThreads({ layers: 24, hiddenSize: 1024 }, 'lmStep')).toBe(availableParallelism()); // MusicGen-small, 96x
  });
});
