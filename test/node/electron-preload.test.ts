// The preload's bridge: what it sends over IPC, that every promise resolves with data, that listeners
// never see the IpcRendererEvent, and that preload.ts exposes the bridge and nothing else.
import { describe, expect, it, vi } from 'vitest';
import { IPC_CALL, IPC_EVENT, IPC_MENU, IPC_SAVE_FILE } from '../../electron/common/bridge.js';
import { makeBridge, type IpcLike } from '../../electron/preload/make-bridge.js';

const exposed = vi.hoisted(() => ({ calls: [] as [string, unknown][] }));
const ipcRendererStandIn = vi.hoisted(() => ({
  invoke: async () => ({}),
  on: () => {},
  removeListener: () => {},
  send: () => {},
  sendSync: () => {},
}));
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.calls.push([key, api]) },
  ipcRenderer: ipcRendererStandIn,
}));

/** An ipcRenderer stand-in that records invokes and lets a test push main -> renderer messages. */
function recordingIpc(answer: (channel: string, args: unknown[]) => Promise<unknown>) {
  const invoked: [string, unknown[]][] = [];
  const listeners = new Map<string, Set<(event: unknown, ...args: unknown[]) => void>>();
  const ipc: IpcLike = {
    invoke: (channel, ...args) => {
      invoked.push([channel, args]);
      return answer(channel, args);
    },
    on: (channel, fn) => listeners.set(channel, (listeners.get(channel) ?? new Set()).add(fn)),
    removeListener: (channel, fn) => listeners.get(channel)?.delete(fn),
  };
  const push = (channel: string, value: unknown) => {
    for (const fn of listeners.get(channel) ?? []) fn({ sender: 'the ipcRenderer itself' }, value);
  };
  return { ipc, invoked, push, listeners };
}

describe('the bridge', () => {
  it('sends calls on the call channel and returns the response frame', async () => {
    const { ipc, invoked } = recordingIpc(async () => ({ id: 0, ok: true, result: [] }));
    const bridge = makeBridge(ipc);
    await expect(bridge.invoke('listSessions', undefined)).resolves.toEqual({ id: 0, ok: true, result: [] });
    expect(invoked).toEqual([[IPC_CALL, ['listSessions', {}]]]);
  });

  it('turns a transport failure into an error frame instead of rejecting', async () => {
    const { ipc } = recordingIpc(async () => {
      throw new Error('An object could not be cloned.');
    });
    const frame = await makeBridge(ipc).invoke('generate', { fn: () => 1 });
    expect(frame.ok).toBe(false);
    expect(frame.ok === false && frame.error.code).toBe('bad_request');
    expect(await makeBridge(ipc).invoke(42 as unknown as string, {})).toMatchObject({ ok: false });
  });

  it('hands listeners the event payload only, and unsubscribes', () => {
    const { ipc, push, listeners } = recordingIpc(async () => null);
    const bridge = makeBridge(ipc);
    const seen: unknown[] = [];
    const stop = bridge.onEvent((e) => seen.push(e));
    const event = { type: 'session', sessionId: 's1', change: 'takes' };
    push(IPC_EVENT, event);
    expect(seen).toEqual([event]);
    stop();
    expect(listeners.get(IPC_EVENT)?.size).toBe(0);
    push(IPC_EVENT, event);
    expect(seen).toHaveLength(1);
  });

  it('passes only known menu commands', () => {
    const { ipc, push } = recordingIpc(async () => null);
    const seen: string[] = [];
    makeBridge(ipc).onMenu((c) => seen.push(c));
    for (const c of ['undo', 'format-disk', 'export', { toString: () => 'redo' }]) push(IPC_MENU, c);
    expect(seen).toEqual(['undo', 'export']);
  });

  it('saves through the save channel and never rejects', async () => {
    const file = { fileName: 'a.wav', mimeType: 'audio/wav', dataBase64: 'UklGRg==' };
    const ok = recordingIpc(async () => ({ saved: true, path: '/x/a.wav' }));
    await expect(makeBridge(ok.ipc).saveFile(file)).resolves.toEqual({ saved: true, path: '/x/a.wav' });
    expect(ok.invoked).toEqual([[IPC_SAVE_FILE, [file]]]);
    const broken = recordingIpc(async () => {
      throw new Error('boom');
    });
    expect((await makeBridge(broken.ipc).saveFile(file)).saved).toBe(false);
  });
});

describe('preload.ts', () => {
  it('exposes window.studioBridge with the four bridge functions and no Electron object', async () => {
    await import('../../electron/preload/preload.js');
    expect(exposed.calls).toHaveLength(1);
    const [key, api] = exposed.calls[0]!;
    expect(key).toBe('studioBridge');
    expect(Object.keys(api as object).sort()).toEqual(['invoke', 'onEvent', 'onMenu', 'saveFile']);
    for (const value of Object.values(api as object)) {
      expect(typeof value).toBe('function');
      expect(value).not.toBe(ipcRendererStandIn);
    }
  });
});
