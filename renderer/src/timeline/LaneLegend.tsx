// The key to the token lanes: the colour scale with what its ends mean on the chosen scale, the
// absolute / relative switch, and the marks for muted and unknown words.
import { heatColor } from './heat';
import type { LaneScale } from './lanes';

/** The heat scale as a CSS gradient, from the same stops the lanes are drawn with. */
const GRADIENT = `linear-gradient(to right, ${Array.from({ length: 11 }, (_, i) => {
  const [r, g, b] = heatColor(i / 10);
  return `rgb(${r}, ${g}, ${b}) ${i * 10}%`;
}).join(', ')})`;

/** Where the absolute / relative choice is kept between visits (a view preference, like the inspector's). */
export const LANE_SCALE_KEY = 'agx.laneScale';

export function loadLaneScale(): LaneScale {
  try {
    return window.localStorage?.getItem(LANE_SCALE_KEY) === 'relative' ? 'relative' : 'absolute';
  } catch {
    return 'absolute';
  }
}

export function saveLaneScale(scale: LaneScale): void {
  try {
    window.localStorage?.setItem(LANE_SCALE_KEY, scale);
  } catch {
    // Storage refused (private mode): the choice lasts until the page reloads.
  }
}

export function LaneLegend({ scale, onScale }: { scale: LaneScale; onScale: (s: LaneScale) => void }) {
  const relative = scale === 'relative';
  return (
    <div className="lane-legend" role="group" aria-label="Lane colours">
      <span className="legend-title">Importance</span>
      <span className="legend-end">{relative ? 'lane low' : '0'}</span>
      <span
        className="legend-scale"
        style={{ background: GRADIENT }}
        role="img"
        aria-label={
          relative
            ? 'Colour scale: dark blue at or below each lane’s 5th percentile in this take, amber at or above its 95th'
            : 'Colour scale: dark blue at importance 0, teal at 0.5, amber at 1'
        }
      />
      <span className="legend-end">{relative ? 'lane high' : '1'}</span>
      <span className="legend-item" title="A word at weight 0 in this take could not act on the sound, so it has no importance">
        <span className="swatch muted" aria-hidden="true" />
        muted: no importance
      </span>
      <span className="legend-item" title="A word the model does not know: it reads it as [UNK]">
        <span className="unknown-mark" aria-hidden="true">
          ?
        </span>
        unknown word
      </span>
      <span className="segmented" role="radiogroup" aria-label="Lane scale">
        <button
          type="button"
          role="radio"
          aria-checked={!relative}
          className={!relative ? 'on' : ''}
          title="Colours show the explanation's values: comparable across words and takes"
          onClick={() => onScale('absolute')}
        >
          Absolute
        </button>
        <button
          type="button"
          role="radio"
          aria-checked={relative}
          className={relative ? 'on' : ''}
          title="Each lane stretched between its own 5th and 95th percentile in this take: shows when a word matters most, even where all words score high"
          onClick={() => onScale('relative')}
        >
          Relative to the take
        </button>
      </span>
    </div>
  );
}
