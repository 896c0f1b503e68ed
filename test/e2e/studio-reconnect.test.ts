// Browser mode when `agx serve` goes away and comes back: the page says so, retries, and when the
// restarted server (new token) refuses it, says to open the new URL; that URL finds the work intact.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { launchBrowser, openStudio, shot, skipReason, startServer } from './helpers';

const reason = skipReason();
if (reason !== null) console.warn(`skipping "studio reconnect": ${reason}`);

describe.skipIf(reason !== null)('studio reconnect (browser mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agx-e2e-reconnect-'));
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('reports a lost server, then a refused (restarted) one, and the new URL reopens the same work', async () => {
    const first = await startServer(dataDir);
    const port = Number(new URL(first.url).port);
    const { page, pageErrors } = await openStudio(browser, first.url);
    await page.getByRole('textbox', { name: 'Prompt' }).fill('a bell rings');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 90_000 });

    const status = page.getByRole('status', { name: 'Status' });
    await first.stop();
    await status.getByText(/Disconnected: the studio is not reachable; retrying in \d+ s/).waitFor({ timeout: 15_000 });

    // Same port, same data, new random token: this page's token is out of date.
    const second = await startServer(dataDir, port);
    try {
      await status.getByText(/Disconnected: the studio refused this page .*open the URL agx serve printed/).waitFor({ timeout: 20_000 });
      await shot(page, '14-reconnect-refused');
      await page.goto(second.url);
      await status.getByText('Connected (browser mode)').waitFor({ timeout: 30_000 });
      await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
      await expect.poll(() => page.getByRole('textbox', { name: 'Prompt' }).inputValue()).toBe('a bell rings');
      // The only console errors allowed are the refused handshakes and probes of the outage.
      expect(pageErrors.filter((e) => !/WebSocket|Failed to load resource|ERR_CONNECTION_REFUSED|401/.test(e))).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 240_000);
});
