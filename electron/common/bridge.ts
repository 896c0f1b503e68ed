// What Electron's preload exposes to the renderer (as window.studioBridge), and nothing more: one
// call entry point that answers with a response frame (errors as data), and an event subscription.
import type { StudioEvent } from './api.js';
import type { ResponseFrame } from './protocol.js';

/** The IPC channel names, shared by main and preload. */
export const IPC_CALL = 'studio:call';
export const IPC_EVENT = 'studio:event';

/** The preload's surface. */
export interface StudioBridge {
  /** Sends one call; resolves with its response frame (never rejects for a studio error). */
  invoke(method: string, params: unknown): Promise<ResponseFrame>;
  /** Subscribes to pushed events; returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
}
