// Electron's main process: one instance, one hardened window on agx://app, the studio service behind
// IPC, the menu and the save dialog. Decisions live in policy.ts, ipc.ts, window.ts and menu.ts; this
// file only wires them to Electron's lifecycle.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, Menu, session, shell } from 'electron';
import { IPC_MENU, type MenuCommand } from '../common/bridge.js';
import { parseDevice } from '../engine/onnx/providers.js';
import { PRODUCT_NAME, resolveDataDir } from '../store/data-dir.js';
import { createStudio, type Studio } from '../studio/studio.js';
import { forwardStudioEvents, registerStudioIpc } from './ipc.js';
import { buildMenuTemplate } from './menu.js';
import { appPaths, chooseDataDir, isAppUrl, packagedModelDir, parseMainArgs } from './policy.js';
import { createStudioWindow, hardenSession, hardenWebContents, registerAppScheme } from './window.js';

let mainWindow: BrowserWindow | null = null;
const getWindow = (): BrowserWindow | null => (mainWindow !== null && !mainWindow.isDestroyed() ? mainWindow : null);

function sendMenuCommand(command: MenuCommand): void {
  const contents = getWindow()?.webContents;
  if (contents !== undefined && isAppUrl(contents.getURL())) contents.send(IPC_MENU, command);
}

function openWindow(preload: string): void {
  mainWindow = createStudioWindow({ preload, devTools: !app.isPackaged });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

async function start(): Promise<void> {
  // Every renderer sandboxed, whatever its webPreferences say.
  app.enableSandbox();
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents));
  app.on('second-instance', () => {
    const win = getWindow();
    if (win === null) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });

  await app.whenReady();
  const args = parseMainArgs(process.argv);
  const { preload, rendererRoot } = appPaths(dirname(fileURLToPath(import.meta.url)));
  hardenSession(session.defaultSession, rendererRoot);

  const dataDir = chooseDataDir(args.dataDir, process.env, app.getPath('userData'), resolveDataDir);
  // Packaged, the embedded bundle is an extraResource outside app.asar (onnxruntime reads it by path).
  const model = args.model ?? (app.isPackaged ? packagedModelDir(process.resourcesPath) : undefined);
  let studio: Studio;
  try {
    studio = await createStudio({
      dataDir,
      version: app.getVersion(),
      ...(model !== undefined ? { model } : {}),
      ...(args.threads !== undefined ? { threads: args.threads } : {}),
      device: parseDevice(args.device),
    });
  } catch (err) {
    dialog.showErrorBox('AudioGenX Studio could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
    return;
  }

  const unregisterIpc = registerStudioIpc({ handlers: studio.handlers, getWindow, defaultSaveDir: () => app.getPath('documents') });
  const stopEvents = forwardStudioEvents((listener) => studio.onEvent(listener), getWindow);
  const template = buildMenuTemplate({
    platform: process.platform,
    isPackaged: app.isPackaged,
    actions: {
      send: sendMenuCommand,
      about: () => {
        const win = getWindow();
        const options = {
          type: 'info' as const,
          title: 'About AudioGenX Studio',
          message: `AudioGenX Studio ${app.getVersion()}`,
          detail: `Electron ${process.versions.electron}\nData folder: ${dataDir}`,
        };
        void (win !== null ? dialog.showMessageBox(win, options) : dialog.showMessageBox(options));
      },
      openDataDir: () => void shell.openPath(dataDir),
    },
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  openWindow(preload);

  app.on('activate', () => {
    if (getWindow() === null) openWindow(preload);
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  // Close the studio (store, engine worker) before quitting; quit again once it is closed.
  let closed = false;
  let closing = false;
  app.on('before-quit', (event) => {
    if (closed) return;
    event.preventDefault();
    if (closing) return;
    closing = true;
    stopEvents();
    unregisterIpc();
    studio
      .close()
      .catch((err: unknown) => console.error('studio: close failed:', err))
      .finally(() => {
        closed = true;
        app.quit();
      });
  });
}

// userData follows the product name, not package.json's "name", so the app, the CLI and `agx serve`
// share one default store (electron/store/data-dir.ts computes the same folder). Set before the
// single-instance lock, which is keyed on it.
app.setPath('userData', join(app.getPath('appData'), PRODUCT_NAME));
registerAppScheme();
if (!app.requestSingleInstanceLock()) {
  // Another instance owns the data folder; it gets focused through its second-instance event.
  app.quit();
} else {
  start().catch((err: unknown) => {
    console.error(err);
    app.exit(1);
  });
}
