// The studio window: prompt bar on top, sessions left, timeline centre, inspector right, jobs and
// status at the bottom; global keyboard shortcuts and the dialogs.
import { useEffect, useState } from 'react';
import { Alerts } from './components/Alerts';
import { ExplainDialog } from './components/ExplainDialog';
import { ExportDialog } from './components/ExportDialog';
import { ImportDialog } from './components/ImportDialog';
import { Inspector } from './components/Inspector';
import { JobsBar } from './components/JobsBar';
import { PromptBar } from './components/PromptBar';
import { SessionsPanel } from './components/SessionsPanel';
import { ShortcutsDialog } from './components/ShortcutsDialog';
import { StatusBar } from './components/StatusBar';
import { useAutoFit } from './components/autoFit';
import { StoreErrorPanel } from './components/StoreErrorPanel';
import { routeMenuCommand } from './state/menu';
import { selectedTake, visibleTakes } from './state/selectors';
import { actionFor, type Action } from './state/shortcuts';
import { getStore, useStudio } from './state/store';
import { abSwitch, playPause, playSelection, transportTakeId } from './state/transport';
import { snapToFrame } from './timeline/math';
import { Timeline } from './timeline/Timeline';
import { addMarker, addRegion, toggleLoop, zoomBy, zoomFit } from './timeline/TimelineToolbar';

function isTextField(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  if (el.isContentEditable) return true;
  if (el instanceof HTMLTextAreaElement || el instanceof HTMLSelectElement) return true;
  return el instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'range'].includes(el.type);
}

function isButtonLike(el: EventTarget | null): boolean {
  return (
    el instanceof HTMLButtonElement ||
    (el instanceof HTMLInputElement && ['checkbox', 'radio', 'button', 'submit', 'range'].includes(el.type))
  );
}

function timelineWidth(): number {
  return document.querySelector('.tl-canvas-col')?.clientWidth ?? 800;
}

export function App() {
  const session = useStudio((s) => s.session);
  const ready = useStudio((s) => s.ready);
  const info = useStudio((s) => s.info);
  useAutoFit();
  const store = getStore();
  const [explainTake, setExplainTake] = useState<string | null>(null);
  const [exportTake, setExportTake] = useState<string | null | undefined>(undefined);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [compareChoice, setCompareChoice] = useState<string | null>(null);

  const takes = visibleTakes(session);
  const sel = selectedTake(session);
  // Compare with the chosen take, else the selected take's parent, else the nearest other take
  // (earlier first), so A/B and the diff work as soon as there are two takes.
  const others = takes.filter((t) => t.id !== sel?.id);
  const nearest =
    sel === null
      ? undefined
      : [...others].sort((a, b) => Math.abs(a.number - sel.number) - Math.abs(b.number - sel.number) || a.number - b.number)[0];
  const compareTakeId =
    others.find((t) => t.id === compareChoice)?.id ??
    (sel?.parentTakeId != null && others.some((t) => t.id === sel.parentTakeId) ? sel.parentTakeId : null) ??
    nearest?.id ??
    null;

  useEffect(() => {
    const run = (a: Action): void => {
      const s = store.getState().session;
      const tl = s?.timeline;
      const frameRate = store.getState().info?.model.frameRate ?? 25;
      switch (a) {
        case 'playPause':
          void store.guard(playPause);
          break;
        case 'playSelection':
          void store.guard(playSelection);
          break;
        case 'toggleLoop':
          toggleLoop();
          break;
        case 'addMarker':
          addMarker();
          break;
        case 'addRegion':
          addRegion();
          break;
        case 'undo':
          void store.guard(() => store.undo());
          break;
        case 'redo':
          void store.guard(() => store.redo());
          break;
        case 'zoomIn':
          zoomBy(1.5, timelineWidth());
          break;
        case 'zoomOut':
          zoomBy(1 / 1.5, timelineWidth());
          break;
        case 'zoomFit':
          zoomFit(timelineWidth());
          break;
        case 'abSwitch': {
          const a2 = transportTakeId();
          if (a2 !== null && compareTakeId !== null) void store.guard(() => abSwitch(a2, compareTakeId));
          break;
        }
        case 'playheadStart':
          store.updateTimeline({ playheadSec: 0 }, { kind: 'view' });
          break;
        case 'frameBack':
        case 'frameForward':
          if (tl !== undefined)
            store.updateTimeline(
              { playheadSec: Math.max(0, snapToFrame(tl.playheadSec + (a === 'frameBack' ? -1 : 1) / frameRate, frameRate)) },
              { kind: 'view' },
            );
          break;
        case 'clearSelection':
          if (tl?.selection != null) store.updateTimeline({ selection: null }, { kind: 'view' });
          break;
        case 'showShortcuts':
          setShowShortcuts(true);
          break;
      }
    };
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented || e.isComposing) return;
      if (document.querySelector('[role="dialog"]') !== null) return;
      const a = actionFor(e);
      if (a === null) return;
      const undoKey = a === 'undo' || a === 'redo';
      // Text fields keep their own keys (and their own undo); buttons keep Space and Enter.
      if (isTextField(e.target) && a !== 'clearSelection') return;
      if (isButtonLike(e.target) && (e.key === ' ' || e.key === 'Enter')) return;
      if (!undoKey && (e.target as HTMLElement | null)?.closest?.('.chips') && (e.key === 'ArrowLeft' || e.key === 'ArrowRight')) return;
      e.preventDefault();
      run(a);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [compareTakeId]);

  // Electron's application menu: the same actions as the buttons and shortcuts (browser mode has no menu).
  useEffect(() => {
    const bridge = window.studioBridge;
    if (bridge === undefined) return;
    return bridge.onMenu((command) => {
      const st = store.getState();
      const route = routeMenuCommand(command, {
        textFieldFocused: isTextField(document.activeElement),
        dialogOpen: document.querySelector('[role="dialog"]') !== null,
        sessionOpen: st.session !== null,
        hasTakes: visibleTakes(st.session).length > 0,
      });
      switch (route.kind) {
        case 'timeline':
          void store.guard(() => (route.action === 'undo' ? store.undo() : store.redo()));
          break;
        case 'text':
          // The focused field's own undo stack, exactly what Ctrl+Z does while typing.
          document.execCommand(route.action);
          break;
        case 'newSession':
          void store.guard(() => store.createSession());
          break;
        case 'export':
          setExportTake(selectedTake(st.session)?.id ?? null);
          break;
        case 'ignore':
          break;
      }
    });
  }, []);

  const explainFor = takes.find((t) => t.id === explainTake) ?? null;
  return (
    <div className="app">
      <PromptBar />
      <Alerts />
      <div className="main">
        <SessionsPanel />
        {info?.storeError != null ? (
          <StoreErrorPanel message={info.storeError.message} dataDir={info.dataDir} />
        ) : ready || session !== null ? (
          <Timeline onExplain={setExplainTake} onExport={(id) => setExportTake(id)} compareTakeId={compareTakeId} />
        ) : (
          <main className="timeline" aria-label="Timeline">
            <div className="empty">{info === null ? 'Connecting to the studio…' : 'Opening…'}</div>
          </main>
        )}
        <Inspector compareTakeId={compareTakeId} setCompareTakeId={setCompareChoice} />
      </div>
      <JobsBar />
      <StatusBar />
      {explainFor !== null && <ExplainDialog take={explainFor} onClose={() => setExplainTake(null)} />}
      {exportTake !== undefined && <ExportDialog takeId={exportTake} onClose={() => setExportTake(undefined)} />}
      {showShortcuts && <ShortcutsDialog onClose={() => setShowShortcuts(false)} />}
      <ImportDialog />
    </div>
  );
}
