// A session made with one model, opened by a studio running another (a rebuilt bundle): the take
// still plays, the inspector says which model made it, and the Explain dialog says why it cannot start.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { embeddedModelsDir } from '../../electron/engine/manifest';
import { launchBrowser, openStudio, shot, skipReason, startServer } from './helpers';

const reason = skipReason();
if (reason !== null) console.warn(`skipping "studio model change": ${reason}`);

describe.skipIf(reason !== null)('studio after a model change (browser mode)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agx-e2e-model-change-'));
  const rebuilt = mkdtempSync(join(tmpdir(), 'agx-e2e-rebuilt-model-'));
  let browser: Browser;
  beforeAll(async () => {
    browser = await launchBrowser();
    // Every file verifies, but the model's identity differs, as after retraining.
    cpSync(join(embeddedModelsDir(), 'tiny-foley'), rebuilt, { recursive: true });
    const manifest = JSON.parse(readFileSync(join(rebuilt, 'manifest.json'), 'utf8'));
    const retrained = { id: 'f'.repeat(64), weightsSha256: 'f'.repeat(64) }; // other weights: another identity
    writeFileSync(join(rebuilt, 'manifest.json'), JSON.stringify({ ...manifest, description: 'a rebuild', identity: retrained }, null, 1));
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    rmSync(dataDir, { recursive: true, force: true });
    rmSync(rebuilt, { recursive: true, force: true });
  });

  it("marks another model's take in the inspector, and the Explain dialog says why it cannot start", async () => {
    const first = await startServer(dataDir);
    try {
      const { page } = await openStudio(browser, first.url);
      await page.getByRole('textbox', { name: 'Prompt' }).fill('a bell rings');
      await page.getByRole('button', { name: 'Generate', exact: true }).click();
      await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 90_000 });
      const inspector = page.getByLabel('Inspector');
      await inspector.getByRole('heading', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
      expect(await inspector.getByText('Made by another model').count()).toBe(0);
      await page.close();
    } finally {
      await first.stop();
    }

    const second = await startServer(dataDir, 0, ['--model', rebuilt]);
    try {
      const { page, pageErrors } = await openStudio(browser, second.url);
      await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
      const inspector = page.getByLabel('Inspector');
      await inspector.getByRole('heading', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
      await inspector.getByText(/Made by another model \(tiny-foley, identity [0-9a-f]{12}\)/).waitFor({ timeout: 30_000 });
      await page.getByRole('button', { name: 'Explain Take 1' }).click();
      const dialog = page.getByRole('dialog', { name: 'Explain Take 1' });
      const why = dialog.getByText(/^Cannot explain: Take 1 was made by another model/);
      await why.waitFor({ timeout: 30_000 });
      expect(await why.textContent()).toContain('--model');
      expect(await dialog.getByRole('button', { name: 'Start explaining' }).isDisabled()).toBe(true);
      await shot(page, '25-another-models-take');
      expect(pageErrors).toEqual([]);
    } finally {
      await second.stop();
    }
  }, 240_000);
});
