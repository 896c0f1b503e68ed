// The renderer's store against a fake StudioApi: how many calls a finished job costs. The studio
// emits a 'session' event when a job stores its result and then the job's 'done' event; together
// they must cost one reload of the open session, and no listing of every session.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimelineStateSchema, type JobInfo, type SessionState, type StudioEvent, type Take } from '../../electron/common/api';
import type { ConnectionState, StudioClient } from '../../renderer/src/api/client';

// The audio output needs Web Audio; these tests only count calls.
vi.mock('../../renderer/src/audio/player', () => ({
  audioOut: { stop: () => {}, load: () => {}, has: () => false, play: async () => {} },
}));

const SESSION = 'a'.repeat(32);
const OTHER = 'b'.repeat(32);

function take(id: string, number: number): Take {
  return {
    id,
    sessionId: SESSION,
    number,
    parentTakeId: null,
    source: 'generated',
    prompt: 'a dog barks',
    tokens: [],
    weights: [],
    seed: 1,
    sampling: { cfg: 3, topK: 50, topP: 0, temperature: 1 },
    keptBeforeSec: null,
    modelId: 'm',
    modelSha256: '0'.repeat(64),
    durationSec: 1,
    sampleRate: 16000,
    frames: 25,
    createdAt: '2025-01-01T00:00:00.000Z',
  };
}

function summary(id: string, takeCount: number, name = 'Untitled session') {
  const at = '2025-01-01T00:00:00.000Z';
  return { id, name, nameIsAuto: true, createdAt: at, updatedAt: at, openedAt: at, takeCount };
}

/** A studio that answers from `takes` and records every call by name; reading a session takes `readMs`. */
function fakeStudio(readMs: number) {
  const calls: string[] = [];
  const takes: Take[] = [];
  let emit: (e: StudioEvent) => void = () => {};
  const mine = () => summary(SESSION, takes.length, takes.length > 0 ? 'a dog barks' : 'Untitled session');
  const state = (): SessionState => ({
    session: mine(),
    takes: [...takes],
    explanations: [],
    timeline: TimelineStateSchema.parse({}),
    canUndo: false,
    canRedo: false,
  });
  const answers: Record<string, (p: never) => unknown> = {
    getInfo: () => ({ version: '0', provider: 'cpu', model: {}, methods: [], dataDir: '/tmp', storeError: null }),
    listJobs: () => [],
    listSessions: () => ({ sessions: [mine(), summary(OTHER, 0, 'Other')], lastOpenedId: SESSION }),
    openSession: async () => {
      await new Promise((resolve) => setTimeout(resolve, readMs));
      return state();
    },
    saveTimeline: () => ({ canUndo: false, canRedo: false }),
    getTakeAudio: () => ({ samplesBase64: '', sampleRate: 16000 }),
  };
  const api = new Proxy({} as StudioClient['api'], {
    get: (_t, name: string) => async (params: never) => {
      calls.push(name);
      const answer = answers[name];
      if (answer === undefined) throw new Error(`the fake studio has no ${name}`);
      return answer(params);
    },
  });
  const client: StudioClient = {
    api,
    onEvent(listener) {
      emit = listener;
      return () => {};
    },
    onConnection(listener: (c: ConnectionState) => void) {
      listener({ status: 'open', mode: 'browser', retryInMs: null, reason: null });
      return () => {};
    },
  };
  return { client, calls, takes, emit: (e: StudioEvent) => emit(e) };
}

function doneJob(id: string, takeIds: string[]): JobInfo {
  return {
    id,
    kind: 'generate',
    sessionId: SESSION,
    label: 'Generate',
    state: 'done',
    progress: 1,
    etaSec: null,
    queuedAt: '2025-01-01T00:00:00.000Z',
    startedAt: '2025-01-01T00:00:00.000Z',
    finishedAt: '2025-01-01T00:00:01.000Z',
    error: null,
    result: { kind: 'takes', takeIds },
  };
}

async function startedStore(readMs = 0) {
  const { StudioStore } = await import('../../renderer/src/state/store');
  const fake = fakeStudio(readMs);
  const store = new StudioStore(fake.client);
  store.start();
  await vi.waitFor(() => expect(store.getState().ready).toBe(true));
  await vi.advanceTimersByTimeAsync(1000);
  fake.calls.length = 0;
  return { store, ...fake };
}

/** The studio storing a job's takes: the session event, then (after `gapMs`) the job's end. */
async function finishJob(fake: Awaited<ReturnType<typeof startedStore>>, jobId: string, takeIds: string[], gapMs: number) {
  for (const id of takeIds) fake.takes.push(take(id, fake.takes.length + 1));
  fake.emit({ type: 'session', sessionId: SESSION, change: 'takes' });
  await vi.advanceTimersByTimeAsync(gapMs);
  fake.emit({ type: 'job', job: doneJob(jobId, takeIds) });
  await vi.advanceTimersByTimeAsync(2000);
}

const count = (calls: string[], name: string) => calls.filter((c) => c === name).length;

describe('renderer store: a finished job', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    // The store schedules with window.setTimeout; in node the global object stands in for window.
    vi.stubGlobal('window', globalThis);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('costs one reload of the open session, whether its end comes at once or later', async () => {
    const fake = await startedStore();
    expect(fake.store.getState().session?.session.id).toBe(SESSION);

    await finishJob(fake, 'j'.repeat(32), ['1'.repeat(32)], 0);
    expect(count(fake.calls, 'openSession')).toBe(1);
    expect(count(fake.calls, 'listSessions')).toBe(0);

    fake.calls.length = 0;
    await finishJob(fake, 'k'.repeat(32), ['2'.repeat(32)], 500);
    expect(count(fake.calls, 'openSession')).toBe(1);
    expect(count(fake.calls, 'listSessions')).toBe(0);
  });

  it('waits for a reload being read when the job ends during it', async () => {
    // The event's reload begins at 80 ms and is answered at 130 ms; the job ends at 100 ms.
    const fake = await startedStore(50);
    await finishJob(fake, 'j'.repeat(32), ['4'.repeat(32)], 100);
    expect(count(fake.calls, 'openSession')).toBe(1);
    expect(fake.store.getState().session?.timeline.selectedTakeId).toBe('4'.repeat(32));
  });

  it('shows what the job made: the new take is loaded and selected, and the sessions list is current', async () => {
    const fake = await startedStore();
    const id = '3'.repeat(32);
    await finishJob(fake, 'j'.repeat(32), [id], 0);
    const s = fake.store.getState();
    expect(s.session?.takes.map((t) => t.id)).toEqual([id]);
    expect(s.session?.timeline.selectedTakeId).toBe(id);
    // The open session's entry in the list comes from the reload (take count, automatic name).
    expect(s.sessions.find((x) => x.id === SESSION)).toMatchObject({ takeCount: 1, name: 'a dog barks' });
    expect(s.sessions.map((x) => x.id)).toEqual([SESSION, OTHER]);
    expect(count(fake.calls, 'saveTimeline')).toBe(1);
  });

  it('still lists every session when another session changes', async () => {
    const fake = await startedStore();
    fake.emit({ type: 'session', sessionId: OTHER, change: 'takes' });
    await vi.advanceTimersByTimeAsync(1000);
    expect(fake.calls).toEqual(['listSessions']);
  });
});
