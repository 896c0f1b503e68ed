// The word view (electron/common/words.ts) on T5's sub-word pieces and on tiny-foley's word-level tokens:
// grouping, lanes (largest piece), holistic, weights both ways, the unknown-word note, and the
// CSV / Audacity exports per word.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Explanation, Take } from '../../electron/common/api.js';
import { base64ToBytes } from '../../electron/common/base64.js';
import { type Token, unknownWordsNote } from '../../electron/common/domain.js';
import { piecesWeightedApart, promptWords, tokenWeights, wordExplanation, wordWeights } from '../../electron/common/words.js';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { PromptTokenizer } from '../../electron/engine/tokenizer.js';
import { explanationExport } from '../../electron/studio/exports.js';

// "the dogs barked" as T5 cuts it, with </s> appended.
const T5: Token[] = [
  { text: 'the', start: 0, end: 3 },
  { text: 'dog', start: 4, end: 7 },
  { text: 's', start: 7, end: 8, continues: true },
  { text: 'bark', start: 9, end: 13 },
  { text: 'ed', start: 13, end: 15, continues: true },
  { text: '</s>', start: 15, end: 15 },
];

describe('word view', () => {
  it('groups pieces marked as continuing into the typed words; </s> is its own word', () => {
    expect(promptWords(T5)).toEqual([
      { text: 'the', tokens: [0] },
      { text: 'dogs', tokens: [1, 2] },
      { text: 'barked', tokens: [3, 4] },
      { text: '</s>', tokens: [5] },
    ]);
  });

  it("a word's lane is its pieces' largest value at each step, muted pieces left out; holistic is the lane's mean", () => {
    const mask = [
      [0.1, 0.2, 0.9, 0.3, 0.4, 0.5],
      [0.3, 0.6, 0.1, 0.8, 0.2, 0.7],
    ];
    const w = wordExplanation({ tokens: T5, mask, holistic: [0.2, 0.4, 0.5, 0.55, 0.3, 0.6] });
    expect(w.tokens.map((t) => [t.text, t.start, t.end])).toEqual([
      ['the', 0, 3],
      ['dogs', 4, 8],
      ['barked', 9, 15],
      ['</s>', 15, 15],
    ]);
    expect(w.mask).toEqual([
      [0.1, 0.9, 0.4, 0.5],
      [0.3, 0.6, 0.8, 0.7],
    ]);
    expect(w.holistic[1]).toBeCloseTo(0.75, 12);
    // "s" muted on its own (the CLI's s=0): "dogs" is the live piece "dog"; "barked" muted whole has no importance
    const muted = wordExplanation({ tokens: T5, mask, holistic: [0.2, 0.4, null, null, null, 0.6] });
    expect(muted.mask.map((r) => r[1])).toEqual([0.2, 0.6]);
    expect(muted.holistic[2]).toBeNull();
  });

  it('is the identity on word-level tokens (tiny-foley: "dog," is two tokens, nothing continues)', () => {
    const tokens: Token[] = [
      { text: 'dog', start: 0, end: 3 },
      { text: ',', start: 3, end: 4 },
    ];
    const mask = [[0.5, 0.1]];
    const holistic = [0.5, 0.1];
    const w = wordExplanation({ tokens, mask, holistic });
    expect(w.mask).toBe(mask);
    expect(w.holistic).toBe(holistic);
    expect(w.tokens).toBe(tokens);
  });

  it('weights: muting a word mutes every piece; a word left alone keeps its own pieces’ weights', () => {
    const words = promptWords(T5);
    const before = [{ token: 4, weight: 0 }]; // "ed" muted alone from the CLI
    expect(piecesWeightedApart(before, words[2]!)).toBe(true);
    const asWords = wordWeights(before, words);
    expect(asWords).toEqual([]); // "barked" shows its first piece's weight
    const edited = [...asWords, { token: 1, weight: 0 }, { token: 0, weight: 1.5, startSec: 1, endSec: 2 }];
    expect(tokenWeights(edited, before, words)).toEqual([
      { token: 0, weight: 1.5, startSec: 1, endSec: 2 },
      { token: 1, weight: 0 },
      { token: 2, weight: 0 },
      { token: 4, weight: 0 },
    ]);
    // and back: the word view of what was sent is what was edited
    expect(wordWeights(tokenWeights(edited, before, words), words)).toEqual(edited.sort((a, b) => a.token - b.token));
  });

  it('the unknown-word note names the typed word, not the piece that fell to <unk>', () => {
    const tokens: Token[] = [
      { text: 'dog', start: 0, end: 3 },
      { text: '', start: 4, end: 4 },
      { text: '😀', start: 4, end: 6, continues: true, unknown: true },
      { text: 'z', start: 6, end: 7, continues: true },
    ];
    expect(unknownWordsNote('ag', tokens)).toBe('ag does not know "😀z"; it is read as [UNK]');
    expect(unknownWordsNote('ag', T5)).toBeNull();
  });

  it('tiny-foley’s word-level tokenizer marks nothing as continuing; a sub-word one would', async () => {
    const tok = PromptTokenizer.fromFile(join(embeddedModelsDir(), 'tiny-foley', 'tokenizer.json'), { maxTokens: 64, unkId: 1 });
    expect(tok.subword).toBe(false);
    const tokens = await tok.tokenize('a dog, barking');
    expect(tokens.map((t) => t.text)).toEqual(['a', 'dog', ',', 'barking']);
    expect(tokens.some((t) => t.continues === true)).toBe(false);
  });

  it('CSV columns and Audacity labels are per word', () => {
    const mask = [
      [0.1, 0.2, 0.9, 0.3, 0.4, 0.5],
      [0.3, 0.6, 0.1, 0.8, 0.2, 0.5],
    ];
    const e = {
      method: 'audiogenx',
      params: {},
      tokens: T5,
      frameRate: 2,
      mask,
      holistic: [0.2, 0.4, 0.5, 0.55, 0.3, 0.6],
    } as unknown as Explanation;
    const take = { durationSec: 1 } as Take;
    const text = (format: 'csv' | 'audacity') =>
      new TextDecoder().decode(base64ToBytes(explanationExport(e, take, 'x', { format, intervalSec: 1, topK: 2 }).dataBase64));
    const csv = text('csv').split('\n');
    expect(csv[0]).toBe('step,time_sec,0:the,1:dogs,2:barked,3:</s>');
    expect(csv[1]).toBe('0,0.000,0.10000,0.90000,0.40000,0.50000');
    // over the one-second interval: dogs 0.75, barked 0.6, </s> 0.5, the 0.2
    expect(text('audacity')).toBe('0.000000\t1.000000\tdogs 0.75, barked 0.60\n');
  });
});
