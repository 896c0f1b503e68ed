import { describe, expect, it } from 'vitest';
import { codePointToUtf16Index } from '../../electron/engine/tokenizer.js';
import { embeddedModel } from './helpers.js';

describe('prompt tokenizer', () => {
  it('gives offsets in JavaScript string units that slice back to each word, also after emoji and accents', async () => {
    const { tokenizer } = await embeddedModel();
    const prompt = 'Ünïcödé 🐶🐶 DOG barks, café — rain falls';
    const tokens = await tokenizer.encode(prompt);
    for (const t of tokens) expect(prompt.slice(t.start, t.end)).toBe(t.text);
    const texts = tokens.map((t) => t.text);
    expect(texts).toContain('DOG');
    expect(texts).toContain('barks');
    const dog = tokens.find((t) => t.text === 'DOG')!;
    expect(dog.start).toBe(prompt.indexOf('DOG'));
    expect(dog.unknown).toBe(false);
    // Out-of-vocabulary words map to the unknown token and are flagged, never dropped.
    expect(tokens.find((t) => t.text === 'café')!.unknown).toBe(true);
  });

  it('lower-cases and NFKC-normalises like the training captions (full-width letters read as ASCII)', async () => {
    const { tokenizer } = await embeddedModel();
    const a = await tokenizer.encode('ＤＯＧ barks');
    const b = await tokenizer.encode('dog barks');
    expect(a.map((t) => t.id)).toEqual(b.map((t) => t.id));
    expect(a[0]!.text).toBe('ＤＯＧ');
  });

  it('rejects empty, whitespace-only, overlong and too-many-token prompts with one clear message', async () => {
    const { tokenizer, manifest } = await embeddedModel();
    await expect(tokenizer.encode('')).rejects.toThrow('the prompt is empty');
    await expect(tokenizer.encode(' \n\t ')).rejects.toThrow('the prompt is empty');
    await expect(tokenizer.encode('dog '.repeat(1000))).rejects.toThrow(/characters long; the limit is/);
    await expect(tokenizer.encode('dog '.repeat(manifest.maxTextTokens + 1))).rejects.toThrow(
      `this model takes at most ${manifest.maxTextTokens}`,
    );
  });

  it('maps code points to UTF-16 indices across surrogate pairs', () => {
    const map = codePointToUtf16Index('a🐶b');
    expect([0, 1, 2, 3].map(map)).toEqual([0, 1, 3, 4]);
  });
});
