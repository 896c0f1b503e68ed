// The right-hand panel: the selected take, its explanation (holistic bars, interval bars for the
// selection, faithfulness, audible renders), a comparison with another take, the markers and the named regions.
import { useEffect, useMemo, useRef, useState } from 'react';
import type { Explanation, Take } from '../../../electron/common/api';
import { offlineReason } from '../api/client';
import { bytesAsExport, saveExport } from '../api/files';
import { floatWav } from '../api/wav';
import { audioOut } from '../audio/player';
import { onPosition } from '../state/transport';
import { explanationsOf, methodLabel, selectedTake, shownMask, visibleTakes, wordTake } from '../state/selectors';
import { getStore, useStudio } from '../state/store';
import { intervalImportance } from '../../../electron/common/mask';
import { diffHolistic } from '../timeline/explanation';
import { Bars, DiffBars } from './Bars';
import { Icon } from './Icon';

type Render = 'factual' | 'counterfactual';

function when(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

function Faithfulness({ e }: { e: Explanation }) {
  const m = e.metrics;
  if (m === null) return <p className="note">Not evaluated yet.</p>;
  const rows: [string, number, string][] = [
    ['Fid F', m.fidF, 'lower is better'],
    ['Fid CF', m.fidCF, 'higher is better'],
    ['KL F', m.klF, 'lower is better'],
    ['KL CF', m.klCF, 'higher is better'],
    ['Size', m.size, 'mean mask'],
  ];
  return (
    <table className="metrics" aria-label="Faithfulness">
      <caption className="note" style={{ textAlign: 'left' }}>
        Class “{m.label}”, seed {m.seed}
      </caption>
      <tbody>
        {rows.map(([k, v, hint]) => (
          <tr key={k}>
            <th scope="row">{k}</th>
            <td>{v.toFixed(3)}</td>
            <td className="note">{hint}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

interface TimelineItem {
  id: string;
  label: string;
  /** Where it is, as shown on its button. */
  where: string;
  goTo(): void;
  remove(): void;
}

/** The inspector's list of markers or named regions: go to one, or remove it (one undo step). */
function TimelineItems({
  title,
  kind,
  items,
  goToLabel,
  goToTitle,
}: {
  title: string;
  kind: string;
  items: TimelineItem[];
  goToLabel?: string;
  goToTitle?: string;
}) {
  if (items.length === 0) return null;
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <ul className="bars">
        {items.map((it) => (
          <li key={it.id} style={{ gridTemplateColumns: '1fr auto auto' }}>
            <span>{it.label}</span>
            <button
              type="button"
              className="btn"
              aria-label={goToLabel === undefined ? undefined : `${goToLabel} ${it.label}`}
              title={goToTitle}
              onClick={it.goTo}
            >
              {it.where}
            </button>
            <button type="button" className="btn icon" aria-label={`Remove ${kind} ${it.label}`} onClick={it.remove}>
              <Icon name="trash" />
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}

const RENDERS: { render: Render; label: string; title: string }[] = [
  { render: 'factual', label: 'Factual', title: 'Regenerated with the mask: what the explanation says matters' },
  { render: 'counterfactual', label: 'Counterfactual', title: 'Regenerated with 1 − mask: what is left without it' },
];

/**
 * The explanation's audible renders: play (rendered on first play), a position bar while one plays
 * (the timeline's playhead moves with it too), keep one as a take, or save it as a WAV file.
 */
export function Renders({ e, take }: { e: Explanation; take: Take }) {
  const store = getStore();
  const jobs = useStudio((s) => s.jobs);
  const offline = useStudio((s) => offlineReason(s.connection));
  const [playing, setPlaying] = useState<string | null>(null);
  const bar = useRef<HTMLProgressElement>(null);
  const keyOf = (r: Render): string => `render:${e.id}:${r}`;
  // Position every frame straight into the bar; React re-renders only when what plays changes.
  useEffect(
    () =>
      onPosition((pos, key) => {
        const mine = key !== null && key.startsWith(`render:${e.id}:`) ? key : null;
        setPlaying(mine);
        if (mine !== null && pos !== null && bar.current !== null) bar.current.value = pos / Math.max(1e-6, take.durationSec);
      }),
    [e.id, take.durationSec],
  );
  const save = async (r: Render): Promise<void> => {
    const clip = audioOut.clip(keyOf(r));
    if (clip === null) throw new Error(`Play the ${r} render first: it is made on the first play`);
    const outcome = await saveExport(
      bytesAsExport(`take-${take.number}-${e.method}-${r}.wav`, 'audio/wav', floatWav(clip.samples, clip.sampleRate)),
    );
    if (!outcome.saved) store.error(outcome.message);
  };
  return (
    <div className="renders">
      {RENDERS.map(({ render, label, title }) => {
        const ready =
          audioOut.has(keyOf(render)) ||
          Object.values(jobs).some((j) => j.result?.kind === 'render' && j.result.explanationId === e.id && j.result.render === render);
        const now = playing === keyOf(render);
        return (
          <div key={render} className="row-wrap" role="group" aria-label={`${label} render`}>
            <button
              type="button"
              className="btn"
              disabled={offline !== null && !ready}
              onClick={() => void store.guard(async () => (now ? audioOut.stop() : await store.audition(e.id, render)))}
              title={offline !== null && !ready ? offline : title}
              aria-label={now ? `Stop the ${render} render` : `Play the ${render} render`}
            >
              <Icon name={now ? 'stop' : 'play'} /> {label}
            </button>
            <button
              type="button"
              className="btn"
              disabled={offline !== null}
              aria-label="Keep as take"
              title={offline ?? `Keep as take: a new take from Take ${take.number}, sounding like this render`}
              onClick={() => void store.guard(() => store.keepRender(e.id, render))}
            >
              Keep
            </button>
            <button
              type="button"
              className="btn"
              disabled={!ready}
              aria-label="Export WAV"
              title={ready ? 'Save this render as a 32-bit float WAV' : 'Play it first: the render is made on the first play'}
              onClick={() => void store.guard(() => save(render))}
            >
              <Icon name="export" /> WAV
            </button>
            {now && <progress ref={bar} max={1} value={0} aria-label={`${label} render position`} />}
          </div>
        );
      })}
    </div>
  );
}

const SHOWN_KEY = 'agx.inspector';

/** Shown or hidden: the designer's last choice, else shown when the window has room for it. */
function initiallyShown(): boolean {
  const saved = window.localStorage?.getItem(SHOWN_KEY);
  return saved === null || saved === undefined ? window.innerWidth >= 1200 : saved === 'shown';
}

function HideInspector({ onHide }: { onHide: () => void }) {
  return (
    <button
      type="button"
      className="btn icon hide-inspector"
      aria-label="Hide inspector"
      title="Hide the inspector (more room for the timeline)"
      onClick={onHide}
    >
      <Icon name="chevron-right" />
    </button>
  );
}

/** The parameters two runs of one method set differently ("epochs 50 / 20"), for the comparison's caveat. */
function paramsDiffer(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])]
    .filter((k) => JSON.stringify(a[k]) !== JSON.stringify(b[k]))
    .map((k) => `${k} ${JSON.stringify(a[k] ?? null)} / ${JSON.stringify(b[k] ?? null)}`);
}

type InspectorProps = { compareTakeId: string | null; setCompareTakeId: (id: string | null) => void };

/** The inspector, or when hidden a narrow rail with the button that shows it again. */
export function Inspector(props: InspectorProps) {
  const [shown, setShown] = useState(initiallyShown);
  const show = (v: boolean): void => {
    window.localStorage?.setItem(SHOWN_KEY, v ? 'shown' : 'hidden');
    setShown(v);
  };
  if (!shown) {
    return (
      <aside className="inspector collapsed" aria-label="Inspector (hidden)">
        <button type="button" className="btn icon" aria-label="Show inspector" title="Show the inspector" onClick={() => show(true)}>
          <Icon name="chevron-left" />
        </button>
      </aside>
    );
  }
  return <InspectorPanel {...props} onHide={() => show(false)} />;
}

function InspectorPanel({ compareTakeId, setCompareTakeId, onHide }: InspectorProps & { onHide: () => void }) {
  const session = useStudio((s) => s.session);
  const partial = useStudio((s) => s.partial);
  const info = useStudio((s) => s.info);
  const jobs = useStudio((s) => s.jobs);
  const store = getStore();
  const stored = selectedTake(session);
  // Per word: its bars and weights name the words typed (electron/common/words.ts).
  const take = stored === null ? null : wordTake(stored).take;
  const frameRate = info?.model.frameRate ?? 25;
  const shown = take === null ? null : shownMask(session, partial, take.id, frameRate);
  const selection = session?.timeline.selection ?? null;
  // A word the take muted (holistic null) has no importance in any span either.
  const interval = useMemo(
    () =>
      shown === null || selection === null
        ? null
        : intervalImportance(
            shown.mask,
            shown.frameRate,
            selection,
            shown.holistic.map((v) => v === null),
          ),
    [shown?.mask, shown?.holistic, selection],
  );
  if (session === null || take === null) {
    return (
      <aside className="inspector" aria-label="Inspector">
        <HideInspector onHide={onHide} />
        <p className="note">Generate a take to inspect it.</p>
      </aside>
    );
  }
  const tokens = take.tokens.map((t) => t.text);
  const unknown = take.tokens.map((t) => t.unknown === true);
  const expls = explanationsOf(session, take.id);
  const e = shown?.explanation ?? null;
  const others = visibleTakes(session).filter((t) => t.id !== take.id);
  const cmpStored = others.find((t) => t.id === compareTakeId);
  const cmp = cmpStored === undefined ? null : wordTake(cmpStored).take;
  const cmpShown = cmp === null ? null : shownMask(session, partial, cmp.id, frameRate);
  // Jobs do not name their explanation while running, so one evaluation at a time per session.
  const evaluating = Object.values(jobs).some(
    (j) => j.kind === 'evaluate' && (j.state === 'queued' || j.state === 'running') && j.sessionId === session.session.id,
  );
  const parent = take.parentTakeId === null ? null : session.takes.find((t) => t.id === take.parentTakeId);

  return (
    <aside className="inspector" aria-label="Inspector">
      <HideInspector onHide={onHide} />
      <section aria-label="Take">
        <h2>Take {take.number}</h2>
        <dl className="kv">
          <dt>{take.source === 'imported' ? 'Caption' : 'Prompt'}</dt>
          <dd>{take.prompt}</dd>
          {take.source === 'imported' ? (
            <>
              <dt>Source</dt>
              <dd>Imported audio</dd>
            </>
          ) : (
            <>
              <dt>Seed</dt>
              <dd>{take.seed}</dd>
            </>
          )}
          <dt>Length</dt>
          <dd>{take.durationSec.toFixed(2)} s</dd>
          {/* Takes stored before the provider was recorded have none (null). */}
          {typeof take.provider === 'string' && (
            <>
              <dt>Ran on</dt>
              <dd>{take.provider.toUpperCase()}</dd>
            </>
          )}
          {info !== null && take.modelSha256 !== info.model.identity && (
            <>
              <dt>Model</dt>
              <dd className="warning">
                Made by another model ({take.modelId}, identity {take.modelSha256.slice(0, 12)}). Play and export work; explaining it or
                keeping its audio needs that model.
              </dd>
            </>
          )}
          {parent != null && (
            <>
              <dt>From</dt>
              <dd>Take {parent.number}</dd>
            </>
          )}
          {take.weights.length > 0 && (
            <>
              <dt>Weights</dt>
              <dd>
                {take.weights
                  .map(
                    (w) =>
                      `${take.tokens[w.token]?.text ?? w.token}×${w.weight}${w.startSec !== undefined ? ` (${w.startSec.toFixed(2)}–${w.endSec!.toFixed(2)} s)` : ''}`,
                  )
                  .join(', ')}
              </dd>
            </>
          )}
        </dl>
      </section>

      <section aria-label="Explanation">
        <h2>Explanation</h2>
        {expls.length > 0 && (
          <label className="field">
            Shown
            <select
              aria-label="Shown explanation"
              value={e?.id ?? ''}
              onChange={(ev) =>
                store.updateTimeline((t) => ({ ...t, shownExplanation: { ...t.shownExplanation, [take.id]: ev.target.value } }), {
                  kind: 'edit',
                  undoLabel: 'Show another explanation',
                })
              }
            >
              {expls.map((x) => (
                <option key={x.id} value={x.id}>
                  {methodLabel(info?.methods, x.method)} · {when(x.createdAt)}
                </option>
              ))}
            </select>
          </label>
        )}
        {shown === null ? (
          <p className="note">Not explained yet. Press Explain in the take's header.</p>
        ) : (
          <>
            <p className="note">
              {shown.live
                ? 'Running: the bars fill in as the optimisation goes.'
                : `${methodLabel(info?.methods, e!.method)}, ${(e!.elapsedMs / 1000).toFixed(1)} s. Mean importance over the whole take:`}
            </p>
            <Bars label="Holistic importance" tokens={tokens} values={shown.holistic} unknown={unknown} />
          </>
        )}
      </section>

      {shown !== null && (
        <section aria-label="Selection">
          <h2>Selection</h2>
          {selection === null || interval === null ? (
            <p className="note">Drag across the timeline to see which words matter inside a region.</p>
          ) : (
            <>
              <p className="note">
                {selection.startSec.toFixed(2)}–{selection.endSec.toFixed(2)} s
              </p>
              <Bars
                label={`Importance from ${selection.startSec.toFixed(2)} to ${selection.endSec.toFixed(2)} s`}
                tokens={tokens}
                values={interval}
                unknown={unknown}
              />
            </>
          )}
        </section>
      )}

      {e !== null && (
        <section aria-label="Faithfulness and renders">
          <h2>Faithfulness</h2>
          <Faithfulness e={e} />
          <div className="row-wrap">
            <button type="button" className="btn" disabled={evaluating} onClick={() => void store.guard(() => store.evaluate(e.id))}>
              {e.metrics === null ? 'Evaluate faithfulness' : 'Evaluate again'}
            </button>
          </div>
          <h2>Listen</h2>
          <Renders e={e} take={take} />
        </section>
      )}

      {others.length > 0 && (
        <section aria-label="Compare takes">
          <h2>Compare</h2>
          <label className="field">
            With
            <select
              aria-label="Compare with"
              value={cmp?.id ?? ''}
              onChange={(ev) => setCompareTakeId(ev.target.value === '' ? null : ev.target.value)}
            >
              <option value="">(none)</option>
              {others.map((t) => (
                <option key={t.id} value={t.id}>
                  Take {t.number}
                </option>
              ))}
            </select>
          </label>
          {cmp !== null && (shown === null || cmpShown === null) && <p className="note">Explain both takes to compare their words.</p>}
          {cmp !== null && (shown?.live === true || cmpShown?.live === true) && (
            <p className="note">An explanation is still running: the comparison waits for it to finish.</p>
          )}
          {cmp !== null && e !== null && cmpShown?.explanation != null && cmpShown.explanation.method !== e.method && (
            // Different methods score on different scales (attention is not importance; AtMan's and
            // AudioGenX's masks differ in size), so their difference would read as a change that is not one.
            <p className="warning" role="status" aria-label="Comparison refused">
              Not compared: Take {take.number} is explained with {methodLabel(info?.methods, e.method)} and Take {cmp.number} with{' '}
              {methodLabel(info?.methods, cmpShown.explanation.method)}; their numbers are not on one scale. Show (or run) explanations of
              the same method for both takes.
            </p>
          )}
          {cmp !== null && shown !== null && e !== null && cmpShown?.explanation != null && cmpShown.explanation.method === e.method && (
            <>
              <p className="note">
                {methodLabel(info?.methods, e.method)} on both. Take {take.number} (teal) against Take {cmp.number} (violet); the number is
                Take {take.number} − Take {cmp.number}: positive where a word matters more in Take {take.number}.
              </p>
              {paramsDiffer(e.params, cmpShown.explanation.params).length > 0 && (
                <p className="warning" role="status" aria-label="Comparison caveat">
                  The two runs used different parameters ({paramsDiffer(e.params, cmpShown.explanation.params).join(', ')}): part of each
                  difference may come from them, not from the takes.
                </p>
              )}
              <DiffBars
                rows={diffHolistic(
                  tokens,
                  shown.holistic,
                  cmp.tokens.map((t) => t.text),
                  cmpShown.holistic,
                )}
                nameA={`Take ${take.number}`}
                nameB={`Take ${cmp.number}`}
              />
            </>
          )}
          {cmp !== null && <p className="note">Press B (or the A/B button) while playing to switch between them.</p>}
        </section>
      )}

      <TimelineItems
        title="Markers"
        kind="marker"
        items={session.timeline.markers.map((m) => ({
          id: m.id,
          label: m.label,
          where: `${m.timeSec.toFixed(2)} s`,
          goTo: () => store.updateTimeline({ playheadSec: m.timeSec }, { kind: 'view' }),
          remove: () =>
            store.updateTimeline((t) => ({ ...t, markers: t.markers.filter((x) => x.id !== m.id) }), {
              kind: 'edit',
              undoLabel: `Remove marker ${m.label}`,
            }),
        }))}
      />
      <TimelineItems
        title="Regions"
        kind="region"
        goToLabel="Select region"
        goToTitle="Select this region (then L loops it, Shift+Space plays it)"
        items={session.timeline.regions.map((r) => ({
          id: r.id,
          label: r.label,
          where: `${r.startSec.toFixed(2)}–${r.endSec.toFixed(2)} s`,
          goTo: () =>
            store.updateTimeline({ selection: { startSec: r.startSec, endSec: r.endSec }, playheadSec: r.startSec }, { kind: 'view' }),
          remove: () =>
            store.updateTimeline((t) => ({ ...t, regions: t.regions.filter((x) => x.id !== r.id) }), {
              kind: 'edit',
              undoLabel: `Remove region ${r.label}`,
            }),
        }))}
      />
    </aside>
  );
}
