// What Electron's preload exposes to the renderer (as window.studioBridge), and nothing more: one
// call entry point that answers with a response frame (errors as data), an event subscription, the
// save dialog for exports, and the application menu's commands.
import type { ExportFile, StudioEvent } from './api.js';
import type { ErrorData } from './errors.js';
import type { ResponseFrame } from './protocol.js';

/** The IPC channel names, shared by main and preload. */
export const IPC_CALL = 'studio:call';
export const IPC_EVENT = 'studio:event';
/** Renderer -> main: save an ExportFile through the native save dialog. */
export const IPC_SAVE_FILE = 'studio:save-file';
/** Main -> renderer: a menu item the renderer carries out (it owns the session and the undo stack). */
export const IPC_MENU = 'studio:menu';

/** Commands the application menu sends to the renderer. */
export const MENU_COMMANDS = ['new-session', 'export', 'undo', 'redo'] as const;
/** One menu command. */
export type MenuCommand = (typeof MENU_COMMANDS)[number];

/** What a save through the dialog came to: saved with its path, cancelled (saved false), or an error as data. */
export interface SaveFileResult {
  /** True when the file was written. */
  saved: boolean;
  /** Where it was written. */
  path?: string;
  /** Why it was not (absent when the user cancelled). */
  error?: ErrorData;
}

/** The preload's surface. */
export interface StudioBridge {
  /** Sends one call; resolves with its response frame (never rejects for a studio error). */
  invoke(method: string, params: unknown): Promise<ResponseFrame>;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** Offers an exported file in the native save dialog and writes it where the user chose (never rejects). */
  saveFile(file: ExportFile): Promise<SaveFileResult>;
  /** Subscribes to application-menu commands; returns the unsubscribe function. */
  onMenu(listener: (command: MenuCommand) => void): () => void;
}
