// Words that do nothing get no importance (issue 18, item 2). Muting a word the model does not know
// barely moves its hidden states (scripts/null-effect.mjs: 1 - cos 1.2e-3 on average against 1.1e-2
// for the words that name a sound), so a faithful mask leaves it near 0. With the paper's settings
// the L1 pull (alpha 1e-3 per entry) is no stronger than that, and such words stay near the mask's
// starting 0.5; the shipped default must bring them down (docs/decisions.md, "AudioGenX's settings,
// chosen on validation ground truth").
import { describe, expect, it } from 'vitest';
import { explain } from '../../electron/engine/explain/index.js';
import { bundleMethods, requireMethodGraphs } from '../../electron/engine/manifest.js';
import { generateCodes } from '../../electron/engine/generate.js';
import { parseWeightSpec } from '../../electron/engine/weights.js';
import { embeddedModel } from './helpers.js';

// "three" and "times" are outside the vocabulary (the imported bell recording); 2 s fits the 64-step bucket
const PROMPT = 'a bell rings three times';

describe('null-effect words', () => {
  it("an unknown word gets near-zero importance with the shipped default, not with the paper's settings", async () => {
    const model = await embeddedModel();
    const g = await generateCodes(model, { prompt: PROMPT, seed: 1, durationSec: 2 });
    const shipped = await explain(model, PROMPT, g.codes[0]!, g.frames, 'audiogenx', {});
    const unknown = shipped.tokens.flatMap((t, i) => (t.unknown ? [i] : []));
    expect(unknown.map((i) => shipped.tokens[i]!.text)).toEqual(['three', 'times']);
    const bell = shipped.holistic[1]!;
    // measured: "three" 0.13, "times" 0.14 against "bell" 0.88 (and "a" 0.09)
    for (const i of unknown) {
      expect(shipped.holistic[i]!).toBeLessThan(0.15);
      expect(shipped.holistic[i]!).toBeLessThan(bell / 5);
    }
    // the same clip under the paper's settings (measured 0.58 and 0.60): the property is the default's, not the clip's
    const paper = await explain(model, PROMPT, g.codes[0]!, g.frames, 'audiogenx', { preset: 'paper' });
    for (const i of unknown) expect(paper.holistic[i]!).toBeGreaterThan(0.3);
  });

  it('a word the take muted has no importance at all, and the unknown words stay near zero', async () => {
    const model = await embeddedModel();
    const tokens = await model.tokenizer.encode(PROMPT);
    const weights = parseWeightSpec('rings=0', tokens);
    const g = await generateCodes(model, { prompt: PROMPT, seed: 1, durationSec: 2, weights });
    const e = await explain(model, PROMPT, g.codes[0]!, g.frames, 'audiogenx', {}, {}, weights);
    expect(e.tokens[2]).toMatchObject({ text: 'rings', muted: true });
    expect(e.holistic[2]).toBeNull();
    expect(e.steps.every((row) => row[2] === 0)).toBe(true);
    for (const i of [3, 4]) expect(e.holistic[i]!).toBeLessThan(0.15);
  });
});

// "AudioGenX + null-effect prior" (ours, method audiogenx-np; docs/decisions.md): the same properties,
// gamma 0 as the paper's loss, and the prior's passes skip what cannot act and stop when cancelled.
describe('AudioGenX + null-effect prior (ours)', () => {
  it('is AudioGenX bit for bit at gamma 0; at its default an unknown word gets near-zero importance', async () => {
    const model = await embeddedModel();
    const g = await generateCodes(model, { prompt: PROMPT, seed: 1, durationSec: 2 });
    const explainWith = (method: string, params: object) => explain(model, PROMPT, g.codes[0]!, g.frames, method, params);
    const [paper, zero] = [await explainWith('audiogenx', {}), await explainWith('audiogenx-np', { gamma: 0 })];
    expect(zero.diagnostics).toMatchObject({ priorPasses: 0 });
    zero.steps.forEach((row, s) => expect(row).toEqual(paper.steps[s]));
    const np = await explainWith('audiogenx-np', {});
    expect(np.method).toBe('audiogenx-np');
    expect(np.diagnostics).toMatchObject({ priorPasses: 5 });
    const bell = np.holistic[1]!;
    for (const i of [3, 4]) {
      expect(np.holistic[i]!).toBeLessThan(0.15);
      expect(np.holistic[i]!).toBeLessThan(bell / 5);
    }
  });

  it('a word the take muted has no importance and no prior pass; cancelling stops the prior passes', async () => {
    const model = await embeddedModel();
    const tokens = await model.tokenizer.encode(PROMPT);
    const weights = parseWeightSpec('rings=0', tokens);
    const g = await generateCodes(model, { prompt: PROMPT, seed: 1, durationSec: 2, weights });
    const progress: number[] = [];
    const e = await explain(model, PROMPT, g.codes[0]!, g.frames, 'audiogenx-np', {}, { onProgress: (f) => progress.push(f) }, weights);
    expect(e.diagnostics).toMatchObject({ priorPasses: 4 });
    expect(e.tokens[2]).toMatchObject({ text: 'rings', muted: true });
    expect(e.holistic[2]).toBeNull();
    expect(e.steps.every((row) => row[2] === 0)).toBe(true);
    for (const i of [3, 4]) expect(e.holistic[i]!).toBeLessThan(0.15);
    // the 4 passes and 25 epochs report in order, up to 1
    expect(progress.length).toBe(4 + 25);
    expect(progress.every((f, k) => k === 0 || f > progress[k - 1]!)).toBe(true);
    expect(progress.at(-1)).toBe(1);
    const abort = new AbortController();
    const seen: number[] = [];
    const cancelled = explain(
      model,
      PROMPT,
      g.codes[0]!,
      g.frames,
      'audiogenx-np',
      {},
      {
        signal: abort.signal,
        onProgress: (f) => {
          seen.push(f);
          abort.abort();
        },
      },
    );
    await expect(cancelled).rejects.toMatchObject({ code: 'cancelled' });
    expect(seen).toEqual([1 / 30]); // stopped after the first of 5 prior passes (25 epochs after them)
  });
});

describe('a bundle without the null-effect prior input (tiny-foley before 2.2.0, converted by agx_convert 0.1.0)', () => {
  it('does not list audiogenx-np and refuses it up front with one message; audiogenx stays', async () => {
    const m = (await embeddedModel()).manifest;
    expect(bundleMethods(m)).toContain('audiogenx-np');
    const old = { ...m, graphs: { ...m.graphs, explainerStep: m.graphs.explainerStep.map(({ nullPrior: _, ...b }) => b) } };
    expect(bundleMethods(old)).not.toContain('audiogenx-np');
    expect(bundleMethods(old)).toContain('audiogenx');
    expect(() => requireMethodGraphs(old, 'audiogenx-np')).toThrow(
      /^model tiny-foley has no explainer graphs with the null-effect prior \(tiny-foley from 2\.2\.0, or converted by agx_convert 0\.2\.0 on\), so audiogenx-np cannot explain with it; its methods: audiogenx, random/,
    );
  });
});
