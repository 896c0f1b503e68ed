// The method catalog (electron/common/methods.ts): strict, bounded parameters; one definition shared
// with the engine; a cost model whose coefficients follow from the measured timings; and a studio that
// rejects a bad parameter when the call arrives, before any job exists.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioApi } from '../../electron/common/api.js';
import { AgxError } from '../../electron/common/errors.js';
import {
  AUDIOGENX_DEFAULT,
  AUDIOGENX_NP_DEFAULT,
  chooseBucket,
  METHOD_CATALOG,
  METHOD_NAMES,
  methodInfos,
  parseMethodParams,
  predictSeconds,
} from '../../electron/common/methods.js';
import { dispatch } from '../../electron/common/protocol.js';
import { METHODS } from '../../electron/engine/explain/index.js';
import { embeddedModelsDir, resolveBundle } from '../../electron/engine/manifest.js';
import { estimateExplainSeconds, explainWork } from '../../electron/studio/estimate.js';
import type { Studio } from '../../electron/studio/studio.js';
import { directApi, jobEnd, tempStudio } from './studio-helpers.js';

/** {a: {a: ... {a: 1}}}, `depth` levels, built without recursion. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

function rejection(f: () => unknown): AgxError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(AgxError);
    return err as AgxError;
  }
  throw new Error('expected a rejection');
}

describe('method catalog', () => {
  it('fills defaults and rejects unknown keys, naming the valid parameters', () => {
    expect(parseMethodParams('audiogenx', {})).toEqual({ ...AUDIOGENX_DEFAULT, seed: 0, factualTerm: 1, counterfactualTerm: 1 });
    // the paper's settings stay reproducible by name; a given setting still overrides the preset's
    const paper = {
      epochs: 50,
      lr: 1e-3,
      weightDecay: 1e-3,
      alpha: 1e-3,
      beta: 1e-1,
      init: 0.5,
      seed: 0,
      factualTerm: 1,
      counterfactualTerm: 1,
      preset: 'paper',
    };
    expect(parseMethodParams('audiogenx', { preset: 'paper' })).toEqual(paper);
    expect(parseMethodParams('audiogenx', { preset: 'paper', epochs: 7 })).toEqual({ ...paper, epochs: 7 });
    expect(parseMethodParams('attention', undefined)).toEqual({ scaling: 'matrix' });
    // the paper's ablations: one cosine term switched off; both off is refused
    expect(parseMethodParams('audiogenx', { counterfactualTerm: 0 })).toMatchObject({ factualTerm: 1, counterfactualTerm: 0 });
    expect(() => parseMethodParams('audiogenx', { factualTerm: 0, counterfactualTerm: 0 })).toThrow(/cannot both be 0/);
    const e = rejection(() => parseMethodParams('audiogenx', { epochs: 10, epoch: 3 }));
    expect(e.code).toBe('bad_argument');
    expect(e.message).toBe(
      'audiogenx has no parameter "epoch"; parameters: preset, epochs, lr, weightDecay, alpha, beta, init, seed, factualTerm, counterfactualTerm',
    );
    // the variant of ours: AudioGenX's settings and presets plus gamma; the paper's method has no gamma
    expect(parseMethodParams('audiogenx-np', {})).toEqual({ ...AUDIOGENX_NP_DEFAULT, seed: 0, factualTerm: 1, counterfactualTerm: 1 });
    expect(parseMethodParams('audiogenx-np', { preset: 'paper', gamma: 0 })).toEqual({ ...paper, gamma: 0 });
    expect(rejection(() => parseMethodParams('audiogenx', { gamma: 0.1 })).message).toMatch(/^audiogenx has no parameter "gamma"/);
    for (const gamma of [-1, 11, Number.NaN, '0.1'])
      expect(rejection(() => parseMethodParams('audiogenx-np', { gamma })).message).toMatch(/^audiogenx-np: parameter gamma: /);
    expect(() => parseMethodParams('audiogenx-np', { factualTerm: 0, counterfactualTerm: 0 })).toThrow(/cannot both be 0/);
    expect(rejection(() => parseMethodParams('atman', { epochs: 5 })).message).toMatch(
      /^atman has no parameter "epochs"; parameters: scaling$/,
    );
    expect(rejection(() => parseMethodParams('lime', {})).message).toMatch(
      /^unknown method "lime"; methods: audiogenx, audiogenx-np, random, attention, atman, gradcam-a, gradcam-e, chefer$/,
    );
  });

  it('bounds every number', () => {
    const bad: [string, Record<string, unknown>, RegExp][] = [
      ['audiogenx', { epochs: 0 }, /parameter epochs/],
      ['audiogenx', { epochs: 1001 }, /parameter epochs/],
      ['audiogenx', { epochs: 2.5 }, /parameter epochs/],
      ['audiogenx', { epochs: Number.NaN }, /parameter epochs/],
      ['audiogenx', { lr: 0 }, /parameter lr/],
      ['audiogenx', { lr: 2 }, /parameter lr/],
      ['audiogenx', { alpha: -1 }, /parameter alpha/],
      ['audiogenx', { alpha: Number.POSITIVE_INFINITY }, /parameter alpha/],
      ['audiogenx', { beta: 1e9 }, /parameter beta/],
      ['audiogenx', { weightDecay: 1.5 }, /parameter weightDecay/],
      ['audiogenx', { init: 0 }, /parameter init/],
      ['audiogenx', { init: 1 }, /parameter init/],
      ['audiogenx', { preset: 'fast' }, /parameter preset/],
      ['audiogenx', { seed: -1 }, /parameter seed/],
      ['audiogenx', { seed: 2 ** 32 }, /parameter seed/],
      ['audiogenx', { epochs: '50' }, /parameter epochs/],
      ['random', { seed: 0.5 }, /parameter seed/],
    ];
    for (const [method, params, message] of bad) {
      const e = rejection(() => parseMethodParams(method, params));
      expect(e.code, JSON.stringify(params)).toBe('bad_argument');
      expect(e.message).toMatch(message);
    }
  });

  it('rejects 5000-deep nested params with a clear error and no stack overflow', () => {
    const deep = nested(5000);
    expect(rejection(() => parseMethodParams('audiogenx', { epochs: deep })).message).toMatch(/^audiogenx: parameter epochs: /);
    expect(rejection(() => parseMethodParams('audiogenx', { deep })).message).toMatch(/^audiogenx has no parameter "deep"/);
    expect(rejection(() => parseMethodParams('attention', deep)).message).toMatch(/^attention has no parameter "a"/);
    expect(rejection(() => parseMethodParams('audiogenx', [deep])).code).toBe('bad_argument');
  });

  it('is the one definition: the engine runs each catalog entry with its schema, label and needs', () => {
    expect(Object.keys(METHODS)).toEqual(METHOD_NAMES);
    for (const name of METHOD_NAMES) {
      const spec = METHOD_CATALOG[name];
      expect(METHODS[name].params).toBe(spec.params);
      expect(METHODS[name].label).toBe(spec.label);
      expect(METHODS[name].needs).toBe(spec.needs);
    }
    expect(methodInfos().find((m) => m.name === 'audiogenx')?.defaults).toMatchObject(AUDIOGENX_DEFAULT);
  });
});

describe('cost model', () => {
  const bench = JSON.parse(readFileSync(join(embeddedModelsDir(), '..', 'docs', 'data', 'bench.json'), 'utf8'));
  const manifest = resolveBundle().manifest;
  const buckets = manifest.graphs.lmExplain.map((b) => ({ steps: b.steps, tokens: b.tokens }));
  const seconds = (name: string): number => bench.methods[name].secondsMedian;

  it("takes its buckets from the bundle's manifest", () => {
    expect(explainWork(50, 6, manifest.codebooks, buckets)).toEqual({ steps: 53, tokens: 6, bucket: { steps: 64, tokens: 16 } });
    expect(explainWork(125, 20, manifest.codebooks, buckets)).toEqual({ steps: 128, tokens: 20, bucket: { steps: 128, tokens: 32 } });
    expect(explainWork(50, 6, manifest.codebooks, [])).toEqual({ steps: 53, tokens: 6, bucket: { steps: 53, tokens: 6 } });
    expect(() => chooseBucket(buckets, 200, 6)).toThrow(/no explanation graph fits 200 LM steps/);
  });

  it("has AudioGenX's coefficient from the fit through bench.json's scaling runs", () => {
    // Least squares through the origin: seconds = b * bucketSteps * epochs.
    const points = (bench.explain.scaling as { steps: number; tokens: number; seconds: number }[]).map((p) => ({
      x: chooseBucket(buckets, p.steps, p.tokens).steps * bench.explain.epochs,
      y: p.seconds,
    }));
    const b = points.reduce((s, p) => s + p.x * p.y, 0) / points.reduce((s, p) => s + p.x * p.x, 0);
    expect(METHOD_CATALOG.audiogenx.cost.perUnitSec).toBeCloseTo(b, 6);
    // the fixed part: a fresh process's run at the default epochs less the warm fit
    const epochs = parseMethodParams('audiogenx', {}).epochs as number;
    expect(METHOD_CATALOG.audiogenx.cost.fixedSec).toBeCloseTo(seconds('audiogenx') - b * 128 * epochs, 2);
  });

  it("reproduces each method's measured time on a 5 s clip (9 tokens, the 128 x 16 bucket)", () => {
    const work = { steps: 128, tokens: 9, bucket: { steps: 128, tokens: 16 } };
    for (const name of ['attention', 'atman', 'gradcam-a', 'gradcam-e', 'chefer', 'random']) {
      expect(predictSeconds(name, parseMethodParams(name, {}), work), name).toBeCloseTo(seconds(name), 2);
    }
    expect(predictSeconds('audiogenx', parseMethodParams('audiogenx', {}), work)).toBeCloseTo(seconds('audiogenx'), 2);
  });

  it('estimates from the catalog, then from this machine once a run was measured', () => {
    const work = explainWork(125, 9, manifest.codebooks, buckets);
    const fresh = estimateExplainSeconds('audiogenx', parseMethodParams('audiogenx', { epochs: 25 }), work, new Map());
    expect(fresh.seconds).toBeCloseTo(predictSeconds('audiogenx', { epochs: 25 }, work), 9);
    expect(fresh.basis).toBe('typical on a 2-core CPU');
    // A machine twice as slow as the fit, measured on a short clip: the estimate keeps the ratio.
    const short = explainWork(50, 9, manifest.codebooks, buckets);
    const measured = new Map([
      ['audiogenx', { seconds: 2 * predictSeconds('audiogenx', { epochs: 10 }, short), work: short, params: { epochs: 10 } }],
    ]);
    const again = estimateExplainSeconds('audiogenx', { epochs: 25 }, work, measured);
    expect(again.seconds).toBeCloseTo(2 * fresh.seconds, 9);
    expect(again.basis).toMatch(/^measured on this machine \(last AudioGenX: /);
  });
});

describe('the studio checks explain params when the call arrives', () => {
  let studio: Studio;
  let api: StudioApi;
  let takeId: string;

  beforeAll(async () => {
    studio = await tempStudio();
    api = await directApi(studio);
    const sessionId = (await api.createSession({})).session.id;
    const { jobId } = await api.generate({ sessionId, prompt: 'a dog barks', seed: 1, durationSec: 1 });
    const end = await jobEnd(studio, jobId);
    takeId = end.result?.kind === 'takes' ? end.result.takeIds[0]! : '';
  });
  afterAll(async () => {
    await studio.close();
  });

  it('rejects a bad parameter as a call, queues no job, and still explains with good ones', async () => {
    const before = (await api.listJobs({})).length;
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ epochs: 0 }, /^audiogenx: parameter epochs: /],
      [{ epochs: 10, lr: 5 }, /^audiogenx: parameter lr: /],
      [{ epoch: 10 }, /^audiogenx has no parameter "epoch"/],
      [{ epochs: nested(5000) }, /^audiogenx: parameter epochs: /],
    ];
    for (const [params, message] of cases) {
      for (const call of ['explain', 'estimateExplain'] as const) {
        const r = await dispatch(studio.handlers, { id: 1, method: call, params: { takeId, method: 'audiogenx', params } });
        expect(r.ok, `${call} ${Object.keys(params).join(',')}`).toBe(false);
        if (!r.ok) {
          expect(r.error.code).toBe('bad_argument');
          expect(r.error.message).toMatch(message);
        }
      }
    }
    expect(await api.listJobs({})).toHaveLength(before);
    const ok = await api.explain({ takeId, method: 'random', params: { seed: 4 } });
    expect((await jobEnd(studio, ok.jobId)).state).toBe('done');
  });

  it('lists the catalog as its methods', async () => {
    const info = await api.getInfo({});
    expect(info.methods).toEqual(methodInfos());
  });
});
