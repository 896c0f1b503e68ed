// Browser mode: the same StudioApi over a WebSocket, plus the built renderer, on loopback by default.
// Every request needs the random token from the printed URL (query on first load, then an HttpOnly
// cookie); the socket also needs a same-origin Origin, so another web page cannot drive the studio.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { dispatch, type EventFrame, MAX_FRAME_BYTES, parseFrame, type ResponseFrame } from '../common/protocol.js';
import type { Studio } from '../studio/studio.js';

/** How to serve. */
export interface ServerOptions {
  studio: Studio;
  /** Interface to bind (default 127.0.0.1). */
  host?: string | undefined;
  /** Port; 0 picks a free one. */
  port?: number | undefined;
  /** Folder of the built renderer (index.html and assets). */
  rendererDir: string;
  /** Fixed token (tests); default: 32 random bytes. */
  token?: string | undefined;
}

/** A running server. */
export interface RunningServer {
  /** The URL to open, token included. */
  url: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

const COOKIE = 'agx_token';
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
};

function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function cookieToken(req: IncomingMessage): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === COOKIE) return v.join('=');
  }
  return undefined;
}

/** Resolves a request path inside root, or undefined for anything that escapes it. */
export function staticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const rel = normalize(decoded === '/' ? '/index.html' : decoded).replace(/^([/\\])+/, '');
  const full = resolve(root, rel);
  return full === root || full.startsWith(root + sep) ? full : undefined;
}

/** Starts the browser-mode server. */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const token = options.token ?? randomBytes(32).toString('base64url');
  const host = options.host ?? '127.0.0.1';
  const root = resolve(options.rendererDir);
  let port = 0;

  // Hosts a browser may legitimately call us by; anything else is a DNS-rebinding attempt.
  const allowedHosts = () => new Set([`${host}:${port}`, `127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]);
  // Bound to another interface (a remote GPU box), the Host is whatever name reaches it; the token guards.
  const loopback = ['127.0.0.1', 'localhost', '::1'].includes(host);
  const hostOk = (req: IncomingMessage) => !loopback || allowedHosts().has(req.headers.host ?? '');
  const authorised = (req: IncomingMessage, url: URL) =>
    sameSecret(url.searchParams.get('token') ?? undefined, token) || sameSecret(cookieToken(req), token);

  const csp = () =>
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      "img-src 'self' data: blob:",
      "media-src 'self' blob: data:",
      `connect-src 'self' ws://${host}:${port} ws://127.0.0.1:${port} ws://localhost:${port}`,
      "font-src 'self'",
      "object-src 'none'",
      "base-uri 'none'",
      "frame-ancestors 'none'",
      "form-action 'none'",
    ].join('; ');

  const refuse = (res: ServerResponse, status: number, message: string) => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`${message}\n`);
  };

  const http = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!hostOk(req)) return refuse(res, 421, 'unknown host');
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed');
    if (!authorised(req, url)) return refuse(res, 401, 'unauthorized: open the URL that `agx serve` printed (it carries the access token)');
    const file = staticPath(root, url.pathname);
    if (file === undefined) return refuse(res, 404, 'not found');
    if (!existsSync(join(root, 'index.html'))) return refuse(res, 503, 'the studio UI is not built: run `npm run build`');
    if (!existsSync(file) || !statSync(file).isFile()) return refuse(res, 404, 'not found');
    const headers: Record<string, string> = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'content-security-policy': csp(),
      'x-content-type-options': 'nosniff',
      // The page URL carries the token; never send it onwards.
      'referrer-policy': 'no-referrer',
      'cache-control': extname(file) === '.html' ? 'no-store' : 'private, max-age=3600',
    };
    if (url.searchParams.has('token')) headers['set-cookie'] = `${COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`;
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : readFileSync(file));
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  const sockets = new Set<WebSocket>();

  http.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, reason: string) => {
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== '/api') return reject(404, 'Not Found');
    if (!hostOk(req)) return reject(421, 'Misdirected Request');
    if (!authorised(req, url)) return reject(401, 'Unauthorized');
    // Browsers always send Origin; a page from any other origin must not reach the API. Clients that
    // are not browsers (tests, scripts) send none and are judged by the token alone.
    const origin = req.headers.origin;
    if (origin !== undefined && origin !== `http://${req.headers.host}`) return reject(403, 'Forbidden');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  wss.on('connection', (ws: WebSocket) => {
    sockets.add(ws);
    const send = (frame: ResponseFrame | EventFrame) => {
      if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
    };
    const unsubscribe = options.studio.onEvent((event) => send({ event }));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) {
        send({
          id: null,
          ok: false,
          error: { code: 'bad_request', message: 'malformed request: binary frames are not accepted; send JSON text', expected: true },
        });
        return;
      }
      const parsed = parseFrame(data.toString());
      if (!parsed.ok) return send(parsed.response);
      void dispatch(options.studio.handlers, parsed.value).then(send);
    });
    ws.on('close', () => {
      unsubscribe();
      sockets.delete(ws);
    });
    ws.on('error', () => ws.terminate());
  });

  await new Promise<void>((ok, fail) => {
    http.once('error', fail);
    http.listen(options.port ?? 0, host, () => ok());
  });
  port = (http.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${token}`,
    token,
    port,
    async close() {
      for (const ws of sockets) ws.terminate();
      await new Promise<void>((ok) => wss.close(() => ok()));
      await new Promise<void>((ok) => http.close(() => ok()));
    },
  };
}
