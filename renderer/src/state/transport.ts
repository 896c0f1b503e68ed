// Playback control on top of AudioOut: what Space plays, looping the selection, A/B, and the moving
// playhead. The playhead position is pushed to subscribers every animation frame without touching
// the React state, so playback redraws only the overlay.
import { audioOut } from '../audio/player';
import { selectedTake } from './selectors';
import { getStore } from './store';

type PositionListener = (positionSec: number | null, key: string | null) => void;

const listeners = new Set<PositionListener>();
let raf = 0;

function tick(): void {
  const pos = audioOut.position();
  const key = audioOut.current();
  for (const l of listeners) l(pos, key);
  raf = pos === null ? 0 : requestAnimationFrame(tick);
}

function startTicking(): void {
  if (raf === 0) raf = requestAnimationFrame(tick);
}

audioOut.onStart(() => startTicking());

audioOut.onStop((key, at) => {
  for (const l of listeners) l(null, null);
  // A take's position becomes the playhead, so Space resumes where it paused (a render or a Generate's
  // preview is not a take).
  const store = getStore();
  if (store.getState().session?.takes.some((t) => t.id === key)) store.updateTimeline({ playheadSec: Math.max(0, at) }, { kind: 'view' });
});

/** Subscribes to the playhead while playing (null when stopped). */
export function onPosition(listener: PositionListener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Whether something is playing. */
export function isPlaying(): boolean {
  return audioOut.current() !== null;
}

/** The take Space plays: the soloed take, else the selected one. */
export function transportTakeId(): string | null {
  const s = getStore().getState().session;
  if (s === null) return null;
  return s.timeline.soloTakeId ?? selectedTake(s)?.id ?? null;
}

/** Plays a take from the playhead (or loops the selection when loop is on). */
export async function playTake(takeId: string, opts: { fromSec?: number; toSec?: number } = {}): Promise<void> {
  const store = getStore();
  const s = store.getState().session;
  if (s === null) return;
  await store.loadAudio(takeId);
  const tl = s.timeline;
  const sel = tl.selection;
  const loop = tl.loop && sel !== null ? sel : null;
  let from = opts.fromSec ?? tl.playheadSec;
  if (loop !== null && (from < loop.startSec || from >= loop.endSec)) from = loop.startSec;
  if (loop === null && from >= audioOut.duration(takeId) - 0.01) from = 0;
  await audioOut.play({ key: takeId, fromSec: from, toSec: opts.toSec, loop });
}

/** Space: pause when playing, else play the transport take. */
export async function playPause(): Promise<void> {
  if (isPlaying()) {
    audioOut.stop();
    return;
  }
  const id = transportTakeId();
  if (id !== null) await playTake(id);
}

/** Plays only the selection (once, or looped when loop is on). */
export async function playSelection(): Promise<void> {
  const s = getStore().getState().session;
  const id = transportTakeId();
  const sel = s?.timeline.selection ?? null;
  if (id === null || sel === null) return;
  await playTake(id, { fromSec: sel.startSec, toSec: sel.endSec });
}

/** A/B: switches the sound between two takes at the same position (starts A when stopped). */
export async function abSwitch(a: string, b: string): Promise<void> {
  const cur = audioOut.current();
  if (cur === null) {
    await playTake(a);
    return;
  }
  const store = getStore();
  await store.loadAudio(cur === a ? b : a);
  await audioOut.switchTo(cur === a ? b : a);
}

/** Plays any loaded clip from the start (renders). */
export async function playClip(key: string): Promise<void> {
  await audioOut.play({ key, fromSec: 0 });
}

/** Stops playback. */
export function stop(): void {
  audioOut.stop();
}
