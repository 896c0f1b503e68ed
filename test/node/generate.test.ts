import { describe, expect, it } from 'vitest';
import { generateCodes } from '../../electron/engine/generate.js';
import { checkStepContract } from '../../electron/engine/lm-step.js';
import type { Graph } from '../../electron/engine/onnx/session-factory.js';
import { embeddedModel } from './helpers.js';

const PROMPT = 'a dog barks while rain falls';

describe('generation', () => {
  it('is deterministic: same prompt, seed, weights and model give the same codes and audio bit for bit', async () => {
    const model = await embeddedModel();
    const req = { prompt: PROMPT, seed: 11, durationSec: 2, weights: [{ token: 4, weight: 0.5 }] };
    const a = await generateCodes(model, req);
    const b = await generateCodes(model, req);
    expect(a.codes[0]).toEqual(b.codes[0]);
    const [wa] = await model.decode(a.codes, a.frames);
    const [wb] = await model.decode(b.codes, b.frames);
    expect(Buffer.from(wa!.buffer).equals(Buffer.from(wb!.buffer))).toBe(true);
    const c = await generateCodes(model, { ...req, seed: 12 });
    expect(c.codes[0]).not.toEqual(a.codes[0]);
  });

  it('draws N variations in one batch, each with its own seed stream, and honours duration', async () => {
    const model = await embeddedModel();
    const g = await generateCodes(model, { prompt: PROMPT, seed: 3, durationSec: 1.2, variations: 3 });
    expect(g.codes).toHaveLength(3);
    expect(g.frames).toBe(30);
    expect(g.codes[0]).toHaveLength(model.manifest.codebooks * 30);
    expect(g.codes[0]).not.toEqual(g.codes[1]);
    for (const c of g.codes) for (const v of c) expect(v >= 0 && v < model.manifest.cardinality).toBe(true);
    const audio = await model.decode(g.codes, g.frames);
    expect(audio[2]!.length).toBe(30 * (model.manifest.sampleRate / model.manifest.frameRate));
  });

  it('continues from a kept prefix: the prefix frames come back unchanged', async () => {
    const model = await embeddedModel();
    const K = model.manifest.codebooks;
    const first = await generateCodes(model, { prompt: PROMPT, seed: 5, durationSec: 2 });
    const keep = 20;
    const prefix = new Int32Array(K * keep);
    for (let k = 0; k < K; k++) prefix.set(first.codes[0]!.subarray(k * first.frames, k * first.frames + keep), k * keep);
    const cont = await generateCodes(model, { prompt: PROMPT, seed: 99, durationSec: 2, prefix: { codes: prefix, frames: keep } });
    for (let k = 0; k < K; k++) {
      expect(cont.codes[0]!.subarray(k * cont.frames, k * cont.frames + keep)).toEqual(prefix.subarray(k * keep, (k + 1) * keep));
    }
    expect(cont.codes[0]).not.toEqual(first.codes[0]);
  });

  it('reports progress per step and stops when cancelled', async () => {
    const model = await embeddedModel();
    const ctl = new AbortController();
    const seen: number[] = [];
    const run = generateCodes(model, {
      prompt: PROMPT,
      seed: 1,
      durationSec: 5,
      signal: ctl.signal,
      onProgress: (s) => {
        seen.push(s);
        if (s === 10) ctl.abort();
      },
    });
    await expect(run).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toEqual(Array.from({ length: 10 }, (_, i) => i + 1));
  });

  it('rejects bad requests with a clear message', async () => {
    const model = await embeddedModel();
    await expect(generateCodes(model, { prompt: PROMPT, seed: 1, durationSec: 0 })).rejects.toThrow(/duration must be/);
    await expect(generateCodes(model, { prompt: PROMPT, seed: 1, durationSec: 60 })).rejects.toThrow(/at most 5 s/);
    await expect(generateCodes(model, { prompt: PROMPT, seed: -1, durationSec: 1 })).rejects.toThrow(/seed must be/);
    await expect(generateCodes(model, { prompt: PROMPT, seed: 1, durationSec: 1, weights: [{ token: 99, weight: 0 }] })).rejects.toThrow(
      /refers to token 99/,
    );
    await expect(generateCodes(model, { prompt: PROMPT, seed: 1, durationSec: 1, weights: [{ token: 1, weight: 3 }] })).rejects.toThrow(
      /from 0 to 2/,
    );
    await expect(
      generateCodes(model, { prompt: PROMPT, seed: 1, durationSec: 1, prefix: { codes: new Int32Array(3), frames: 1 } }),
    ).rejects.toThrow(/whole frames/);
  });

  it('refuses an lm_step of the growing-cache contract (bundles converted before 2.2.0) with what to do', async () => {
    const model = await embeddedModel();
    const step = await model.graph('lmStep');
    expect(() => checkStepContract(step)).not.toThrow();
    // the names of 2.1.0's lm_step; the check reads nothing else, so the old graph's weights are not needed
    const old = {
      ...step,
      inputNames: ['tokens', 'step', 'past_key', 'past_value', 'cross_key', 'cross_value', 'text_mask', 'token_weights'],
      outputNames: ['logits', 'present_key', 'present_value'],
    } as Graph;
    expect(() => checkStepContract(old)).toThrow(/before the fixed-capacity KV cache.*agx models convert/);
  });
});
