// The top bar: prompt, seed (with dice), duration, variations, Generate and Import WAV…; under it the
// selected take's words as chips with the Regenerate controls.
import { useEffect, useRef, useState } from 'react';
import { MAX_PROMPT_CHARS, MAX_VARIATIONS } from '../../../electron/common/domain';
import { draftWeightsOf, selectedTake, shownMask } from '../state/selectors';
import { offlineReason } from '../api/client';
import { getStore, useStudio } from '../state/store';
import { sameWeights } from '../state/weights';
import { Icon } from './Icon';
import { TokenChips } from './TokenChips';

function randomSeed(): number {
  return Math.floor(Math.random() * 1_000_000);
}

export function PromptBar() {
  const session = useStudio((s) => s.session);
  const partial = useStudio((s) => s.partial);
  const info = useStudio((s) => s.info);
  const offline = useStudio((s) => offlineReason(s.connection));
  const store = getStore();
  const take = selectedTake(session);
  const maxDur = info?.model.maxDurationSec ?? 5;
  const [prompt, setPrompt] = useState('');
  const [seed, setSeed] = useState(randomSeed);
  const [duration, setDuration] = useState(5);
  const [variations, setVariations] = useState(1);
  const [newSeed, setNewSeed] = useState(false);
  const [keepBefore, setKeepBefore] = useState(false);
  const [replaceSelection, setReplaceSelection] = useState(false);
  const [busy, setBusy] = useState(false);
  const seededFrom = useRef<string | null>(null);
  const fileInput = useRef<HTMLInputElement>(null);
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
  useEffect(() => setDuration((d) => Math.min(d, maxDur)), [maxDur]);

  const selection = session?.timeline.selection ?? null;
  const weights = take === null ? [] : draftWeightsOf(session, take);
  const shown = take === null ? null : shownMask(session, partial, take.id, info?.model.frameRate ?? 25);
  const edited = take !== null && !sameWeights(weights, take.weights);
  const keep = keepBefore && selection !== null && selection.startSec > 0 ? selection.startSec : undefined;

  const generate = async (): Promise<void> => {
    setBusy(true);
    await store.guard(() => store.generate({ prompt, seed, durationSec: duration, variations }));
    setBusy(false);
  };
  const regenerate = async (): Promise<void> => {
    if (take === null) return;
    setBusy(true);
    await store.guard(() =>
      store.regenerate({ takeId: take.id, weights, ...(newSeed ? { seed: randomSeed() } : {}), ...(replaceSelection && selection !== null ? { regions: [{ startSec: selection.startSec, endSec: selection.endSec }] } : keep !== undefined ? { keepBeforeSec: keep } : {}) }),
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
          className="prompt"
          type="text"
          value={prompt}
          maxLength={MAX_PROMPT_CHARS}
          placeholder="Describe a sound, e.g. a dog barks while rain falls"
          onChange={(e) => setPrompt(e.target.value)}
          aria-label="Prompt"
        />
        <label className="field">
          Seed
          <input type="number" min={0} max={0xffffffff} value={seed} onChange={(e) => setSeed(Math.max(0, Math.floor(Number(e.target.value) || 0)))} aria-label="Seed" />
        </label>
        <button type="button" className="btn icon" aria-label="Random seed" title="Random seed" onClick={() => setSeed(randomSeed())}>
          <Icon name="dice" />
        </button>
        <label className="field">
          Duration
          <input type="number" min={0.5} max={maxDur} step={0.5} value={duration} onChange={(e) => setDuration(Math.min(maxDur, Math.max(0.04, Number(e.target.value) || maxDur)))} aria-label="Duration (seconds)" style={{ width: 64 }} />
          s
        </label>
        <label className="field">
          Variations
          <input type="number" min={1} max={MAX_VARIATIONS} value={variations} onChange={(e) => setVariations(Math.min(MAX_VARIATIONS, Math.max(1, Math.floor(Number(e.target.value) || 1))))} aria-label="Variations" style={{ width: 52 }} />
        </label>
        <button type="submit" className="btn primary" disabled={busy || prompt.trim() === '' || offline !== null} title={offline ?? undefined}>
          Generate
        </button>
        <button type="button" className="btn" title="Import a WAV file as a take to explain against a caption (or drop one on the timeline)" onClick={() => fileInput.current?.click()}>
          Import WAV…
        </button>
        <input
          ref={fileInput}
          type="file"
          accept=".wav,audio/wav,audio/x-wav,audio/wave"
          hidden
          aria-label="WAV file to import"
          onChange={(e) => {
            const file = e.target.files?.[0];
            // Cleared so choosing the same file again still fires a change.
            e.target.value = '';
            if (file !== undefined) store.requestImport(file);
          }}
        />
      </form>
      {take !== null && (
        <div className="row">
          <TokenChips take={take} weights={weights} shown={shown} selection={selection} />
          <span className="sep" />
          <button type="button" className="btn primary" onClick={() => void regenerate()} disabled={busy || offline !== null} title={offline ?? (take.source === 'imported' ? `New take generated from Take ${take.number}'s caption with the edited weights` : `New take from Take ${take.number} with the edited weights`)}>
            <Icon name="regenerate" />
            Regenerate
          </button>
          <label className="field">
            <input type="checkbox" checked={newSeed} onChange={(e) => setNewSeed(e.target.checked)} />
            New seed
          </label>
          <label className="field" title={selection === null ? 'Select a region first' : undefined}>
            <input type="checkbox" checked={keepBefore} disabled={selection === null || selection.startSec <= 0} onChange={(e) => {
                setKeepBefore(e.target.checked);
                setReplaceSelection(false);
              }}
            />
            {selection !== null && selection.startSec > 0 ? `Keep audio before ${selection.startSec.toFixed(2)} s` : 'Keep audio before the selection'}
          </label>
          <label className="field" title={selection === null ? 'Select a region first' : 'Regenerate only the selection; the rest of the take stays sample for sample'}>
            <input type="checkbox" checked={replaceSelection} disabled={selection === null} onChange={(e) => {
                setReplaceSelection(e.target.checked);
                setKeepBefore(false);
              }}
            />
            {selection !== null ? `Replace selection ${selection.startSec.toFixed(2)}-${selection.endSec.toFixed(2)} s` : 'Replace selection'}
          </label>
          {edited && (
            <button type="button" className="btn" onClick={() => store.updateTimeline((t) => ({ ...t, draftWeights: { ...t.draftWeights, [take.id]: take.weights } }), { kind: 'edit', undoLabel: 'Reset weights' })}>
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
