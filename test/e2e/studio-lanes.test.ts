// Lanes a sound designer can read, in a real browser against the real engine: the legend, the hover
// readout, the absolute / relative switch, lanes that stop where the audio stops, the frequency axis,
// muted and unknown words; a comparison whose sign reads as labelled; the Explain dialog's plain
// choices and its estimate calibrated by the first run; the vocabulary panel.
import { copyFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { SessionState } from '../../electron/common/api';
import { callApi, openStudio, ROOT, shot, startServer, studioSuite, waitForJobs, type Server } from './helpers';

// "outside" is not in tiny-foley's vocabulary: its lane is flagged.
const PROMPT = 'a dog barks while rain falls outside';
const DOCS = join(ROOT, 'docs', 'screenshots');

async function currentSession(server: Server): Promise<SessionState> {
  const list = await callApi<{ lastOpenedId: string }>(server.url, 'listSessions');
  return callApi<SessionState>(server.url, 'openSession', { sessionId: list.lastOpenedId });
}

/** Opens a take's Explain dialog, waits for the estimate and returns the dialog and the seconds it shows. */
async function openExplain(page: Page, take: number): Promise<{ text: string; seconds: number }> {
  await page.getByRole('button', { name: `Explain Take ${take}` }).click();
  const dialog = page.getByRole('dialog', { name: `Explain Take ${take}` });
  const estimate = dialog.getByLabel('Estimated time');
  await estimate.getByText(/^Estimated time: /).waitFor({ timeout: 30_000 });
  const text = (await estimate.textContent()) ?? '';
  const m = /^Estimated time: about ([\d.]+) s/.exec(text);
  return { text, seconds: m === null ? NaN : Number(m[1]) };
}

/** The centre of lane `lane` of a take at `timeSec`, in page coordinates (layout read from the DOM labels, view from the server). */
async function lanePoint(page: Page, server: Server, take: number, lane: number, timeSec: number): Promise<{ x: number; y: number }> {
  const tl = (await currentSession(server)).timeline;
  const stage = (await page.getByTestId('timeline-stage').boundingBox())!;
  const label = (await page
    .getByRole('list', { name: `Take ${take} token lanes` })
    .getByRole('listitem')
    .nth(lane)
    .boundingBox())!;
  return { x: stage.x + (timeSec - tl.scrollSec) * tl.pxPerSec, y: label.y + label.height / 2 };
}

/** The RGB of the timeline's content canvas at a page point. */
async function canvasPixel(page: Page, x: number, y: number): Promise<[number, number, number]> {
  return page.evaluate(
    ([px, py]) => {
      const canvas = document.querySelector<HTMLCanvasElement>('[data-testid="timeline-stage"] canvas')!;
      const r = canvas.getBoundingClientRect();
      const k = canvas.width / r.width;
      const d = canvas.getContext('2d')!.getImageData(Math.round((px! - r.left) * k), Math.round((py! - r.top) * k), 1, 1).data;
      return [d[0]!, d[1]!, d[2]!] as [number, number, number];
    },
    [x, y],
  );
}

studioSuite('lanes, compare, explain dialog and vocabulary', (env) => {
  it('explains a take and a muted regeneration: legend, readout, scales, clip end, compare sign, estimate calibrated by the first run', async () => {
    const { server, browser } = env;
    // Tall enough for two takes with spectrograms and lanes in view at once.
    const { page, pageErrors } = await openStudio(browser, server.url, { width: 1500, height: 1040 });
    await page.getByRole('textbox', { name: 'Prompt' }).fill(PROMPT);
    await page.getByRole('spinbutton', { name: 'Seed' }).fill('3');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 90_000 });

    // Before any explanation ran here the estimate is the catalog's default, and says so.
    const first = await openExplain(page, 1);
    expect(first.text).toContain('not measured on this machine yet');
    const dialog = page.getByRole('dialog', { name: 'Explain Take 1' });
    // Plain choices first; the raw parameters wait behind Advanced.
    expect(await dialog.getByRole('radio', { name: /^Precise/ }).isChecked()).toBe(true);
    expect(await dialog.getByLabel('epochs').isVisible()).toBe(false);
    await shot(page, '40-explain-dialog');
    copyFileSync(join(ROOT, 'test', 'e2e', 'screenshots', '40-explain-dialog.png'), join(DOCS, 'explain-dialog.png'));
    await dialog.getByText('Advanced', { exact: true }).click();
    // The catalog's default, whatever the shipped preset is.
    const info = await callApi<{ methods: { name: string; defaults: Record<string, unknown> }[] }>(server.url, 'getInfo');
    const epochs = Number(info.methods.find((m) => m.name === 'audiogenx')!.defaults.epochs);
    expect(await dialog.getByLabel('epochs').inputValue()).toBe(String(epochs));
    await dialog.getByRole('button', { name: 'Start explaining' }).click();
    await waitForJobs(page, 180_000);

    // Mute "dog" and regenerate: Take 2 is made without the dog.
    await page.getByRole('button', { name: /^dog, importance/ }).click();
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await page.getByRole('group', { name: 'Take 2' }).waitFor({ timeout: 90_000 });

    // Now the estimate comes from this machine's measured run, and the run it predicts is timed by the studio.
    const second = await openExplain(page, 2);
    expect(second.text).toMatch(/measured on this machine \(last AudioGenX: [\d.]+ s\)/);
    await page.getByRole('dialog', { name: 'Explain Take 2' }).getByRole('button', { name: 'Start explaining' }).click();
    await waitForJobs(page, 180_000);
    const s = await currentSession(server);
    const [take1, take2] = [s.takes.find((t) => t.number === 1)!, s.takes.find((t) => t.number === 2)!];
    const e1 = s.explanations.find((e) => e.takeId === take1.id)!;
    const e2 = s.explanations.find((e) => e.takeId === take2.id)!;
    const actual = e2.elapsedMs / 1000;
    console.log(
      `estimate ${second.seconds.toFixed(2)} s (${second.text}) against the run's ${actual.toFixed(2)} s: ratio ${(second.seconds / actual).toFixed(3)}; first run ${(e1.elapsedMs / 1000).toFixed(2)} s, estimated ${first.seconds.toFixed(2)} s from the catalog`,
    );
    // Take 2 has Take 1's steps, tokens and parameters, so the calibrated estimate is Take 1's measured time
    // (how close it comes to the next run is the machine's run-to-run noise: a benchmark's business, not a test's).
    expect(Math.abs(second.seconds - e1.elapsedMs / 1000)).toBeLessThanOrEqual(0.051);

    // Lanes: the unknown word is flagged, the muted word reads muted.
    const lanes2 = page.getByRole('list', { name: 'Take 2 token lanes' });
    await expect.poll(() => lanes2.getByRole('listitem').count()).toBe(7);
    expect(await lanes2.getByRole('listitem').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual(
      e2.tokens.map((t, i) =>
        i === 1 ? 'dog muted' : `${t.text}${t.unknown === true ? ' (unknown word)' : ''} ${e2.holistic[i]!.toFixed(2)}`,
      ),
    );
    expect(e2.tokens[6]).toMatchObject({ text: 'outside', unknown: true });
    // ...and in the inspector's bars.
    await page
      .getByRole('list', { name: 'Holistic importance' })
      .getByRole('listitem', { name: `outside (unknown word) ${e2.holistic[6]!.toFixed(2)}` })
      .waitFor();
    await page.getByRole('group', { name: 'Lane colours' }).waitFor();

    // Hover readout: word, time and the mask's value at that step; muted says so.
    const readout = page.getByRole('status', { name: 'Lane readout' });
    let p = await lanePoint(page, server, 1, 4, 2.03);
    await page.mouse.move(p.x, p.y);
    // 2.03 s lies inside step 50 ([2.00, 2.04) s), whatever the pointer's sub-pixel rounding.
    const step = Math.floor(2.03 * e1.frameRate);
    await expect.poll(() => readout.textContent()).toMatch(/^rain · [\d.]+ s · [\d.]+$/);
    const shownValue = Number(/ · ([\d.]+)$/.exec((await readout.textContent())!)![1]);
    expect(shownValue).toBeCloseTo(e1.mask[step]![4]!, 2);
    // Relative to the take: the same point on the lane's own range.
    await page.getByRole('radio', { name: 'Relative to the take' }).click();
    // The legend's end labels change with the scale: the point is looked up again rather than assumed.
    p = await lanePoint(page, server, 1, 4, 2.03);
    await page.mouse.move(p.x + 1, p.y);
    await page.mouse.move(p.x, p.y);
    // The lane's 5th and 95th percentiles over the clip's frames (interpolated), clipped beyond.
    const lane = e1.mask
      .slice(0, take1.frames)
      .map((row) => row[4]!)
      .sort((a, b) => a - b);
    const pct = (p: number): number => {
      const pos = p * (lane.length - 1);
      const k = Math.floor(pos);
      return lane[k]! + (pos - k) * (lane[Math.min(lane.length - 1, k + 1)]! - lane[k]!);
    };
    const [lo, hi] = [pct(0.05), pct(0.95)];
    // Wide enough to be stretched (a flat lane keeps its absolute colours and says so).
    expect(hi - lo).toBeGreaterThan(0.05);
    await expect.poll(() => readout.textContent()).toMatch(/^rain · [\d.]+ s · [\d.]+ of its lane's range \(absolute [\d.]+\)$/);
    expect(Number(/ · ([\d.]+) of its lane/.exec((await readout.textContent())!)![1])).toBeCloseTo(
      Math.min(1, Math.max(0, (e1.mask[step]![4]! - lo) / (hi - lo))),
      2,
    );
    await page.getByRole('radio', { name: 'Absolute' }).click();

    // The lanes end where the audio ends: the 3 delay steps past the last frame draw nothing.
    await page.getByRole('button', { name: 'Zoom out' }).click();
    await expect.poll(async () => (await currentSession(server)).timeline.pxPerSec).toBeLessThan(s.timeline.pxPerSec);
    for (let i = 0; i < 7; i++) {
      // Take 1's lanes: inside the last frame, in the delay steps just past the end, and well past it
      // (where there never was a step): the delay steps must look like the empty lane, not like heat.
      const at = async (t: number) => {
        const q = await lanePoint(page, server, 1, i, t);
        return canvasPixel(page, q.x, q.y - 3);
      };
      const empty = await at(take1.durationSec + 0.4);
      expect(await at(take1.durationSec + 0.06), `lane ${i} in the delay steps`).toEqual(empty);
      expect(await at(take1.durationSec - 0.02), `lane ${i} in the last frame`).not.toEqual(empty);
    }
    await page.getByRole('button', { name: 'Zoom to fit' }).click();

    // Compare Take 2 with Take 1, both AudioGenX: each number is Take 2 minus Take 1, as labelled.
    await page.getByRole('button', { name: 'Select Take 2' }).click();
    await page.getByLabel('Compare with').selectOption({ label: 'Take 1' });
    const diff = page.getByRole('list', { name: 'Importance, Take 2 against Take 1' });
    await expect.poll(() => diff.getByRole('listitem').count()).toBe(7);
    await page.getByText(/the number is Take 2 − Take 1: positive where a word matters more in Take 2/).waitFor();
    const rows = await diff.getByRole('listitem').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
    e2.tokens.forEach((t, i) => {
      const a = e2.holistic[i];
      const b = e1.holistic[i]!;
      const r = a === null ? null : Math.round((a - b) * 100) / 100;
      const d = r === null ? '–' : r === 0 ? '0.00' : `${r > 0 ? '+' : ''}${r.toFixed(2)}`;
      expect(rows[i]).toBe(`${t.text}: Take 2 ${a?.toFixed(2) ?? 'none'}, Take 1 ${b.toFixed(2)}, Take 2 − Take 1 ${d}`);
    });

    // The screenshot: spectrograms with their frequency axis, both takes' lanes with the legend, the muted dog, a readout.
    await page.getByRole('button', { name: 'Spectrogram' }).click();
    await page.getByRole('img', { name: /^Timeline canvas/ }).waitFor();
    p = await lanePoint(page, server, 2, 1, 1.2);
    await page.mouse.move(p.x, p.y);
    await expect.poll(() => readout.textContent()).toMatch(/^dog · [\d.]+ s · muted in this take: no importance$/);
    await shot(page, '41-lanes-legend-readout-muted');
    copyFileSync(join(ROOT, 'test', 'e2e', 'screenshots', '41-lanes-legend-readout-muted.png'), join(DOCS, 'lanes-legend-readout.png'));
    // Relative to the take: each lane's own contrast.
    await page.getByRole('radio', { name: 'Relative to the take' }).click();
    p = await lanePoint(page, server, 1, 2, 2.03);
    await page.mouse.move(p.x, p.y);
    await expect.poll(() => readout.textContent()).toMatch(/^barks · [\d.]+ s · /);
    await shot(page, '44-lanes-relative');
    copyFileSync(join(ROOT, 'test', 'e2e', 'screenshots', '44-lanes-relative.png'), join(DOCS, 'lanes-relative.png'));
    await page.getByRole('radio', { name: 'Absolute' }).click();

    // The comparison in view, spectrograms off.
    await page.getByRole('button', { name: 'Spectrogram' }).click();
    await diff.scrollIntoViewIfNeeded();
    p = await lanePoint(page, server, 1, 4, 1.2);
    await page.mouse.move(p.x, p.y);
    await expect.poll(() => readout.textContent()).toMatch(/^rain · [\d.]+ s · [\d.]+$/);
    await shot(page, '42-two-takes-compare');
    copyFileSync(join(ROOT, 'test', 'e2e', 'screenshots', '42-two-takes-compare.png'), join(DOCS, 'two-takes-compare.png'));

    // Same method, other parameters: compared, with the caveat naming them.
    expect(await page.getByRole('status', { name: 'Comparison caveat' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Explain Take 2' }).click();
    const again = page.getByRole('dialog', { name: 'Explain Take 2' });
    await again.getByText('Advanced', { exact: true }).click();
    await again.getByLabel('epochs').fill('5');
    await again
      .getByLabel('Estimated time')
      .getByText(/^Estimated time: /)
      .waitFor({ timeout: 30_000 });
    await again.getByRole('button', { name: 'Start explaining' }).click();
    await waitForJobs(page, 180_000);
    await expect
      .poll(() => page.getByRole('status', { name: 'Comparison caveat' }).textContent())
      .toContain(`The two runs used different parameters (epochs 5 / ${epochs}`);
    await expect.poll(() => diff.getByRole('listitem').count()).toBe(7);
    expect(pageErrors).toEqual([]);
  }, 600_000);

  it('remembers the measured speed across a restart: the first dialog after it says so', async () => {
    const { server, browser } = env;
    await server.stop();
    const again = await startServer(server.dataDir);
    try {
      const { page, pageErrors } = await openStudio(browser, again.url);
      await page.getByRole('group', { name: 'Take 2' }).waitFor({ timeout: 30_000 });
      const e = await openExplain(page, 2);
      expect(e.text).toMatch(/measured on this machine \(last AudioGenX: [\d.]+ s\)/);
      expect(pageErrors).toEqual([]);
    } finally {
      await again.stop();
    }
  }, 120_000);

  it("lists the bundle's words, searchable, and a click puts one in the prompt", async () => {
    const { browser } = env;
    const server = await startServer();
    try {
      const { page, pageErrors } = await openStudio(browser, server.url);
      const prompt = page.getByRole('textbox', { name: 'Prompt' });
      await prompt.fill('a dog');
      await page.getByRole('button', { name: 'Words the model knows' }).click();
      const panel = page.getByRole('region', { name: 'Words the model knows' });
      // Every word of the bundle's tokenizer but its special tokens; the classifier's event labels first.
      const tok = JSON.parse(readFileSync(join(ROOT, 'native-models', 'tiny-foley', 'tokenizer.json'), 'utf8')) as {
        model: { vocab: Record<string, number> };
        added_tokens: { content: string }[];
      };
      const special = new Set(tok.added_tokens.map((t) => t.content));
      const words = Object.keys(tok.model.vocab).filter((w) => !special.has(w));
      const info = await callApi<{ model: { labels: string[] } }>(server.url, 'getInfo');
      const sounds = panel.getByRole('group', { name: 'Sounds (the classifier’s events)' });
      await sounds.getByRole('button').first().waitFor();
      expect(await sounds.getByRole('button').allTextContents()).toEqual(info.model.labels);
      const others = await panel.getByRole('group', { name: 'Other words it knows' }).getByRole('button').allTextContents();
      expect(others).toEqual(words.filter((w) => !info.model.labels.includes(w)));
      await panel.getByText(`Words tiny-foley knows (${words.length})`).waitFor();
      await shot(page, '43-vocabulary');
      copyFileSync(join(ROOT, 'test', 'e2e', 'screenshots', '43-vocabulary.png'), join(DOCS, 'vocabulary-panel.png'));

      // Search narrows to the words containing the text; a click inserts at the caret.
      await panel.getByRole('searchbox', { name: 'Search words' }).fill('bark');
      await expect
        .poll(() => panel.getByRole('button', { name: /^Insert / }).allTextContents())
        .toEqual(['barks', 'bark', 'barking', 'barked']);
      await panel.getByRole('button', { name: 'Insert barks' }).click();
      await expect.poll(() => prompt.inputValue()).toBe('a dog barks ');
      await panel.getByRole('searchbox', { name: 'Search words' }).fill('zzz');
      await panel.getByText('No word the model knows contains “zzz”.').waitFor();
      // The prompt bar still names unknown words.
      await prompt.fill('a cat meows');
      await expect.poll(() => page.getByRole('status', { name: 'Unknown words' }).textContent()).toContain('"cat", "meows"');
      expect(pageErrors).toEqual([]);
    } finally {
      await server.cleanup();
    }
  }, 120_000);
});
