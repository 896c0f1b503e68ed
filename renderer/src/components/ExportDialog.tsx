// Export: a take (whole or the selection) as WAV 16/24-bit or 32-bit float, and its shown
// explanation as JSON, CSV, a PNG heat map (drawn here) or an Audacity label track. The take is the
// timeline's selected take (choosing another here selects it), so the dialog, the file names and the
// status line all follow the one selection; the status line says what became of each save.
import { useEffect, useState } from 'react';
import type { Take } from '../../../electron/common/api';
import { bytesAsExport, saveExport, type SaveOutcome } from '../api/files';
import { wordExplanation } from '../../../electron/common/words';
import { heatmapPng } from '../export/heatmapPng';
import { methodLabel, selectedTake, shownExplanation, visibleTakes } from '../state/selectors';
import { getStore, useStudio } from '../state/store';
import { Dialog } from './Dialog';

type WavFormat = 'pcm16' | 'pcm24' | 'float32' | 'flac';
type ExplFormat = 'json' | 'csv' | 'png' | 'audacity';

const WAV: [WavFormat, string][] = [
  ['pcm16', 'WAV 16-bit'],
  ['pcm24', 'WAV 24-bit'],
  ['float32', 'WAV 32-bit float'],
  ['flac', 'FLAC 24-bit'],
];
const EXPL: [ExplFormat, string][] = [
  ['json', 'JSON'],
  ['csv', 'CSV (one row per step)'],
  ['png', 'PNG heat map'],
  ['audacity', 'Audacity labels (top words per interval)'],
];

export function ExportDialog({ takeId, onClose }: { takeId: string | null; onClose: () => void }) {
  const session = useStudio((s) => s.session);
  const info = useStudio((s) => s.info);
  const store = getStore();
  const takes = visibleTakes(session);
  // Export from a take's header selects that take first.
  useEffect(() => {
    if (takeId !== null && takeId !== store.getState().session?.timeline.selectedTakeId)
      store.updateTimeline({ selectedTakeId: takeId }, { kind: 'view' });
  }, [takeId]);
  const selectTake = (id: string): void => store.updateTimeline({ selectedTakeId: id }, { kind: 'view' });
  const [range, setRange] = useState<'take' | 'selection'>('take');
  const [wav, setWav] = useState<WavFormat>('pcm16');
  const [fmt, setFmt] = useState<ExplFormat>('json');
  const [intervalSec, setIntervalSec] = useState(0.5);
  const [topK, setTopK] = useState(2);
  // What the last save came to, for the take it was about (another take's news is not shown).
  const [done, setDone] = useState<{ takeId: string; text: string } | null>(null);
  const take = selectedTake(session);
  const expl = take === null ? null : shownExplanation(session, take.id);
  const sel = session?.timeline.selection ?? null;

  // Each save reports on the take it was about; a failure is also an alert (store.guard).
  const run = (what: string, save: (t: Take) => Promise<SaveOutcome>): void => {
    if (take === null) return;
    const about = take;
    const label = `Take ${about.number} ${what}`;
    setDone({ takeId: about.id, text: `Exporting ${label}…` });
    void store
      .guard(() => save(about))
      .then((outcome) =>
        setDone({
          takeId: about.id,
          text: outcome === undefined ? `${label}: not saved (see the error above).` : `${label}: ${outcome.message}`,
        }),
      );
  };
  const exportWav = (t: Take): Promise<SaveOutcome> => {
    const region = range === 'selection' && sel !== null ? { startSec: sel.startSec, endSec: Math.min(sel.endSec, t.durationSec) } : {};
    return store.exportTake({ takeId: t.id, format: wav, ...region });
  };
  const exportExpl = async (t: Take): Promise<SaveOutcome> => {
    if (expl === null) throw new Error(`Take ${t.number} is not explained yet`);
    if (fmt !== 'png')
      return store.exportExplanation({ explanationId: expl.id, format: fmt, ...(fmt === 'audacity' ? { intervalSec, topK } : {}) });
    const words = wordExplanation(expl);
    const bytes = await heatmapPng(
      words.mask,
      words.tokens.map((x) => x.text),
      expl.frameRate,
      `Take ${t.number} · ${methodLabel(info?.methods, expl.method)} · “${t.prompt}”`,
    );
    return saveExport(bytesAsExport(`take-${t.number}-${expl.method}-heatmap.png`, 'image/png', bytes));
  };

  return (
    <Dialog title={take === null ? 'Export' : `Export Take ${take.number}`} onClose={onClose}>
      <label className="field">
        Take
        <select aria-label="Take to export" value={take?.id ?? ''} onChange={(e) => selectTake(e.target.value)}>
          {takes.map((t) => (
            <option key={t.id} value={t.id}>
              Take {t.number}
            </option>
          ))}
        </select>
      </label>
      <fieldset>
        <legend>Audio</legend>
        <div className="row-wrap" role="radiogroup" aria-label="Range">
          <label className="field">
            <input type="radio" name="range" checked={range === 'take'} onChange={() => setRange('take')} /> Whole take
          </label>
          <label className="field">
            <input
              type="radio"
              name="range"
              checked={range === 'selection'}
              disabled={sel === null}
              onChange={() => setRange('selection')}
            />
            {sel === null ? 'Selection (none)' : `Selection ${sel.startSec.toFixed(2)}–${sel.endSec.toFixed(2)} s`}
          </label>
        </div>
        <div className="row-wrap" role="radiogroup" aria-label="WAV format">
          {WAV.map(([v, l]) => (
            <label key={v} className="field">
              <input type="radio" name="wav" checked={wav === v} onChange={() => setWav(v)} /> {l}
            </label>
          ))}
        </div>
        <div>
          <button type="button" className="btn primary" disabled={take === null} onClick={() => run('audio', exportWav)}>
            Export WAV
          </button>
        </div>
      </fieldset>
      <fieldset disabled={expl === null}>
        <legend>Explanation{expl === null ? ' (explain the take first)' : `: ${methodLabel(info?.methods, expl.method)}`}</legend>
        <div className="row-wrap" role="radiogroup" aria-label="Explanation format">
          {EXPL.map(([v, l]) => (
            <label key={v} className="field">
              <input type="radio" name="expl" checked={fmt === v} onChange={() => setFmt(v)} /> {l}
            </label>
          ))}
        </div>
        {fmt === 'audacity' && (
          <div className="row-wrap">
            <label className="field">
              Interval (s)
              <input
                type="number"
                min={0.04}
                max={60}
                step={0.1}
                value={intervalSec}
                onChange={(e) => setIntervalSec(Math.min(60, Math.max(0.04, Number(e.target.value) || 0.5)))}
              />
            </label>
            <label className="field">
              Words per label
              <input
                type="number"
                min={1}
                max={32}
                value={topK}
                onChange={(e) => setTopK(Math.min(32, Math.max(1, Math.floor(Number(e.target.value) || 2))))}
              />
            </label>
          </div>
        )}
        <div>
          <button type="button" className="btn primary" onClick={() => run('explanation', exportExpl)}>
            Export explanation
          </button>
        </div>
      </fieldset>
      <p className="note" role="status">
        {done !== null && done.takeId === take?.id ? done.text : ''}
      </p>
      <div className="buttons">
        <button type="button" className="btn" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
