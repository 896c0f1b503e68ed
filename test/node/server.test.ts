// Browser mode's server: the token on every request and on the socket, the Origin check, static files
// kept inside the renderer folder, and 1000 malformed messages answered without harm.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CALL_NAMES } from '../../electron/common/api.js';
import { Rng } from '../../electron/engine/rng.js';
import { type RunningServer, startServer, staticPath } from '../../electron/server/server.js';
import type { Studio } from '../../electron/studio/studio.js';
import { connectWs, tempDir, tempStudio } from './studio-helpers.js';

/** GET / with a chosen Host header (fetch does not let a caller set one). */
function statusWithHost(port: number, host: string, cookie: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/', headers: { host, cookie } }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('agx serve: the StudioApi over WebSocket', () => {
  let studio: Studio;
  let server: RunningServer;
  let rendererDir: string;
  let dataDir: string;
  let wsUrl: string;

  beforeAll(async () => {
    dataDir = tempDir();
    rendererDir = tempDir('agx-renderer-');
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>AudioGenX Studio</title>');
    mkdirSync(join(rendererDir, 'assets'));
    writeFileSync(join(rendererDir, 'assets', 'app.js'), 'console.log(1)');
    studio = await tempStudio(dataDir);
    server = await startServer({ studio, port: 0, rendererDir });
    wsUrl = `ws://127.0.0.1:${server.port}/api`;
  });
  afterAll(async () => {
    await server.close();
    await studio.close();
  });

  it('prints a loopback URL with a long random token', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{43}$/);
  });

  it('serves the UI only with the token, then by cookie; refuses a missing or wrong token', async () => {
    const base = `http://127.0.0.1:${server.port}`;
    expect((await fetch(`${base}/`)).status).toBe(401);
    expect((await fetch(`${base}/?token=wrong`)).status).toBe(401);
    expect((await fetch(`${base}/?token=${server.token.slice(0, -1)}x`)).status).toBe(401);
    const ok = await fetch(server.url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('AudioGenX Studio');
    expect(ok.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(ok.headers.get('referrer-policy')).toBe('no-referrer');
    const cookie = ok.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const asset = await fetch(`${base}/assets/app.js`, { headers: { cookie: cookie.split(';')[0]! } });
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${base}/assets/app.js`)).status).toBe(401);
    expect((await fetch(`${base}/`, { method: 'POST', headers: { cookie: cookie.split(';')[0]! } })).status).toBe(405);
    // A rebinding page calls us by another host name: refused even with the cookie.
    expect(await statusWithHost(server.port, 'evil.example', cookie.split(';')[0]!)).toBe(421);
    expect(await statusWithHost(server.port, `localhost:${server.port}`, cookie.split(';')[0]!)).toBe(200);
  });

  it('keeps static files inside the renderer folder', () => {
    expect(staticPath(rendererDir, '/')).toBe(join(rendererDir, 'index.html'));
    expect(staticPath(rendererDir, '/assets/app.js')).toBe(join(rendererDir, 'assets', 'app.js'));
    expect(staticPath(rendererDir, '/../../etc/passwd')).toBe(join(rendererDir, 'etc', 'passwd'));
    expect(staticPath(rendererDir, '/%2e%2e/%2e%2e/etc/passwd')).toBe(join(rendererDir, 'etc', 'passwd'));
    expect(staticPath(rendererDir, '/%E0%A4%A')).toBeUndefined();
    expect(staticPath(rendererDir, '/a%00b')).toBeUndefined();
  });

  it('refuses the socket without the token, with a wrong one, and from a foreign Origin', async () => {
    await expect(connectWs(wsUrl)).rejects.toThrow('HTTP 401');
    await expect(connectWs(`${wsUrl}?token=nope`)).rejects.toThrow('HTTP 401');
    await expect(connectWs(`${wsUrl}?token=${server.token}`, { origin: 'http://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(connectWs(`${wsUrl}?token=${server.token}`, { origin: `http://localhost:${server.port + 1}` })).rejects.toThrow(
      'HTTP 403',
    );
    const c = await connectWs(`${wsUrl}?token=${server.token}`, { origin: `http://127.0.0.1:${server.port}` });
    expect((await c.api.getInfo({})).model.id).toBe('tiny-foley');
    c.close();
  });

  it('drives a whole job over the socket: events arrive, results are stored', async () => {
    const c = await connectWs(`${wsUrl}?token=${server.token}`);
    const { session } = await c.api.createSession({});
    const { jobId } = await c.api.generate({ sessionId: session.id, prompt: 'a bell rings', seed: 2, durationSec: 1 });
    for (let i = 0; i < 200 && !c.events.some((e) => e.type === 'job' && e.job.id === jobId && e.job.state === 'done'); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(c.events.some((e) => e.type === 'job' && e.job.id === jobId && e.job.state === 'done')).toBe(true);
    expect((await c.api.openSession({ sessionId: session.id })).takes.length).toBe(1);
    c.close();
  });

  it('answers 1000 malformed messages each with a typed error, stays up, and writes nothing', async () => {
    const c = await connectWs(`${wsUrl}?token=${server.token}`);
    const { sessions } = await c.api.listSessions({});
    const jobsBefore = (await c.api.listJobs({})).length;
    const dbFile = join(dataDir, 'studio.sqlite');
    const before = readFileSync(dbFile);
    const walBefore = statSync(`${dbFile}-wal`, { throwIfNoEntry: false })?.size ?? 0;
    const rng = new Rng(2026);
    const pick = <T>(xs: T[]): T => xs[Math.floor(rng.next() * xs.length)]!;
    const junkValues: unknown[] = [null, true, -1, 1e308, 'x'.repeat(5000), [], {}, [1, 2], { $: 1 }, '__proto__', 'NaN', -0, 3.5];
    const sessionId = sessions[0]!.id;
    const makers: (() => string | Buffer)[] = [
      () => Buffer.from(Array.from({ length: 1 + Math.floor(rng.next() * 64) }, () => Math.floor(rng.next() * 256))),
      () => '{"id": 1, "method": ',
      () => 'not json at all',
      () => JSON.stringify(pick(junkValues)),
      () => JSON.stringify({ id: 1, method: `no_such_method_${Math.floor(rng.next() * 1e6)}`, params: {} }),
      () => JSON.stringify({ id: 'x'.repeat(100), method: 'listSessions', params: {} }),
      () =>
        JSON.stringify({
          id: 2,
          method: pick(
            CALL_NAMES.filter(
              (n) =>
                n !== 'getInfo' &&
                n !== 'createSession' &&
                n !== 'listModels' &&
                n !== 'listSessions' &&
                n !== 'listJobs' &&
                n !== 'listBackups' &&
                n !== 'getVocabulary',
            ),
          ),
          params: pick(junkValues),
        }),
      () =>
        JSON.stringify({
          id: 3,
          method: 'generate',
          params: { sessionId, prompt: 'x'.repeat(2001 + Math.floor(rng.next() * 3_000_000)), seed: 1, durationSec: 1 },
        }),
      () =>
        JSON.stringify({ id: 4, method: 'generate', params: { sessionId, prompt: 'a dog barks', seed: 'NaN', durationSec: 1 } }).replace(
          '"NaN"',
          'NaN',
        ),
      () =>
        JSON.stringify({
          id: 5,
          method: 'generate',
          params: { sessionId, prompt: 'a dog barks', seed: 1, durationSec: pick([0, -1, 1e9, null, 'five']) },
        }),
      () => JSON.stringify({ id: 6, method: 'saveTimeline', params: { sessionId, state: { pxPerSec: pick([-5, 0, 1e9, 'wide']) } } }),
      () => JSON.stringify({ id: 7, method: 'renameSession', params: { sessionId, name: pick(['', '   ', 'y'.repeat(500)]) } }),
      () =>
        JSON.stringify({
          id: 8,
          method: 'openSession',
          params: { sessionId: pick(['../../etc', "'; DROP TABLE sessions; --", 'a'.repeat(65), 42]) },
        }),
      () => JSON.stringify({ id: 9, method: 'explain', params: { takeId: 'missing', method: 42 } }),
      () => JSON.stringify({ id: 10, method: 'importAudio', params: { sessionId, fileName: 'x.wav', wavBase64: 12, prompt: 'a dog' } }),
      () => JSON.stringify({ id: 11, method: 'exportTake', params: { takeId: 'missing', format: 'mp3' } }),
      () => JSON.stringify({ id: 12, method: 'listSessions', params: { extra: true } }),
      () => JSON.stringify({ id: 13, method: 'restoreBackup', params: { file: '../../studio.sqlite' } }),
    ];
    const codes = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const frame = await c.raw(pick(makers)());
      expect(frame.ok, JSON.stringify(frame).slice(0, 300)).toBe(false);
      if (frame.ok) continue;
      expect(typeof frame.error.message).toBe('string');
      // Short: junk is never echoed whole. The unknown-method message lists every call (it grows with
      // the API) after at most 64 characters of the name, so its bound follows the list.
      expect(frame.error.message.length).toBeLessThan(Math.max(400, 100 + CALL_NAMES.join(', ').length));
      expect(frame.error.expected).toBe(true);
      codes.set(frame.error.code, (codes.get(frame.error.code) ?? 0) + 1);
    }
    expect(
      [...codes.keys()].every((k) => ['bad_request', 'not_found', 'bad_argument'].includes(k)),
      JSON.stringify([...codes]),
    ).toBe(true);
    // Still up and answering; nothing was written.
    expect((await c.api.listSessions({})).sessions.map((s) => [s.id, s.name, s.updatedAt])).toEqual(
      sessions.map((s) => [s.id, s.name, s.updatedAt]),
    );
    expect((await c.api.listJobs({})).length).toBe(jobsBefore);
    expect(readFileSync(dbFile).equals(before)).toBe(true);
    expect(statSync(`${dbFile}-wal`, { throwIfNoEntry: false })?.size ?? 0).toBe(walBefore);
    c.close();
  });
});
