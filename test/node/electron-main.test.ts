// The Electron main process's decisions and its IPC wiring, with Electron's API objects replaced by
// vi.mock (there is no Electron binary here). The studio behind IPC is a handler table that records
// what reached it: what is under test is the front door, not the service.
import { mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { StudioEvent, StudioHandlers } from '../../electron/common/api.js';
import { IPC_CALL, IPC_EVENT, IPC_SAVE_FILE } from '../../electron/common/bridge.js';
import { AgxError } from '../../electron/common/errors.js';
import type { ResponseFrame } from '../../electron/common/protocol.js';

const fake = vi.hoisted(() => {
  type Listener = (...args: any[]) => unknown;
  /** A stand-in for WebContents: records listeners and sends. */
  class Contents {
    static nextId = 1;
    id = Contents.nextId++;
    url = 'agx://app/index.html';
    listeners = new Map<string, Listener[]>();
    sent: [string, unknown][] = [];
    openHandler: Listener | undefined;
    mainFrame: any;
    constructor() {
      this.mainFrame = { url: this.url, parent: null, processId: 7, routingId: this.id };
    }
    on(name: string, fn: Listener) {
      this.listeners.set(name, [...(this.listeners.get(name) ?? []), fn]);
      return this;
    }
    emit(name: string, ...args: unknown[]) {
      for (const fn of this.listeners.get(name) ?? []) fn(...args);
    }
    setWindowOpenHandler(fn: Listener) {
      this.openHandler = fn;
    }
    getURL() {
      return this.url;
    }
    isDestroyed() {
      return false;
    }
    send(channel: string, payload: unknown) {
      this.sent.push([channel, payload]);
    }
  }
  const state = {
    ipc: new Map<string, Listener>(),
    windows: [] as any[],
    saveDialog: vi.fn(),
    schemes: [] as unknown[],
  };
  class BrowserWindow {
    options: any;
    webContents = new Contents();
    loaded: string | undefined;
    constructor(options: unknown) {
      this.options = options;
      state.windows.push(this);
    }
    once() {
      return this;
    }
    loadURL(url: string) {
      this.loaded = url;
      return Promise.resolve();
    }
    isDestroyed() {
      return false;
    }
  }
  return { Contents, BrowserWindow, state };
});

vi.mock('electron', () => ({
  BrowserWindow: fake.BrowserWindow,
  ipcMain: {
    handle: (channel: string, fn: (...args: any[]) => unknown) => fake.state.ipc.set(channel, fn),
    removeHandler: (channel: string) => fake.state.ipc.delete(channel),
  },
  dialog: { showSaveDialog: (...args: unknown[]) => fake.state.saveDialog(...args) },
  protocol: { registerSchemesAsPrivileged: (schemes: unknown[]) => fake.state.schemes.push(...schemes) },
}));

const policy = await import('../../electron/main/policy.js');
const { createStudioWindow, hardenSession, registerAppScheme, serveAppRequest } = await import('../../electron/main/window.js');
const { forwardStudioEvents, registerStudioIpc } = await import('../../electron/main/ipc.js');
const { buildMenuTemplate } = await import('../../electron/main/menu.js');

/** A handler table that records each call it receives (only the calls these tests make). */
function recordingHandlers(): { handlers: StudioHandlers; calls: [string, unknown][] } {
  const calls: [string, unknown][] = [];
  const handlers = {
    listSessions: (p: unknown) => {
      calls.push(['listSessions', p]);
      return [];
    },
    generate: (p: unknown) => {
      calls.push(['generate', p]);
      return { jobId: 'job1' };
    },
    deleteSession: (p: unknown) => {
      calls.push(['deleteSession', p]);
      throw new AgxError('not_found', 'no session "s9"');
    },
  } as unknown as StudioHandlers;
  return { handlers, calls };
}

function setup() {
  fake.state.ipc.clear();
  const win = new fake.BrowserWindow({}) as any;
  const { handlers, calls } = recordingHandlers();
  const unregister = registerStudioIpc({ handlers, getWindow: () => win, defaultSaveDir: () => '/home/u/Documents' });
  const call = (event: unknown, method: unknown, params?: unknown) =>
    fake.state.ipc.get(IPC_CALL)!(event, method, params) as Promise<ResponseFrame>;
  const save = (event: unknown, file: unknown) =>
    fake.state.ipc.get(IPC_SAVE_FILE)!(event, file) as Promise<{ saved: boolean; path?: string; error?: { code: string } }>;
  const fromMain = () => ({ sender: win.webContents, senderFrame: win.webContents.mainFrame });
  return { win, calls, unregister, call, save, fromMain };
}

describe('policy: the app origin and navigation', () => {
  it('accepts only agx://app URLs, parsed rather than prefix-matched', () => {
    expect(policy.isAppUrl('agx://app/index.html')).toBe(true);
    expect(policy.isAppUrl('agx://app/assets/index-abc.js?x=1#y')).toBe(true);
    for (const url of [
      'agx://app.evil.com/index.html',
      'agx://evil/app',
      'agx://user@app/index.html',
      'https://app/index.html',
      'file:///index.html',
      'javascript:alert(1)',
      'not a url',
      '',
    ]) {
      expect(policy.isAppUrl(url), url).toBe(false);
    }
  });

  it('prevents navigation to any other origin', () => {
    for (const url of [
      'https://example.com/',
      'http://127.0.0.1:8080/',
      'file:///etc/passwd',
      'agx://other/index.html',
      'data:text/html,<script>1</script>',
    ]) {
      expect(policy.isNavigationAllowed(url), url).toBe(false);
    }
    expect(policy.isNavigationAllowed('agx://app/index.html#/session/1')).toBe(true);
  });
});

describe('policy: the sender check', () => {
  const main = { url: 'agx://app/index.html', parent: null, processId: 4, routingId: 1 };
  it('trusts the main window top frame showing the app', () => {
    expect(policy.isTrustedSender({ ...main }, main)).toBe(true);
  });
  it('refuses a child frame, another frame, a foreign page, a missing or destroyed frame', () => {
    expect(policy.isTrustedSender({ ...main, parent: main }, main)).toBe(false);
    expect(policy.isTrustedSender({ ...main, routingId: 2 }, main)).toBe(false);
    expect(policy.isTrustedSender({ ...main, processId: 5 }, main)).toBe(false);
    expect(policy.isTrustedSender({ ...main, url: 'https://evil.example/' }, main)).toBe(false);
    expect(policy.isTrustedSender(null, main)).toBe(false);
    expect(policy.isTrustedSender(main, null)).toBe(false);
    const destroyed = {
      get url(): string {
        throw new Error('Render frame was disposed before WebFrameMain could be accessed');
      },
      parent: null,
      processId: 4,
      routingId: 1,
    };
    expect(policy.isTrustedSender(destroyed, main)).toBe(false);
  });
});

describe('policy: CSP and response headers', () => {
  const directives = new Map(
    policy.CONTENT_SECURITY_POLICY.split(';')
      .map((d) => d.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values]),
  );
  it('allows scripts from the app only: no inline script, no eval, nothing remote', () => {
    expect(directives.get('default-src')).toEqual(["'none'"]);
    expect(directives.get('script-src')).toEqual(["'self'"]);
    expect(directives.get('object-src')).toEqual(["'none'"]);
    expect(directives.get('frame-ancestors')).toEqual(["'none'"]);
    expect(directives.get('base-uri')).toEqual(["'none'"]);
    expect(policy.CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:|\*/);
  });
  it('puts the CSP on every response and replaces one a response brought', () => {
    const out = policy.withCspHeader({ 'content-security-policy': ['default-src *'], 'Content-Type': 'text/html' });
    expect(out['Content-Security-Policy']).toEqual([policy.CONTENT_SECURITY_POLICY]);
    expect(out['content-security-policy']).toBeUndefined();
    expect(out['Content-Type']).toEqual(['text/html']);
    expect(policy.withCspHeader(undefined)['Content-Security-Policy']).toEqual([policy.CONTENT_SECURITY_POLICY]);
  });
});

describe('policy: agx:// URL to file', () => {
  const root = '/srv/renderer';
  it('maps app URLs into the renderer folder', () => {
    expect(policy.resolveAppAsset(root, 'agx://app/')).toBe('/srv/renderer/index.html');
    expect(policy.resolveAppAsset(root, 'agx://app/index.html')).toBe('/srv/renderer/index.html');
    expect(policy.resolveAppAsset(root, 'agx://app/assets/a%20b.js?v=2')).toBe('/srv/renderer/assets/a b.js');
  });
  it('never leaves the folder: traversal the URL parser folds stays inside, the rest is rejected', () => {
    // The URL parser already folds %2e%2e segments, so these land inside the folder (and 404 there).
    for (const url of ['agx://app/../../etc/passwd', 'agx://app/%2e%2e/%2e%2e/etc/passwd', 'agx://app/assets/.%2e/.%2e/x']) {
      const path = policy.resolveAppAsset(root, url);
      expect(path === null || policy.isInside(root, path), url).toBe(true);
    }
    // Encoded slashes and backslashes survive parsing and are refused outright.
    for (const url of [
      'agx://app/assets/..%2f..%2f..%2fetc%2fpasswd',
      'agx://app/..%5c..%5cetc',
      'agx://app/index.html%00.js',
      'agx://other/index.html',
      'https://app/index.html',
      'agx://app/%E0%A4%A',
    ]) {
      expect(policy.resolveAppAsset(root, url), url).toBeNull();
    }
  });
});

describe('policy: window options, arguments, names', () => {
  it('spells out the secure webPreferences', () => {
    expect(policy.secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      experimentalFeatures: false,
      webviewTag: false,
    });
    expect(policy.secureWebPreferences('/p')).not.toHaveProperty('enableBlinkFeatures');
  });

  it('reads --data-dir, --model and --threads among Chromium switches', () => {
    expect(
      policy.parseMainArgs([
        '/usr/bin/electron',
        '.vite/build/main.js',
        '--no-sandbox-not-ours',
        '--data-dir',
        '/d',
        '--model=tiny-foley',
        '--threads',
        '2',
      ]),
    ).toEqual({ dataDir: '/d', model: 'tiny-foley', threads: 2 });
    expect(policy.parseMainArgs(['electron', '--data-dir=/x y', '--threads=0'])).toEqual({ dataDir: '/x y' });
    expect(policy.parseMainArgs(['electron', '--data-dir', '--model'])).toEqual({});
  });

  it('uses userData unless --data-dir or AGX_DATA_DIR is given', () => {
    const resolver = (flag: string | undefined, env: NodeJS.ProcessEnv) => `resolved:${flag ?? env.AGX_DATA_DIR}`;
    expect(policy.chooseDataDir(undefined, {}, '/ud', resolver)).toBe('/ud');
    expect(policy.chooseDataDir('/flag', {}, '/ud', resolver)).toBe('resolved:/flag');
    expect(policy.chooseDataDir(undefined, { AGX_DATA_DIR: '/env' }, '/ud', resolver)).toBe('resolved:/env');
  });

  it('offers only a bare, clean file name in the save dialog', () => {
    expect(policy.safeFileName('../../.ssh/authorized_keys')).toBe('authorized_keys');
    expect(policy.safeFileName('C:\\Windows\\take 1.wav')).toBe('take 1.wav');
    expect(policy.safeFileName('.bashrc')).toBe('bashrc');
    expect(policy.safeFileName('a<b>:"c|?*\u0001.csv')).toBe('a_b___c____.csv');
    expect(policy.safeFileName('')).toBe('export');
    expect(policy.saveDialogFilters('take.wav')[0]).toEqual({ name: 'WAV audio', extensions: ['wav'] });
  });

  it('lays the bundled app out as the builds do', () => {
    expect(policy.appPaths('/a/.vite/build')).toEqual({ preload: '/a/.vite/build/preload.cjs', rendererRoot: '/a/dist/renderer' });
    expect(policy.packagedModelDir('/opt/AudioGenX Studio/resources')).toBe('/opt/AudioGenX Studio/resources/tiny-foley');
  });
});

describe('the window', () => {
  beforeEach(() => {
    fake.state.windows.length = 0;
  });

  it('is created with the secure options and opens the app entry page', () => {
    const win = createStudioWindow({ preload: '/app/.vite/build/preload.cjs', devTools: false }) as any;
    expect(win.options.webPreferences).toEqual({ ...policy.secureWebPreferences('/app/.vite/build/preload.cjs'), devTools: false });
    expect(win.options.show).toBe(false);
    expect(win.loaded).toBe(policy.APP_ENTRY_URL);
  });

  it('prevents navigation and redirects to other origins, denies window.open and <webview>', () => {
    const win = createStudioWindow({ preload: '/p', devTools: true }) as any;
    const contents = win.webContents;
    const attempt = (name: string, ...args: unknown[]) => {
      const event = { preventDefault: vi.fn() };
      contents.emit(name, event, ...args);
      return event.preventDefault.mock.calls.length > 0;
    };
    expect(attempt('will-navigate', 'https://evil.example/')).toBe(true);
    expect(attempt('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(attempt('will-redirect', 'https://evil.example/')).toBe(true);
    expect(attempt('will-navigate', 'agx://app/index.html')).toBe(false);
    expect(attempt('will-attach-webview', {}, { src: 'agx://app/index.html' })).toBe(true);
    expect(contents.openHandler({ url: 'https://example.com/', frameName: '', features: '', disposition: 'new-window' })).toEqual({
      action: 'deny',
    });
    expect(contents.openHandler({ url: 'agx://app/index.html' })).toEqual({ action: 'deny' });
  });
});

describe('the session', () => {
  function fakeSession() {
    const got: Record<string, any> = {};
    const ses = {
      protocol: { handle: (scheme: string, fn: unknown) => Object.assign(got, { scheme, serve: fn }) },
      webRequest: { onHeadersReceived: (fn: unknown) => Object.assign(got, { headers: fn }) },
      setPermissionRequestHandler: (fn: unknown) => Object.assign(got, { request: fn }),
      setPermissionCheckHandler: (fn: unknown) => Object.assign(got, { check: fn }),
      setDevicePermissionHandler: (fn: unknown) => Object.assign(got, { device: fn }),
    };
    return { ses, got };
  }

  it('denies every permission request and check', () => {
    const { ses, got } = fakeSession();
    hardenSession(ses as any, '/r');
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal', 'fullscreen', 'midi', 'hid']) {
      const callback = vi.fn();
      got.request({}, permission, callback, {});
      expect(callback, permission).toHaveBeenCalledWith(false);
      expect(got.check({}, permission, 'agx://app', {}), permission).toBe(false);
    }
    expect(got.device({ deviceType: 'usb', origin: 'agx://app' })).toBe(false);
  });

  it('adds the CSP header to responses and serves agx:// from the renderer folder', () => {
    const { ses, got } = fakeSession();
    hardenSession(ses as any, '/r');
    const callback = vi.fn();
    got.headers({ url: 'agx://app/index.html', responseHeaders: { 'Content-Type': ['text/html'] } }, callback);
    expect(callback.mock.calls[0]![0].responseHeaders['Content-Security-Policy']).toEqual([policy.CONTENT_SECURITY_POLICY]);
    expect(got.scheme).toBe('agx');
  });

  it('registers agx:// as standard and secure, without bypassing CSP', () => {
    fake.state.schemes.length = 0;
    registerAppScheme();
    expect(fake.state.schemes).toEqual([
      { scheme: 'agx', privileges: { standard: true, secure: true, supportFetchAPI: true, codeCache: true } },
    ]);
  });
});

describe('serving agx:// files', () => {
  const base = mkdtempSync(join(tmpdir(), 'agx-renderer-'));
  const root = join(base, 'renderer');
  mkdirSync(join(root, 'assets'), { recursive: true });
  writeFileSync(join(root, 'index.html'), '<!doctype html><title>t</title>');
  writeFileSync(join(root, 'assets', 'app.js'), 'console.log(1)');
  writeFileSync(join(base, 'secret.txt'), 'outside');
  symlinkSync(join(base, 'secret.txt'), join(root, 'assets', 'link.txt'));

  it('serves the page with its CSP and content type', async () => {
    const res = await serveAppRequest(root, new Request('agx://app/index.html'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toBe(policy.CONTENT_SECURITY_POLICY);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await res.text()).toContain('<title>t</title>');
    expect((await serveAppRequest(root, new Request('agx://app/assets/app.js'))).headers.get('content-type')).toMatch(/^text\/javascript/);
  });

  it('answers 404 for traversal, symlinks out of the folder, missing files and other hosts; 405 for writes', async () => {
    for (const url of [
      'agx://app/%2e%2e/secret.txt',
      'agx://app/assets/..%2f..%2fsecret.txt',
      'agx://app/assets/link.txt',
      'agx://app/missing.js',
      'agx://app/assets',
      'agx://elsewhere/index.html',
    ]) {
      expect((await serveAppRequest(root, new Request(url))).status, url).toBe(404);
    }
    expect((await serveAppRequest(root, new Request('agx://app/index.html', { method: 'POST', body: 'x' }))).status).toBe(405);
  });
});

describe('IPC: studio calls', () => {
  it('dispatches a call from the main window to the studio with validated params', async () => {
    const { call, calls, fromMain } = setup();
    const frame = await call(fromMain(), 'generate', { sessionId: 's1', prompt: 'a dog barks', seed: 3, durationSec: 2 });
    expect(frame).toEqual({ id: 0, ok: true, result: { jobId: 'job1' } });
    // Defaults filled in by the contract before the service sees the call.
    expect(calls).toEqual([
      ['generate', { sessionId: 's1', prompt: 'a dog barks', seed: 3, durationSec: 2, variations: 1, weights: [], sampling: {} }],
    ]);
  });

  it('refuses a call from a child frame, another window, a foreign page or a gone frame', async () => {
    const { call, calls, win } = setup();
    const other = new fake.Contents();
    const senders = [
      { sender: win.webContents, senderFrame: { ...win.webContents.mainFrame, parent: win.webContents.mainFrame, routingId: 99 } },
      { sender: other, senderFrame: other.mainFrame },
      { sender: win.webContents, senderFrame: { ...win.webContents.mainFrame, url: 'https://evil.example/' } },
      { sender: win.webContents, senderFrame: null },
    ];
    for (const event of senders) {
      const frame = await call(event, 'listSessions', {});
      expect(frame.ok).toBe(false);
      expect(frame.ok === false && frame.error.code).toBe('unauthorized');
    }
    expect(calls).toEqual([]);
  });

  it('answers malformed params, unknown methods and junk with bad_request, never reaching the studio', async () => {
    const { call, calls, fromMain } = setup();
    const cases: [unknown, unknown][] = [
      ['generate', { sessionId: 's1', prompt: '', seed: 1, durationSec: 2 }],
      ['generate', { sessionId: '../x', prompt: 'dog', seed: 1, durationSec: 2 }],
      ['listSessions', { extra: true }],
      ['rm -rf', {}],
      [42, {}],
      ['__proto__', {}],
    ];
    for (const [method, params] of cases) {
      const frame = await call(fromMain(), method, params);
      expect(frame.ok, String(method)).toBe(false);
      expect(frame.ok === false && frame.error.code, String(method)).toBe('bad_request');
    }
    expect(calls).toEqual([]);
  });

  it('returns a studio error as data instead of throwing across IPC', async () => {
    const { call, fromMain } = setup();
    await expect(call(fromMain(), 'deleteSession', { sessionId: 's9' })).resolves.toEqual({
      id: 0,
      ok: false,
      error: { code: 'not_found', message: 'no session "s9"', expected: true },
    });
  });

  it('removes its handlers when unregistered', () => {
    const { unregister } = setup();
    expect([...fake.state.ipc.keys()].sort()).toEqual([IPC_CALL, IPC_SAVE_FILE].sort());
    unregister();
    expect(fake.state.ipc.size).toBe(0);
  });
});

describe('IPC: events', () => {
  it('go to the window only while it shows the app', () => {
    const win = new fake.BrowserWindow({}) as any;
    let emit: (e: StudioEvent) => void = () => {};
    const stop = forwardStudioEvents(
      (listener) => {
        emit = listener;
        return () => {};
      },
      () => win,
    );
    const event: StudioEvent = { type: 'session', sessionId: 's1', change: 'takes' };
    emit(event);
    expect(win.webContents.sent).toEqual([[IPC_EVENT, event]]);
    win.webContents.url = 'https://evil.example/';
    emit(event);
    expect(win.webContents.sent).toHaveLength(1);
    stop();
  });
});

describe('IPC: save file', () => {
  const file = { fileName: '../../take 1.wav', mimeType: 'audio/wav', dataBase64: Buffer.from('RIFFdata').toString('base64') };

  it('writes the decoded bytes where the user chose, offering a clean name', async () => {
    const { save, fromMain } = setup();
    const target = join(mkdtempSync(join(tmpdir(), 'agx-save-')), 'chosen.wav');
    fake.state.saveDialog.mockResolvedValueOnce({ canceled: false, filePath: target });
    await expect(save(fromMain(), file)).resolves.toEqual({ saved: true, path: target });
    expect(readFileSync(target, 'utf8')).toBe('RIFFdata');
    const options = fake.state.saveDialog.mock.lastCall![1];
    expect(options.defaultPath).toBe(join('/home/u/Documents', 'take 1.wav'));
  });

  it('reports a cancelled dialog as not saved, without an error', async () => {
    const { save, fromMain } = setup();
    fake.state.saveDialog.mockResolvedValueOnce({ canceled: true, filePath: '' });
    await expect(save(fromMain(), file)).resolves.toEqual({ saved: false });
  });

  it('refuses foreign senders and malformed files before any dialog opens', async () => {
    const { save, fromMain, win } = setup();
    fake.state.saveDialog.mockClear();
    const child = { sender: win.webContents, senderFrame: { ...win.webContents.mainFrame, parent: win.webContents.mainFrame } };
    expect((await save(child, file)).error?.code).toBe('unauthorized');
    expect((await save(fromMain(), { ...file, dataBase64: 'not base64!' })).error?.code).toBe('bad_request');
    expect((await save(fromMain(), { fileName: 'x.wav' })).error?.code).toBe('bad_request');
    expect((await save(fromMain(), { ...file, path: '/etc/passwd' })).error?.code).toBe('bad_request');
    expect(fake.state.saveDialog).not.toHaveBeenCalled();
  });

  it('turns a write failure into an io_error', async () => {
    const { save, fromMain } = setup();
    fake.state.saveDialog.mockResolvedValueOnce({ canceled: false, filePath: join(tmpdir(), 'no-such-dir-agx', 'x', 'y.wav') });
    const result = await save(fromMain(), file);
    expect(result.saved).toBe(false);
    expect(result.error?.code).toBe('io_error');
  });
});

describe('the menu', () => {
  const sent: string[] = [];
  const actions = { send: (c: string) => sent.push(c), about: vi.fn(), openDataDir: vi.fn() };
  const find = (items: any[], label: string): any =>
    items.flatMap((i) => [i, ...(Array.isArray(i.submenu) ? i.submenu : [])]).find((i) => i.label === label);

  it('sends New Session, Export, Undo and Redo to the renderer; undo keys stay with the renderer', () => {
    const template = buildMenuTemplate({ platform: 'linux', isPackaged: true, actions: actions as any });
    expect(template.map((m) => m.label ?? m.role)).toEqual(['File', 'Edit', 'View', 'help']);
    for (const label of ['New Session', 'Export…', 'Undo', 'Redo']) find(template, label).click();
    expect(sent).toEqual(['new-session', 'export', 'undo', 'redo']);
    expect(find(template, 'Undo').registerAccelerator).toBe(false);
    expect(find(template, 'Redo').registerAccelerator).toBe(false);
  });

  it('offers developer tools only in unpackaged builds', () => {
    const roles = (packaged: boolean) =>
      (buildMenuTemplate({ platform: 'linux', isPackaged: packaged, actions: actions as any })[2]!.submenu as any[]).map((i) => i.role);
    expect(roles(true)).not.toContain('toggleDevTools');
    expect(roles(false)).toContain('toggleDevTools');
    expect(buildMenuTemplate({ platform: 'darwin', isPackaged: true, actions: actions as any })[0]).toEqual({ role: 'appMenu' });
  });
});
