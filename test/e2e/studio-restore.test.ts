// A damaged session store in the browser: a first run leaves a backup, the store file is then
// damaged, and the next start shows what happened with the backups to restore from.
import { closeSync, mkdtempSync, openSync, readdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import type { JobInfo, SessionState } from '../../electron/common/api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callApi, launchBrowser, openStudio, shot, skipReason, startServer, type Server } from './helpers';

const reason = skipReason();
const SESSION = 'Foley before the damage';

describe.skipIf(reason !== null)('a damaged store', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agx-e2e-damaged-'));
  let browser: Browser;
  let server: Server | undefined;
  beforeAll(async () => {
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('shows the error and the backups, restores one after a confirmation, and the session is back', async () => {
    // A first run with one session and a take; a clean stop (Ctrl+C) takes a backup on close. The
    // take is waited for because a stop while the engine is still warming up aborts the server
    // before it can close the store (seen with agx serve here: "terminate called after throwing an
    // instance of 'Napi::Error'", no backup).
    const first = await startServer(dataDir);
    const created = await callApi<SessionState>(first.url, 'createSession', { name: SESSION });
    const { jobId } = await callApi<{ jobId: string }>(first.url, 'generate', {
      sessionId: created.session.id,
      prompt: 'rain falls',
      seed: 1,
      durationSec: 1,
    });
    await expect
      .poll(async () => (await callApi<JobInfo[]>(first.url, 'listJobs')).find((j) => j.id === jobId)?.state, {
        timeout: 90_000,
        interval: 500,
      })
      .toBe('done');
    await first.stop('SIGINT');
    const backups = readdirSync(join(dataDir, 'backups')).filter((f) => !f.endsWith('.partial'));
    expect(backups.length).toBeGreaterThan(0);

    // Damage the store: its first 100 bytes (the SQLite header) overwritten.
    const fd = openSync(join(dataDir, 'studio.sqlite'), 'r+');
    writeSync(fd, Buffer.alloc(100, 0x41), 0, 100, 0);
    closeSync(fd);

    server = await startServer(dataDir);
    const info = await callApi<{ storeError: { message: string } | null }>(server.url, 'getInfo');
    expect(info.storeError).not.toBeNull();
    const { page, pageErrors } = await openStudio(browser, server.url);
    const panel = page.getByRole('region', { name: /Sessions are unavailable/ });
    await panel.waitFor({ timeout: 30_000 });
    await panel.getByText(info.storeError!.message).waitFor();
    const rows = panel.getByRole('table', { name: 'Backups' }).getByRole('row');
    // A header row plus one row per backup, each with its own Restore button.
    await expect.poll(() => rows.count()).toBe(backups.length + 1);
    const newest = [...backups].sort().reverse()[0]!;
    await panel.getByText(newest).waitFor();
    await shot(page, '23-damaged-store');

    // Restore asks first; Cancel leaves everything as it was.
    await panel.getByRole('button', { name: `Restore ${newest}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Restore this backup?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => confirm.count()).toBe(0);
    expect((await callApi<{ storeError: unknown }>(server.url, 'getInfo')).storeError).not.toBeNull();

    await panel.getByRole('button', { name: `Restore ${newest}` }).click();
    await confirm.getByRole('button', { name: 'Restore' }).click();
    await page
      .getByRole('navigation', { name: 'Sessions' })
      .getByRole('button', { name: `Open session ${SESSION}` })
      .waitFor({ timeout: 30_000 });
    await expect.poll(() => panel.count()).toBe(0);
    // The session opens again with its take.
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
    expect((await callApi<{ storeError: unknown }>(server.url, 'getInfo')).storeError).toBeNull();
    // The damaged file was kept aside, not deleted.
    expect(readdirSync(dataDir).some((f) => f.startsWith('studio.sqlite.replaced-'))).toBe(true);
    await shot(page, '24-restored');
    expect(pageErrors).toEqual([]);
  }, 240_000);
});
