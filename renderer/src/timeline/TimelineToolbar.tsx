// Transport, zoom and view controls above the tracks.
import { useEffect, useRef } from 'react';
import { Icon } from '../components/Icon';
import { contentSeconds } from '../state/selectors';
import { getStore, useStudio } from '../state/store';
import { abSwitch, onPosition, playPause, playSelection, transportTakeId } from '../state/transport';
import { clampScroll, fitView, formatClock, zoomAt } from './math';

/** Zoom by a factor around the view's centre. */
export function zoomBy(factor: number, width: number): void {
  const store = getStore();
  const s = store.getState().session;
  if (s === null) return;
  store.updateTimeline(
    zoomAt({ pxPerSec: s.timeline.pxPerSec, scrollSec: s.timeline.scrollSec }, factor, width / 2, width, contentSeconds(s)),
    { kind: 'view' },
  );
}

/** Fit every take into the width. */
export function zoomFit(width: number): void {
  const store = getStore();
  const s = store.getState().session;
  if (s === null) return;
  const v = fitView(contentSeconds(s), width);
  store.updateTimeline({ pxPerSec: v.pxPerSec, scrollSec: clampScroll(0, v.pxPerSec, width, contentSeconds(s)) }, { kind: 'view' });
}

/** Adds a marker at the playhead (one undo step). */
export function addMarker(): void {
  const store = getStore();
  const s = store.getState().session;
  if (s === null) return;
  const at = s.timeline.playheadSec;
  const n = s.timeline.markers.length + 1;
  store.updateTimeline(
    (t) => ({
      ...t,
      markers: [...t.markers, { id: `m${Date.now().toString(36)}${n}`, timeSec: at, label: `M${n}` }].sort((a, b) => a.timeSec - b.timeSec),
    }),
    { kind: 'edit', undoLabel: `Add marker at ${at.toFixed(2)} s` },
  );
}

/** Names the selection as a region R1, R2, ... (one undo step); without a selection, nothing. */
export function addRegion(): void {
  const store = getStore();
  const s = store.getState().session;
  const sel = s?.timeline.selection ?? null;
  if (s === null || sel === null) return;
  const n = s.timeline.regions.length + 1;
  const region = { id: `r${Date.now().toString(36)}${n}`, startSec: sel.startSec, endSec: sel.endSec, label: `R${n}` };
  store.updateTimeline((t) => ({ ...t, regions: [...t.regions, region].sort((a, b) => a.startSec - b.startSec) }), {
    kind: 'edit',
    undoLabel: `Add region ${region.label} (${sel.startSec.toFixed(2)}–${sel.endSec.toFixed(2)} s)`,
  });
}

/** Loop on/off (needs a selection to loop). */
export function toggleLoop(): void {
  const store = getStore();
  const s = store.getState().session;
  if (s === null) return;
  store.updateTimeline({ loop: !s.timeline.loop }, { kind: 'view' });
}

export function TimelineToolbar({ width, compareTakeId }: { width: number; compareTakeId: string | null }) {
  const session = useStudio((s) => s.session);
  const store = getStore();
  const clock = useRef<HTMLSpanElement>(null);
  const playBtn = useRef<HTMLButtonElement>(null);
  const tl = session?.timeline;
  const playhead = tl?.playheadSec ?? 0;

  // The clock follows playback without re-rendering React.
  useEffect(
    () =>
      onPosition((pos) => {
        if (clock.current !== null) clock.current.textContent = formatClock(pos ?? playhead);
        if (playBtn.current !== null) playBtn.current.setAttribute('aria-label', pos === null ? 'Play' : 'Pause');
      }),
    [playhead],
  );

  if (tl === undefined) return null;
  const a = transportTakeId();
  return (
    <div className="toolbar" role="toolbar" aria-label="Transport and view">
      <button
        ref={playBtn}
        type="button"
        className="btn icon"
        aria-label="Play"
        title="Play / pause (Space)"
        onClick={() => void store.guard(playPause)}
      >
        <Icon name="play" />
      </button>
      <button
        type="button"
        className="btn"
        disabled={tl.selection === null}
        title="Play the selection (Shift+Space)"
        onClick={() => void store.guard(playSelection)}
      >
        Play selection
      </button>
      <button
        type="button"
        className="btn icon"
        aria-label="Loop selection"
        aria-pressed={tl.loop}
        title="Loop the selection (L)"
        onClick={toggleLoop}
      >
        <Icon name="loop" />
      </button>
      <button
        type="button"
        className="btn icon"
        aria-label="A/B switch"
        disabled={a === null || compareTakeId === null || compareTakeId === a}
        title="A/B: switch between the selected and the compared take at the same position (B)"
        onClick={() => a !== null && compareTakeId !== null && void store.guard(() => abSwitch(a, compareTakeId))}
      >
        <Icon name="ab" />
      </button>
      <span className="clock" ref={clock} aria-label="Playhead time">
        {formatClock(playhead)}
      </span>
      <span className="sep" />
      <button type="button" className="btn icon" aria-label="Zoom out" title="Zoom out (-)" onClick={() => zoomBy(1 / 1.5, width)}>
        <Icon name="zoom-out" />
      </button>
      <button type="button" className="btn icon" aria-label="Zoom in" title="Zoom in (+, Ctrl+wheel)" onClick={() => zoomBy(1.5, width)}>
        <Icon name="zoom-in" />
      </button>
      <button type="button" className="btn icon" aria-label="Zoom to fit" title="Fit (F)" onClick={() => zoomFit(width)}>
        <Icon name="fit" />
      </button>
      <span className="zoom" aria-label="Zoom level">
        {Math.round(tl.pxPerSec)} px/s
      </span>
      <span className="sep" />
      <button type="button" className="btn icon" aria-label="Add marker" title="Add a marker at the playhead (M)" onClick={addMarker}>
        <Icon name="marker" />
      </button>
      <button
        type="button"
        className="btn icon"
        aria-label="Add region"
        disabled={tl.selection === null}
        title="Name the selection as a region (R)"
        onClick={addRegion}
      >
        <Icon name="region" />
      </button>
      <button
        type="button"
        className="btn icon"
        aria-label="Spectrogram"
        aria-pressed={tl.showSpectrogram}
        title="Show spectrograms"
        onClick={() => store.updateTimeline({ showSpectrogram: !tl.showSpectrogram }, { kind: 'view' })}
      >
        <Icon name="spectrum" />
      </button>
      <span className="sep" />
      <button
        type="button"
        className="btn icon"
        aria-label="Undo"
        title="Undo (Ctrl+Z)"
        disabled={!session!.canUndo}
        onClick={() => void store.guard(() => store.undo())}
      >
        <Icon name="undo" />
      </button>
      <button
        type="button"
        className="btn icon"
        aria-label="Redo"
        title="Redo (Ctrl+Shift+Z)"
        disabled={!session!.canRedo}
        onClick={() => void store.guard(() => store.redo())}
      >
        <Icon name="redo" />
      </button>
      {tl.selection !== null && (
        <span className="note">
          Selection {tl.selection.startSec.toFixed(2)}–{tl.selection.endSec.toFixed(2)} s
        </span>
      )}
    </div>
  );
}
