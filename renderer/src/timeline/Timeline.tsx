// The timeline: toolbar, DOM track headers beside the Konva drawing, pointer and wheel input, and the
// horizontal scrollbar. Input becomes timeline-state changes through timeline/math; the canvas draws.
import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { Take } from '../../../electron/common/api';
import { contentSeconds, draftWordWeightsOf, selectedTake, shownMask, visibleTakes, wordTake } from '../state/selectors';
import { getStore, useStudio } from '../state/store';
import { isPlaying, onPosition, playTake, stop } from '../state/transport';
import { frequencyAt, formatReadout, laneReadout, type LaneScale } from './lanes';
import { LaneLegend, loadLaneScale, saveLaneScale } from './LaneLegend';
import { LANE_H, layoutTracks, revealTrack, RULER_H, SPECTRO_H, trackAt } from './layout';
import { SPECTRO_LOOK } from './spectrogram';
import { globalWeight } from '../state/weights';
import { useWavDrop } from './drop';
import { clampScroll, revealTime, scrollBy, selectionFromDrag, snapToFrame, xToTime, zoomAt, type View } from './math';
import type { TimeSpan } from '../../../electron/common/domain';
import { TimelineCanvas, type TrackDraw } from './TimelineCanvas';
import { TimelineToolbar, zoomFit } from './TimelineToolbar';
import { TrackHeader } from './TrackHeader';

interface Drag {
  kind: 'select' | 'scrub';
  startX: number;
  startT: number;
  moved: boolean;
  takeId: string | null;
}

/** Size of an element, kept current by a ResizeObserver attached whenever the element mounts. */
function useSize(): [(el: HTMLElement | null) => void, { w: number; h: number }] {
  const [size, setSize] = useState({ w: 800, h: 400 });
  const observer = useRef<ResizeObserver | null>(null);
  const ref = useCallback((el: HTMLElement | null) => {
    observer.current?.disconnect();
    observer.current = null;
    if (el === null) return;
    const measure = (): void =>
      setSize((s) => (s.w === el.clientWidth && s.h === el.clientHeight ? s : { w: el.clientWidth, h: el.clientHeight }));
    observer.current = new ResizeObserver(measure);
    observer.current.observe(el);
    measure();
  }, []);
  return [ref, size];
}

export function Timeline({
  onExplain,
  onExport,
  compareTakeId,
}: {
  onExplain: (takeId: string) => void;
  onExport: (takeId: string) => void;
  compareTakeId: string | null;
}) {
  const session = useStudio((s) => s.session);
  const partial = useStudio((s) => s.partial);
  const info = useStudio((s) => s.info);
  useStudio((s) => s.audioVersion);
  const store = getStore();
  const [scrollRef, scrollSize] = useSize();
  const [colRef, colSize] = useSize();
  // The scroller's own scrollTop is the one source of truth; this copy is what the canvas draws at,
  // brought back in step after every commit (see below).
  const scrollEl = useRef<HTMLDivElement | null>(null);
  const setScrollEl = useCallback(
    (el: HTMLDivElement | null) => {
      scrollEl.current = el;
      scrollRef(el);
    },
    [scrollRef],
  );
  const [scrollTop, setScrollTop] = useState(0);
  // Per take, collapsed to a thin waveform (this window's view only).
  const [collapsed, setCollapsed] = useState<ReadonlySet<string>>(() => new Set());
  const [playingKey, setPlayingKey] = useState<string | null>(null);
  const [laneScale, setLaneScale] = useState<LaneScale>(loadLaneScale);
  // The hover readout is written straight into its element: a pointer move must not re-render the canvas.
  const readout = useRef<HTMLDivElement>(null);
  const hscroll = useRef<HTMLDivElement>(null);
  const drag = useRef<Drag | null>(null);
  const drop = useWavDrop();
  const mainClass = `timeline${drop.over ? ' drop-target' : ''}`;

  const frameRate = info?.model.frameRate ?? 25;
  const tl = session?.timeline;
  const takes = visibleTakes(session);
  const sel = selectedTake(session);
  const contentSec = contentSeconds(session);
  const width = Math.max(100, colSize.w);
  const view: View = { pxPerSec: tl?.pxPerSec ?? 160, scrollSec: tl?.scrollSec ?? 0 };
  const shown = new Map(takes.map((t) => [t.id, shownMask(session, partial, t.id, frameRate)]));
  // A take without a mask to show gets no lane rows (its words are in the prompt bar's chips).
  const layout = layoutTracks(
    takes.map((t) => ({ id: t.id, lanes: shown.get(t.id) === null ? 0 : wordTake(t).take.tokens.length, collapsed: collapsed.has(t.id) })),
    tl?.showSpectrogram ?? false,
  );
  const takeIds = takes.map((t) => t.id).join();
  const viewportH = Math.max(RULER_H + 40, scrollSize.h);

  useEffect(() => onPosition((_pos, key) => setPlayingKey((k) => (k === key ? k : key))), []);

  // Another session starts at its top.
  useLayoutEffect(() => {
    if (scrollEl.current !== null) scrollEl.current.scrollTop = 0;
  }, [session?.session.id]);
  // The selected take is scrolled into view: a new take is selected when it arrives.
  useLayoutEffect(() => {
    const el = scrollEl.current;
    const track = layout.tracks.find((t) => t.takeId === tl?.selectedTakeId);
    if (el !== null && track !== undefined) el.scrollTop = revealTrack(el.scrollTop, track, el.clientHeight);
  }, [tl?.selectedTakeId, takeIds]);
  // After every commit, before paint, the canvas takes the scroller's scrollTop. The browser moves it
  // without a scroll event when the scroller is remounted (a session closed and another opened) or
  // its content shrinks (delete, hide, undo, a taller window), so onScroll alone is not enough.
  useLayoutEffect(() => {
    const top = scrollEl.current?.scrollTop ?? 0;
    if (top !== scrollTop) setScrollTop(top);
  });

  // The first take of a session arrives at the default zoom: fit it, so the whole clip is in view.
  const takeCount = takes.length;
  const hadTakes = useRef<{ id: string; any: boolean } | null>(null);
  useEffect(() => {
    if (session === null) return;
    const id = session.session.id;
    const before = hadTakes.current;
    // Only within one session: opening a session restores its saved zoom untouched.
    if (before !== null && before.id === id && !before.any && takeCount > 0) zoomFit(width);
    hadTakes.current = { id, any: takeCount > 0 };
  }, [session?.session.id, takeCount > 0]);

  // The playhead stays in view while playing.
  useEffect(
    () =>
      onPosition((pos) => {
        const s = store.getState().session;
        if (pos === null || s === null) return;
        const v = { pxPerSec: s.timeline.pxPerSec, scrollSec: s.timeline.scrollSec };
        const next = revealTime(v, pos, width, contentSeconds(s));
        if (next !== v) store.updateTimeline({ scrollSec: next.scrollSec }, { kind: 'view' });
      }),
    [width],
  );

  // Keep the DOM scrollbar in step with scrollSec (wheel, zoom, fit and restore all change it).
  useEffect(() => {
    const el = hscroll.current;
    if (el === null) return;
    const want = view.scrollSec * view.pxPerSec;
    if (Math.abs(el.scrollLeft - want) > 1) el.scrollLeft = want;
  }, [view.scrollSec, view.pxPerSec]);

  // Wheel: ctrl zooms at the pointer, shift (or a horizontal wheel) scrolls time, plain wheel scrolls
  // tracks. Non-passive so ctrl+wheel does not zoom the page.
  const stageHost = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = stageHost.current;
    if (el === null) return;
    const onWheel = (e: WheelEvent): void => {
      const s = store.getState().session;
      if (s === null) return;
      const v = { pxPerSec: s.timeline.pxPerSec, scrollSec: s.timeline.scrollSec };
      const rect = el.getBoundingClientRect();
      const content = contentSeconds(s);
      if (e.ctrlKey || e.metaKey) {
        e.preventDefault();
        const z = zoomAt(v, Math.exp(-e.deltaY * 0.002), e.clientX - rect.left, rect.width, content);
        store.updateTimeline(z, { kind: 'view' });
      } else if (e.shiftKey || Math.abs(e.deltaX) > Math.abs(e.deltaY)) {
        e.preventDefault();
        store.updateTimeline(scrollBy(v, e.shiftKey ? e.deltaY || e.deltaX : e.deltaX, rect.width, content), { kind: 'view' });
      }
    };
    el.addEventListener('wheel', onWheel, { passive: false });
    return () => el.removeEventListener('wheel', onWheel);
  }, [session !== null]);

  if (session === null || tl === undefined) {
    return (
      <main className={mainClass} aria-label="Timeline" {...drop.handlers}>
        <div className="empty">
          <p>
            <strong>Type what you want to hear</strong> in the Prompt box above and press <strong>Generate</strong>.
          </p>
          <p>Then press Explain on the take to see which words made which sounds, when.</p>
          <p>Or drop an audio file here (or use Import audio…) to explain a recording against a caption.</p>
        </div>
      </main>
    );
  }

  // Per word: a lane is a word the user typed (a word T5 cut into pieces is one lane, electron/common/words.ts).
  const stored = new Map(session.takes.map((t) => [t.id, t]));
  const byId = new Map(session.takes.map((t) => [t.id, wordTake(t).take]));
  const timeAt = (clientX: number): number => {
    const rect = stageHost.current!.getBoundingClientRect();
    return Math.max(0, Math.min(contentSec, xToTime(clientX - rect.left, view)));
  };

  const onPointerDown = (e: React.PointerEvent<HTMLDivElement>): void => {
    if (e.button !== 0) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const y = e.clientY - rect.top;
    e.currentTarget.setPointerCapture(e.pointerId);
    const t = timeAt(e.clientX);
    const track = y < RULER_H ? null : trackAt(layout.tracks, y - RULER_H + scrollTop);
    drag.current = { kind: y < RULER_H ? 'scrub' : 'select', startX: e.clientX, startT: t, moved: false, takeId: track?.takeId ?? null };
    if (y < RULER_H) store.updateTimeline({ playheadSec: snapToFrame(t, frameRate) }, { kind: 'preview' });
  };
  const hideReadout = (): void => {
    if (readout.current !== null) readout.current.hidden = true;
  };
  // What is under the pointer: a lane's word, time and value, or a spectrogram's time and frequency.
  const showReadout = (e: React.PointerEvent<HTMLDivElement>): void => {
    const el = readout.current;
    if (el === null) return;
    const rect = e.currentTarget.getBoundingClientRect();
    const x = e.clientX - rect.left;
    const y = e.clientY - rect.top;
    const track = y < RULER_H ? null : trackAt(layout.tracks, y - RULER_H + scrollTop);
    const take = track === null ? undefined : byId.get(track.takeId);
    if (track === null || take === undefined) return hideReadout();
    const cy = y - RULER_H + scrollTop;
    const t = xToTime(x, view);
    let text: string | null = null;
    const s = shown.get(take.id) ?? null;
    const lane = Math.floor((cy - track.lanesY) / LANE_H);
    if (s !== null && lane >= 0 && lane < track.lanes && take.tokens[lane] !== undefined) {
      const muted = globalWeight(take.weights, lane) === 0 || s.holistic[lane] === null;
      text = formatReadout(laneReadout(s.mask, s.frameRate, take.durationSec, take.tokens[lane], lane, t, muted), laneScale);
    } else if (track.spectroY !== null && cy >= track.spectroY && cy < track.spectroY + SPECTRO_H - 2 && t <= take.durationSec) {
      const hz = frequencyAt(cy - track.spectroY, SPECTRO_H - 2, SPECTRO_LOOK.minHz, take.sampleRate / 2);
      text = `Take ${take.number} · ${t.toFixed(2)} s · ${hz >= 1000 ? `${(hz / 1000).toFixed(1)} kHz` : `${Math.round(hz)} Hz`}`;
    }
    if (text === null) return hideReadout();
    el.textContent = text;
    el.hidden = false;
    // Beside the pointer, flipped to its left near the right edge so it stays readable.
    const flip = x > rect.width - 320;
    el.style.left = flip ? '' : `${x + 14}px`;
    el.style.right = flip ? `${rect.width - x + 14}px` : '';
    el.style.top = `${y + 14}px`;
  };

  const onPointerMove = (e: React.PointerEvent<HTMLDivElement>): void => {
    const d = drag.current;
    if (d === null) return showReadout(e);
    hideReadout();
    if (!d.moved && Math.abs(e.clientX - d.startX) < 3) return;
    d.moved = true;
    const t = timeAt(e.clientX);
    if (d.kind === 'scrub') store.updateTimeline({ playheadSec: snapToFrame(t, frameRate) }, { kind: 'preview' });
    else store.updateTimeline({ selection: selectionFromDrag(d.startT, t, contentSec, frameRate) }, { kind: 'preview' });
  };
  const onPointerUp = (e: React.PointerEvent<HTMLDivElement>): void => {
    const d = drag.current;
    drag.current = null;
    if (d === null) return;
    const t = timeAt(e.clientX);
    if (d.kind === 'scrub') {
      store.updateTimeline({ playheadSec: snapToFrame(t, frameRate) }, { kind: 'view' });
    } else if (d.moved) {
      const selection: TimeSpan | null = selectionFromDrag(d.startT, t, contentSec, frameRate);
      store.updateTimeline({ selection, ...(selection !== null ? { playheadSec: selection.startSec } : {}) }, { kind: 'view' });
    } else {
      // A click: playhead here, this take selected, selection cleared.
      store.updateTimeline(
        { playheadSec: snapToFrame(t, frameRate), selection: null, ...(d.takeId !== null ? { selectedTakeId: d.takeId } : {}) },
        { kind: 'view' },
      );
    }
  };

  const draws: TrackDraw[] = layout.tracks.map((l) => {
    const take = byId.get(l.takeId)!;
    return {
      layout: l,
      take,
      clip: store.takeAudio(take.id),
      shown: shown.get(take.id) ?? null,
      weights: draftWordWeightsOf(session, stored.get(take.id)!),
      selected: take.id === sel?.id,
      audible: tl.soloTakeId === null || tl.soloTakeId === take.id,
    };
  });

  const toggleCollapsed = (id: string): void =>
    setCollapsed((c) => {
      const next = new Set(c);
      if (!next.delete(id)) next.add(id);
      return next;
    });

  const hide = (take: Take): void =>
    store.updateTimeline(
      (t) => ({ ...t, hiddenTakeIds: [...t.hiddenTakeIds, take.id], soloTakeId: t.soloTakeId === take.id ? null : t.soloTakeId }),
      { kind: 'edit', undoLabel: `Hide Take ${take.number}` },
    );

  return (
    <main className={mainClass} aria-label="Timeline" {...drop.handlers}>
      <TimelineToolbar width={width} compareTakeId={compareTakeId} />
      {takes.some((t) => shown.get(t.id) != null) && (
        <LaneLegend
          scale={laneScale}
          onScale={(sc) => {
            setLaneScale(sc);
            saveLaneScale(sc);
          }}
        />
      )}
      <div className="tl-scroll" ref={setScrollEl} onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}>
        <div className="tl-grid" style={{ height: RULER_H + layout.height }}>
          <div className="tl-headers">
            <div className="ruler-spacer" style={{ height: RULER_H }}>
              {takes.length} take{takes.length === 1 ? '' : 's'}
            </div>
            {draws.map((d) => (
              <TrackHeader
                key={d.take.id}
                take={d.take}
                layout={d.layout}
                shown={d.shown}
                weights={d.weights}
                selected={d.selected}
                solo={tl.soloTakeId === d.take.id}
                playing={playingKey === d.take.id}
                parentNumber={d.take.parentTakeId === null ? null : (byId.get(d.take.parentTakeId)?.number ?? null)}
                onSelect={() => store.updateTimeline({ selectedTakeId: d.take.id }, { kind: 'view' })}
                onPlay={() => (playingKey === d.take.id && isPlaying() ? stop() : void store.guard(() => playTake(d.take.id)))}
                onSolo={() =>
                  store.updateTimeline((t) => ({ ...t, soloTakeId: t.soloTakeId === d.take.id ? null : d.take.id }), {
                    kind: 'edit',
                    undoLabel: `Solo Take ${d.take.number}`,
                  })
                }
                onExplain={() => onExplain(d.take.id)}
                onExport={() => onExport(d.take.id)}
                onHide={() => hide(d.take)}
                onCollapse={() => toggleCollapsed(d.take.id)}
              />
            ))}
          </div>
          <div className="tl-canvas-col" ref={colRef}>
            <div
              className="tl-stage"
              ref={stageHost}
              style={{ height: viewportH }}
              onPointerDown={onPointerDown}
              onPointerMove={onPointerMove}
              onPointerUp={onPointerUp}
              onPointerLeave={hideReadout}
              data-testid="timeline-stage"
              aria-label="Timeline canvas: drag to select a region, click to move the playhead"
              role="img"
            >
              <TimelineCanvas
                width={width}
                height={viewportH}
                scrollTop={scrollTop}
                view={view}
                tracks={draws}
                selection={tl.selection}
                loop={tl.loop}
                markers={tl.markers}
                regions={tl.regions}
                playheadSec={tl.playheadSec}
                showSpectrogram={tl.showSpectrogram}
                laneScale={laneScale}
              />
              <div className="lane-readout" ref={readout} role="status" aria-label="Lane readout" hidden />
            </div>
          </div>
        </div>
      </div>
      <div
        className="hscroll"
        ref={hscroll}
        aria-hidden="true"
        onScroll={(e) => {
          const s = store.getState().session;
          if (s === null) return;
          const want = clampScroll(e.currentTarget.scrollLeft / s.timeline.pxPerSec, s.timeline.pxPerSec, width, contentSeconds(s));
          if (Math.abs(want - s.timeline.scrollSec) * s.timeline.pxPerSec > 1) store.updateTimeline({ scrollSec: want }, { kind: 'view' });
        }}
      >
        <div style={{ width: contentSec * view.pxPerSec + 1 }} />
      </div>
    </main>
  );
}
