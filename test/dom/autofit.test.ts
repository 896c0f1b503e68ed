// Small windows (issue 15, item 8): the zoom refits when the timeline's width or the longest clip
// changes, or a session is first shown, while the view shows every take whole; a zoomed-in view, or
// a zoom-out at the same size, is left alone. The rule against the renderer store with a fake API.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimelineStateSchema, type SessionState, type Take } from '../../electron/common/api';
import { startFakeStudio } from './fake-studio';

vi.mock('../../renderer/src/audio/player', () => ({
  audioOut: { stop: () => {}, load: () => {}, has: () => false, play: async () => {}, onStart: () => () => {}, onStop: () => () => {} },
}));

const SESSION = 'a'.repeat(32);

async function studio(pxPerSec: number) {
  const at = '2025-01-01T00:00:00.000Z';
  const summary = { id: SESSION, name: 's', nameIsAuto: false, createdAt: at, updatedAt: at, openedAt: at, takeCount: 1 };
  const take = { id: 't'.repeat(32), sessionId: SESSION, number: 1, durationSec: 5 } as Take;
  const state: SessionState = {
    session: summary,
    takes: [take],
    explanations: [],
    timeline: TimelineStateSchema.parse({ pxPerSec }),
    canUndo: false,
    canRedo: false,
  };
  const { store } = await startFakeStudio({
    answers: {
      listSessions: () => ({ sessions: [summary], lastOpenedId: SESSION }),
      openSession: () => state,
      saveTimeline: () => ({ canUndo: false, canRedo: false }),
    },
    strict: true,
  });
  await vi.waitFor(() => expect(store.getState().session).not.toBeNull());
  return store;
}

describe('zoom refit', () => {
  beforeEach(() => vi.stubGlobal('window', globalThis));
  afterEach(() => vi.unstubAllGlobals());

  it('follows the width while the view shows the whole clip', async () => {
    const { refit } = await import('../../renderer/src/components/autoFit');
    const store = await studio(100);
    const zoom = () => store.getState().session!.timeline.pxPerSec;
    const seen = refit(null, 500);
    expect(zoom()).toBe(100);
    refit(seen, 1000);
    expect(zoom()).toBe(200);
    // A window opened at another size than the session was saved at: refitted on first sight.
    store.updateTimeline({ pxPerSec: 50 }, { kind: 'preview' });
    refit(null, 1000);
    expect(zoom()).toBe(200);
  });

  it('leaves a zoomed-in view, and a zoom-out at the same size, alone', async () => {
    const { refit } = await import('../../renderer/src/components/autoFit');
    const store = await studio(400);
    const zoom = () => store.getState().session!.timeline.pxPerSec;
    let seen = refit(null, 500);
    seen = refit(seen, 800);
    expect(zoom()).toBe(400);
    store.updateTimeline({ pxPerSec: 60 }, { kind: 'preview' });
    seen = refit(seen, 800);
    expect(zoom()).toBe(60);
    // The clip gets longer while the whole of it was in view: fit again.
    refit({ ...seen!, contentSec: 4 }, 800);
    expect(zoom()).toBe(160);
  });
});
