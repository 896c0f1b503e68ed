// The one place that knows how the renderer reaches the studio: Electron's preload bridge when it is
// there, else a WebSocket to the local server (browser mode). Either way the rest of the renderer sees
// the typed StudioApi built by makeApi, plus events and the connection state.
import type { StudioApi, StudioEvent } from '../../../electron/common/api';
import type { StudioBridge } from '../../../electron/common/bridge';
import { makeApi, StudioCallError, type ResponseFrame } from '../../../electron/common/protocol';

/** The Electron preload surface (its saveFile answers saved, cancelled or an error as data). */
export type RendererBridge = StudioBridge;

declare global {
  interface Window {
    studioBridge?: RendererBridge;
  }
}

/** Whether the studio can be reached right now. */
export interface ConnectionState {
  status: 'connecting' | 'open' | 'closed';
  /** Electron IPC or the browser-mode WebSocket. */
  mode: 'electron' | 'browser';
  /** When closed: milliseconds until the next try. */
  retryInMs: number | null;
  /** When closed: why, in words. */
  reason: string | null;
  /** When closed: the server answered but refused this page's token (a restarted `agx serve` has a new one). */
  tokenRefused?: boolean;
}

/**
 * Why studio actions are unavailable right now, in words for a disabled button's tooltip, or null
 * when connected. Jobs, buttons and the status bar all say the same thing.
 */
export function offlineReason(c: ConnectionState): string | null {
  if (c.status === 'open') return null;
  // Between retries the last close's reason still holds; only a first connection has none.
  if (c.reason === null) return 'Connecting to the studio…';
  return c.tokenRefused === true
    ? 'Not connected: the studio restarted with a new access token'
    : `Not connected: ${c.reason ?? 'the studio is not reachable'}`;
}

/** A connected StudioApi with its events. */
export interface StudioClient {
  api: StudioApi;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** Subscribes to connection changes (called at once with the current state). */
  onConnection(listener: (state: ConnectionState) => void): () => void;
}

const TOKEN_KEY = 'agx.token';

/**
 * The session token: the page URL's `token` parameter, remembered in sessionStorage so a reload
 * without it still works; the parameter is then dropped from the address bar so it is not shared by
 * accident.
 */
export function sessionToken(): string | null {
  const url = new URL(window.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl !== null && fromUrl !== '') {
    sessionStorage.setItem(TOKEN_KEY, fromUrl);
    url.searchParams.delete('token');
    window.history.replaceState(null, '', url.toString());
    return fromUrl;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

function fromFrame(frame: ResponseFrame): unknown {
  if (frame.ok) return frame.result;
  throw new StudioCallError(frame.error);
}

function electronClient(bridge: RendererBridge): StudioClient {
  const state: ConnectionState = { status: 'open', mode: 'electron', retryInMs: null, reason: null };
  return {
    api: makeApi(async (method, params) => fromFrame(await bridge.invoke(method, params))),
    onEvent: (listener) => bridge.onEvent(listener),
    onConnection(listener) {
      listener(state);
      return () => {};
    },
  };
}

interface Pending {
  resolve(v: unknown): void;
  reject(e: unknown): void;
}

const BACKOFF_MS = [250, 500, 1000, 2000, 4000, 5000];

const REFUSED = 'the studio refused this page (wrong or old access token: open the URL agx serve printed)';

/**
 * Why the socket closed, in words. A browser does not show a refused WebSocket handshake's HTTP
 * status, so a plain request to the same path tells a server that refuses this page's token (a
 * restarted `agx serve` has a new one) from one that is not there.
 */
async function closeReason(code: number): Promise<string> {
  if (code === 4401 || code === 1008) return REFUSED;
  try {
    const res = await fetch('/api', { cache: 'no-store', credentials: 'same-origin' });
    return res.status === 401 ? REFUSED : 'the studio is not reachable';
  } catch {
    return 'the studio is not reachable';
  }
}

function browserClient(): StudioClient {
  const token = sessionToken();
  const eventListeners = new Set<(e: StudioEvent) => void>();
  const connListeners = new Set<(s: ConnectionState) => void>();
  const pending = new Map<number, Pending>();
  let queue: string[] = [];
  let nextId = 1;
  let attempt = 0;
  let socket: WebSocket | null = null;
  let state: ConnectionState = { status: 'connecting', mode: 'browser', retryInMs: null, reason: null };

  const setState = (s: ConnectionState): void => {
    state = s;
    for (const l of connListeners) l(s);
  };

  const connect = (): void => {
    setState({ status: 'connecting', mode: 'browser', retryInMs: null, reason: state.reason, tokenRefused: state.tokenRefused });
    const proto = window.location.protocol === 'https:' ? 'wss' : 'ws';
    const ws = new WebSocket(`${proto}://${window.location.host}/api?token=${encodeURIComponent(token ?? '')}`);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      setState({ status: 'open', mode: 'browser', retryInMs: null, reason: null });
      const q = queue;
      queue = [];
      for (const text of q) ws.send(text);
    };
    ws.onmessage = (msg) => {
      if (typeof msg.data !== 'string') return;
      let frame: unknown;
      try {
        frame = JSON.parse(msg.data);
      } catch {
        return;
      }
      if (frame !== null && typeof frame === 'object' && 'event' in frame) {
        for (const l of eventListeners) l((frame as { event: StudioEvent }).event);
        return;
      }
      const f = frame as ResponseFrame;
      if (typeof f.id !== 'number') return;
      const p = pending.get(f.id);
      if (p === undefined) return;
      pending.delete(f.id);
      try {
        p.resolve(fromFrame(f));
      } catch (err) {
        p.reject(err);
      }
    };
    ws.onclose = (ev) => {
      socket = null;
      // Calls in flight are lost with the socket: fail them loudly rather than hang.
      for (const p of pending.values())
        p.reject(new StudioCallError({ code: 'io_error', message: 'the connection to the studio was lost; try again', expected: true }));
      pending.clear();
      const delay = BACKOFF_MS[Math.min(attempt, BACKOFF_MS.length - 1)]!;
      attempt++;
      void closeReason(ev.code).then((reason) => {
        setState({ status: 'closed', mode: 'browser', retryInMs: delay, reason, tokenRefused: reason === REFUSED });
        window.setTimeout(connect, delay);
      });
    };
  };
  connect();

  return {
    api: makeApi(
      (method, params) =>
        new Promise((resolve, reject) => {
          // While closed a call would wait for a server that may never take this page again: fail now, saying why.
          if (state.status === 'closed') {
            reject(new StudioCallError({ code: 'io_error', message: offlineReason(state)!, expected: true }));
            return;
          }
          const id = nextId++;
          pending.set(id, { resolve, reject });
          const text = JSON.stringify({ id, method, params });
          if (socket !== null && socket.readyState === WebSocket.OPEN) socket.send(text);
          else queue.push(text);
        }),
    ),
    onEvent(listener) {
      eventListeners.add(listener);
      return () => eventListeners.delete(listener);
    },
    onConnection(listener) {
      connListeners.add(listener);
      listener(state);
      return () => connListeners.delete(listener);
    },
  };
}

/** The client for this window: Electron's bridge when present, else browser mode. */
export function createClient(): StudioClient {
  return window.studioBridge !== undefined ? electronClient(window.studioBridge) : browserClient();
}
