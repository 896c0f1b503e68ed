// Importing the formats a designer has (issue 15, 'Formats a designer has', and item 6) in the browser
// against the real server and model: a FLAC and an MP3 from test/fixtures/audio through the import
// dialog, which shows what their headers say before the click, each ending as a take; and a FLAC longer
// than the model takes, decoded in the browser for the span picker and imported as the picked span.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import type { SessionState } from '../../electron/common/api';
import { encodeFlac } from '../../electron/engine/audio/flac';
import { callApi, openStudio, ROOT, shot, studioSuite, type Server } from './helpers';

const fixture = (name: string): Buffer => readFileSync(join(ROOT, 'test', 'fixtures', 'audio', name));

async function currentSession(server: Server): Promise<SessionState> {
  const list = await callApi<{ lastOpenedId: string }>(server.url, 'listSessions');
  return callApi<SessionState>(server.url, 'openSession', { sessionId: list.lastOpenedId });
}

studioSuite('importing FLAC and MP3', (env) => {
  it('shows a FLAC header in the dialog and imports it as a take', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    const input = page.getByLabel('Audio file to import');
    // The input offers every format the engine reads (a file chooser filters on this).
    expect(await input.getAttribute('accept')).toMatch(/\.flac.*\.mp3.*\.ogg.*\.opus.*\.aiff.*audio\/\*/);
    await input.setInputFiles({ name: 'source.flac', mimeType: 'audio/flac', buffer: fixture('source.flac') });
    const dialog = page.getByRole('dialog', { name: 'Import source.flac' });
    await dialog.getByText(/0\.10 s · 22\.05 kHz · stereo · FLAC 16-bit/).waitFor();
    await dialog.getByRole('textbox', { name: 'Caption' }).fill('two sine tones');
    await shot(page, '24-import-flac-dialog');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => dialog.count()).toBe(0);
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 90_000 });
    const take = (await currentSession(server)).takes[0]!;
    expect(take).toMatchObject({ source: 'imported', prompt: 'two sine tones' });
    expect(take.durationSec).toBeCloseTo(0.1, 1);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('shows what an MP3 header says ("about" a length) and imports it as a take', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
    await page
      .getByLabel('Audio file to import')
      .setInputFiles({ name: 'source.mp3', mimeType: 'audio/mpeg', buffer: fixture('source.mp3') });
    const dialog = page.getByRole('dialog', { name: 'Import source.mp3' });
    await dialog.getByText(/about 0\.\d\d s · 22\.05 kHz · mono · MP3/).waitFor();
    await dialog.getByRole('textbox', { name: 'Caption' }).fill('two sine tones, compressed');
    await shot(page, '25-import-mp3-dialog');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await page.getByRole('group', { name: 'Take 2' }).waitFor({ timeout: 90_000 });
    const take = (await currentSession(server)).takes.find((t) => t.number === 2)!;
    expect(take).toMatchObject({ source: 'imported', prompt: 'two sine tones, compressed' });
    // The decoder's delay and padding may add a frame or two; the clip is about 0.1 s.
    expect(take.durationSec).toBeGreaterThan(0.05);
    expect(take.durationSec).toBeLessThan(0.3);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('decodes a FLAC longer than the model takes in the browser, draws it, and imports the picked span', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    await page.getByRole('group', { name: 'Take 2' }).waitFor({ timeout: 30_000 });
    const maxSec = (await callApi<{ model: { maxDurationSec: number } }>(server.url, 'getInfo')).model.maxDurationSec;
    // 12 s of 16 kHz mono: silence, then a tone from 6 s on, so the waveform has something to show.
    const rate = 16000;
    const samples = Float32Array.from({ length: 12 * rate }, (_, i) =>
      i >= 6 * rate ? 0.5 * Math.sin((2 * Math.PI * 330 * i) / rate) : 0,
    );
    const flac = await encodeFlac([samples], rate, 16);
    await page.getByLabel('Audio file to import').setInputFiles({ name: 'long.flac', mimeType: 'audio/flac', buffer: Buffer.from(flac) });
    const dialog = page.getByRole('dialog', { name: 'Import long.flac' });
    await dialog.getByText(/12\.0 s · 16 kHz · mono · FLAC 16-bit/).waitFor();
    const slider = dialog.getByRole('slider', { name: 'Start of the imported span (seconds)' });
    await slider.waitFor({ timeout: 30_000 });
    await slider.fill('6');
    await dialog.getByRole('img', { name: new RegExp(`imported span is 6\\.00–${(6 + maxSec).toFixed(2)} s`) }).waitFor();
    // The tone's half is drawn, the silent half is not.
    const heights = await dialog.locator('rect.peak').evaluateAll((rects) => rects.map((r) => Number(r.getAttribute('height'))));
    expect(Math.max(...heights.slice(0, heights.length / 2 - 2))).toBeLessThanOrEqual(1);
    expect(Math.min(...heights.slice(heights.length / 2 + 2))).toBeGreaterThan(20);
    await dialog.getByRole('textbox', { name: 'Caption' }).fill('a steady tone');
    await shot(page, '26-import-long-flac');
    await dialog.getByRole('button', { name: `Import 6.00–${(6 + maxSec).toFixed(2)} s` }).click();
    await page.getByRole('group', { name: 'Take 3' }).waitFor({ timeout: 90_000 });
    const take = (await currentSession(server)).takes.find((t) => t.number === 3)!;
    expect(take).toMatchObject({ source: 'imported', prompt: 'a steady tone' });
    expect(take.durationSec).toBeCloseTo(maxSec, 1);
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('measures an Ogg (whose header has no length) by decoding it in the browser', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    for (const [name, text] of [
      ['source.ogg', /0\.10 s · 22\.05 kHz · stereo · Ogg Vorbis/],
      ['source.opus', /0\.10 s · 48 kHz · stereo · Ogg Opus/],
    ] as const) {
      await page.getByLabel('Audio file to import').setInputFiles({ name, mimeType: 'audio/ogg', buffer: fixture(name) });
      const dialog = page.getByRole('dialog', { name: `Import ${name}` });
      await dialog.getByText(text).waitFor();
      await dialog.getByRole('textbox', { name: 'Caption' }).fill('two sine tones');
      expect(await dialog.getByRole('button', { name: 'Import' }).isDisabled()).toBe(false);
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await expect.poll(() => dialog.count()).toBe(0);
    }
    expect(pageErrors).toEqual([]);
  }, 120_000);
});
