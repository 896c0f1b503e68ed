// Weight of one word, 0..2, for the whole clip or only inside the selected region. The slider
// previews while it moves and commits one undo step when released. The value set since the popover
// opened follows the scope when "Only inside the selection" is ticked or unticked (one more undo step).
import { useEffect, useId, useRef, useState } from 'react';
import { MAX_TOKEN_WEIGHT, MIN_TOKEN_WEIGHT, type TimeSpan, type TokenWeight } from '../../../electron/common/domain';
import { formatWeight, resetToken, setWeight, switchScope, weightIn } from '../state/weights';

export function WeightPopover(props: {
  token: string;
  index: number;
  weights: TokenWeight[];
  selection: TimeSpan | null;
  onPreview: (w: TokenWeight[]) => void;
  onCommit: (w: TokenWeight[], undoLabel: string) => void;
  onClose: () => void;
}) {
  const { token, index, selection } = props;
  const id = useId();
  const ref = useRef<HTMLDivElement>(null);
  // The list the gesture started from: previews are computed from it, so a drag is one change.
  const base = useRef(props.weights);
  // The list when the popover opened, and whether the slider moved since (what a scope switch carries).
  const opened = useRef(props.weights);
  const moved = useRef(false);
  const [inRegion, setInRegion] = useState(false);
  const span = inRegion ? selection : null;
  const [value, setValue] = useState(() => weightIn(props.weights, index, null));
  const dirty = useRef(false);

  useEffect(() => {
    ref.current?.querySelector<HTMLInputElement>('input[type=range]')?.focus();
  }, []);
  const setScope = (region: boolean): void => {
    const to = region ? selection : null;
    const next = switchScope(opened.current, base.current, index, span, to, moved.current ? value : null);
    setInRegion(region);
    setValue(next.value);
    if (next.weights === null) return;
    dirty.current = false;
    base.current = next.weights;
    props.onCommit(next.weights, `Weight "${token}" ${formatWeight(next.value)}${whereOf(to)}`);
  };

  const whereOf = (s: TimeSpan | null): string => (s === null ? '' : ` from ${s.startSec.toFixed(2)} to ${s.endSec.toFixed(2)} s`);
  const where = whereOf(span);
  const commit = (): void => {
    if (!dirty.current) return;
    dirty.current = false;
    const next = setWeight(base.current, index, value, span);
    base.current = next;
    props.onCommit(next, `Weight "${token}" ${formatWeight(value)}${where}`);
  };

  return (
    <div
      className="popover"
      ref={ref}
      role="dialog"
      aria-label={`Weight of ${token}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          commit();
          props.onClose();
        }
      }}
      onBlur={(e) => {
        if (!ref.current?.contains(e.relatedTarget as Node | null)) {
          commit();
          props.onClose();
        }
      }}
    >
      <h3>
        Weight of “{token}”{where}
      </h3>
      <label htmlFor={id} className="field">
        <input
          id={id}
          type="range"
          min={MIN_TOKEN_WEIGHT}
          max={MAX_TOKEN_WEIGHT}
          step={0.05}
          value={value}
          aria-label={`Weight of ${token}`}
          aria-valuetext={`${formatWeight(value)}${value === 0 ? ' (muted)' : ''}`}
          onChange={(e) => {
            const v = Number(e.target.value);
            setValue(v);
            dirty.current = true;
            moved.current = true;
            props.onPreview(setWeight(base.current, index, v, span));
          }}
          onPointerUp={commit}
          onKeyUp={commit}
        />
        <output style={{ fontFamily: 'var(--mono)', minWidth: 32 }}>{formatWeight(value)}</output>
      </label>
      <label className="field">
        <input type="checkbox" checked={inRegion} disabled={selection === null} onChange={(e) => setScope(e.target.checked)} />
        {selection === null
          ? 'Only inside a selection (select a region first)'
          : `Only inside the selection (${selection.startSec.toFixed(2)}–${selection.endSec.toFixed(2)} s)`}
      </label>
      <div className="row-wrap">
        <button
          type="button"
          className="btn"
          onClick={() => {
            const next = resetToken(base.current, index);
            base.current = next;
            dirty.current = false;
            moved.current = false;
            setValue(1);
            props.onCommit(next, `Reset "${token}"`);
          }}
        >
          Reset word
        </button>
        <button
          type="button"
          className="btn"
          onClick={() => {
            commit();
            props.onClose();
          }}
        >
          Done
        </button>
      </div>
    </div>
  );
}
