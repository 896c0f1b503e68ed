// Vertical layout of the timeline: where each take's waveform, spectrogram and token lanes sit, and
// how far the tracks are scrolled. The DOM headers and the Konva drawing both read these numbers, so
// labels and lanes always line up.

/** Sizes in CSS pixels. */
export const RULER_H = 26;
export const WAVE_H = 76;
/** A collapsed track: a thin waveform beside a one-line header. */
export const WAVE_COLLAPSED_H = 30;
/** Tall enough for a readable frequency axis: 40 Hz to 8 kHz is 7.6 octaves, about 15 px each. */
export const SPECTRO_H = 120;
export const LANE_H = 16;
export const TRACK_GAP = 14;

/** What the layout needs of a take. */
export interface TrackInput {
  id: string;
  /** Token lanes to show: the prompt's tokens once the take has a mask to show, else 0 (no empty rows). */
  lanes: number;
  /** Collapsed: a thin waveform only. */
  collapsed: boolean;
}

/** One track's rows, y from the top of the content (below the ruler). */
export interface TrackLayout {
  takeId: string;
  top: number;
  waveY: number;
  waveH: number;
  /** Spectrogram row, or null when spectrograms are off or the track is collapsed. */
  spectroY: number | null;
  lanesY: number;
  lanes: number;
  height: number;
  collapsed: boolean;
}

/** Lays tracks out top to bottom: waveform, optional spectrogram, then the token lanes. */
export function layoutTracks(takes: readonly TrackInput[], showSpectrogram: boolean): { tracks: TrackLayout[]; height: number } {
  let y = 0;
  const tracks = takes.map((t) => {
    const top = y;
    const waveH = t.collapsed ? WAVE_COLLAPSED_H : WAVE_H;
    const spectro = showSpectrogram && !t.collapsed;
    const lanes = t.collapsed ? 0 : t.lanes;
    const lanesY = top + waveH + (spectro ? SPECTRO_H : 0) + (t.collapsed ? 0 : 4);
    const height = lanesY + lanes * LANE_H - top;
    y = top + height + TRACK_GAP;
    return { takeId: t.id, top, waveY: top, waveH, spectroY: spectro ? top + waveH : null, lanesY, lanes, height, collapsed: t.collapsed };
  });
  return { tracks, height: Math.max(0, y) };
}

/** The track under content y (below the ruler), or null in a gap. */
export function trackAt(tracks: readonly TrackLayout[], y: number): TrackLayout | null {
  return tracks.find((t) => y >= t.top && y < t.top + t.height) ?? null;
}

/** Tracks that overlap the visible band [y0, y1) (what the canvas needs to draw). */
export function visibleTracks(tracks: readonly TrackLayout[], y0: number, y1: number): TrackLayout[] {
  return tracks.filter((t) => t.top < y1 && t.top + t.height > y0);
}

/**
 * The vertical scroll that shows a track whole (or its top, when it is taller than the view): the
 * same scroll when it is already in view. `viewH` is the scroller's height, the sticky ruler included.
 */
export function revealTrack(scrollTop: number, track: TrackLayout, viewH: number): number {
  const bodyH = Math.max(0, viewH - RULER_H);
  if (track.top < scrollTop) return track.top;
  if (track.top + track.height > scrollTop + bodyH) return Math.max(0, Math.min(track.top, track.top + track.height - bodyH));
  return scrollTop;
}
