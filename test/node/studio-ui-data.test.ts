// The studio's data behind the Explain dialog's estimate and the vocabulary panel: the kept cost book
// (what survives a restart, and what a damaged file falls back to) and the bundle's word list.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { predictSeconds } from '../../electron/common/methods.js';
import { estimateExplainSeconds, loadCostBook, saveCostBook, type CostBook } from '../../electron/studio/estimate.js';
import { tokenizerEntries, vocabularyGroups } from '../../electron/studio/vocabulary.js';

const dir = mkdtempSync(join(tmpdir(), 'agx-ui-data-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const BUNDLE = join(import.meta.dirname, '..', '..', 'native-models', 'tiny-foley');

describe('the kept cost book', () => {
  const work = { steps: 128, tokens: 7, bucket: { steps: 128, tokens: 16 } };

  it('round-trips, so the estimate after a restart is the measured one', () => {
    const file = join(dir, 'book.json');
    const book: CostBook = new Map([['audiogenx', { seconds: 30, work, params: { epochs: 50 } }]]);
    saveCostBook(file, book);
    const again = loadCostBook(file);
    expect(again).toEqual(book);
    const e = estimateExplainSeconds('audiogenx', { epochs: 25 }, work, again);
    expect(e).toMatchObject({ measured: true });
    // this machine's speed from the kept run, applied to the catalog's prediction for the new work
    const ratio = predictSeconds('audiogenx', { epochs: 25 }, work) / predictSeconds('audiogenx', { epochs: 50 }, work);
    expect(ratio).toBeLessThan(1);
    expect(e.seconds).toBeCloseTo(30 * ratio, 9);
  });

  it('ignores what it cannot use: no file, junk, unknown methods, malformed runs', () => {
    expect(loadCostBook(join(dir, 'missing.json')).size).toBe(0);
    const file = join(dir, 'junk.json');
    writeFileSync(file, '{not json');
    expect(loadCostBook(file).size).toBe(0);
    writeFileSync(
      file,
      JSON.stringify({
        'no-such-method': { seconds: 1, work, params: {} },
        atman: { seconds: -1, work, params: {} },
        chefer: { seconds: 2, work: { steps: 'x' }, params: {} },
        attention: { seconds: 0.5, work, params: { scaling: 'step' } },
      }),
    );
    expect([...loadCostBook(file).keys()]).toEqual(['attention']);
    // Without a measured run the catalog's fit answers, and says so.
    expect(estimateExplainSeconds('atman', {}, work, new Map())).toMatchObject({ measured: false, basis: 'typical on a 2-core CPU' });
  });

  it('a failed write loses only the memory', () => {
    expect(() => saveCostBook(join(dir, 'no-such-dir', 'book.json'), new Map())).not.toThrow();
  });
});

describe("the bundle's words", () => {
  const tokenizer = join(BUNDLE, 'tokenizer.json');
  const labels = (JSON.parse(readFileSync(join(BUNDLE, 'manifest.json'), 'utf8')) as { labels: string[] }).labels;

  it("come from tokenizer.json without its special tokens, the manifest's event labels first", async () => {
    const entries = tokenizerEntries(tokenizer);
    expect(entries).not.toContain('[UNK]');
    expect(entries).toContain('barks');
    const groups = await vocabularyGroups(entries, labels, async () => true);
    expect(groups[0]!.words).toEqual(labels);
    expect(groups[1]!.words).toEqual(entries.filter((w) => !labels.includes(w)));
  });

  it('leave out what the tokenizer does not read as itself, and labels that are not words of it', async () => {
    const groups = await vocabularyGroups(['dog', 'barks', '##ing'], ['dog', 'car horn'], async (w) => !w.startsWith('##'));
    expect(groups).toEqual([
      { title: 'Sounds (the classifier’s events)', words: ['dog'] },
      { title: 'Other words it knows', words: ['barks'] },
    ]);
  });

  it('a missing tokenizer is one clear error', () => {
    expect(() => tokenizerEntries(join(dir, 'none.json'))).toThrow(/cannot read tokenizer/);
  });
});
