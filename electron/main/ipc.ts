// The studio's IPC front door: every call is checked for its sender, validated by the contract's one
// dispatch, and answered with a response frame (errors as data: nothing throws across IPC). Events go
// to the main window only while it shows the app's own page.
import { join } from 'node:path';
import { dialog, ipcMain, type BrowserWindow, type IpcMainInvokeEvent, type SaveDialogOptions, type SaveDialogReturnValue } from 'electron';
import type { StudioEvent, StudioHandlers } from '../common/api.js';
import { base64ToBytes } from '../common/base64.js';
import { IPC_CALL, IPC_EVENT, IPC_SAVE_FILE, type SaveFileResult } from '../common/bridge.js';
import { AgxError, toErrorData } from '../common/errors.js';
import { describeIssue, dispatch, type ResponseFrame } from '../common/protocol.js';
import { writeFileAtomic } from '../engine/io/atomic-write.js';
import { isAppUrl, isTrustedSender, safeFileName, saveDialogFilters, SaveFileRequestSchema } from './policy.js';

/** Returns the studio window, or null while there is none. */
export type WindowGetter = () => BrowserWindow | null;

/** The frame a refused call gets. */
export function unauthorizedFrame(): ResponseFrame {
  return { id: 0, ok: false, error: new AgxError('unauthorized', 'this frame may not call the studio').toData() };
}

/** Whether an invoke event comes from the studio window's own top frame. */
export function isFromStudioWindow(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, win: BrowserWindow | null): boolean {
  if (win === null || win.isDestroyed()) return false;
  if (event.sender.id !== win.webContents.id) return false;
  return isTrustedSender(event.senderFrame, win.webContents.mainFrame);
}

/** Handles one IPC_CALL: sender check, then the contract's dispatch (which validates method and params). */
export async function handleStudioCall(
  handlers: StudioHandlers,
  event: IpcMainInvokeEvent,
  method: unknown,
  params: unknown,
  getWindow: WindowGetter,
): Promise<ResponseFrame> {
  if (!isFromStudioWindow(event, getWindow())) return unauthorizedFrame();
  return dispatch(handlers, { id: 0, method, params });
}

/** The native pieces a save needs, injectable so the decision logic is tested without a dialog. */
export interface SaveDeps {
  /** Shows the save dialog attached to the window. */
  showSaveDialog: (win: BrowserWindow, options: SaveDialogOptions) => Promise<SaveDialogReturnValue>;
  /** Writes the bytes. */
  writeFile: (path: string, data: Uint8Array) => Promise<void>;
  /** Folder the dialog opens in. */
  defaultDir: () => string;
}

/** Handles one IPC_SAVE_FILE: sender check, schema, base64, dialog, write; every failure is data. */
export async function handleSaveFile(
  event: IpcMainInvokeEvent,
  raw: unknown,
  getWindow: WindowGetter,
  deps: SaveDeps,
): Promise<SaveFileResult> {
  const win = getWindow();
  if (win === null || !isFromStudioWindow(event, win))
    return { saved: false, error: new AgxError('unauthorized', 'this frame may not save files').toData() };
  const parsed = SaveFileRequestSchema.safeParse(raw);
  if (!parsed.success) return { saved: false, error: new AgxError('bad_request', `saveFile: ${describeIssue(parsed.error)}`).toData() };
  let bytes: Uint8Array;
  try {
    bytes = base64ToBytes(parsed.data.dataBase64);
  } catch {
    return { saved: false, error: new AgxError('bad_request', 'saveFile: dataBase64 is not valid base64').toData() };
  }
  const name = safeFileName(parsed.data.fileName);
  try {
    const choice = await deps.showSaveDialog(win, {
      title: 'Export',
      defaultPath: join(deps.defaultDir(), name),
      filters: saveDialogFilters(name),
      properties: ['createDirectory', 'showOverwriteConfirmation'],
    });
    if (choice.canceled || choice.filePath === undefined || choice.filePath === '') return { saved: false };
    await deps.writeFile(choice.filePath, bytes);
    return { saved: true, path: choice.filePath };
  } catch (err) {
    const data = toErrorData(err);
    return {
      saved: false,
      error:
        data.code === 'internal'
          ? { code: 'io_error', message: `could not save the file: ${err instanceof Error ? err.message : String(err)}`, expected: true }
          : data,
    };
  }
}

/** Registers the studio's IPC handlers; returns a function that removes them. */
export function registerStudioIpc(opts: { handlers: StudioHandlers; getWindow: WindowGetter; defaultSaveDir: () => string }): () => void {
  const deps: SaveDeps = {
    showSaveDialog: (win, options) => dialog.showSaveDialog(win, options),
    // Atomic, so a full disk or a crash mid-save never leaves a torn file where the user's was.
    writeFile: async (path, data) => writeFileAtomic(path, data),
    defaultDir: opts.defaultSaveDir,
  };
  ipcMain.handle(IPC_CALL, (event, method: unknown, params: unknown) =>
    handleStudioCall(opts.handlers, event, method, params, opts.getWindow),
  );
  ipcMain.handle(IPC_SAVE_FILE, (event, file: unknown) => handleSaveFile(event, file, opts.getWindow, deps));
  return () => {
    ipcMain.removeHandler(IPC_CALL);
    ipcMain.removeHandler(IPC_SAVE_FILE);
  };
}

/** Sends studio events to the window, only while it shows the app's own page; returns the unsubscribe. */
export function forwardStudioEvents(onEvent: (listener: (e: StudioEvent) => void) => () => void, getWindow: WindowGetter): () => void {
  return onEvent((event) => {
    const win = getWindow();
    if (win === null || win.isDestroyed()) return;
    const contents = win.webContents;
    if (contents.isDestroyed() || !isAppUrl(contents.getURL())) return;
    contents.send(IPC_EVENT, event);
  });
}
