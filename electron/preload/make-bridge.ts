// The StudioBridge over an ipcRenderer. Kept apart from preload.ts so tests build it from a stand-in
// ipcRenderer; the renderer only ever sees these four functions, never ipcRenderer or its events.
import type { ExportFile, StudioEvent } from '../common/api.js';
import {
  IPC_CALL,
  IPC_EVENT,
  IPC_MENU,
  IPC_SAVE_FILE,
  MENU_COMMANDS,
  type MenuCommand,
  type SaveFileResult,
  type StudioBridge,
} from '../common/bridge.js';
import type { ResponseFrame } from '../common/protocol.js';

/** The slice of ipcRenderer the bridge uses. */
export interface IpcLike {
  /** Request/response to main. */
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  /** Adds a listener for a main -> renderer channel. */
  on(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
  /** Removes it. */
  removeListener(channel: string, listener: (event: unknown, ...args: unknown[]) => void): unknown;
}

function failure(message: string): ResponseFrame {
  return { id: 0, ok: false, error: { code: 'bad_request', message, expected: true } };
}

/** Builds the bridge; every promise resolves (transport failures become error data). */
export function makeBridge(ipc: IpcLike): StudioBridge {
  const subscribe = <T>(channel: string, accept: (value: unknown) => value is T, listener: (value: T) => void): (() => void) => {
    // The IpcRendererEvent stays here: handing it to the page would hand over ipcRenderer itself.
    const handler = (_event: unknown, value: unknown): void => {
      if (accept(value)) listener(value);
    };
    ipc.on(channel, handler);
    return () => void ipc.removeListener(channel, handler);
  };
  return {
    invoke: async (method: string, params: unknown): Promise<ResponseFrame> => {
      if (typeof method !== 'string') return failure('malformed request: method must be a string');
      try {
        return (await ipc.invoke(IPC_CALL, method, params ?? {})) as ResponseFrame;
      } catch (err) {
        // Structured clone refuses functions, DOM nodes and the like: that is the caller's mistake.
        return failure(`${method}: the parameters cannot be sent (${err instanceof Error ? err.message : String(err)})`);
      }
    },
    onEvent: (listener: (event: StudioEvent) => void) =>
      subscribe(IPC_EVENT, (v): v is StudioEvent => typeof v === 'object' && v !== null, listener),
    saveFile: async (file: ExportFile): Promise<SaveFileResult> => {
      try {
        return (await ipc.invoke(IPC_SAVE_FILE, file)) as SaveFileResult;
      } catch (err) {
        return {
          saved: false,
          error: { code: 'bad_request', message: `saveFile: ${err instanceof Error ? err.message : String(err)}`, expected: true },
        };
      }
    },
    onMenu: (listener: (command: MenuCommand) => void) =>
      subscribe(IPC_MENU, (v): v is MenuCommand => (MENU_COMMANDS as readonly unknown[]).includes(v), listener),
  };
}
