// The studio in a real browser against the real server, engine and model: the whole loop a sound
// designer goes through, then a reload that must bring everything back.
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { SessionState } from '../../electron/common/api';
import { intervalMeans } from '../../electron/common/mask';
import { callApi, openStudio, pickMethod, shot, studioSuite, type Server } from './helpers';

const PROMPT = 'a dog barks while rain falls';

/** Chip accessible names of the prompt bar, in order. */
async function chipNames(page: Page): Promise<string[]> {
  return page
    .getByRole('group', { name: 'Prompt words' })
    .getByRole('button')
    .evaluateAll((els) => els.map((e) => e.getAttribute('aria-label') ?? ''));
}

async function currentSession(server: Server): Promise<SessionState> {
  const list = await callApi<{ lastOpenedId: string }>(server.url, 'listSessions');
  return callApi<SessionState>(server.url, 'openSession', { sessionId: list.lastOpenedId });
}

/** Drags across the timeline canvas from one time to another (view read from the server). */
async function dragSelect(page: Page, server: Server, fromSec: number, toSec: number): Promise<void> {
  const tl = (await currentSession(server)).timeline;
  const box = (await page.getByTestId('timeline-stage').boundingBox())!;
  const x = (t: number): number => box.x + (t - tl.scrollSec) * tl.pxPerSec;
  const y = box.y + 60;
  await page.mouse.move(x(fromSec), y);
  await page.mouse.down();
  await page.mouse.move(x((fromSec + toSec) / 2), y, { steps: 4 });
  await page.mouse.move(x(toSec), y, { steps: 4 });
  await page.mouse.up();
}

/** Opens the Explain dialog, picks a method, waits for the estimate, starts; returns when Start was pressed. */
async function explain(page: Page, take: number, method = 'AudioGenX'): Promise<number> {
  await page.getByRole('button', { name: `Explain Take ${take}` }).click();
  const dialog = page.getByRole('dialog', { name: `Explain Take ${take}` });
  await pickMethod(dialog, method);
  // The cost is shown before anything starts.
  await dialog.getByText(/Estimated time: (about|under)/).waitFor({ timeout: 30_000 });
  const started = Date.now();
  await dialog.getByRole('button', { name: 'Start explaining' }).click();
  return started;
}

async function waitIdle(page: Page): Promise<void> {
  await page
    .getByRole('region', { name: 'Jobs' })
    .getByRole('button', { name: /^Cancel/ })
    .first()
    .waitFor({ state: 'detached', timeout: 180_000 });
  await page.getByText('No jobs running').waitFor({ state: 'attached', timeout: 180_000 });
}

studioSuite('studio in the browser', (env) => {
  it('generate -> explain -> mute a word -> regenerate -> two takes -> export -> reload -> restored', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    await shot(page, '01-empty');

    // Words the model does not know are named before Generate.
    await page.getByRole('textbox', { name: 'Prompt' }).fill('a cat meows near a waterfall');
    await expect
      .poll(() => page.getByRole('status', { name: 'Unknown words' }).textContent())
      .toBe('tiny-foley does not know "cat", "meows", "near", "waterfall"; they are read as [UNK]');
    await shot(page, '01-unknown-words');

    // Generate.
    await page.getByRole('textbox', { name: 'Prompt' }).fill(PROMPT);
    await page.getByRole('spinbutton', { name: 'Seed' }).fill('7');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 90_000 });
    // Sound starts with the job's preview (the take's opening, sent while the rest is made); the take
    // then takes over where the preview is, not from its start.
    await page.waitForFunction(() => performance.getEntriesByName('agx:play').length >= 2, undefined, { timeout: 30_000 });
    const plays = await page.evaluate(() =>
      performance.getEntriesByName('agx:play').map((m) => (m as PerformanceMark).detail as { key: string; fromSec: number }),
    );
    expect(plays[0]).toMatchObject({ key: expect.stringMatching(/^preview:/), fromSec: 0 });
    expect(plays[1]!.key).toBe((await currentSession(server)).takes[0]!.id);
    expect(plays[1]!.fromSec).toBeGreaterThan(0);
    expect(await page.getByRole('status', { name: 'Unknown words' }).count()).toBe(0);
    expect(await chipNames(page)).toEqual(['a', 'dog', 'barks', 'while', 'rain', 'falls'].map((t) => `${t}, importance not computed`));
    // The service names a new session after its first prompt.
    await page
      .getByRole('navigation', { name: 'Sessions' })
      .getByRole('button', { name: `Open session ${PROMPT}` })
      .waitFor();

    // Explain, and watch the lanes fill in live: the chips get importances before the job ends.
    const t0 = await explain(page, 1);
    const jobs = page.getByRole('region', { name: 'Jobs' });
    await jobs.getByRole('button', { name: 'Cancel Explain Take 1 with AudioGenX' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: /^dog, importance \d/ }).waitFor({ timeout: 60_000 });
    const firstAnswerMs = Date.now() - t0;
    const stillRunning = await jobs.getByRole('button', { name: /^Cancel Explain Take 1/ }).count();
    console.log(`first partial importances ${firstAnswerMs} ms after Start (job still running: ${stillRunning === 1})`);
    expect(stillRunning).toBe(1);
    await shot(page, '02-explaining-live');
    await waitIdle(page);

    // The chips show exactly the engine's holistic importances.
    let s = await currentSession(server);
    const e1 = s.explanations[0]!;
    expect(e1.method).toBe('audiogenx');
    expect(await chipNames(page)).toEqual(e1.tokens.map((t, i) => `${t.text}, importance ${e1.holistic[i]!.toFixed(2)}`));

    // Select a region: the inspector shows the interval view of exactly that region.
    await dragSelect(page, server, 1.0, 2.0);
    const selText = await page
      .getByRole('toolbar', { name: 'Transport and view' })
      .getByText(/^Selection /)
      .textContent();
    const m = /Selection ([\d.]+)–([\d.]+) s/.exec(selText ?? '')!;
    const [start, end] = [Number(m[1]), Number(m[2])];
    expect(Math.abs(start - 1)).toBeLessThan(0.1);
    expect(Math.abs(end - 2)).toBeLessThan(0.1);
    const bars = page.getByRole('list', { name: `Importance from ${start.toFixed(2)} to ${end.toFixed(2)} s` });
    const want = intervalMeans(e1.mask, e1.frameRate, start, end);
    expect(await bars.getByRole('listitem').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).toEqual(
      e1.tokens.map((t, i) => `${t.text} ${want[i]!.toFixed(2)}`),
    );
    await shot(page, '03-explained-selection');

    // Mute "dog" (click), weight "rain" with the keyboard; both are draft weights saved in the timeline,
    // shown beside the take's own weights ("; edited: ...").
    await page.getByRole('button', { name: /^dog, importance/ }).click();
    await expect
      .poll(() => page.getByRole('button', { name: /^dog, importance [\d.]+; edited: muted$/ }).getAttribute('aria-pressed'))
      .toBe('true');
    await page.getByRole('button', { name: /^rain, importance/ }).focus();
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('ArrowUp');
    await page.getByRole('button', { name: /^rain, importance [\d.]+; edited: weight 1\.2$/ }).waitFor();
    // Undo / redo: one step per gesture.
    await page.getByRole('button', { name: 'Zoom to fit' }).focus();
    await page.keyboard.press('Control+z');
    await page.getByRole('button', { name: /^rain, importance [\d.]+; edited: weight 1\.1$/ }).waitFor();
    await page.keyboard.press('Control+Shift+z');
    await page.getByRole('button', { name: /^rain, importance [\d.]+; edited: weight 1\.2$/ }).waitFor();
    await expect
      .poll(async () => (await currentSession(server)).timeline.draftWeights[s.takes[0]!.id])
      .toEqual([
        { token: 1, weight: 0 },
        { token: 4, weight: 1.2 },
      ]);

    // Regenerate from the edited weights, same seed: a second take linked to the first.
    await page.getByRole('button', { name: 'Regenerate' }).click();
    await page.getByRole('group', { name: 'Take 2' }).waitFor({ timeout: 90_000 });
    await page.getByRole('group', { name: 'Take 2' }).getByText('from Take 1').waitFor();
    s = await currentSession(server);
    const take2 = s.takes.find((t) => t.number === 2)!;
    expect(take2.parentTakeId).toBe(s.takes.find((t) => t.number === 1)!.id);
    expect(take2.seed).toBe(7);
    expect(take2.weights).toEqual([
      { token: 1, weight: 0 },
      { token: 4, weight: 1.2 },
    ]);

    // Explain Take 2 with a baseline from the method picker, then compare the two takes.
    await explain(page, 2, 'AtMan');
    await waitIdle(page);
    s = await currentSession(server);
    const e2 = s.explanations.find((e) => e.takeId === take2.id)!;
    expect(e2.method).toBe('atman');
    // Take 2 was made with "dog" muted: its chip reports no importance (the word could not act).
    expect(e2.holistic[1]).toBeNull();
    expect(await chipNames(page)).toEqual(
      e2.tokens.map((t, i) =>
        i === 1 ? 'dog, muted' : `${t.text}, importance ${e2.holistic[i]!.toFixed(2)}${i === 4 ? ', weight 1.2' : ''}`,
      ),
    );
    // ...and no importance inside the selection either.
    await expect
      .poll(() =>
        page
          .getByRole('list', { name: /^Importance from / })
          .getByRole('listitem', { name: 'dog muted' })
          .count(),
      )
      .toBe(1);
    // Take 2 shows AtMan, Take 1 AudioGenX: the comparison refuses rather than subtract two scales
    // (studio-lanes.test.ts compares two takes explained alike).
    await page.getByLabel('Compare with').selectOption({ label: 'Take 1' });
    await expect
      .poll(() => page.getByRole('status', { name: 'Comparison refused' }).textContent())
      .toMatch(/^Not compared: Take 2 is explained with AtMan and Take 1 with AudioGenX/);
    expect(await page.getByRole('list', { name: 'Importance, Take 2 against Take 1' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Add marker' }).click();
    // Name the selection as a region: listed in the inspector, stored with the selection's bounds.
    const selected = (await currentSession(server)).timeline.selection!;
    await page.getByRole('button', { name: 'Add region' }).click();
    await page.getByRole('region', { name: 'Regions' }).getByRole('button', { name: 'Select region R1' }).waitFor();
    await expect
      .poll(async () => (await currentSession(server)).timeline.regions.map((r) => [r.label, r.startSec, r.endSec]))
      .toEqual([['R1', selected.startSec, selected.endSec]]);
    await page.getByRole('button', { name: 'Zoom in' }).click();
    await shot(page, '04-two-takes-compare');

    // Export: the take's selection as 24-bit WAV, the explanation as CSV and as a PNG heat map.
    await page.getByRole('button', { name: 'Export Take 2' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByRole('radio', { name: /Selection/ }).check();
    await dialog.getByRole('radio', { name: 'WAV 24-bit' }).check();
    await shot(page, '05-export-dialog');
    const [wav] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export WAV' }).click()]);
    const wavBytes = readFileSync((await wav.path())!);
    expect(wavBytes.subarray(0, 4).toString('latin1')).toBe('RIFF');
    expect(wavBytes.readUInt16LE(34)).toBe(24);
    const dataBytes = wavBytes.length - 44;
    expect(Math.abs(dataBytes / 3 / 16000 - (end - start))).toBeLessThan(0.05);
    expect(wav.suggestedFilename()).toMatch(/\.wav$/);
    await dialog.getByRole('radio', { name: /^CSV/ }).check();
    const [csv] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export explanation' }).click()]);
    const csvText = readFileSync((await csv.path())!, 'utf8');
    expect(csvText.split('\n')[0]).toContain('dog');
    await dialog.getByRole('radio', { name: 'PNG heat map' }).check();
    const [png] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export explanation' }).click()]);
    expect(
      readFileSync((await png.path())!)
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    await dialog.getByRole('radio', { name: /^Audacity/ }).check();
    const [labels] = await Promise.all([page.waitForEvent('download'), dialog.getByRole('button', { name: 'Export explanation' }).click()]);
    expect(
      readFileSync((await labels.path())!, 'utf8')
        .trim()
        .split('\n')[0]!
        .split('\t'),
    ).toHaveLength(3);
    await dialog.getByRole('button', { name: 'Close' }).click();

    // Reload: takes, explanations, weights, zoom, selection, markers come back exactly.
    const before = {
      chips: await chipNames(page),
      zoom: await page.getByLabel('Zoom level').textContent(),
      selection: await page
        .getByRole('toolbar', { name: 'Transport and view' })
        .getByText(/^Selection /)
        .textContent(),
    };
    const savedBefore = await (async () => {
      await page.waitForTimeout(800); // the view autosave is debounced
      return (await currentSession(server)).timeline;
    })();
    await page.reload();
    await page.getByRole('group', { name: 'Take 2' }).waitFor({ timeout: 30_000 });
    await page.getByRole('group', { name: 'Take 1' }).waitFor();
    expect(await chipNames(page)).toEqual(before.chips);
    expect(await page.getByLabel('Zoom level').textContent()).toBe(before.zoom);
    expect(
      await page
        .getByRole('toolbar', { name: 'Transport and view' })
        .getByText(/^Selection /)
        .textContent(),
    ).toBe(before.selection);
    await page.getByRole('region', { name: 'Markers' }).getByText('M1').waitFor();
    await page.getByRole('region', { name: 'Regions' }).getByText('R1').waitFor();
    expect((await currentSession(server)).timeline).toEqual(savedBefore);
    await shot(page, '06-after-reload');
    expect(pageErrors).toEqual([]);
  }, 600_000);
});
