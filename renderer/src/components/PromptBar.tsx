// The top bar: prompt, seed (with dice and lock), duration, variations, Generate and Import audio…; under
// it the selected take's words as chips with the Regenerate controls. Limits show before the click: a
// live token count against the model's most, a clamped duration says so, a disabled Generate says why.
import { useEffect, useRef, useState } from 'react';
import { MAX_PROMPT_CHARS, MAX_SEED, MAX_VARIATIONS, unknownWordsNote } from '../../../electron/common/domain';
import { wordTokens } from '../../../electron/common/words';
import {
  generateBlocker,
  loadSeedField,
  randomSeed,
  readDuration,
  saveSeedField,
  seedAfterGenerate,
  type SeedField,
} from '../state/generate-form';
import { draftWeightsOf, selectedTake, shownMask } from '../state/selectors';
import { offlineReason } from '../api/client';
import { IMPORT_ACCEPT } from '../api/wav';
import { getStore, useStudio } from '../state/store';
import { sameWeights } from '../state/weights';
import { Icon } from './Icon';
import { TokenChips } from './TokenChips';
import { insertWord, VocabularyPanel } from './VocabularyPanel';

/** localStorage, or null where the page may not use it. */
function storage(): Storage | null {
  try {
    return window.localStorage ?? null;
  } catch {
    return null;
  }
}

export function PromptBar() {
  const session = useStudio((s) => s.session);
  const partial = useStudio((s) => s.partial);
  const info = useStudio((s) => s.info);
  const offline = useStudio((s) => offlineReason(s.connection));
  const store = getStore();
  const take = selectedTake(session);
  const model = info?.model ?? null;
  const maxDur = model?.maxDurationSec ?? 5;
  const [prompt, setPrompt] = useState('');
  const [seedField, setSeedField] = useState<SeedField>(() => loadSeedField(storage()));
  const [durationText, setDurationText] = useState(String(maxDur));
  const [variations, setVariations] = useState(1);
  const [newSeed, setNewSeed] = useState(false);
  const [keepBefore, setKeepBefore] = useState(false);
  const [replaceSelection, setReplaceSelection] = useState(false);
  const [busy, setBusy] = useState(false);
  // The studio's count of the prompt's tokens (its tokenizer), for the prompt it was asked about.
  const [counted, setCounted] = useState<{
    prompt: string;
    tokens: number;
    unknown: number;
    unknownNote: string | null;
    max: number;
  } | null>(null);
  const seededFrom = useRef<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
  const promptInput = useRef<HTMLInputElement>(null);
  const [vocabOpen, setVocabOpen] = useState(false);
  // Puts a word from the vocabulary panel at the prompt's caret (or over its selection).
  const pickWord = (word: string): void => {
    const el = promptInput.current;
    const start = el?.selectionStart ?? prompt.length;
    const end = el?.selectionEnd ?? start;
    const next = insertWord(prompt, word, start, end);
    setPrompt(next.text);
    window.requestAnimationFrame(() => {
      el?.setSelectionRange(next.caret, next.caret);
    });
  };
  // The import dialog offers the prompt box's text as the caption.
  useEffect(() => {
    store.promptDraft = prompt;
  }, [prompt]);

  // Opening a session shows its latest prompt, once, so the designer can tweak and generate again.
  useEffect(() => {
    const id = session?.session.id ?? null;
    if (id !== seededFrom.current && take !== null) {
      seededFrom.current = id;
      setPrompt(take.prompt);
    }
  }, [session?.session.id, take]);
  useEffect(() => saveSeedField(storage(), seedField), [seedField]);
  // Counted a moment after typing stops; a failed count only leaves the counter blank (Generate still
  // reports any real problem), so it is not an alert.
  useEffect(() => {
    if (offline !== null || prompt.trim() === '') return;
    const timer = window.setTimeout(() => {
      store.api.tokenize({ prompt }).then(
        (r) =>
          setCounted({
            prompt,
            tokens: r.tokens.length,
            // words, as the note names them: "barked" is one unknown word even when two of its pieces are <unk>
            unknown: wordTokens(r.tokens).filter((t) => t.unknown === true).length,
            unknownNote: unknownWordsNote(model?.id ?? 'the model', r.tokens),
            max: r.maxTokens,
          }),
        () => undefined,
      );
    }, 150);
    return () => window.clearTimeout(timer);
  }, [prompt, offline, model?.id]);
  const count = counted !== null && counted.prompt === prompt ? counted : null;
  const duration = readDuration(durationText, { id: model?.id ?? 'the model', maxDurationSec: maxDur });

  const selection = session?.timeline.selection ?? null;
  const weights = take === null ? [] : draftWeightsOf(session, take);
  const shown = take === null ? null : shownMask(session, partial, take.id, info?.model.frameRate ?? 25);
  const edited = take !== null && !sameWeights(weights, take.weights);
  const keep = keepBefore && selection !== null && selection.startSec > 0 ? selection.startSec : undefined;

  const blocker = generateBlocker({ prompt, tokens: count?.tokens ?? null, model, duration, offline, busy });
  const maxTokens = model?.maxTextTokens;

  const generate = async (): Promise<void> => {
    const durationSec = duration.sec;
    if (blocker !== null || durationSec === null) return;
    setBusy(true);
    await store.guard(async () => {
      await store.generate({ prompt, seed: seedField.seed, durationSec, variations });
      // Accepted: the next Generate draws a new take unless the seed is locked.
      setSeedField((f) => seedAfterGenerate(f));
    });
    setBusy(false);
  };
  const regenerate = async (): Promise<void> => {
    if (take === null) return;
    setBusy(true);
    await store.guard(() =>
      store.regenerate({
        takeId: take.id,
        weights,
        ...(newSeed ? { seed: randomSeed() } : {}),
        ...(replaceSelection && selection !== null
          ? { regions: [{ startSec: selection.startSec, endSec: selection.endSec }] }
          : keep !== undefined
            ? { keepBeforeSec: keep }
            : {}),
      }),
    );
    setBusy(false);
  };

  return (
    <header className="promptbar">
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          void generate();
        }}
      >
        <span className="brand">AudioGenX Studio</span>
        <label className="sr-only" htmlFor="prompt">
          Prompt
        </label>
        <input
          id="prompt"
          ref={promptInput}
          className="prompt"
          type="text"
          value={prompt}
          maxLength={MAX_PROMPT_CHARS}
          placeholder="Describe a sound, e.g. a dog barks while rain falls"
          onChange={(e) => setPrompt(e.target.value)}
          aria-label="Prompt"
        />
        {/* Words the model does not know are named before Generate; the note floats under the counter. */}
        <span className="with-note">
          <span
            className={`token-count${count !== null && count.tokens > count.max ? ' over' : ''}`}
            aria-label="Prompt tokens"
            aria-live="polite"
            title={
              count !== null && count.unknown > 0
                ? `${count.unknown} word${count.unknown === 1 ? '' : 's'} unknown to the model`
                : 'Tokens the model reads, of its most'
            }
          >
            {prompt.trim() === '' ? 0 : (count?.tokens ?? '…')} / {maxTokens ?? '?'} tokens
            {count !== null && count.unknown > 0 ? ` · ${count.unknown} unknown` : ''}
          </span>
          {count?.unknownNote != null && (
            <span className="limit-note" role="status" aria-label="Unknown words">
              {count.unknownNote}
            </span>
          )}
        </span>
        <button
          type="button"
          className="btn"
          aria-expanded={vocabOpen}
          aria-label="Words the model knows"
          title="What the model knows: its words, searchable; click one to put it in the prompt"
          onClick={() => setVocabOpen((o) => !o)}
        >
          Words…
        </button>
        <label className="field">
          Seed
          <input
            type="number"
            min={0}
            max={MAX_SEED}
            value={seedField.seed}
            onChange={(e) =>
              setSeedField((f) => ({ ...f, seed: Math.min(MAX_SEED, Math.max(0, Math.floor(Number(e.target.value) || 0))) }))
            }
            aria-label="Seed"
            title={seedField.locked ? 'Every Generate uses this seed' : 'The next Generate uses this seed, then a new one is drawn'}
          />
        </label>
        <button
          type="button"
          className="btn icon"
          aria-label="Random seed"
          title="Random seed"
          onClick={() => setSeedField((f) => ({ ...f, seed: randomSeed() }))}
        >
          <Icon name="dice" />
        </button>
        <button
          type="button"
          className="btn icon"
          aria-label={seedField.locked ? 'Unlock seed' : 'Lock seed'}
          aria-pressed={seedField.locked}
          title={seedField.locked ? 'Seed locked: every Generate repeats it' : 'Lock the seed, so Generate repeats it'}
          onClick={() => setSeedField((f) => ({ ...f, locked: !f.locked }))}
        >
          <Icon name={seedField.locked ? 'lock' : 'unlock'} />
        </button>
        {/* The note floats under the field, so a clamp never reflows the bar. */}
        <span className="duration">
          <label className="field" title={`At most ${maxDur} s`}>
            Duration
            <input
              type="number"
              min={0}
              max={maxDur}
              step={0.5}
              value={durationText}
              onChange={(e) => setDurationText(e.target.value)}
              // Leaving the field shows the value Generate uses (the clamp's note stays until the next edit).
              onBlur={() => duration.sec !== null && setDurationText(String(duration.sec))}
              aria-label="Duration (seconds)"
              aria-invalid={duration.sec === null}
              aria-describedby={duration.note !== null ? 'duration-note' : undefined}
              style={{ width: 64 }}
            />
            s
          </label>
          {duration.note !== null && (
            <span id="duration-note" className="limit-note" role="status">
              {duration.note}
            </span>
          )}
        </span>
        <label className="field">
          Variations
          <input
            type="number"
            min={1}
            max={MAX_VARIATIONS}
            value={variations}
            onChange={(e) => setVariations(Math.min(MAX_VARIATIONS, Math.max(1, Math.floor(Number(e.target.value) || 1))))}
            aria-label="Variations"
            style={{ width: 52 }}
          />
        </label>
        {/* A disabled button gets no pointer events in some browsers: its wrapper carries the tooltip too. */}
        <span className="generate-wrap" title={blocker ?? undefined}>
          <button type="submit" className="btn primary" disabled={blocker !== null} title={blocker ?? undefined}>
            Generate
          </button>
        </span>
        <button
          type="button"
          className="btn"
          title="Import an audio file (WAV, FLAC, MP3, Ogg, AIFF) as a take to explain against a caption (or drop one on the timeline)"
          onClick={() => fileInput.current?.click()}
        >
          Import audio…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept={IMPORT_ACCEPT}
          hidden
          aria-label="Audio file to import"
          onChange={(e) => {
            const file = e.target.files?.[0];
            // Cleared so choosing the same file again still fires a change.
            e.target.value = '';
            if (file !== undefined) store.requestImport(file);
          }}
        />
      </form>
      {vocabOpen && (
        <VocabularyPanel
          onPick={pickWord}
          onClose={() => {
            setVocabOpen(false);
            promptInput.current?.focus();
          }}
        />
      )}
      {take !== null && (
        <div className="row">
          <TokenChips take={take} weights={weights} shown={shown} selection={selection} />
          <span className="sep" />
          <button
            type="button"
            className="btn primary"
            onClick={() => void regenerate()}
            disabled={busy || offline !== null}
            title={
              offline ??
              (take.source === 'imported'
                ? `New take generated from Take ${take.number}'s caption with the edited weights`
                : `New take from Take ${take.number} with the edited weights`)
            }
          >
            <Icon name="regenerate" />
            Regenerate
          </button>
          <label className="field">
            <input type="checkbox" checked={newSeed} onChange={(e) => setNewSeed(e.target.checked)} />
            New seed
          </label>
          <label className="field" title={selection === null ? 'Select a region first' : undefined}>
            <input
              type="checkbox"
              checked={keepBefore}
              disabled={selection === null || selection.startSec <= 0}
              onChange={(e) => {
                setKeepBefore(e.target.checked);
                setReplaceSelection(false);
              }}
            />
            {selection !== null && selection.startSec > 0
              ? `Keep audio before ${selection.startSec.toFixed(2)} s`
              : 'Keep audio before the selection'}
          </label>
          <label
            className="field"
            title={
              selection === null ? 'Select a region first' : 'Regenerate only the selection; the rest of the take stays sample for sample'
            }
          >
            <input
              type="checkbox"
              checked={replaceSelection}
              disabled={selection === null}
              onChange={(e) => {
                setReplaceSelection(e.target.checked);
                setKeepBefore(false);
              }}
            />
            {selection !== null
              ? `Replace selection ${selection.startSec.toFixed(2)}-${selection.endSec.toFixed(2)} s`
              : 'Replace selection'}
          </label>
          {edited && (
            <button
              type="button"
              className="btn"
              onClick={() =>
                store.updateTimeline((t) => ({ ...t, draftWeights: { ...t.draftWeights, [take.id]: take.weights } }), {
                  kind: 'edit',
                  undoLabel: 'Reset weights',
                })
              }
            >
              Reset weights
            </button>
          )}
          <span className="note">
            Take {take.number}
            {shown?.live ? ' · explaining…' : shown === null ? ' · not explained yet' : ''}
          </span>
        </div>
      )}
    </header>
  );
}
