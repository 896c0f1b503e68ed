// The sandboxed preload: exposes window.studioBridge (see electron/common/bridge.ts) and nothing else.
// Bundled to CommonJS by vite.preload.config.ts, since a sandboxed preload cannot be an ES module.
import { contextBridge, ipcRenderer } from 'electron';
import { makeBridge } from './make-bridge.js';

contextBridge.exposeInMainWorld('studioBridge', makeBridge(ipcRenderer));
