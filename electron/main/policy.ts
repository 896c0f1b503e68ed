// The main process's security and path decisions as pure functions, so tests check them without
// Electron: which URLs are the app's own, which frame may call the studio, the CSP, the window's
// webPreferences, how an agx:// URL maps to a file, and how the command line picks folders.
import { basename, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { z } from 'zod';
import { ExportFileSchema } from '../common/api.js';
import { MAX_FRAME_BYTES } from '../common/protocol.js';

/** The renderer's scheme. A privileged custom scheme instead of file:// (see docs/security.md, item 18). */
export const APP_SCHEME = 'agx';
/** The one host the scheme serves. */
export const APP_HOST = 'app';
/** The app's origin as Chromium reports it for a standard scheme. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the window opens. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * The Content-Security-Policy header on every page the app serves. Scripts only from the app itself
 * (no inline script, no eval); blob:/data: only where audio and images need them; no frames, plugins,
 * forms or <base>. Inline styles are allowed because the UI sets style attributes (React, Konva's
 * container) and a style cannot run script. The renderer's <meta> policy applies on top (a page obeys both).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "media-src 'self' data: blob:",
  "connect-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "manifest-src 'self'",
  "frame-src 'none'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** True for a URL of the app's own pages (agx://app/...). Parsed, never prefix-matched. */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  // Node's WHATWG parser reports origin "null" for non-special schemes, so compare the parts.
  return parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST && parsed.username === '' && parsed.password === '';
}

/** Whether a navigation of the main window may go ahead: only within the app's own pages. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** The parts of a WebFrameMain the sender check reads. */
export interface FrameLike {
  /** The frame's current URL. */
  readonly url: string;
  /** Its parent; null for a top frame. */
  readonly parent: FrameLike | null;
  /** Renderer process id. */
  readonly processId: number;
  /** Frame routing id within that process. */
  readonly routingId: number;
}

/**
 * Whether an IPC message comes from the main window's top frame showing the app's own page. A child
 * frame, another window, a frame that navigated elsewhere, or a destroyed frame is refused.
 */
export function isTrustedSender(frame: FrameLike | null | undefined, mainFrame: FrameLike | null | undefined): boolean {
  if (frame === null || frame === undefined || mainFrame === null || mainFrame === undefined) return false;
  try {
    if (frame.parent !== null) return false;
    if (frame.processId !== mainFrame.processId || frame.routingId !== mainFrame.routingId) return false;
    return isAppUrl(frame.url);
  } catch {
    // A WebFrameMain whose frame is gone throws on access: that sender is not trusted.
    return false;
  }
}

/** The webPreferences of the studio window: Electron's secure settings spelled out, not left to defaults. */
export function secureWebPreferences(preloadPath: string) {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
  } as const;
}

/** True when `path` is `root` itself or lies inside it. */
export function isInside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Maps an agx://app/... request to a file under `root` (the built renderer), or null when the URL is
 * not the app's or would leave `root` (.., encoded .., backslashes, NUL, absolute or drive paths).
 */
export function resolveAppAsset(root: string, requestUrl: string): string | null {
  if (!isAppUrl(requestUrl)) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(requestUrl).pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  const rel = pathname.replace(/^\/+/, '');
  if (rel.split('/').some((segment) => segment === '..')) return null;
  const full = resolve(root, rel === '' ? 'index.html' : rel);
  if (!isInside(root, full) || full === resolve(root)) return null;
  return full;
}

const MIME_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.wav': 'audio/wav',
  '.wasm': 'application/wasm',
};

/** Content type of a served file; unknown kinds are opaque bytes (never sniffed into script). */
export function mimeTypeFor(path: string): string {
  return MIME_TYPES[extname(path).toLowerCase()] ?? 'application/octet-stream';
}

/** The response headers every agx:// page gets. */
export function appResponseHeaders(path: string): Record<string, string> {
  return {
    'Content-Type': mimeTypeFor(path),
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Opener-Policy': 'same-origin',
    'Referrer-Policy': 'no-referrer',
  };
}

/**
 * Response headers with the app's CSP put in (replacing whatever CSP a response carried), for
 * session.webRequest.onHeadersReceived: any page this session shows gets the policy.
 */
export function withCspHeader(headers: Record<string, string[] | string> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'content-security-policy') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  return out;
}

/** Permission requests and checks: the studio needs none (audio output needs no permission), so all are denied. */
export function isPermissionGranted(_permission: string): boolean {
  return false;
}

/** What the renderer may ask main to save: an ExportFile with bounded sizes. */
export const SaveFileRequestSchema = ExportFileSchema.extend({
  fileName: z.string().min(1).max(255),
  mimeType: z.string().max(255),
  dataBase64: z.string().max(MAX_FRAME_BYTES, 'the file is too large to save'),
}).strict();

/** A file name safe to offer in the save dialog: the last path segment, without control or reserved characters. */
export function safeFileName(name: string): string {
  const last = basename(name.replaceAll('\\', '/'));
  const cleaned = last
    // eslint-disable-next-line no-control-regex -- control characters are exactly what this removes
    .replace(/[\u0000-\u001f<>:"|?*]/g, '_')
    .replace(/^\.+/, '')
    .trim();
  return cleaned === '' ? 'export' : cleaned.slice(0, 255);
}

/** Save-dialog filters for a file name: its own extension first, then anything. */
export function saveDialogFilters(fileName: string): { name: string; extensions: string[] }[] {
  const ext = extname(fileName).slice(1).toLowerCase();
  const labels: Record<string, string> = { wav: 'WAV audio', json: 'JSON', csv: 'CSV', txt: 'Audacity labels', png: 'PNG image' };
  const all = { name: 'All files', extensions: ['*'] };
  return ext === '' ? [all] : [{ name: labels[ext] ?? ext.toUpperCase(), extensions: [ext] }, all];
}

/** Options main reads from its command line. */
export interface MainArgs {
  /** --data-dir: where sessions are stored. */
  dataDir?: string;
  /** --model: bundle name or folder. */
  model?: string;
  /** --threads: onnxruntime threads. */
  threads?: number;
  /** --device as typed; main checks it (parseDevice), so a wrong one is a clear error at start. */
  device?: string;
}

/**
 * Reads --data-dir, --model, --threads and --device (as `--x value` or `--x=value`) from Electron's argv, which
 * also holds the binary, the app path and Chromium's switches; everything else is ignored.
 */
export function parseMainArgs(argv: readonly string[]): MainArgs {
  const out: MainArgs = {};
  const take = (name: string, i: number): { value: string | undefined; used: number } => {
    const arg = argv[i]!;
    if (arg.startsWith(`--${name}=`)) return { value: arg.slice(name.length + 3), used: 0 };
    if (arg === `--${name}`) {
      const next = argv[i + 1];
      return next !== undefined && !next.startsWith('--') ? { value: next, used: 1 } : { value: undefined, used: 0 };
    }
    return { value: undefined, used: 0 };
  };
  for (let i = 0; i < argv.length; i++) {
    for (const name of ['data-dir', 'model', 'threads', 'device'] as const) {
      const { value, used } = take(name, i);
      if (value === undefined || value === '') continue;
      if (name === 'data-dir') out.dataDir = value;
      else if (name === 'model') out.model = value;
      else if (name === 'device') out.device = value;
      else {
        const n = Number(value);
        if (Number.isInteger(n) && n > 0 && n <= 256) out.threads = n;
      }
      i += used;
      break;
    }
  }
  return out;
}

/**
 * The studio's data folder: an explicit --data-dir or AGX_DATA_DIR goes through the store's resolver
 * (so the CLI, the server and the app agree), otherwise Electron's per-user folder.
 */
export function chooseDataDir(
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
  userData: string,
  resolver: (flag: string | undefined, env: NodeJS.ProcessEnv) => string,
): string {
  const explicit = (flag !== undefined && flag !== '') || (env.AGX_DATA_DIR !== undefined && env.AGX_DATA_DIR !== '');
  return explicit ? resolver(flag, env) : userData;
}

/** Name of the embedded bundle's folder inside the packaged app's resources (an extraResource). */
export const PACKAGED_MODEL_FOLDER = 'tiny-foley';

/** Where the packaged app finds the embedded model bundle. */
export function packagedModelDir(resourcesPath: string): string {
  return join(resourcesPath, PACKAGED_MODEL_FOLDER);
}

/**
 * The bundled app's layout, from the folder holding main.js (.vite/build): the preload beside it and
 * the renderer at dist/renderer in the app root (both inside app.asar when packaged).
 */
export function appPaths(mainDir: string): { preload: string; rendererRoot: string } {
  return { preload: join(mainDir, 'preload.cjs'), rendererRoot: resolve(mainDir, '..', '..', 'dist', 'renderer') };
}
