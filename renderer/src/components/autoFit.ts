// Zoom refits when the timeline's width (window, inspector shown or hidden) or the longest clip
// changes, and when a session is first shown, but only while the view shows every take whole from
// the start: a designer's zoomed-in view is never thrown away by a resize.
import { useEffect } from 'react';
import { contentSeconds } from '../state/selectors';
import { getStore } from '../state/store';
import { fitView } from '../timeline/math';
import { zoomFit } from '../timeline/TimelineToolbar';

/** Whether a view shows `contentSec` whole from 0 in `widthPx` (a fitted or zoomed-out view, not a zoomed-in one). */
export function showsAll(view: { pxPerSec: number; scrollSec: number }, contentSec: number, widthPx: number): boolean {
  return view.scrollSec <= 1e-3 && view.pxPerSec * contentSec <= widthPx * 1.02;
}

/** Whether a view is the fitted view of `contentSec` in `widthPx`. */
export function isFitted(view: { pxPerSec: number; scrollSec: number }, contentSec: number, widthPx: number): boolean {
  const fit = fitView(contentSec, widthPx).pxPerSec;
  return Math.abs(view.pxPerSec - fit) <= fit * 0.02 && view.scrollSec <= 1e-3;
}

/** What the last check saw. */
interface Seen {
  sessionId: string;
  widthPx: number;
  contentSec: number;
}

/**
 * One step of the rule: given what was seen last and the width now, refits a view that showed every
 * take whole (against the last width and content) when it is no longer the fitted view; returns what
 * is seen now.
 */
export function refit(last: Seen | null, widthPx: number): Seen | null {
  const s = getStore().getState().session;
  if (s === null || widthPx <= 0) return null;
  const now = { sessionId: s.session.id, widthPx, contentSec: contentSeconds(s) };
  // What the view was judged against: the last width and content, or (a session first shown) today's.
  const before = last !== null && last.sessionId === now.sessionId ? last : null;
  const showedAll =
    before === null ? showsAll(s.timeline, now.contentSec, widthPx) : showsAll(s.timeline, before.contentSec, before.widthPx);
  // Only a change refits: zooming out past the fit at the same width and content is the designer's choice.
  const changed = before === null || before.widthPx !== widthPx || Math.abs(before.contentSec - now.contentSec) > 1e-6;
  if (changed && showedAll && !isFitted(s.timeline, now.contentSec, widthPx)) zoomFit(widthPx);
  return now;
}

/** Keeps the zoom fitted while it is fitted: watches the timeline column's size and the open session. */
export function useAutoFit(): void {
  useEffect(() => {
    let last: Seen | null = null;
    let observed: Element | null = null;
    const check = (): void => {
      const col = document.querySelector('.tl-canvas-col');
      // The column remounts with the timeline: follow whichever one is there.
      if (col !== observed) {
        ro.disconnect();
        if (col !== null) ro.observe(col);
        observed = col;
      }
      last = refit(last, col?.clientWidth ?? 0);
    };
    const ro = new ResizeObserver(check);
    check();
    const off = getStore().subscribe(check);
    return () => {
      off();
      ro.disconnect();
    };
  }, []);
}
