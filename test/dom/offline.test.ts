// The studio going away (issue 15, item 5): running jobs stop claiming progress, the live lane stops
// saying "live", actions are disabled with the reason, and a restarted `agx serve` (new token) gets a
// banner that says how to reconnect. The renderer store with a fake StudioApi; components rendered to
// markup.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { JobInfo } from '../../electron/common/api';
import type { ConnectionState } from '../../renderer/src/api/client';
import { startFakeStudio } from './fake-studio';

vi.mock('../../renderer/src/audio/player', () => ({
  audioOut: { stop: () => {}, load: () => {}, has: () => false, play: async () => {} },
}));

const LOST: ConnectionState = { status: 'closed', mode: 'browser', retryInMs: 2000, reason: 'the studio is not reachable' };
const REFUSED: ConnectionState = {
  status: 'closed',
  mode: 'browser',
  retryInMs: 5000,
  reason: 'the studio refused this page',
  tokenRefused: true,
};

const running: JobInfo = {
  id: 'j'.repeat(32),
  kind: 'explain',
  sessionId: null,
  label: 'Explain Take 1 with AudioGenX',
  state: 'running',
  progress: 0.22,
  etaSec: 7,
  queuedAt: '2025-01-01T00:00:00.000Z',
  startedAt: '2025-01-01T00:00:00.000Z',
  finishedAt: null,
  error: null,
  result: null,
};

async function studio() {
  const { store, setConnection, emit } = await startFakeStudio({ answers: { listJobs: () => [running] }, strict: true });
  return { store, setConn: setConnection, emit };
}

describe('disconnected studio', () => {
  beforeEach(() => {
    vi.stubGlobal('window', Object.assign(globalThis, { location: { href: 'http://127.0.0.1:4000/' } }));
  });
  afterEach(() => vi.unstubAllGlobals());

  it('shows every running job as disconnected, with Cancel disabled and the reason', async () => {
    const { JobsBar } = await import('../../renderer/src/components/JobsBar');
    const { setConn } = await studio();
    expect(renderToStaticMarkup(createElement(JobsBar))).toContain('22% · 7 s left');
    setConn(LOST);
    const html = renderToStaticMarkup(createElement(JobsBar));
    expect(html).not.toContain('s left');
    expect(html).toContain('disconnected at 22%');
    expect(html).toMatch(/<button[^>]*disabled=""[^>]*title="Not connected: the studio is not reachable"[^>]*>Cancel/);
    // No frozen bar: the progress element has no value while nothing is known.
    expect(html).toMatch(/<progress max="1" aria-label="[^"]+ progress"><\/progress>/);
  });

  it('drops live masks when the connection goes, so no lane says "explaining… (live)"', async () => {
    const { store, setConn, emit } = await studio();
    emit({ type: 'partial', jobId: running.id, takeId: 't'.repeat(32), mask: [[0.5]] });
    expect(Object.keys(store.getState().partial)).toHaveLength(1);
    setConn(LOST);
    expect(store.getState().partial).toEqual({});
  });

  it('disables Generate with the reason', async () => {
    const { PromptBar } = await import('../../renderer/src/components/PromptBar');
    const { setConn } = await studio();
    setConn(LOST);
    expect(renderToStaticMarkup(createElement(PromptBar))).toMatch(
      /<button type="submit"[^>]*disabled=""[^>]*title="Not connected: the studio is not reachable"[^>]*>Generate/,
    );
  });

  it('after a restart on a new token, says how to reconnect and offers to paste the new address', async () => {
    const { Alerts } = await import('../../renderer/src/components/Alerts');
    const { setConn } = await studio();
    setConn(LOST);
    expect(renderToStaticMarkup(createElement(Alerts))).toContain('Not connected to the studio');
    setConn(REFUSED);
    const html = renderToStaticMarkup(createElement(Alerts));
    expect(html).toContain('restarted with a new access token');
    expect(html).toContain('aria-label="New studio address"');
  });

  it('reads the pasted address: the whole URL or just its token', async () => {
    const { reconnectUrl } = await import('../../renderer/src/components/Alerts');
    const here = 'http://127.0.0.1:4000/';
    expect(reconnectUrl('http://127.0.0.1:4000/?token=abc123', here)).toBe('http://127.0.0.1:4000/?token=abc123');
    expect(reconnectUrl('  abc_123-x ', here)).toBe('http://127.0.0.1:4000/?token=abc_123-x');
    expect(reconnectUrl('http://127.0.0.1:4000/', here)).toBeNull();
    expect(reconnectUrl('javascript:alert(1)?token=x', here)).toBeNull();
    expect(reconnectUrl('', here)).toBeNull();
  });
});
