// Before an explanation starts: Quick or Precise in a sound designer's words, every catalog method and
// its raw parameters under Advanced, and what it will cost on this machine.
import { useEffect, useState } from 'react';
import type { Take } from '../../../electron/common/api';
import { getStore, useStudio } from '../state/store';
import { Dialog } from './Dialog';

type Params = Record<string, unknown>;

/** The two plain choices and the catalog method behind each. */
const CHOICES = [
  {
    method: 'atman',
    title: 'Quick',
    text: 'A few seconds. Takes each word out in turn and measures how much the model’s next sound changes (AtMan).',
  },
  {
    method: 'audiogenx',
    title: 'Precise',
    text: 'Slower. Learns, moment by moment, which words the sound needs and which it could do without (AudioGenX, the method the studio is built on).',
  },
] as const;

/** "about 6.2 s" (one decimal below a minute, then minutes and seconds). */
function formatSeconds(s: number): string {
  if (s < 1) return 'under 1 s';
  if (s < 60) return `about ${s.toFixed(1)} s`;
  return `about ${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

export function ExplainDialog({ take, onClose }: { take: Take; onClose: () => void }) {
  const info = useStudio((s) => s.info);
  const store = getStore();
  const methods = info?.methods ?? [];
  const [method, setMethod] = useState(methods.find((m) => m.name === 'audiogenx')?.name ?? methods[0]?.name ?? 'audiogenx');
  const defaults = methods.find((m) => m.name === method)?.defaults ?? {};
  const [params, setParams] = useState<Params>({});
  const [estimate, setEstimate] = useState<{ seconds: number; basis: string; measured: boolean } | null>(null);
  const [estimateError, setEstimateError] = useState<string | null>(null);
  const label = methods.find((m) => m.name === method)?.label ?? method;
  const plain = CHOICES.find((c) => c.method === method);

  useEffect(() => setParams({}), [method]);
  useEffect(() => {
    let live = true;
    setEstimate(null);
    setEstimateError(null);
    const t = window.setTimeout(() => {
      store.api
        .estimateExplain({ takeId: take.id, method, params })
        .then((e) => live && setEstimate(e))
        .catch((err: unknown) => live && setEstimateError(err instanceof Error ? err.message : String(err)));
    }, 150);
    return () => {
      live = false;
      window.clearTimeout(t);
    };
  }, [take.id, method, JSON.stringify(params)]);

  // Only scalar parameters are editable here; others keep their defaults.
  const editable = Object.entries(defaults).filter(([, v]) => typeof v === 'number' || typeof v === 'boolean');

  return (
    <Dialog title={`Explain Take ${take.number}`} onClose={onClose}>
      <div className="choices" role="radiogroup" aria-label="How to explain">
        {CHOICES.filter((c) => methods.some((m) => m.name === c.method)).map((c) => (
          <label key={c.method} className={`choice${method === c.method ? ' on' : ''}`}>
            <input type="radio" name="explain-choice" checked={method === c.method} onChange={() => setMethod(c.method)} />
            <span>
              <strong>{c.title}</strong>
              <span className="note">{c.text}</span>
            </span>
          </label>
        ))}
      </div>
      {plain === undefined && <p className="note">Method chosen under Advanced: {label}.</p>}
      <p className="note estimate" aria-live="polite" aria-label="Estimated time">
        {estimateError !== null
          ? `Cannot explain: ${estimateError}`
          : estimate === null
            ? 'Estimating the cost…'
            : estimate.measured
              ? `Estimated time: ${formatSeconds(estimate.seconds)}, ${estimate.basis}.`
              : `Estimated time: ${formatSeconds(estimate.seconds)} (${estimate.basis}: not measured on this machine yet; the first run calibrates it).`}
      </p>
      <details className="advanced">
        <summary>Advanced</summary>
        <label className="field">
          Method
          <select aria-label="Method" value={method} onChange={(e) => setMethod(e.target.value)}>
            {methods.map((m) => (
              <option key={m.name} value={m.name}>
                {m.label}
              </option>
            ))}
          </select>
        </label>
        {editable.length > 0 && (
          <fieldset>
            <legend>Parameters of {label}</legend>
            {editable.map(([k, v]) => (
              <label key={k} className="field">
                {k}
                {typeof v === 'boolean' ? (
                  <input
                    type="checkbox"
                    checked={(params[k] ?? v) as boolean}
                    onChange={(e) => setParams({ ...params, [k]: e.target.checked })}
                  />
                ) : (
                  <input
                    type="number"
                    aria-label={k}
                    value={String(params[k] ?? v)}
                    step="any"
                    onChange={(e) => {
                      const n = Number(e.target.value);
                      if (e.target.value !== '' && Number.isFinite(n)) setParams({ ...params, [k]: n });
                    }}
                  />
                )}
              </label>
            ))}
          </fieldset>
        )}
      </details>
      <p className="note">The token lanes fill in while it runs; progress, ETA and Cancel are in the jobs bar.</p>
      <div className="buttons">
        <button type="button" className="btn" onClick={onClose}>
          Cancel
        </button>
        <button
          type="button"
          className="btn primary"
          // The estimate runs the explain call's checks of the take, the method and the model: if it fails, so would Start.
          disabled={estimateError !== null}
          onClick={() => {
            onClose();
            void store.guard(() => store.explain({ takeId: take.id, method, params }));
          }}
        >
          Start explaining
        </button>
      </div>
    </Dialog>
  );
}
