// Browser-mode end-to-end helpers: the real `agx serve` (real engine and model) on port 0 with a
// temporary data folder, and Debian's Chromium driven by playwright-core.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe } from 'vitest';

/** The project root. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Where Debian installs Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
/** Screenshots land here (the few worth keeping are copied to docs/screenshots). */
export const SHOTS = join(ROOT, 'test', 'e2e', 'screenshots');

/** Why the browser tests cannot run here, or null when they can. */
export function skipReason(): string | null {
  if (!existsSync(CHROMIUM)) return `${CHROMIUM} is missing (install Debian's chromium package to run the browser tests)`;
  if (!existsSync(join(ROOT, 'dist', 'electron', 'cli', 'agx.js'))) return 'the CLI is not built (npm run build)';
  if (!existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))) return 'the renderer is not built (npm run build)';
  return null;
}

/** What a studio suite's tests share: one server on a fresh data folder and one browser. */
export interface StudioEnv {
  /** Set by the suite's beforeAll; read it inside tests, not while the suite is being collected. */
  server: Server;
  /** Set by the suite's beforeAll. */
  browser: Browser;
}

/**
 * A describe block against a real `agx serve` (fresh data folder) and headless Chromium, both started
 * once before its tests and stopped after them; skipped, with the reason printed, where it cannot run.
 */
export function studioSuite(name: string, body: (env: StudioEnv) => void): void {
  const reason = skipReason();
  if (reason !== null) console.warn(`skipping "${name}": ${reason}`);
  describe.skipIf(reason !== null)(name, () => {
    const env = {} as StudioEnv;
    beforeAll(async () => {
      env.server = await startServer();
      env.browser = await launchBrowser();
    }, 120_000);
    afterAll(async () => {
      await env.browser?.close();
      await env.server?.cleanup();
    });
    body(env);
  });
}

/** A running `agx serve`. */
export interface Server {
  url: string;
  dataDir: string;
  /** Stops the server with a signal, SIGTERM unless given (the data folder stays until cleanup). */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the server and deletes the data folder. */
  cleanup(): Promise<void>;
}

/** Starts `agx serve` on a data folder (a fresh temporary one unless given) and a port (0: a free one). */
export async function startServer(dataDir?: string, port = 0, extraArgs: string[] = []): Promise<Server> {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'agx-e2e-'));
  mkdirSync(dir, { recursive: true });
  const child: ChildProcess = spawn(
    process.execPath,
    [join(ROOT, 'bin', 'agx.js'), 'serve', '--port', String(port), '--data-dir', dir, ...extraArgs],
    {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`agx serve printed no URL in 60 s; stderr: ${stderr}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /(http:\/\/\S+\?token=\S+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`agx serve exited with ${code}; stderr: ${stderr}`));
    });
  });
  const stop = async (signal: NodeJS.Signals = 'SIGTERM'): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.kill(signal);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    url,
    dataDir: dir,
    stop,
    async cleanup() {
      await stop();
      if (dataDir === undefined) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Launches headless Chromium with the flags a CI box needs. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
  });
}

/** A page on the studio with downloads allowed; page errors fail loudly through the returned list. */
export async function openStudio(
  browser: Browser,
  url: string,
  size = { width: 1500, height: 900 },
): Promise<{ context: BrowserContext; page: Page; pageErrors: string[] }> {
  const context = await browser.newContext({ viewport: size, acceptDownloads: true });
  const page = await context.newPage();
  const pageErrors: string[] = [];
  page.on('pageerror', (e) => pageErrors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') pageErrors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.getByRole('status', { name: 'Status' }).getByText('Connected (browser mode)').waitFor({ timeout: 30_000 });
  return { context, page, pageErrors };
}

/** Picks an explanation method by its catalog label in the Explain dialog, where it sits under Advanced. */
export async function pickMethod(dialog: Locator, label: string): Promise<void> {
  const advanced = dialog.locator('details.advanced');
  if (!(await advanced.evaluate((d) => (d as HTMLDetailsElement).open))) await advanced.locator('summary').click();
  // exact: the Precise choice's description mentions "the method" too.
  await dialog.getByLabel('Method', { exact: true }).selectOption({ label });
}

/** Saves a screenshot under test/e2e/screenshots and returns its path. */
export async function shot(page: Page, name: string): Promise<string> {
  mkdirSync(SHOTS, { recursive: true });
  const path = join(SHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

/** Waits until no job is queued or running (the jobs bar says so). */
export async function waitForJobs(page: Page, timeout = 120_000): Promise<void> {
  await page.getByText('No jobs running').waitFor({ state: 'attached', timeout });
}

/** One StudioApi call from Node over the server's WebSocket (token from the URL), for checking what the UI shows. */
export async function callApi<T = unknown>(url: string, method: string, params: unknown = {}): Promise<T> {
  const { default: WebSocket } = await import('ws');
  const u = new URL(url);
  const ws = new WebSocket(`ws://${u.host}/api?token=${encodeURIComponent(u.searchParams.get('token') ?? '')}`);
  try {
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    return await new Promise<T>((resolve, reject) => {
      ws.on('message', (data) => {
        const frame = JSON.parse(String(data)) as { id?: number; ok?: boolean; result?: unknown; error?: { message: string } };
        if (frame.id !== 1) return;
        if (frame.ok === true) resolve(frame.result as T);
        else reject(new Error(frame.error?.message ?? 'call failed'));
      });
      ws.send(JSON.stringify({ id: 1, method, params }));
    });
  } finally {
    ws.close();
  }
}
