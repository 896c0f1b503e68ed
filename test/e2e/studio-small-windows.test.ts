// What a designer sees (issue 15, items 5, 7, 8) in Chromium against the real server and model:
// small windows (1280x720, 1024x700) keep their toolbars apart, the inspector hides and the zoom
// refits; renders move the playhead and can be kept as a take or saved; a dead server shows on the
// running job and the buttons, and a restart on a new token says how to reconnect.
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { SessionState } from '../../electron/common/api';
import { callApi, launchBrowser, openStudio, shot, skipReason, startServer, waitForJobs, type Server } from './helpers';

const reason = skipReason();
if (reason !== null) console.warn(`skipping "small windows, renders, lost server": ${reason}`);

async function currentSession(url: string): Promise<SessionState> {
  const list = await callApi<{ lastOpenedId: string }>(url, 'listSessions');
  return callApi<SessionState>(url, 'openSession', { sessionId: list.lastOpenedId });
}

/** Boxes of the bars that must not run into each other, and whether anything sticks out of the window. */
async function layout(page: Page) {
  return page.evaluate(() => {
    const box = (sel: string) => {
      const r = document.querySelector(sel)!.getBoundingClientRect();
      return { top: r.top, bottom: r.bottom, left: r.left, right: r.right };
    };
    // Every control of the two toolbars lies inside its own bar and the window.
    const outside = [
      ...document.querySelectorAll('.promptbar button, .promptbar input, .timeline .toolbar button, .timeline .toolbar select'),
    ]
      .filter((el) => (el as HTMLElement).offsetParent !== null)
      .filter((el) => {
        const r = el.getBoundingClientRect();
        const bar = el.closest('.promptbar, .timeline .toolbar')!.getBoundingClientRect();
        return r.top < bar.top - 0.5 || r.bottom > bar.bottom + 0.5 || r.right > window.innerWidth + 0.5;
      })
      .map((el) => el.getAttribute('aria-label') ?? el.textContent);
    return {
      prompt: box('.promptbar'),
      toolbar: box('.timeline .toolbar'),
      jobs: box('.jobs'),
      outside,
      scrollW: document.documentElement.scrollWidth,
      width: window.innerWidth,
    };
  });
}

/** The x of the playhead's red line in the ruler row of the timeline canvas (-1 when none). */
async function playheadX(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvases = [...document.querySelectorAll<HTMLCanvasElement>('[data-testid="timeline-stage"] canvas')];
    for (const canvas of canvases.reverse()) {
      const ctx = canvas.getContext('2d')!;
      const y = Math.round(10 * (canvas.width / canvas.clientWidth));
      const px = ctx.getImageData(0, y, canvas.width, 1).data;
      for (let x = 0; x < canvas.width; x++) {
        const o = x * 4;
        if (px[o + 3]! > 0 && px[o]! > 200 && px[o + 1]! < 140 && px[o + 1]! > 70 && px[o + 2]! < 140) return x;
      }
    }
    return -1;
  });
}

describe.skipIf(reason !== null)('small windows, renders, lost server', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'agx-e2e-small-'));
  let browser: Browser;
  let server: Server;
  beforeAll(async () => {
    browser = await launchBrowser();
    server = await startServer(dataDir);
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('at 1280x720 and 1024x700 the toolbars stay apart, the inspector hides, and the zoom refits', async () => {
    const { page, pageErrors } = await openStudio(browser, server.url, { width: 1280, height: 720 });
    await page.getByRole('textbox', { name: 'Prompt' }).fill('a dog barks while rain falls');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 90_000 });
    await waitForJobs(page);

    for (const [w, h] of [
      [1280, 720],
      [1024, 700],
    ] as const) {
      await page.setViewportSize({ width: w, height: h });
      await page.waitForTimeout(300);
      const l = await layout(page);
      expect(l.outside, `${w}x${h}: controls outside their bar`).toEqual([]);
      expect(l.prompt.bottom).toBeLessThanOrEqual(l.toolbar.top + 0.5);
      expect(l.toolbar.bottom).toBeLessThanOrEqual(l.jobs.top);
      expect(l.scrollW).toBeLessThanOrEqual(w);
      await shot(page, `30-window-${w}x${h}`);
    }

    // The view was fitted: hiding the inspector widens the timeline and the zoom follows.
    const colWidth = () => page.evaluate(() => document.querySelector('.tl-canvas-col')!.clientWidth);
    const zoomOf = async () => (await currentSession(server.url)).timeline.pxPerSec;
    const before = await colWidth();
    await expect.poll(zoomOf).toBeCloseTo(before / 5, 0);
    await page.getByRole('button', { name: 'Hide inspector' }).click();
    await expect.poll(colWidth).toBeGreaterThan(before + 200);
    const after = await colWidth();
    await expect.poll(zoomOf, { timeout: 5000 }).toBeCloseTo(after / 5, 0);
    await shot(page, '31-window-1024x700-inspector-hidden');
    await page.getByRole('button', { name: 'Show inspector' }).click();
    await page.getByRole('complementary', { name: 'Inspector' }).getByText('Take 1').first().waitFor();
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('a render moves the playhead and can be kept as a take or saved as a WAV', async () => {
    const { page, pageErrors } = await openStudio(browser, server.url, { width: 1280, height: 720 });
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
    const takeId = (await currentSession(server.url)).takes[0]!.id;
    await callApi(server.url, 'explain', { takeId, method: 'attention' });
    await waitForJobs(page);
    const factual = page.getByRole('group', { name: 'Factual render', exact: true });
    await factual.getByRole('button', { name: 'Play the factual render' }).click();
    const position = factual.getByRole('progressbar', { name: 'Factual render position' });
    await position.waitFor({ timeout: 60_000 });
    await expect.poll(() => position.evaluate((el) => (el as HTMLProgressElement).value), { timeout: 10_000 }).toBeGreaterThan(0.1);
    // The timeline's playhead moves with the render (the red line's x in the ruler row).
    const x1 = await playheadX(page);
    await page.waitForTimeout(400);
    const x2 = await playheadX(page);
    expect(x2).toBeGreaterThan(x1);
    await shot(page, '32-render-playing');

    const [wav] = await Promise.all([page.waitForEvent('download'), factual.getByRole('button', { name: 'Export WAV' }).click()]);
    expect(wav.suggestedFilename()).toBe('take-1-attention-factual.wav');
    const bytes = readFileSync((await wav.path())!);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect((bytes.length - 44) / 4 / 16000).toBeCloseTo(5, 1);

    await factual.getByRole('button', { name: 'Keep as take' }).click();
    const kept = page.getByRole('group', { name: 'Take 2' });
    await kept.waitFor({ timeout: 90_000 });
    await kept.getByText('from Take 1').waitFor();
    expect(pageErrors).toEqual([]);
  }, 240_000);

  it('a dead server shows on the running job and the buttons; a restart on a new token says how to reconnect', async () => {
    const { page, pageErrors } = await openStudio(browser, server.url, { width: 1280, height: 720 });
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
    const takeId = (await currentSession(server.url)).takes[0]!.id;
    await callApi(server.url, 'explain', { takeId, method: 'audiogenx', params: { epochs: 1000 } });
    const jobs = page.getByRole('region', { name: 'Jobs' });
    // Under way: some progress shown (the bar says "N% · T s left" while running).
    await jobs.getByText(/[1-9]\d*%/).waitFor({ timeout: 60_000 });
    const port = Number(new URL(server.url).port);
    await server.stop('SIGKILL');

    await jobs.getByText(/disconnected at \d+%/).waitFor({ timeout: 15_000 });
    expect(await jobs.getByText(/s left/).count()).toBe(0);
    expect(await page.getByText('explaining… (live)').count()).toBe(0);
    const generate = page.getByRole('button', { name: 'Generate', exact: true });
    expect(await generate.isDisabled()).toBe(true);
    expect(await generate.getAttribute('title')).toMatch(/^Not connected/);
    await page.getByRole('alert', { name: 'Disconnected' }).getByText('Not connected to the studio').waitFor();
    await shot(page, '33-disconnected');

    server = await startServer(dataDir, port);
    const banner = page.getByRole('alert', { name: 'Disconnected' });
    await banner.getByText('restarted with a new access token').waitFor({ timeout: 30_000 });
    await shot(page, '34-restarted-new-token');
    await banner.getByRole('textbox', { name: 'New studio address' }).fill(server.url);
    await banner.getByRole('button', { name: 'Reconnect' }).click();
    await page.getByRole('status', { name: 'Status' }).getByText('Connected (browser mode)').waitFor({ timeout: 30_000 });
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
    expect(pageErrors.filter((e) => !/WebSocket|Failed to load resource|ERR_CONNECTION_REFUSED|401/.test(e))).toEqual([]);
  }, 240_000);
});
