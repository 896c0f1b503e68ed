// What the model does, judged by the bundle's own classifier over several seeds (never one lucky draw).
import { describe, expect, it } from 'vitest';
import { generateCodes, type TokenWeight } from '../../electron/engine/generate.js';
import type { Model } from '../../electron/engine/model.js';
import { embeddedModel } from './helpers.js';

const SEEDS = [0, 1, 2, 3, 4, 5];

async function meanProbability(model: Model, prompt: string, label: string, weights: TokenWeight[] = []): Promise<number> {
  const gen = await generateCodes(model, { prompt, seed: 100, durationSec: 5, variations: SEEDS.length, weights });
  const audio = await model.decode(gen.codes, gen.frames);
  const idx = model.manifest.labels.indexOf(label);
  let sum = 0;
  for (const a of audio) sum += (await model.classify(a)).probabilities[idx]!;
  return sum / audio.length;
}

async function tokenIndex(model: Model, prompt: string, word: string): Promise<number> {
  return (await model.tokenizer.encode(prompt)).findIndex((t) => t.text === word);
}

describe('the embedded model follows its prompt', () => {
  it('generates the named events', async () => {
    const model = await embeddedModel();
    expect(await meanProbability(model, 'a dog barks while rain falls', 'dog')).toBeGreaterThan(0.7);
    expect(await meanProbability(model, 'a dog barks while rain falls', 'rain')).toBeGreaterThan(0.7);
  });

  it('weight 0 on the words of an event removes it, and leaves the other event', async () => {
    const model = await embeddedModel();
    const prompt = 'a dog barks while rain falls';
    const mute = [await tokenIndex(model, prompt, 'dog'), await tokenIndex(model, prompt, 'barks')].map((token) => ({ token, weight: 0 }));
    const dogBefore = await meanProbability(model, prompt, 'dog');
    const dogAfter = await meanProbability(model, prompt, 'dog', mute);
    const rainAfter = await meanProbability(model, prompt, 'rain', mute);
    expect(dogBefore - dogAfter).toBeGreaterThan(0.5);
    expect(rainAfter).toBeGreaterThan(0.6);
  });

  it('weight 0 on the noun alone lowers its event', async () => {
    const model = await embeddedModel();
    const prompt = 'a siren wails and a bell rings';
    const mute = [{ token: await tokenIndex(model, prompt, 'siren'), weight: 0 }];
    const before = await meanProbability(model, prompt, 'siren');
    const after = await meanProbability(model, prompt, 'siren', mute);
    expect(before - after).toBeGreaterThan(0.2);
  });
});
