// The words a bundle's model knows, for the studio's vocabulary panel. Read from the bundle itself
// (tokenizer.json's vocabulary, the manifest's event labels), never from a list kept in the code, so
// another bundle shows its own words.
import { readFileSync } from 'node:fs';
import { AgxError } from '../common/errors.js';

/** A group of words as the panel shows it. */
export interface VocabularyGroup {
  title: string;
  words: string[];
}

/** The tokenizer's entries in id order, without its special tokens ([PAD], [UNK], ...). */
export function tokenizerEntries(tokenizerFile: string): string[] {
  let json: { model?: { vocab?: unknown }; added_tokens?: { content?: unknown; special?: unknown }[] };
  try {
    json = JSON.parse(readFileSync(tokenizerFile, 'utf8')) as typeof json;
  } catch (err) {
    throw new AgxError('bad_model', `cannot read tokenizer ${tokenizerFile}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const special = new Set((json.added_tokens ?? []).filter((t) => t.special === true).map((t) => String(t.content)));
  const vocab = json.model?.vocab;
  // WordLevel, WordPiece and BPE keep {token: id}; Unigram keeps [[piece, score], ...] in id order.
  const entries: [string, number][] = Array.isArray(vocab)
    ? vocab.map((e, i) => [String((e as unknown[])[0]), i])
    : Object.entries((vocab ?? {}) as Record<string, number>);
  // SentencePiece marks a piece that starts a word with "▁" ("▁dog"); the others only continue one
  // ("s"), so the words it has whole are the marked pieces without the mark.
  const sentencePiece = entries.some(([w]) => w.startsWith('▁'));
  return entries
    .filter(([w]) => !special.has(w) && (!sentencePiece || (w.startsWith('▁') && w.length > 1)))
    .sort((a, b) => a[1] - b[1])
    .map(([w]) => (sentencePiece ? w.slice(1) : w));
}

/**
 * Groups the known words: the classifier's event labels that are words of the vocabulary first (the
 * sounds the model was trained to make), then every other word in the tokenizer's order, which for
 * tiny-foley keeps each source's verbs beside it. `known` says whether the tokenizer reads a word as
 * itself (one token, not the unknown one), which leaves out subword pieces of other tokenizer kinds.
 */
export async function vocabularyGroups(
  entries: readonly string[],
  labels: readonly string[],
  known: (word: string) => Promise<boolean>,
): Promise<VocabularyGroup[]> {
  const words: string[] = [];
  for (const w of entries) if (await known(w)) words.push(w);
  const inVocab = new Set(words);
  const events = labels.map((l) => l.toLowerCase()).filter((l) => inVocab.has(l));
  const eventSet = new Set(events);
  return [
    { title: 'Sounds (the classifier’s events)', words: events },
    { title: 'Other words it knows', words: words.filter((w) => !eventSet.has(w)) },
  ].filter((g) => g.words.length > 0);
}
