// Importing a WAV in the browser against the real server and model: the button and a drop on the
// timeline, the caption dialog, the job, the new take with its waveform, an explanation of it, and
// the alerts for files the service cannot import.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { JobInfo, SessionState } from '../../electron/common/api';
import { callApi, openStudio, pickMethod, shot, studioSuite, waitForJobs, type Server } from './helpers';

const CAPTION = 'rain falls on a roof';

/**
 * A 16-bit PCM WAV of rain-like noise: crackle (random drops) over a soft hiss. Stereo at 22.05 kHz
 * on purpose, so the import has to mix down and resample to the model's rate.
 */
function rainWav(seconds: number, rate = 22050, channels = 2): Buffer {
  const frames = Math.round(seconds * rate);
  const data = Buffer.alloc(frames * channels * 2);
  let seed = 12345;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    return seed / 0x100000000;
  };
  let drop = 0;
  for (let i = 0; i < frames; i++) {
    if (rand() < 0.004) drop = 0.4 + 0.5 * rand();
    drop *= 0.995;
    const v = (rand() * 2 - 1) * (0.08 + drop);
    for (let c = 0; c < channels; c++) data.writeInt16LE(Math.round(Math.max(-1, Math.min(1, v)) * 32767), (i * channels + c) * 2);
  }
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(channels, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * channels * 2, 28);
  header.writeUInt16LE(channels * 2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

async function currentSession(server: Server): Promise<SessionState> {
  const list = await callApi<{ lastOpenedId: string }>(server.url, 'listSessions');
  return callApi<SessionState>(server.url, 'openSession', { sessionId: list.lastOpenedId });
}

/** Bright pixels in the first track's waveform row of the timeline canvas (its centre line left out). */
async function waveformInk(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="timeline-stage"] canvas')!;
    const k = canvas.width / canvas.clientWidth;
    const ctx = canvas.getContext('2d')!;
    // Layout: a 26 px ruler, then the 76 px waveform row of the first track.
    const top = Math.round((26 + 4) * k);
    const mid = Math.round((26 + 38) * k);
    const bottom = Math.round((26 + 72) * k);
    const px = ctx.getImageData(0, top, canvas.width, bottom - top).data;
    let ink = 0;
    for (let y = 0; y < bottom - top; y++) {
      if (Math.abs(top + y - mid) <= 2 * k) continue;
      for (let x = 0; x < canvas.width; x++) {
        const o = (y * canvas.width + x) * 4;
        if (px[o]! + px[o + 1]! + px[o + 2]! > 300) ink++;
      }
    }
    return ink;
  });
}

/** Drops files on the timeline the way a file manager does (a DataTransfer carrying Files). */
async function dropFiles(page: Page, files: { name: string; text: string }[]): Promise<void> {
  await page.evaluate((list) => {
    const dt = new DataTransfer();
    for (const f of list) dt.items.add(new File([f.text], f.name, { type: 'audio/wav' }));
    const target = document.querySelector('main.timeline')!;
    target.dispatchEvent(new DragEvent('dragover', { bubbles: true, cancelable: true, dataTransfer: dt }));
    target.dispatchEvent(new DragEvent('drop', { bubbles: true, cancelable: true, dataTransfer: dt }));
  }, files);
}

studioSuite('importing a WAV', (env) => {
  it('imports through the button with the prompt as caption, shows the take as imported, explains it', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    await page.getByRole('textbox', { name: 'Prompt' }).fill(CAPTION);
    await page.getByLabel('Audio file to import').setInputFiles({ name: 'rain.wav', mimeType: 'audio/wav', buffer: rainWav(2) });

    // The caption dialog offers the prompt box's text and needs a caption.
    const dialog = page.getByRole('dialog', { name: 'Import rain.wav' });
    const caption = dialog.getByRole('textbox', { name: 'Caption' });
    expect(await caption.inputValue()).toBe(CAPTION);
    await caption.fill('  ');
    expect(await dialog.getByRole('button', { name: 'Import' }).isDisabled()).toBe(true);
    await caption.fill(CAPTION);
    await shot(page, '20-import-dialog');
    await dialog.getByRole('button', { name: 'Import' }).click();
    await expect.poll(() => dialog.count()).toBe(0);

    // A new take, marked as imported, with the audio's waveform.
    const header = page.getByRole('group', { name: 'Take 1' });
    await header.waitFor({ timeout: 90_000 });
    await header.getByText('imported').waitFor();
    await expect.poll(() => waveformInk(page), { timeout: 15_000 }).toBeGreaterThan(500);
    const take = (await currentSession(server)).takes[0]!;
    expect(take.source).toBe('imported');
    expect(take.prompt).toBe(CAPTION);
    expect(take.durationSec).toBeCloseTo(2, 1);
    // It went through the job queue like any other job.
    const jobs = await callApi<JobInfo[]>(server.url, 'listJobs');
    expect(jobs.find((j) => j.kind === 'import')).toMatchObject({ label: 'Import rain.wav', state: 'done' });
    await expect.poll(() => page.getByRole('complementary', { name: 'Inspector' }).getByText('Imported audio').count()).toBe(1);

    // Explain it against the caption with a cheap method: the lanes get their importances.
    await header.getByRole('button', { name: 'Explain Take 1' }).click();
    const explain = page.getByRole('dialog', { name: 'Explain Take 1' });
    await pickMethod(explain, 'Cross-attention (not importance)');
    await explain.getByRole('button', { name: 'Start explaining' }).click();
    await waitForJobs(page);
    const lanes = page.getByRole('list', { name: 'Take 1 token lanes' });
    await expect.poll(() => lanes.getByText(/^\d\.\d\d$/).count(), { timeout: 60_000 }).toBe(take.tokens.length);
    expect((await currentSession(server)).explanations.map((x) => x.method)).toEqual(['attention']);
    await shot(page, '21-imported-take');
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('regenerates an imported take from its caption', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Regenerate' }).click();
    const header = page.getByRole('group', { name: 'Take 2' });
    await header.waitFor({ timeout: 90_000 });
    await header.getByText('from Take 1').waitFor();
    const take2 = (await currentSession(server)).takes.find((t) => t.number === 2)!;
    expect(take2).toMatchObject({ source: 'regenerated', prompt: CAPTION });
    expect(pageErrors).toEqual([]);
  }, 180_000);

  it('reads the file before the click: refuses a junk file in the dialog, and imports a span of a clip longer than the model takes', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    await page.getByRole('group', { name: 'Take 2' }).waitFor({ timeout: 30_000 });
    const before = (await currentSession(server)).takes.length;

    await dropFiles(page, [{ name: 'junk.wav', text: 'this is a text file, not audio' }]);
    const dialog = page.getByRole('dialog', { name: 'Import junk.wav' });
    await dialog.getByRole('textbox', { name: 'Caption' }).fill('junk');
    await dialog.getByText('junk.wav cannot be imported: not an audio file this app reads').waitFor();
    expect(await dialog.getByRole('button', { name: 'Import' }).isDisabled()).toBe(true);
    await shot(page, '22-import-junk');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    // 12 s of stereo 22.05 kHz: the dialog says so and offers the model's maximum as a span to move.
    const maxSec = (await callApi<{ model: { maxDurationSec: number } }>(server.url, 'getInfo')).model.maxDurationSec;
    await page.getByLabel('Audio file to import').setInputFiles({ name: 'long.wav', mimeType: 'audio/wav', buffer: rainWav(12) });
    const long = page.getByRole('dialog', { name: 'Import long.wav' });
    await long.getByText(/12\.0 s · 22\.05 kHz · stereo · 16-bit/).waitFor();
    await long.getByRole('slider', { name: 'Start of the imported span (seconds)' }).fill('4');
    await long.getByRole('img', { name: new RegExp(`imported span is 4\\.00–${(4 + maxSec).toFixed(2)} s`) }).waitFor();
    await shot(page, '23-import-long-clip');
    await long.getByRole('button', { name: `Import 4.00–${(4 + maxSec).toFixed(2)} s` }).click();
    await page.getByRole('group', { name: `Take ${before + 1}` }).waitFor({ timeout: 90_000 });
    const take = (await currentSession(server)).takes.find((t) => t.number === before + 1)!;
    expect(take).toMatchObject({ source: 'imported' });
    expect(take.durationSec).toBeCloseTo(maxSec, 1);
    expect(pageErrors).toEqual([]);
  }, 180_000);
});
