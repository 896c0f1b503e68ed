// The Konva drawing of the timeline. It only draws: every position comes from timeline/math and
// timeline/layout, and all input is handled by the DOM around it. Two layers: content (ruler, waveforms,
// spectrograms, token lanes) and overlay (selection, markers, playhead), so playback and dragging
// redraw only the overlay. Custom shapes draw through Konva.Context, Konva's public wrapper of the canvas
// context (its methods and style properties pass straight through), never its private _context.
import type Konva from 'konva';
import { useEffect, useRef } from 'react';
import { Group, Layer, Line, Rect, Shape, Stage, Text } from 'react-konva';
import type { Take, TokenWeight } from '../../../electron/common/api';
import type { Clip } from '../audio/player';
import type { ShownMask } from '../state/selectors';
import { onPosition } from '../state/transport';
import { globalWeight, regionalWeights } from '../state/weights';
import { maskImage, spectrogramImage } from './images';
import { frequencyTicks, laneMask, type LaneScale, stepsInClip } from './lanes';
import { LANE_H, RULER_H, SPECTRO_H, type TrackLayout } from './layout';
import { SPECTRO_LOOK } from './spectrogram';
import { rulerTicks, timeToX, xToTime, type View } from './math';
import type { TimeSpan } from '../../../electron/common/domain';
import { peakAbs, peaks } from './waveform';

/** What one track needs to be drawn. */
export interface TrackDraw {
  layout: TrackLayout;
  take: Take;
  clip: Clip | null;
  shown: ShownMask | null;
  weights: TokenWeight[];
  selected: boolean;
  /** False when another take is soloed (drawn dimmed). */
  audible: boolean;
}

export interface TimelineCanvasProps {
  width: number;
  height: number;
  scrollTop: number;
  view: View;
  tracks: TrackDraw[];
  selection: TimeSpan | null;
  loop: boolean;
  markers: { id: string; timeSec: number; label: string }[];
  regions: { id: string; startSec: number; endSec: number; label: string }[];
  playheadSec: number;
  showSpectrogram: boolean;
  /** The lanes' colour scale: the mask's values, or each lane relative to its own range over the take. */
  laneScale: LaneScale;
}

const COLORS = {
  track: '#161a22',
  trackSel: '#1a2130',
  wave: '#7fc8c2',
  waveDim: '#4a5d63',
  center: '#2a3040',
  ruler: '#11141a',
  tick: '#4a5366',
  tickText: '#8a93a6',
  sel: 'rgba(79, 184, 176, 0.16)',
  selEdge: '#4fb8b0',
  loop: '#e0a050',
  marker: '#e0a050',
  region: 'rgba(150,128,230,0.9)',
  regionFill: 'rgba(150,128,230,0.07)',
  playhead: '#ff6b6b',
  mutedLane: 'rgba(10, 12, 16, 0.72)',
  mutedTake: '#0a0c10',
  mutedHatch: '#3d4556',
  regional: '#e0a050',
};

const peakCache = new WeakMap<Float32Array, number>();
function clipPeak(samples: Float32Array): number {
  let p = peakCache.get(samples);
  if (p === undefined) {
    p = Math.max(1e-3, peakAbs(samples));
    peakCache.set(samples, p);
  }
  return p;
}

function Waveform({ t, view, width }: { t: TrackDraw; view: View; width: number }) {
  return (
    <Shape
      listening={false}
      perfectDrawEnabled={false}
      sceneFunc={(c) => {
        const mid = t.layout.waveY + t.layout.waveH / 2;
        c.fillStyle = COLORS.center;
        c.fillRect(0, mid, width, 1);
        if (t.clip === null) return;
        const x0 = Math.max(0, Math.floor(timeToX(0, view)));
        const x1 = Math.min(width, Math.ceil(timeToX(t.take.durationSec, view)));
        const cols = x1 - x0;
        if (cols <= 0) return;
        const p = peaks(t.clip.samples, t.clip.sampleRate, xToTime(x0, view), 1 / view.pxPerSec, cols);
        const scale = (t.layout.waveH / 2 - (t.layout.collapsed ? 2 : 5)) / clipPeak(t.clip.samples);
        c.beginPath();
        for (let i = 0; i < cols; i++) {
          const x = x0 + i + 0.5;
          c.moveTo(x, mid - p[2 * i + 1]! * scale - 0.5);
          c.lineTo(x, mid - p[2 * i]! * scale + 0.5);
        }
        c.lineWidth = 1;
        c.strokeStyle = t.audible ? COLORS.wave : COLORS.waveDim;
        c.stroke();
      }}
    />
  );
}

function Spectrogram({ t, view, width }: { t: TrackDraw; view: View; width: number }) {
  return (
    <Shape
      listening={false}
      perfectDrawEnabled={false}
      sceneFunc={(c) => {
        if (t.clip === null || t.layout.spectroY === null) return;
        const { image, hopSec } = spectrogramImage(t.clip.samples, t.clip.sampleRate);
        const f0 = Math.max(0, Math.floor(xToTime(0, view) / hopSec));
        const f1 = Math.min(image.width, Math.ceil(xToTime(width, view) / hopSec) + 1);
        if (f1 <= f0) return;
        c.imageSmoothingEnabled = true;
        c.drawImage(
          image,
          f0,
          0,
          f1 - f0,
          image.height,
          timeToX(f0 * hopSec, view),
          t.layout.spectroY,
          (f1 - f0) * hopSec * view.pxPerSec,
          SPECTRO_H - 2,
        );
        // The frequency axis at the left edge, where it stays while time scrolls.
        const ticks = frequencyTicks(SPECTRO_LOOK.minHz, t.clip.sampleRate / 2, SPECTRO_H - 2);
        c.font = '10px system-ui, sans-serif';
        c.textBaseline = 'middle';
        for (const tk of ticks) {
          const y = Math.round(t.layout.spectroY + tk.y) + 0.5;
          // A dark plate only behind each label, so the spectrogram stays visible between them.
          c.fillStyle = 'rgba(13, 15, 20, 0.7)';
          c.fillRect(0, y - 6, 11 + c.measureText(tk.label).width, 12);
          c.fillStyle = 'rgba(216, 221, 232, 0.7)';
          c.fillRect(0, y, 5, 1);
          c.fillStyle = '#d8dde8';
          c.fillText(tk.label, 7, y);
        }
      }}
    />
  );
}

function Lanes({ t, view, width, scale }: { t: TrackDraw; view: View; width: number; scale: LaneScale }) {
  return (
    <Shape
      listening={false}
      perfectDrawEnabled={false}
      sceneFunc={(c) => {
        const y = t.layout.lanesY;
        const h = t.layout.lanes * LANE_H;
        c.fillStyle = '#10131a';
        c.fillRect(0, y, width, h);
        const shown = t.shown;
        if (shown !== null && shown.mask.length > 0) {
          const fr = shown.frameRate;
          // Only the steps that write a frame of the clip: no colour past the audio's end.
          const img = maskImage(laneMask(shown.mask, stepsInClip(shown.mask, t.take.durationSec, fr), scale));
          const s0 = Math.max(0, Math.floor(xToTime(0, view) * fr));
          const s1 = Math.min(img.width, Math.ceil(xToTime(width, view) * fr) + 1);
          if (s1 > s0) {
            // One image pixel per (step, token), scaled without smoothing: each step stays a crisp cell.
            c.imageSmoothingEnabled = false;
            c.drawImage(
              img,
              s0,
              0,
              s1 - s0,
              img.height,
              timeToX(s0 / fr, view),
              y,
              ((s1 - s0) / fr) * view.pxPerSec,
              Math.min(img.height, t.layout.lanes) * LANE_H,
            );
          }
        }
        // Edits made visible in place: muted words darken their lane, interval weights get a box.
        for (let i = 0; i < t.layout.lanes; i++) {
          const ly = y + i * LANE_H;
          if (globalWeight(t.take.weights, i) === 0 || t.shown?.holistic[i] === null) {
            // muted in the take itself: the word could not act, so its lane has no heat at all, only
            // the hatching the legend names
            c.fillStyle = COLORS.mutedTake;
            c.fillRect(0, ly, width, LANE_H);
            c.save();
            c.beginPath();
            c.rect(0, ly, width, LANE_H);
            c.clip();
            c.strokeStyle = COLORS.mutedHatch;
            c.lineWidth = 1;
            c.beginPath();
            for (let x = -LANE_H; x < width; x += 8) {
              c.moveTo(x, ly + LANE_H);
              c.lineTo(x + LANE_H, ly);
            }
            c.stroke();
            c.restore();
          } else if (globalWeight(t.weights, i) === 0) {
            c.fillStyle = COLORS.mutedLane;
            c.fillRect(0, ly, width, LANE_H);
          }
          for (const r of regionalWeights(t.weights, i)) {
            c.strokeStyle = COLORS.regional;
            c.lineWidth = 1.5;
            c.strokeRect(timeToX(r.startSec!, view) + 0.5, ly + 1.5, (r.endSec! - r.startSec!) * view.pxPerSec - 1, LANE_H - 3);
          }
          c.fillStyle = 'rgba(0,0,0,0.35)';
          c.fillRect(0, ly + LANE_H - 1, width, 1);
        }
      }}
    />
  );
}

function Ruler({
  view,
  width,
  selection,
  loop,
  markers,
  regions,
}: {
  view: View;
  width: number;
  selection: TimeSpan | null;
  loop: boolean;
  markers: TimelineCanvasProps['markers'];
  regions: TimelineCanvasProps['regions'];
}) {
  return (
    <Shape
      listening={false}
      perfectDrawEnabled={false}
      sceneFunc={(c) => {
        c.fillStyle = COLORS.ruler;
        c.fillRect(0, 0, width, RULER_H);
        if (selection !== null) {
          c.fillStyle = loop ? 'rgba(224,160,80,0.35)' : 'rgba(79,184,176,0.3)';
          c.fillRect(
            timeToX(selection.startSec, view),
            loop ? 0 : RULER_H - 6,
            (selection.endSec - selection.startSec) * view.pxPerSec,
            loop ? RULER_H : 6,
          );
        }
        c.font = '11px system-ui, sans-serif';
        c.textBaseline = 'top';
        for (const r of regions) {
          const x0 = timeToX(r.startSec, view);
          const w = (r.endSec - r.startSec) * view.pxPerSec;
          if (x0 > width || x0 + w < 0) continue;
          c.fillStyle = COLORS.region;
          c.fillRect(x0, 0, w, 3);
          c.fillRect(x0, 0, 1, RULER_H);
          c.fillRect(x0 + w - 1, 0, 1, RULER_H);
        }
        for (const tk of rulerTicks(view, width)) {
          c.fillStyle = COLORS.tick;
          c.fillRect(Math.round(tk.x), tk.major ? 10 : 18, 1, tk.major ? RULER_H - 10 : RULER_H - 18);
          if (tk.label !== null) {
            c.fillStyle = COLORS.tickText;
            c.fillText(tk.label, Math.round(tk.x) + 4, 3);
          }
        }
        for (const m of markers) {
          const x = timeToX(m.timeSec, view);
          c.fillStyle = COLORS.marker;
          c.beginPath();
          c.moveTo(x - 5, RULER_H - 9);
          c.lineTo(x + 5, RULER_H - 9);
          c.lineTo(x, RULER_H - 1);
          c.closePath();
          c.fill();
        }
        c.fillStyle = '#2a3040';
        c.fillRect(0, RULER_H - 1, width, 1);
      }}
    />
  );
}

export function TimelineCanvas(p: TimelineCanvasProps) {
  const playhead = useRef<Konva.Line>(null);
  const overlay = useRef<Konva.Layer>(null);
  const { view, width, height, scrollTop } = p;
  const bodyH = Math.max(0, height - RULER_H);

  // While playing, move the playhead node directly each frame: no React render, one small layer redraw.
  useEffect(
    () =>
      onPosition((pos, key) => {
        const line = playhead.current;
        if (line === null) return;
        // A render is its take generated again over the same time axis, so its position moves the playhead too.
        const t = pos !== null && key !== null ? pos : p.playheadSec;
        line.x(Math.round(timeToX(t, view)) + 0.5);
        overlay.current?.batchDraw();
      }),
    [view, p.playheadSec],
  );

  const sel = p.selection;
  return (
    <Stage width={width} height={height} listening={false}>
      <Layer listening={false}>
        <Group y={RULER_H - scrollTop} clipX={0} clipY={scrollTop} clipWidth={width} clipHeight={bodyH}>
          {p.tracks.map((t) => (
            <Group key={t.take.id}>
              <Rect
                x={0}
                y={t.layout.top}
                width={width}
                height={t.layout.height}
                fill={t.selected ? COLORS.trackSel : COLORS.track}
                listening={false}
              />
              <Rect
                x={timeToX(t.take.durationSec, view)}
                y={t.layout.top}
                width={Math.max(0, width - timeToX(t.take.durationSec, view))}
                height={t.layout.height}
                fill="#0d0f14"
                listening={false}
              />
              <Waveform t={t} view={view} width={width} />
              {p.showSpectrogram && <Spectrogram t={t} view={view} width={width} />}
              {t.layout.lanes > 0 && <Lanes t={t} view={view} width={width} scale={p.laneScale} />}
              {t.shown === null && !t.layout.collapsed && (
                <Text
                  x={8}
                  y={t.layout.waveY + t.layout.waveH - 14}
                  text="Not explained yet: press Explain in the track header"
                  fontSize={11}
                  fill="#6d768a"
                  listening={false}
                />
              )}
              {t.shown?.live === true && (
                <Text x={8} y={t.layout.waveY + 4} text="explaining… (live)" fontSize={11} fill="#e0a050" listening={false} />
              )}
            </Group>
          ))}
        </Group>
        <Ruler view={view} width={width} selection={sel} loop={p.loop} markers={p.markers} regions={p.regions} />
      </Layer>
      <Layer listening={false} ref={overlay}>
        {p.regions.map((r) => (
          <Group key={r.id}>
            <Rect
              x={timeToX(r.startSec, view)}
              y={RULER_H}
              width={(r.endSec - r.startSec) * view.pxPerSec}
              height={bodyH}
              fill={COLORS.regionFill}
              listening={false}
            />
            {/* under a marker's label, which sits at the top edge */}
            <Text
              x={timeToX(r.startSec, view) + 4}
              y={RULER_H + 15}
              width={Math.max(0, (r.endSec - r.startSec) * view.pxPerSec - 6)}
              height={13}
              ellipsis
              wrap="none"
              text={r.label}
              fontSize={11}
              fill={COLORS.region}
              listening={false}
            />
          </Group>
        ))}
        {sel !== null && (
          <Group>
            <Rect
              x={timeToX(sel.startSec, view)}
              y={RULER_H}
              width={(sel.endSec - sel.startSec) * view.pxPerSec}
              height={bodyH}
              fill={COLORS.sel}
              listening={false}
            />
            <Line
              points={[timeToX(sel.startSec, view) + 0.5, RULER_H, timeToX(sel.startSec, view) + 0.5, height]}
              stroke={COLORS.selEdge}
              strokeWidth={1}
              listening={false}
            />
            <Line
              points={[timeToX(sel.endSec, view) - 0.5, RULER_H, timeToX(sel.endSec, view) - 0.5, height]}
              stroke={COLORS.selEdge}
              strokeWidth={1}
              listening={false}
            />
          </Group>
        )}
        {p.markers.map((m) => (
          <Group key={m.id}>
            <Line
              points={[timeToX(m.timeSec, view) + 0.5, RULER_H, timeToX(m.timeSec, view) + 0.5, height]}
              stroke={COLORS.marker}
              strokeWidth={1}
              dash={[4, 4]}
              opacity={0.7}
              listening={false}
            />
            {m.label !== '' && (
              <Text x={timeToX(m.timeSec, view) + 4} y={RULER_H + 2} text={m.label} fontSize={11} fill={COLORS.marker} listening={false} />
            )}
          </Group>
        ))}
        <Line
          ref={playhead}
          x={Math.round(timeToX(p.playheadSec, view)) + 0.5}
          points={[0, 0, 0, height]}
          stroke={COLORS.playhead}
          strokeWidth={1.5}
          listening={false}
        />
      </Layer>
    </Stage>
  );
}
