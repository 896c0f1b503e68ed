// The application menu as a plain template. Commands that act on the session (new, export, undo,
// redo) go to the renderer, which owns the session and its undo stack; Undo/Redo show their shortcuts
// without registering them, so the keys reach the renderer (text fields keep their own undo).
import type { MenuItemConstructorOptions } from 'electron';
import type { MenuCommand } from '../common/bridge.js';

/** What the menu needs from the app. */
export interface MenuActions {
  /** Sends a command to the renderer. */
  send(command: MenuCommand): void;
  /** Shows the About box. */
  about(): void;
  /** Opens the data folder in the file manager. */
  openDataDir(): void;
}

/** The menu template for a platform; developer tools only in unpackaged builds. */
export function buildMenuTemplate(opts: {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  actions: MenuActions;
}): MenuItemConstructorOptions[] {
  const { actions } = opts;
  const mac = opts.platform === 'darwin';
  const template: MenuItemConstructorOptions[] = [];
  if (mac) template.push({ role: 'appMenu' });
  template.push({
    label: 'File',
    submenu: [
      { label: 'New Session', accelerator: 'CmdOrCtrl+N', click: () => actions.send('new-session') },
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => actions.send('export') },
      { type: 'separator' },
      { label: 'Open Data Folder', click: () => actions.openDataDir() },
      { type: 'separator' },
      mac ? { role: 'close' } : { role: 'quit' },
    ],
  });
  template.push({
    label: 'Edit',
    submenu: [
      { label: 'Undo', accelerator: 'CmdOrCtrl+Z', registerAccelerator: false, click: () => actions.send('undo') },
      { label: 'Redo', accelerator: 'CmdOrCtrl+Shift+Z', registerAccelerator: false, click: () => actions.send('redo') },
      { type: 'separator' },
      { role: 'cut' },
      { role: 'copy' },
      { role: 'paste' },
      { role: 'selectAll' },
    ],
  });
  const view: MenuItemConstructorOptions[] = [
    { role: 'resetZoom' },
    { role: 'zoomIn' },
    { role: 'zoomOut' },
    { type: 'separator' },
    { role: 'togglefullscreen' },
  ];
  if (!opts.isPackaged) view.push({ type: 'separator' }, { role: 'reload' }, { role: 'toggleDevTools' });
  template.push({ label: 'View', submenu: view });
  template.push({ role: 'help', submenu: [{ label: 'About AudioGenX Studio', click: () => actions.about() }] });
  return template;
}
