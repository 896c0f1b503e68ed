// The prompt as token chips: each shows its importance; click mutes, wheel or arrows weight it,
// right-click (or Shift+Enter) opens a weight popover that can act only inside the selection.
import { useEffect, useRef, useState } from 'react';
import type { Take } from '../../../electron/common/api';
import type { TimeSpan, TokenWeight } from '../../../electron/common/domain';
import type { ShownMask } from '../state/selectors';
import { getStore } from '../state/store';
import { chipName, formatWeight, globalWeight, nudgeWeight, regionalWeights, toggleMute } from '../state/weights';
import { WeightPopover } from './WeightPopover';

// A wheel gesture is a burst of notches; it becomes one undo step once the wheel rests this long.
const WHEEL_COMMIT_MS = 500;

function saveWeights(take: Take, weights: TokenWeight[], mode: 'preview' | string): void {
  getStore().updateTimeline((t) => ({ ...t, draftWeights: { ...t.draftWeights, [take.id]: weights } }), mode === 'preview' ? { kind: 'preview' } : { kind: 'edit', undoLabel: mode });
}

export function TokenChips({ take, weights, shown, selection }: { take: Take; weights: TokenWeight[]; shown: ShownMask | null; selection: TimeSpan | null }) {
  const [popover, setPopover] = useState<number | null>(null);
  const wheelTimer = useRef<number | null>(null);
  const wheelToken = useRef<number | null>(null);
  useEffect(() => () => {
    if (wheelTimer.current !== null) window.clearTimeout(wheelTimer.current);
  }, []);

  const onWheel = (i: number, deltaY: number): void => {
    const notches = deltaY < 0 ? 1 : -1;
    const next = nudgeWeight(getStore().getState().session?.timeline.draftWeights[take.id] ?? weights, i, notches);
    saveWeights(take, next, 'preview');
    if (wheelTimer.current !== null) window.clearTimeout(wheelTimer.current);
    wheelToken.current = i;
    wheelTimer.current = window.setTimeout(() => {
      wheelTimer.current = null;
      const cur = getStore().getState().session?.timeline.draftWeights[take.id] ?? next;
      saveWeights(take, cur, `Weight "${take.tokens[i]?.text ?? ''}" ${formatWeight(globalWeight(cur, i))}`);
    }, WHEEL_COMMIT_MS);
  };

  return (
    <div className="chips" role="group" aria-label="Prompt words">
      <span className="label">Words</span>
      {take.tokens.map((tok, i) => {
        const imp = shown?.holistic[i] ?? null;
        const g = globalWeight(weights, i);
        const regional = regionalWeights(weights, i);
        const edited = g !== 1 || regional.length > 0;
        return (
          <span key={`${i}:${tok.text}`} style={{ position: 'relative' }}>
            <button
              type="button"
              className={`chip${edited && g !== 0 ? ' weighted' : ''}${tok.unknown ? ' unknown' : ''}`}
              aria-pressed={g === 0}
              aria-label={chipName(tok.text, imp, weights, i)}
              title={tok.unknown ? 'Not in the model vocabulary' : 'Click: mute · wheel/↑↓: weight · right-click: weight popover'}
              onClick={() => saveWeights(take, toggleMute(weights, i), `${g === 0 ? 'Unmute' : 'Mute'} "${tok.text}"`)}
              onWheel={(e) => onWheel(i, e.deltaY)}
              onContextMenu={(e) => {
                e.preventDefault();
                setPopover(i);
              }}
              onKeyDown={(e) => {
                if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
                  e.preventDefault();
                  const next = nudgeWeight(weights, i, e.key === 'ArrowUp' ? 1 : -1);
                  saveWeights(take, next, `Weight "${tok.text}" ${formatWeight(globalWeight(next, i))}`);
                } else if (e.key === 'Enter' && e.shiftKey) {
                  e.preventDefault();
                  setPopover(i);
                }
              }}
            >
              <span className="t">{tok.text}</span>
              <span className="v">
                <span>{imp === null ? '–' : imp.toFixed(2)}</span>
                {g !== 1 && g !== 0 && <span className="w">×{formatWeight(g)}</span>}
                {regional.length > 0 && <span className="w">◧</span>}
              </span>
              <span className="bar" aria-hidden="true">
                <i style={{ width: `${Math.round((imp ?? 0) * 100)}%` }} />
              </span>
            </button>
            {popover === i && (
              <WeightPopover
                token={tok.text}
                index={i}
                weights={weights}
                selection={selection}
                onPreview={(w) => saveWeights(take, w, 'preview')}
                onCommit={(w, label) => saveWeights(take, w, label)}
                onClose={() => setPopover(null)}
              />
            )}
          </span>
        );
      })}
    </div>
  );
}
