// Vertical layout of the timeline: where each take's waveform, spectrogram and token lanes sit. The DOM
// headers and the Konva drawing both read these numbers, so labels and lanes always line up.

/** Sizes in CSS pixels. */
export const RULER_H = 26;
export const WAVE_H = 76;
export const SPECTRO_H = 64;
export const LANE_H = 16;
export const TRACK_GAP = 14;

/** One track's rows, y from the top of the content (below the ruler). */
export interface TrackLayout {
  takeId: string;
  top: number;
  waveY: number;
  /** Spectrogram row, or null when spectrograms are off. */
  spectroY: number | null;
  lanesY: number;
  lanes: number;
  height: number;
}

/** Lays tracks out top to bottom; each has one lane per prompt token. */
export function layoutTracks(takes: readonly { id: string; tokens: number }[], showSpectrogram: boolean): { tracks: TrackLayout[]; height: number } {
  let y = 0;
  const tracks = takes.map((t) => {
    const top = y;
    const waveY = top;
    const spectroY = showSpectrogram ? waveY + WAVE_H : null;
    const lanesY = waveY + WAVE_H + (showSpectrogram ? SPECTRO_H : 0) + 4;
    const height = lanesY + t.tokens * LANE_H - top;
    y = top + height + TRACK_GAP;
    return { takeId: t.id, top, waveY, spectroY, lanesY, lanes: t.tokens, height };
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
