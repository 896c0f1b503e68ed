// The prompt as token chips: each shows the selected take's own weight (how it was made) and its
// importance (none for a word the take muted); click mutes, wheel or arrows weight it in the draft,
// shown as a pending edit; right-click (or Shift+Enter) opens a weight popover that can act only
// inside the selection.
import { useEffect, useRef, useState } from 'react';
import type { Take } from '../../../electron/common/api';
import type { TimeSpan, TokenWeight } from '../../../electron/common/domain';
import { tokenWeights, wordWeights } from '../../../electron/common/words';
import { draftWordWeightsOf, type ShownMask, wordTake } from '../state/selectors';
import { getStore } from '../state/store';
import { chipName, formatWeight, globalWeight, nudgeWeight, regionalWeights, sameWeights, toggleMute, weightParts } from '../state/weights';
import { WeightPopover } from './WeightPopover';

// A wheel gesture is a burst of notches; it becomes one undo step once the wheel rests this long.
const WHEEL_COMMIT_MS = 500;

/** Saves word weights as the take's draft token weights: an edited word weighs all its pieces. */
function saveWeights(take: Take, weights: TokenWeight[], mode: 'preview' | string): void {
  getStore().updateTimeline(
    (t) => ({
      ...t,
      draftWeights: { ...t.draftWeights, [take.id]: tokenWeights(weights, t.draftWeights[take.id] ?? take.weights, wordTake(take).words) },
    }),
    mode === 'preview' ? { kind: 'preview' } : { kind: 'edit', undoLabel: mode },
  );
}

/** The chips are the prompt's words (a word T5 cut into pieces is one chip); `take` and `weights` are per token, as stored. */
export function TokenChips({
  take: tokenTake,
  weights: draftWeights,
  shown,
  selection,
}: {
  take: Take;
  weights: TokenWeight[];
  shown: ShownMask | null;
  selection: TimeSpan | null;
}) {
  const { take, words } = wordTake(tokenTake);
  const weights = wordWeights(draftWeights, words);
  const [popover, setPopover] = useState<number | null>(null);
  const wheelTimer = useRef<number | null>(null);
  const wheelToken = useRef<number | null>(null);
  useEffect(
    () => () => {
      if (wheelTimer.current !== null) window.clearTimeout(wheelTimer.current);
    },
    [],
  );

  const onWheel = (i: number, deltaY: number): void => {
    const notches = deltaY < 0 ? 1 : -1;
    const next = nudgeWeight(draftWordWeightsOf(getStore().getState().session, tokenTake), i, notches);
    saveWeights(tokenTake, next, 'preview');
    if (wheelTimer.current !== null) window.clearTimeout(wheelTimer.current);
    wheelToken.current = i;
    wheelTimer.current = window.setTimeout(() => {
      wheelTimer.current = null;
      const cur = draftWordWeightsOf(getStore().getState().session, tokenTake);
      saveWeights(tokenTake, cur, `Weight "${take.tokens[i]?.text ?? ''}" ${formatWeight(globalWeight(cur, i))}`);
    }, WHEEL_COMMIT_MS);
  };

  return (
    <div className="chips" role="group" aria-label="Prompt words">
      <span className="label">Words</span>
      {take.tokens.map((tok, i) => {
        const made = globalWeight(take.weights, i);
        const imp = made === 0 ? null : (shown?.holistic[i] ?? null);
        const g = globalWeight(weights, i);
        const regional = regionalWeights(take.weights, i);
        const edited = g !== made || !sameWeights(regionalWeights(weights, i), regional);
        const draftName = weightParts(weights, i).join(', ') || 'weight 1';
        return (
          <span key={`${i}:${tok.text}`} style={{ position: 'relative' }}>
            <button
              type="button"
              className={`chip${made !== 1 || regional.length > 0 ? ' weighted' : ''}${made === 0 ? ' muted' : ''}${tok.unknown ? ' unknown' : ''}`}
              aria-pressed={g === 0}
              aria-label={`${chipName(tok.text, imp, take.weights, i)}${tok.unknown ? ', unknown to the model' : ''}${edited ? `; edited: ${draftName}` : ''}`}
              title={tok.unknown ? 'Not in the model vocabulary' : 'Click: mute · wheel/↑↓: weight · right-click: weight popover'}
              onClick={() => saveWeights(tokenTake, toggleMute(weights, i), `${g === 0 ? 'Unmute' : 'Mute'} "${tok.text}"`)}
              onWheel={(e) => onWheel(i, e.deltaY)}
              onContextMenu={(e) => {
                e.preventDefault();
                setPopover(i);
              }}
              onKeyDown={(e) => {
                if (e.key === 'ArrowUp' || e.key === 'ArrowDown') {
                  e.preventDefault();
                  const next = nudgeWeight(weights, i, e.key === 'ArrowUp' ? 1 : -1);
                  saveWeights(tokenTake, next, `Weight "${tok.text}" ${formatWeight(globalWeight(next, i))}`);
                } else if (e.key === 'Enter' && e.shiftKey) {
                  e.preventDefault();
                  setPopover(i);
                }
              }}
            >
              <span className="t">{tok.text}</span>
              <span className="v">
                <span>{made === 0 ? 'muted' : imp === null ? '–' : imp.toFixed(2)}</span>
                {made !== 1 && made !== 0 && <span className="w">×{formatWeight(made)}</span>}
                {regional.length > 0 && <span className="w">◧</span>}
                {edited && (
                  <span className="w draft" title="Edited for the next regeneration">
                    → {g === 0 ? 'mute' : `×${formatWeight(g)}`}
                  </span>
                )}
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
                onPreview={(w) => saveWeights(tokenTake, w, 'preview')}
                onCommit={(w, label) => saveWeights(tokenTake, w, label)}
                onClose={() => setPopover(null)}
              />
            )}
          </span>
        );
      })}
    </div>
  );
}
