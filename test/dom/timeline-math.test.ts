import { describe, expect, it } from 'vitest';
import {
  clampScroll,
  clampZoom,
  fitView,
  formatClock,
  revealTime,
  rulerTicks,
  scrollBy,
  selectionFromDrag,
  snapToFrame,
  timeToX,
  xToTime,
  zoomAt,
} from '../../renderer/src/timeline/math';

describe('time <-> x', () => {
  it('round-trips and honours scroll', () => {
    const view = { pxPerSec: 200, scrollSec: 1.5 };
    expect(timeToX(1.5, view)).toBe(0);
    expect(timeToX(2.5, view)).toBe(200);
    expect(xToTime(300, view)).toBeCloseTo(3);
    for (const t of [0, 0.37, 4.99]) expect(xToTime(timeToX(t, view), view)).toBeCloseTo(t, 12);
  });
});

describe('zoom', () => {
  it('clamps to the schema range and survives junk', () => {
    expect(clampZoom(0.2)).toBe(1);
    expect(clampZoom(9000)).toBe(5000);
    expect(clampZoom(Number.NaN)).toBe(1);
    expect(clampZoom(321)).toBe(321);
  });

  it('zoomAt keeps the time under the pointer fixed', () => {
    const view = { pxPerSec: 100, scrollSec: 1 };
    const anchorX = 250;
    const before = xToTime(anchorX, view);
    const z = zoomAt(view, 2, anchorX, 500, 60);
    expect(z.pxPerSec).toBe(200);
    expect(xToTime(anchorX, z)).toBeCloseTo(before, 12);
  });

  it('zoomAt clamps the scroll at the start', () => {
    const z = zoomAt({ pxPerSec: 100, scrollSec: 0 }, 0.5, 400, 500, 5);
    expect(z.scrollSec).toBe(0);
    expect(z.pxPerSec).toBe(50);
  });

  it('fit shows the whole content across the width', () => {
    expect(fitView(5, 1000)).toEqual({ pxPerSec: 200, scrollSec: 0 });
    expect(fitView(0, 1000).pxPerSec).toBe(160);
  });
});

describe('scroll', () => {
  it('never before 0, never past the end when content is wider than the view', () => {
    expect(clampScroll(-3, 100, 500, 10)).toBe(0);
    expect(clampScroll(9, 100, 500, 10)).toBe(5);
    expect(clampScroll(2, 100, 2000, 10)).toBe(0);
    expect(scrollBy({ pxPerSec: 100, scrollSec: 1 }, 150, 500, 10).scrollSec).toBeCloseTo(2.5);
  });

  it('reveals a time outside the view and leaves a visible one alone', () => {
    const view = { pxPerSec: 100, scrollSec: 0 };
    expect(revealTime(view, 2, 500, 20)).toBe(view);
    const r = revealTime(view, 12, 500, 20);
    expect(timeToX(12, r)).toBeGreaterThanOrEqual(0);
    expect(timeToX(12, r)).toBeLessThanOrEqual(500);
  });
});

describe('snapping and selections', () => {
  it('snaps to 1/25 s frames', () => {
    expect(snapToFrame(0.05, 25)).toBeCloseTo(0.04);
    expect(snapToFrame(0.061, 25)).toBeCloseTo(0.08);
    expect(snapToFrame(1.2, 25) * 25).toBeCloseTo(30, 12);
  });

  it('a drag either way gives an ordered, clamped, snapped selection', () => {
    expect(selectionFromDrag(2.03, 1.01, 5, 25)).toEqual({ startSec: 1, endSec: 2.04 });
    const s = selectionFromDrag(-1, 9, 5, 25)!;
    expect(s.startSec).toBe(0);
    expect(s.endSec).toBe(5);
    expect(selectionFromDrag(1.2, 1.21, 5, 25)).toBeNull();
    expect(selectionFromDrag(1.2, 1.21, 5, null)).not.toBeNull();
  });
});

describe('ruler', () => {
  it('labels majors at least 70 px apart, in order, without duplicates', () => {
    const view = { pxPerSec: 160, scrollSec: 0.3 };
    const ticks = rulerTicks(view, 800);
    const majors = ticks.filter((t) => t.major);
    expect(majors.length).toBeGreaterThan(3);
    for (let i = 1; i < majors.length; i++) expect(majors[i]!.x - majors[i - 1]!.x).toBeGreaterThanOrEqual(70);
    for (let i = 1; i < ticks.length; i++) expect(ticks[i]!.timeSec).toBeGreaterThan(ticks[i - 1]!.timeSec);
    expect(majors[0]!.label).toBe('0.5 s');
    expect(ticks[ticks.length - 1]!.x).toBeLessThanOrEqual(800 + 1e-6);
  });

  it('uses whole seconds when zoomed out', () => {
    const labels = rulerTicks({ pxPerSec: 20, scrollSec: 0 }, 400)
      .filter((t) => t.major)
      .map((t) => t.label);
    expect(labels.slice(0, 3)).toEqual(['0 s', '5 s', '10 s']);
  });
});

describe('clock', () => {
  it('formats m:ss.cc', () => {
    expect(formatClock(0)).toBe('0:00.00');
    expect(formatClock(3.456)).toBe('0:03.46');
    expect(formatClock(75.5)).toBe('1:15.50');
  });
});

import {
  layoutTracks,
  LANE_H,
  revealTrack,
  RULER_H,
  TRACK_GAP,
  trackAt,
  visibleTracks,
  WAVE_COLLAPSED_H,
  WAVE_H,
} from '../../renderer/src/timeline/layout';

const track = (id: string, lanes: number, collapsed = false) => ({ id, lanes, collapsed });

describe('track layout', () => {
  it('stacks waveform, optional spectrogram and one lane per token', () => {
    const { tracks, height } = layoutTracks([track('a', 3), track('b', 5)], false);
    expect(tracks[0]!.lanesY).toBe(WAVE_H + 4);
    expect(tracks[0]!.height).toBe(WAVE_H + 4 + 3 * LANE_H);
    expect(tracks[1]!.top).toBeGreaterThan(tracks[0]!.top + tracks[0]!.height);
    expect(height).toBeGreaterThan(tracks[1]!.top + tracks[1]!.height);
    const withSpec = layoutTracks([track('a', 3)], true).tracks[0]!;
    expect(withSpec.spectroY).toBe(WAVE_H);
    expect(withSpec.lanesY).toBeGreaterThan(tracks[0]!.lanesY);
  });

  it('reserves no lane rows for a take without a mask, and collapses a track to a thin waveform', () => {
    const [bare] = layoutTracks([track('a', 0)], false).tracks;
    expect(bare!.height).toBe(WAVE_H + 4);
    const { tracks } = layoutTracks([track('a', 6, true), track('b', 6)], true);
    expect(tracks[0]).toMatchObject({ waveH: WAVE_COLLAPSED_H, lanes: 0, spectroY: null, height: WAVE_COLLAPSED_H });
    expect(tracks[1]!.top).toBe(WAVE_COLLAPSED_H + TRACK_GAP);
    expect(tracks[1]!.lanes).toBe(6);
  });

  it('finds the track under a point and the ones in view', () => {
    const { tracks } = layoutTracks([track('a', 3), track('b', 3)], false);
    expect(trackAt(tracks, 10)?.takeId).toBe('a');
    expect(trackAt(tracks, tracks[1]!.top + 1)?.takeId).toBe('b');
    expect(trackAt(tracks, tracks[0]!.height + 1)).toBeNull();
    expect(visibleTracks(tracks, tracks[1]!.top, tracks[1]!.top + 10).map((t) => t.takeId)).toEqual(['b']);
  });

  it('scrolls a track into view only when it is not (a new take below the fold is shown whole)', () => {
    const { tracks } = layoutTracks([track('a', 3), track('b', 3), track('c', 3), track('d', 3)], false);
    const view = RULER_H + 200;
    const d = tracks[3]!;
    // Below the view: its bottom comes to the view's bottom.
    expect(revealTrack(0, d, view)).toBe(d.top + d.height - 200);
    // Above the view: its top comes to the view's top.
    expect(revealTrack(d.top + 50, tracks[1]!, view)).toBe(tracks[1]!.top);
    // Already whole in view: no move.
    expect(revealTrack(tracks[1]!.top - 10, tracks[1]!, view)).toBe(tracks[1]!.top - 10);
    // Taller than the view: its top.
    expect(revealTrack(0, d, RULER_H + 40)).toBe(d.top);
  });
});
