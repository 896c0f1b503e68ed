// Before an explanation starts: pick the method, adjust its parameters, see what it will cost.
import { useEffect, useState } from 'react';
import type { Take } from '../../../electron/common/api';
import { getStore, useStudio } from '../state/store';
import { Dialog } from './Dialog';

type Params = Record<string, unknown>;

export function ExplainDialog({ take, onClose }: { take: Take; onClose: () => void }) {
  const info = useStudio((s) => s.info);
  const store = getStore();
  const methods = info?.methods ?? [];
  const [method, setMethod] = useState(methods.find((m) => m.name === 'audiogenx')?.name ?? methods[0]?.name ?? 'audiogenx');
  const defaults = methods.find((m) => m.name === method)?.defaults ?? {};
  const [params, setParams] = useState<Params>({});
  const [estimate, setEstimate] = useState<{ seconds: number; basis: string } | null>(null);
  const [estimateError, setEstimateError] = useState<string | null>(null);

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
          <legend>Parameters</legend>
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
      <p className="note" aria-live="polite">
        {estimateError !== null
          ? `Cannot explain: ${estimateError}`
          : estimate === null
            ? 'Estimating the cost…'
            : `Estimated time: about ${estimate.seconds < 1 ? '<1' : estimate.seconds.toFixed(1)} s (${estimate.basis}).`}
      </p>
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
