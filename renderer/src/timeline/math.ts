// Pure timeline maths: time <-> pixels, zoom, scroll, snapping and selections. Konva only draws what
// these functions decide, so every rule here is unit-tested in test/dom.
import type { TimeSpan } from '../../../electron/common/domain';

/** The visible window of the timeline. */
export interface View {
  /** Pixels per second. */
  pxPerSec: number;
  /** Time at the left edge of the drawing area, seconds. */
  scrollSec: number;
}

/** Zoom limits, the same as TimelineStateSchema's. */
export const MIN_PX_PER_SEC = 1;
export const MAX_PX_PER_SEC = 5000;

/** Seconds to x (pixels from the drawing area's left edge). */
export function timeToX(t: number, view: View): number {
  return (t - view.scrollSec) * view.pxPerSec;
}

/** x (pixels from the drawing area's left edge) to seconds. */
export function xToTime(x: number, view: View): number {
  return view.scrollSec + x / view.pxPerSec;
}

/** Clamps a zoom level to the allowed range. */
export function clampZoom(pxPerSec: number): number {
  if (!Number.isFinite(pxPerSec)) return MIN_PX_PER_SEC;
  return Math.min(MAX_PX_PER_SEC, Math.max(MIN_PX_PER_SEC, pxPerSec));
}

/**
 * Clamps scroll so the view never starts before 0 and never leaves blank space after the end when
 * the content is wider than the view.
 */
export function clampScroll(scrollSec: number, pxPerSec: number, widthPx: number, contentSec: number): number {
  const visibleSec = widthPx / pxPerSec;
  const max = Math.max(0, contentSec - visibleSec);
  if (!Number.isFinite(scrollSec)) return 0;
  return Math.min(max, Math.max(0, scrollSec));
}

/** Zooms by `factor` keeping the time under `anchorX` in place (ctrl+wheel at the pointer). */
export function zoomAt(view: View, factor: number, anchorX: number, widthPx: number, contentSec: number): View {
  const anchorT = xToTime(anchorX, view);
  const pxPerSec = clampZoom(view.pxPerSec * factor);
  const scrollSec = clampScroll(anchorT - anchorX / pxPerSec, pxPerSec, widthPx, contentSec);
  return { pxPerSec, scrollSec };
}

/** The view that shows `contentSec` seconds exactly across `widthPx`. */
export function fitView(contentSec: number, widthPx: number): View {
  if (contentSec <= 0 || widthPx <= 0) return { pxPerSec: 160, scrollSec: 0 };
  return { pxPerSec: clampZoom(widthPx / contentSec), scrollSec: 0 };
}

/** Scrolls by `dx` pixels (wheel), clamped. */
export function scrollBy(view: View, dx: number, widthPx: number, contentSec: number): View {
  return { pxPerSec: view.pxPerSec, scrollSec: clampScroll(view.scrollSec + dx / view.pxPerSec, view.pxPerSec, widthPx, contentSec) };
}

/** Scrolls just enough that time `t` is visible (the playhead follows playback). */
export function revealTime(view: View, t: number, widthPx: number, contentSec: number): View {
  const x = timeToX(t, view);
  if (x >= 0 && x <= widthPx) return view;
  return { pxPerSec: view.pxPerSec, scrollSec: clampScroll(t - (0.1 * widthPx) / view.pxPerSec, view.pxPerSec, widthPx, contentSec) };
}

// A few parts per billion of a frame: absorbs float noise (1.2 * 25 = 30.000000000000004) so a time
// that is on a frame boundary is treated as being on it.
const EPS = 1e-9;

/** Snaps a time to the nearest LM frame boundary (1 / frameRate seconds). */
export function snapToFrame(t: number, frameRate: number): number {
  return Math.round(t * frameRate) / frameRate;
}

/**
 * The selection a drag from `a` to `b` makes: ordered, clamped to [0, contentSec], snapped to frames
 * when a frame rate is given; null when it is empty (a click, not a drag).
 */
export function selectionFromDrag(a: number, b: number, contentSec: number, frameRate: number | null): TimeSpan | null {
  let s = Math.max(0, Math.min(a, b, contentSec));
  let e = Math.min(contentSec, Math.max(a, b, 0));
  if (frameRate !== null) {
    s = snapToFrame(s, frameRate);
    e = snapToFrame(e, frameRate);
  }
  if (e - s <= EPS) return null;
  return { startSec: s, endSec: e };
}

/** One ruler tick. */
export interface Tick {
  timeSec: number;
  x: number;
  major: boolean;
  label: string | null;
}

const STEPS = [0.04, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300];

/**
 * Ruler ticks for the visible window: majors at least `minLabelPx` apart with labels in seconds,
 * minors at a fifth (or quarter) of that.
 */
export function rulerTicks(view: View, widthPx: number, minLabelPx = 70): Tick[] {
  const major = STEPS.find((s) => s * view.pxPerSec >= minLabelPx) ?? STEPS[STEPS.length - 1]!;
  const minor = major === 0.04 ? 0.04 : major / (major === 0.2 || major === 2 || major === 120 ? 4 : 5);
  const decimals = major < 0.1 ? 2 : major < 1 ? 1 : 0;
  const t0 = Math.max(0, Math.floor(view.scrollSec / minor) * minor);
  const t1 = xToTime(widthPx, view);
  const out: Tick[] = [];
  // Count in integer multiples of the minor step so float drift never skips or doubles a tick.
  const first = Math.round(t0 / minor);
  for (let k = first; k * minor <= t1 + EPS && out.length < 5000; k++) {
    const t = k * minor;
    const isMajor = Math.abs(t / major - Math.round(t / major)) < 1e-6;
    out.push({ timeSec: t, x: timeToX(t, view), major: isMajor, label: isMajor ? `${t.toFixed(decimals)} s` : null });
  }
  return out;
}

/** Formats seconds as m:ss.cc for the transport display. */
export function formatClock(t: number): string {
  const safe = Math.max(0, t);
  const m = Math.floor(safe / 60);
  const s = safe - m * 60;
  return `${m}:${s.toFixed(2).padStart(5, '0')}`;
}
