// Shared by the studio and server tests: a studio on a temp data folder, a WebSocket client built
// on the same typed contract the renderer uses, and a wait for a job's end.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import type { JobInfo, StudioApi, StudioEvent } from '../../electron/common/api.js';
import { makeApi, type ResponseFrame, StudioCallError } from '../../electron/common/protocol.js';
import { createStudio, type Studio } from '../../electron/studio/studio.js';

/** A fresh temp folder. */
export function tempDir(prefix = 'agx-studio-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A studio on a temp data folder, with 2 engine threads so tests leave a core to the main thread. */
export function tempStudio(dataDir = tempDir()): Promise<Studio> {
  return createStudio({ dataDir, threads: 2 });
}

/** The StudioApi straight over a studio's handlers, through the same validating dispatch as every transport. */
export async function directApi(studio: Studio): Promise<StudioApi> {
  const { dispatch } = await import('../../electron/common/protocol.js');
  let id = 0;
  return makeApi(async (method, params) => {
    const r = await dispatch(studio.handlers, { id: ++id, method, params });
    if (!r.ok) throw new StudioCallError(r.error);
    return r.result;
  });
}

/** Resolves with a job's final state, from the studio's events. */
export function jobEnd(studio: Studio, jobId: string): Promise<JobInfo> {
  return new Promise((resolve) => {
    const off = studio.onEvent((e: StudioEvent) => {
      if (e.type === 'job' && e.job.id === jobId && ['done', 'failed', 'cancelled'].includes(e.job.state)) {
        off();
        resolve(e.job);
      }
    });
  });
}

/** A WebSocket client of `agx serve`: the typed API plus every event and raw frame received. */
export interface WsClient {
  api: StudioApi;
  events: StudioEvent[];
  /** Sends any text or bytes and resolves with the next response frame. */
  raw(data: string | Buffer): Promise<ResponseFrame>;
  close(): void;
}

/** Connects to ws://host/api?token=… ; rejects with the HTTP status when the upgrade is refused. */
export function connectWs(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers, maxPayload: 512 * 1024 * 1024 });
    const pending = new Map<number | string | null, (f: ResponseFrame) => void>();
    const rawWaiters: ((f: ResponseFrame) => void)[] = [];
    const events: StudioEvent[] = [];
    let id = 0;
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
    ws.on('message', (data) => {
      const frame = JSON.parse(data.toString());
      if (frame.event) {
        events.push(frame.event);
        return;
      }
      const waiter = pending.get(frame.id);
      if (waiter) {
        pending.delete(frame.id);
        waiter(frame);
      } else rawWaiters.shift()?.(frame);
    });
    ws.on('open', () =>
      resolve({
        api: makeApi(
          (method, params) =>
            new Promise((ok, fail) => {
              const myId = ++id;
              pending.set(myId, (f) => (f.ok ? ok(f.result) : fail(new StudioCallError(f.error))));
              ws.send(JSON.stringify({ id: myId, method, params }));
            }),
        ),
        events,
        raw: (data) =>
          new Promise((ok) => {
            rawWaiters.push(ok);
            ws.send(data);
          }),
        close: () => ws.close(),
      }),
    );
  });
}
