// A take's DOM header beside its track: name, play, solo, Explain, Export, hide, collapse; and one
// label per token lane (with the importance the lane shows), aligned with the Konva rows. A collapsed
// track keeps only its name and the button that opens it again.
import type { Take, TokenWeight } from '../../../electron/common/api';
import { Icon } from '../components/Icon';
import type { ShownMask } from '../state/selectors';
import { globalWeight } from '../state/weights';
import { LANE_H, RULER_H, type TrackLayout } from './layout';

export interface TrackHeaderProps {
  take: Take;
  layout: TrackLayout;
  shown: ShownMask | null;
  weights: TokenWeight[];
  selected: boolean;
  solo: boolean;
  playing: boolean;
  parentNumber: number | null;
  onSelect: () => void;
  onPlay: () => void;
  onSolo: () => void;
  onExplain: () => void;
  onExport: () => void;
  onHide: () => void;
  onCollapse: () => void;
}

export function TrackHeader(p: TrackHeaderProps) {
  const { take, layout } = p;
  const name = `Take ${take.number}`;
  const collapse = (
    <button
      type="button"
      className={`btn icon collapse${layout.collapsed ? '' : ' open'}`}
      aria-label={`${layout.collapsed ? 'Expand' : 'Collapse'} ${name}`}
      aria-expanded={!layout.collapsed}
      title={layout.collapsed ? 'Expand the track' : 'Collapse the track to a thin waveform'}
      onClick={p.onCollapse}
    >
      <Icon name="chevron-right" />
    </button>
  );
  return (
    <>
      <div
        className={`track-header${p.selected ? ' selected' : ''}${layout.collapsed ? ' collapsed' : ''}`}
        style={{ top: RULER_H + layout.top, height: layout.collapsed ? layout.height : layout.lanesY - layout.top }}
        role="group"
        aria-label={name}
      >
        <div className="title-row">
          {collapse}
          <button
            type="button"
            className="title"
            aria-label={`Select ${name}`}
            onClick={p.onSelect}
            aria-current={p.selected ? 'true' : undefined}
            title={take.prompt}
          >
            {name}
            <span className={`meta${take.source === 'imported' ? ' imported' : ''}`}>
              {take.source === 'imported' ? 'imported' : `seed ${take.seed}`}
              {p.parentNumber !== null ? ` · from Take ${p.parentNumber}` : ''}
              {take.keptBeforeSec !== null ? ` · kept < ${take.keptBeforeSec.toFixed(2)} s` : ''}
            </span>
          </button>
        </div>
        {!layout.collapsed && (
          <div className="buttons">
            <button
              type="button"
              className="btn icon"
              aria-label={`${p.playing ? 'Stop' : 'Play'} ${name}`}
              title={p.playing ? 'Stop' : 'Play'}
              onClick={p.onPlay}
            >
              <Icon name={p.playing ? 'stop' : 'play'} />
            </button>
            <button
              type="button"
              className="btn icon"
              aria-label={`Solo ${name}`}
              aria-pressed={p.solo}
              title="Solo: Space plays this take"
              onClick={p.onSolo}
            >
              <Icon name="solo" />
            </button>
            <button type="button" className="btn" aria-label={`Explain ${name}`} onClick={p.onExplain}>
              <Icon name="explain" />
              Explain
            </button>
            <button type="button" className="btn" aria-label={`Export ${name}`} onClick={p.onExport}>
              <Icon name="export" />
              Export
            </button>
            <button
              type="button"
              className="btn icon"
              aria-label={`Hide ${name} from the timeline`}
              title="Hide from the timeline (undo brings it back)"
              onClick={p.onHide}
            >
              <Icon name="close" />
            </button>
          </div>
        )}
      </div>
      <div className="lane-labels" style={{ top: RULER_H + layout.lanesY }} role="list" aria-label={`${name} token lanes`}>
        {take.tokens.slice(0, layout.lanes).map((tok, i) => {
          const v = p.shown?.holistic[i];
          // muted in the take itself (how it was made), not in the draft being edited
          const muted = globalWeight(take.weights, i) === 0 || v === null;
          const imp = v === undefined ? '' : muted ? 'muted' : v.toFixed(2);
          return (
            <div
              key={i}
              role="listitem"
              aria-label={`${tok.text}${tok.unknown === true ? ' (unknown word)' : ''}${imp === '' ? '' : ` ${imp}`}`}
              className={`lane-label${muted ? ' muted' : ''}${tok.unknown === true ? ' unknown' : ''}`}
              style={{ top: i * LANE_H, height: LANE_H, lineHeight: `${LANE_H}px` }}
              title={
                tok.unknown === true
                  ? `${take.modelId} does not know "${tok.text}": it reads it as [UNK]`
                  : muted
                    ? `"${tok.text}" was muted (weight 0) in this take: it could not act, so it has no importance`
                    : undefined
              }
            >
              <span>
                {tok.text}
                {tok.unknown === true && (
                  <span className="unknown-mark" aria-hidden="true">
                    ?
                  </span>
                )}
              </span>
              <span className="imp">{imp}</span>
            </div>
          );
        })}
      </div>
    </>
  );
}
