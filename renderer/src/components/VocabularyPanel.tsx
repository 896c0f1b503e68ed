// What the model knows: its words from the bundle (getVocabulary reads the tokenizer and the
// manifest), grouped with the sounds it was trained on first, searchable; a click puts the word in
// the prompt at the caret.
import { useEffect, useRef, useState } from 'react';
import type { StudioApi } from '../../../electron/common/api';
import { getStore, useStudio } from '../state/store';

type Vocabulary = Awaited<ReturnType<StudioApi['getVocabulary']>>;

/** The prompt with `word` put in place of [start, end), spaced from its neighbours; and the caret after it. */
export function insertWord(prompt: string, word: string, start: number, end: number): { text: string; caret: number } {
  const before = prompt.slice(0, start);
  const after = prompt.slice(end);
  const lead = before === '' || /\s$/.test(before) ? '' : ' ';
  // A space follows the word (so the next click or keystroke starts a new word) unless one is already there.
  const trail = /^\s/.test(after) ? '' : ' ';
  return { text: `${before}${lead}${word}${trail}${after}`, caret: before.length + lead.length + word.length + 1 };
}

export function VocabularyPanel({ onPick, onClose }: { onPick: (word: string) => void; onClose: () => void }) {
  const modelId = useStudio((s) => s.info?.model.id ?? 'the model');
  const store = getStore();
  const [vocab, setVocab] = useState<Vocabulary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [query, setQuery] = useState('');
  const search = useRef<HTMLInputElement>(null);

  useEffect(() => {
    let live = true;
    store.api.getVocabulary({}).then(
      (v) => live && setVocab(v),
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    search.current?.focus();
    return () => {
      live = false;
    };
  }, [modelId]);

  const q = query.trim().toLowerCase();
  const groups = (vocab?.groups ?? []).map((g) => ({ ...g, words: g.words.filter((w) => w.includes(q)) }));
  const matches = groups.reduce((n, g) => n + g.words.length, 0);

  return (
    <section
      className="vocab-panel"
      aria-label="Words the model knows"
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <div className="vocab-head">
        <strong>
          {vocab?.open === true ? `Words ${modelId} has whole` : `Words ${modelId} knows`}
          {vocab !== null ? ` (${vocab.count})` : ''}
        </strong>
        <input
          ref={search}
          type="search"
          aria-label="Search words"
          placeholder="Search…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
      <p className="note">
        {vocab?.open === true
          ? 'Open vocabulary: these are the words it has whole. Click one to put it in the prompt. It reads any other word too, cut into pieces (SentencePiece); only a character it lacks becomes <unk>.'
          : 'Click a word to put it in the prompt. Any other word is read as [UNK]: the model cannot act on it.'}
      </p>
      {error !== null && <p className="warning">Cannot list the words: {error}</p>}
      {vocab === null && error === null && <p className="note">Reading the model’s vocabulary…</p>}
      {vocab !== null && matches === 0 && <p className="note">No word the model knows contains “{query}”.</p>}
      {groups
        .filter((g) => g.words.length > 0)
        .map((g) => (
          <div key={g.title} role="group" aria-label={g.title} className="vocab-group">
            <h3>{g.title}</h3>
            <div className="vocab-words">
              {g.words.map((w) => (
                <button key={w} type="button" className="vocab-word" aria-label={`Insert ${w}`} onClick={() => onPick(w)}>
                  {w}
                </button>
              ))}
            </div>
          </div>
        ))}
    </section>
  );
}
