// Horizontal importance bars (holistic, interval) and the two-take comparison.
import type { DiffRow } from '../timeline/explanation';

/** values: null for a word the take muted (no importance: shown as muted, no bar); unknown: words the model does not know, flagged. */
export function Bars({
  label,
  tokens,
  values,
  unknown = [],
}: {
  label: string;
  tokens: string[];
  values: readonly (number | null)[];
  unknown?: readonly boolean[];
}) {
  return (
    <ul className="bars" aria-label={label}>
      {tokens.map((t, i) => {
        const raw = values[i];
        const v = raw ?? 0;
        return (
          <li key={i} aria-label={`${t}${unknown[i] === true ? ' (unknown word)' : ''} ${raw === null ? 'muted' : v.toFixed(2)}`}>
            <span className="tok">
              {t}
              {unknown[i] === true && (
                <span className="unknown-mark" aria-hidden="true" title="The model does not know this word: it reads it as [UNK]">
                  ?
                </span>
              )}
            </span>
            <span className="track">
              <span className="fill" style={{ width: `${Math.max(0, Math.min(1, v)) * 100}%` }} />
            </span>
            <span className="num">{raw === null ? 'muted' : v.toFixed(2)}</span>
          </li>
        );
      })}
    </ul>
  );
}

/** A difference with its sign at two decimals: "+0.12", "-0.30", "0.00" (never "-0.00"); a dash where one side has no value. */
function signed(d: number | null): string {
  if (d === null) return '–';
  const r = Math.round(d * 100) / 100;
  return r === 0 ? '0.00' : `${r > 0 ? '+' : ''}${r.toFixed(2)}`;
}

export function DiffBars({ rows, nameA, nameB }: { rows: DiffRow[]; nameA: string; nameB: string }) {
  return (
    <ul className="bars diff" aria-label={`Importance, ${nameA} against ${nameB}`}>
      {rows.map((r, i) => (
        <li
          key={i}
          aria-label={`${r.token}: ${nameA} ${r.a?.toFixed(2) ?? 'none'}, ${nameB} ${r.b?.toFixed(2) ?? 'none'}, ${nameA} − ${nameB} ${signed(r.delta)}`}
        >
          <span className="tok">{r.token}</span>
          <span className="track" title={nameA}>
            <span className="fill" style={{ width: `${(r.a ?? 0) * 100}%` }} />
          </span>
          <span className="track" title={nameB}>
            <span className="fill b" style={{ width: `${(r.b ?? 0) * 100}%` }} />
          </span>
          <span
            className="num"
            title={`${nameA} − ${nameB}`}
            style={{ color: r.delta === null ? undefined : r.delta > 0.05 ? '#8fd6a0' : r.delta < -0.05 ? '#ff9b9b' : undefined }}
          >
            {signed(r.delta)}
          </span>
        </li>
      ))}
    </ul>
  );
}
