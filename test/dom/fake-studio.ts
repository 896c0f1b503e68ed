// The renderer's StudioStore over a fake StudioApi, for DOM tests: each call answers from a table (a
// started job for anything else, or an error when `strict`), every call is recorded, and the test
// drives the studio's events and the connection. Tests that render components mock the audio player
// first (vi.mock hoists above this module's dynamic import of the store).
import { expect, vi } from 'vitest';
import type { StudioEvent } from '../../electron/common/api';
import type { ConnectionState, StudioClient } from '../../renderer/src/api/client';
import type { StudioStore } from '../../renderer/src/state/store';

/** A browser-mode connection that is up. */
export const OPEN: ConnectionState = { status: 'open', mode: 'browser', retryInMs: null, reason: null };

/** getInfo's answer with no model details; tests that need the model pass their own. */
export const INFO = { version: '0', provider: 'cpu', model: {}, methods: [], dataDir: '/tmp', storeError: null };

export interface FakeStudio {
  store: StudioStore;
  /** Every call the store made, in order, with its params. */
  calls: [string, unknown][];
  /** Delivers a studio event to the store. */
  emit(event: StudioEvent): void;
  /** Changes the connection the store sees. */
  setConnection(state: ConnectionState): void;
}

export interface FakeStudioOptions {
  /** Answers by call name; getInfo, listJobs and listSessions have empty defaults. */
  answers?: Record<string, (params: unknown) => unknown>;
  /** Throw for a call the table does not answer, instead of answering it as a started job. */
  strict?: boolean;
}

/** Starts a StudioStore (installed as the app's store) over the fake API and waits until it is ready. */
export async function startFakeStudio(options: FakeStudioOptions = {}): Promise<FakeStudio> {
  const { StudioStore, installStore } = await import('../../renderer/src/state/store');
  const answers: Record<string, (params: unknown) => unknown> = {
    getInfo: () => INFO,
    listJobs: () => [],
    listSessions: () => ({ sessions: [], lastOpenedId: null }),
    ...options.answers,
  };
  const calls: [string, unknown][] = [];
  let emit: (e: StudioEvent) => void = () => {};
  let setConnection: (c: ConnectionState) => void = () => {};
  const api = new Proxy({} as StudioClient['api'], {
    get: (_t, name: string) => async (params: unknown) => {
      calls.push([name, params]);
      const answer = answers[name];
      if (answer !== undefined) return answer(params);
      if (options.strict === true) throw new Error(`the fake studio has no ${name}`);
      return { jobId: 'k'.repeat(32) };
    },
  });
  const store = new StudioStore({
    api,
    onEvent(listener) {
      emit = listener;
      return () => {};
    },
    onConnection(listener) {
      setConnection = listener;
      listener(OPEN);
      return () => {};
    },
  });
  installStore(store);
  store.start();
  await vi.waitFor(() => expect(store.getState().ready).toBe(true));
  return { store, calls, emit: (e) => emit(e), setConnection: (c) => setConnection(c) };
}
