// The Electron app end to end with Playwright: build the bundles, launch the real binary, and check
// the window, the bridge, the IPC front door and the navigation guards from inside the page. Runs only
// where an Electron binary is installed (node_modules/electron/dist, or AGX_ELECTRON_PATH); elsewhere
// it is reported as skipped with the reason. Nothing here stands in for Electron.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { findElectronBinary } from '../../scripts/start.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const electronPath: string | null = findElectronBinary();
const reason = 'no Electron binary is installed (node_modules/electron has no dist/ and AGX_ELECTRON_PATH is unset)';
if (electronPath === null) console.log(`[e2e] Electron app tests skipped: ${reason}`);

type Bridge = { invoke(method: string, params: unknown): Promise<{ ok: boolean; result?: unknown; error?: { code: string } }> };
declare const studioBridge: Bridge;

describe('Electron app', () => {
  it.skipIf(electronPath === null)(
    electronPath === null ? `launches the studio window (skipped: ${reason})` : 'launches the studio window',
    { timeout: 300_000 },
    async () => {
      const { build } = await import('vite');
      for (const name of ['main', 'preload', 'renderer'])
        await build({ configFile: join(ROOT, `vite.${name}.config.ts`), logLevel: 'warn' });
      expect(existsSync(join(ROOT, 'dist', 'renderer', 'index.html'))).toBe(true);

      const { _electron } = await import('playwright-core');
      const dataDir = mkdtempSync(join(tmpdir(), 'agx-e2e-'));
      const app = await _electron.launch({
        executablePath: electronPath!,
        args: [join(ROOT, '.vite', 'build', 'main.js'), '--data-dir', dataDir],
        cwd: ROOT,
        timeout: 120_000,
      });
      try {
        const page = await app.firstWindow();
        await page.waitForLoadState('domcontentloaded');
        expect(page.url()).toBe('agx://app/index.html');

        // Context isolation and no Node integration: the page sees the bridge and nothing of Node.
        expect(
          await page.evaluate(() => [
            typeof (globalThis as any).require,
            typeof (globalThis as any).process,
            typeof (globalThis as any).studioBridge?.invoke,
          ]),
        ).toEqual(['undefined', 'undefined', 'function']);

        // A real call through preload -> IPC -> dispatch -> studio, and a malformed one.
        const info = await page.evaluate(() => studioBridge.invoke('getInfo', {}));
        expect(info.ok).toBe(true);
        expect((info.result as { dataDir: string }).dataDir).toBe(dataDir);
        const bad = await page.evaluate(() => studioBridge.invoke('createSession', { nonsense: 1 }));
        expect(bad.error?.code).toBe('bad_request');

        // The app's pages carry the CSP header; traversal out of the renderer folder finds nothing.
        const res = await page.evaluate(async () => {
          const r = await fetch('agx://app/index.html');
          const t = await fetch('agx://app/..%2f..%2fpackage.json');
          return { csp: r.headers.get('content-security-policy'), traversal: t.status };
        });
        expect(res.csp).toContain("script-src 'self'");
        expect(res.traversal).toBe(404);

        // window.open is denied and navigation away is prevented.
        expect(await page.evaluate(() => window.open('https://example.com/') === null)).toBe(true);
        await page.evaluate(() => {
          location.href = 'https://example.com/';
        });
        await page.waitForTimeout(500);
        expect(page.url()).toBe('agx://app/index.html');
        expect(app.windows()).toHaveLength(1);
      } finally {
        await app.close();
      }
    },
  );
});
