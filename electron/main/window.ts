// The studio window and everything that hardens it: the agx:// scheme serving the built renderer,
// the session's CSP and permission handlers, and the navigation / window-open / webview guards that
// every webContents gets.
import { readFile, realpath } from 'node:fs/promises';
import { BrowserWindow, protocol, type Session, type WebContents } from 'electron';
import {
  APP_ENTRY_URL,
  APP_SCHEME,
  appResponseHeaders,
  isInside,
  isNavigationAllowed,
  isPermissionGranted,
  resolveAppAsset,
  secureWebPreferences,
  withCspHeader,
} from './policy.js';

/**
 * Declares agx:// a standard, secure scheme. Must run before the app is ready. No bypassCSP and no
 * CORS grant: the scheme gets exactly what an https origin would, so the CSP and same-origin rules hold.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
  ]);
}

function notFound(): Response {
  return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
}

/** Answers one agx:// request from the renderer folder: GET/HEAD of a file inside it, else 404/405. */
export async function serveAppRequest(rendererRoot: string, request: Request): Promise<Response> {
  if (request.method !== 'GET' && request.method !== 'HEAD') return new Response('method not allowed', { status: 405 });
  const path = resolveAppAsset(rendererRoot, request.url);
  if (path === null) return notFound();
  try {
    // A symlink inside the folder must not lead out of it.
    const [root, real] = await Promise.all([realpath(rendererRoot), realpath(path)]);
    if (!isInside(root, real)) return notFound();
    const body = await readFile(real);
    return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: appResponseHeaders(real) });
  } catch {
    return notFound();
  }
}

/**
 * Serves the app from `rendererRoot` over agx:// in this session, adds the CSP header to every
 * response, and denies every permission request and check.
 */
export function hardenSession(ses: Session, rendererRoot: string): void {
  ses.protocol.handle(APP_SCHEME, (request) => serveAppRequest(rendererRoot, request));
  ses.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withCspHeader(details.responseHeaders) }));
  ses.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionGranted(permission)));
  ses.setPermissionCheckHandler((_contents, permission) => isPermissionGranted(permission));
  ses.setDevicePermissionHandler(() => false);
}

/** Guards one webContents: no navigation away from the app, no new windows, no <webview>. */
export function hardenWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-redirect', (event, url) => {
    if (!isNavigationAllowed(url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
}

/** Opens the studio window on the app's entry page. */
export function createStudioWindow(opts: { preload: string; devTools: boolean }): BrowserWindow {
  const win = new BrowserWindow({
    width: 1440,
    height: 900,
    minWidth: 960,
    minHeight: 600,
    show: false,
    title: 'AudioGenX Studio',
    backgroundColor: '#1b1c20',
    webPreferences: { ...secureWebPreferences(opts.preload), devTools: opts.devTools },
  });
  // Guarded here as well as in web-contents-created, so a window made some other way is never unguarded.
  hardenWebContents(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(APP_ENTRY_URL);
  return win;
}
