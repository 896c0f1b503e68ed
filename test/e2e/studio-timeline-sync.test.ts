// The timeline never shows one take's audio under another take's header (issue 15, item 1), and
// Generate makes a new take each time (item 2), in Chromium against the real server and model.
// Alignment is read from the canvas's pixels: the selected take's track is drawn in its own colour,
// so under each header the canvas must show that header's track, whatever happened before.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { SessionState } from '../../electron/common/api';
import { callApi, openStudio, pickMethod, shot, studioSuite, waitForJobs } from './helpers';

// TimelineCanvas's track fills: selected and not.
const SELECTED = [0x1a, 0x21, 0x30];
const PLAIN = [0x16, 0x1a, 0x22];

interface Row {
  name: string;
  selected: boolean;
  rgb: number[];
}

/** Per header whose top is in view: whether it is the selected take, and the canvas pixel 2 px below its top. */
async function underHeaders(page: Page): Promise<Row[]> {
  return page.evaluate(() => {
    const stage = document.querySelector<HTMLElement>('[data-testid="timeline-stage"]')!;
    const canvas = stage.querySelector('canvas')!;
    const s = stage.getBoundingClientRect();
    const dpr = canvas.width / s.width;
    const ctx = canvas.getContext('2d')!;
    const rows: { name: string; selected: boolean; rgb: number[] }[] = [];
    for (const h of document.querySelectorAll<HTMLElement>('.track-header')) {
      const y = h.getBoundingClientRect().top - s.top + 2;
      // Below the ruler (26 px) and above the stage's bottom: that part of the track is drawn.
      if (y < 27 || y > s.height - 4) continue;
      const d = ctx.getImageData(Math.round((s.width / 2) * dpr), Math.round(y * dpr), 1, 1).data;
      rows.push({ name: h.getAttribute('aria-label')!, selected: h.classList.contains('selected'), rgb: [d[0]!, d[1]!, d[2]!] });
    }
    return rows;
  });
}

/** Every header in view sits on its own track: the selected one on the selected colour, the rest on the plain one. */
async function expectAligned(page: Page, what: string): Promise<void> {
  // A frame for the canvas to draw what React committed.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  const rows = await underHeaders(page);
  expect(rows.length, `${what}: headers in view`).toBeGreaterThan(0);
  expect(
    rows.map((r) => `${r.name}: ${JSON.stringify(r.rgb)}`),
    what,
  ).toEqual(rows.map((r) => `${r.name}: ${JSON.stringify(r.selected ? SELECTED : PLAIN)}`));
}

const scroller = (page: Page) => page.locator('.tl-scroll');

studioSuite('timeline: headers and canvas agree; Generate makes a new take', (env) => {
  it('keeps headers and canvas in step through duplicate, scroll, delete, hide, undo and resize', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url, { width: 1280, height: 640 });
    const nav = page.getByRole('navigation', { name: 'Sessions' });

    await page.getByRole('textbox', { name: 'Prompt' }).fill('a dog barks while rain falls');
    await page.getByLabel('Duration (seconds)').fill('1');
    await page.getByLabel('Variations').fill('5');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.getByRole('group', { name: 'Take 5' }).waitFor({ timeout: 120_000 });
    await waitForJobs(page);
    // More tracks than fit: the timeline scrolls.
    expect(await scroller(page).evaluate((el) => el.scrollHeight > el.clientHeight + 50)).toBe(true);
    await page.getByRole('button', { name: 'Select Take 1' }).click();
    await expectAligned(page, 'after generating');

    // Duplicate, open the copy, scroll it to the bottom, delete it: back in the original.
    const name = 'a dog barks while rain falls';
    await nav.getByRole('button', { name: `Duplicate session ${name}` }).click();
    await expect.poll(() => nav.getByRole('button', { name: /^Open session / }).count()).toBe(2);
    const list = await callApi<{ sessions: { id: string; name: string }[] }>(server.url, 'listSessions');
    const copy = list.sessions.find((s) => s.name !== name)!;
    await nav.getByRole('button', { name: `Open session ${copy.name}` }).click();
    await nav.getByRole('button', { name: `Rename session ${copy.name}` }).waitFor();
    await page.getByRole('group', { name: 'Take 5' }).waitFor();
    const box = (await page.getByTestId('timeline-stage').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + 120);
    await page.mouse.wheel(0, 3000);
    await expect.poll(() => scroller(page).evaluate((el) => el.scrollTop)).toBeGreaterThan(50);
    await page.getByRole('button', { name: 'Select Take 5' }).click();
    await expectAligned(page, 'the copy scrolled to the bottom');
    await nav.getByRole('button', { name: `Delete session ${copy.name}` }).click();
    await page.getByRole('dialog', { name: 'Delete session?' }).getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => nav.getByRole('button', { name: /^Open session / }).count()).toBe(1);
    await page.getByRole('group', { name: 'Take 5' }).waitFor();
    await page.getByRole('button', { name: 'Select Take 1' }).click();
    await shot(page, '13-after-delete-aligned');
    await expectAligned(page, 'back in the original after deleting the scrolled copy');

    // Hide a take, then undo: still aligned.
    await page.getByRole('button', { name: 'Hide Take 2 from the timeline' }).click();
    await expect.poll(() => page.getByRole('group', { name: 'Take 2' }).count()).toBe(0);
    await expectAligned(page, 'after hiding Take 2');
    await page.getByRole('button', { name: 'Undo' }).click();
    await page.getByRole('group', { name: 'Take 2' }).waitFor();
    await expectAligned(page, 'after undoing the hide');

    // Scrolled to the bottom, then the window grows: the content now fits and both follow.
    await page.mouse.move(box.x + box.width / 2, box.y + 120);
    await page.mouse.wheel(0, 3000);
    await expect.poll(() => scroller(page).evaluate((el) => el.scrollTop)).toBeGreaterThan(50);
    await page.getByRole('button', { name: 'Select Take 5' }).click();
    await expectAligned(page, 'scrolled to the bottom');
    await page.setViewportSize({ width: 1280, height: 1100 });
    await expect.poll(() => scroller(page).evaluate((el) => el.scrollHeight <= el.clientHeight)).toBe(true);
    await expectAligned(page, 'after the window grew');

    // Unexplained takes have no lane rows; explaining one adds its lanes; a collapsed track is thin.
    const height = (name: string) => page.getByRole('group', { name }).evaluate((el) => el.getBoundingClientRect().height);
    const bare = await height('Take 1');
    await page.getByRole('button', { name: 'Explain Take 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Explain Take 1' });
    await pickMethod(dialog, 'Random mask');
    await dialog.getByRole('button', { name: 'Start explaining' }).click();
    await waitForJobs(page);
    await expect.poll(() => page.getByRole('list', { name: 'Take 1 token lanes' }).getByRole('listitem').count()).toBe(6);
    expect(await page.getByRole('list', { name: 'Take 2 token lanes' }).getByRole('listitem').count()).toBe(0);
    await page.getByRole('button', { name: 'Collapse Take 3' }).click();
    expect(await height('Take 3')).toBeLessThan(bare / 2);
    // Its header holds only its name and the button that opens it again, inside its own height.
    expect(await page.getByRole('button', { name: 'Explain Take 3' }).count()).toBe(0);
    expect(await page.getByRole('group', { name: 'Take 3' }).evaluate((el) => el.scrollHeight <= el.clientHeight + 1)).toBe(true);
    await page.getByRole('button', { name: 'Select Take 1' }).click();
    await expectAligned(page, 'with Take 1 explained and Take 3 collapsed');
    await shot(page, '17-lanes-collapsed-aligned');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 300_000);

  it('Generate twice makes two different takes; a locked seed repeats; the seed survives a reload', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url, { width: 1280, height: 640 });
    const nav = page.getByRole('navigation', { name: 'Sessions' });
    await nav.getByRole('button', { name: 'New session' }).click();
    await expect.poll(() => page.getByRole('group', { name: 'Take 1' }).count()).toBe(0);
    const seedBox = page.getByRole('spinbutton', { name: 'Seed' });
    const generate = page.getByRole('button', { name: 'Generate', exact: true });

    // Limits before the click: the token count against the model's most, a clamped duration that says
    // so, and a disabled Generate that says why.
    const maxTokens = (await callApi<{ model: { maxTextTokens: number } }>(server.url, 'getInfo')).model.maxTextTokens;
    await page.getByRole('textbox', { name: 'Prompt' }).fill(Array.from({ length: maxTokens + 3 }, () => 'rain').join(' '));
    const counter = page.getByLabel('Prompt tokens');
    await expect.poll(() => counter.textContent()).toBe(`${maxTokens + 3} / ${maxTokens} tokens`);
    expect(await generate.isDisabled()).toBe(true);
    expect(await generate.getAttribute('title')).toBe(`The prompt has ${maxTokens + 3} tokens; tiny-foley reads at most ${maxTokens}`);
    await page.getByLabel('Duration (seconds)').fill('12');
    await page.getByText('tiny-foley makes at most 5 s: clamped to 5 s').waitFor();
    await shot(page, '16-prompt-limits');
    await page.getByRole('textbox', { name: 'Prompt' }).fill('footsteps on gravel');
    await page.getByLabel('Duration (seconds)').fill('1');
    await page.getByLabel('Variations').fill('1');

    const seeds: string[] = [];
    for (let n = 1; n <= 3; n++) {
      seeds.push(await seedBox.inputValue());
      await generate.click();
      await page.getByRole('group', { name: `Take ${n}` }).waitFor({ timeout: 90_000 });
      await waitForJobs(page);
    }
    // The field advanced after each Generate, and each take used the seed it showed.
    expect(new Set(seeds).size).toBe(3);
    const session = (await callApi<{ sessions: { id: string }[]; lastOpenedId: string }>(server.url, 'listSessions')).lastOpenedId;
    const state = await callApi<SessionState>(server.url, 'openSession', { sessionId: session });
    expect(state.takes.map((t) => String(t.seed))).toEqual(seeds);
    const audio = await Promise.all(
      state.takes.map((t) => callApi<{ samplesBase64: string }>(server.url, 'getTakeAudio', { takeId: t.id })),
    );
    expect(audio[0]!.samplesBase64).not.toBe(audio[1]!.samplesBase64);

    // The newest take is in view (scrolled to).
    const inView = async (name: string) =>
      page.evaluate((n) => {
        const h = document.querySelector<HTMLElement>(`.track-header[aria-label="${n}"]`)!.getBoundingClientRect();
        const s = document.querySelector<HTMLElement>('.tl-scroll')!.getBoundingClientRect();
        return h.top >= s.top && h.bottom <= s.bottom;
      }, name);
    expect(await inView('Take 3')).toBe(true);

    // Locked: the seed stays, and survives a reload.
    await page.getByRole('button', { name: 'Lock seed' }).click();
    const locked = await seedBox.inputValue();
    await generate.click();
    await page.getByRole('group', { name: 'Take 4' }).waitFor({ timeout: 90_000 });
    await waitForJobs(page);
    expect(await seedBox.inputValue()).toBe(locked);
    await page.getByRole('button', { name: 'Unlock seed' }).click();
    const before = await seedBox.inputValue();
    await page.reload();
    await page.getByRole('group', { name: 'Take 4' }).waitFor({ timeout: 30_000 });
    expect(await seedBox.inputValue()).toBe(before);
    await shot(page, '14-new-take-in-view');
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 300_000);

  it('the weight popover keeps the value when "Only inside the selection" is ticked after moving the slider', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url, { width: 1280, height: 720 });
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
    await page.getByRole('button', { name: 'Select Take 1' }).click();
    // Select a region, then open the popover of "gravel" (right-click on its chip).
    const box = (await page.getByTestId('timeline-stage').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + 60, { steps: 5 });
    await page.mouse.up();
    await page
      .getByRole('group', { name: 'Prompt words' })
      .getByRole('button', { name: /^gravel/ })
      .click({ button: 'right' });
    const popover = page.getByRole('dialog', { name: 'Weight of gravel' });
    // Move the slider with the mouse (released: the whole-clip weight is committed), then tick.
    const slider = (await popover.getByRole('slider').boundingBox())!;
    await page.mouse.click(slider.x + slider.width * 0.8, slider.y + slider.height / 2);
    const set = await popover.locator('output').textContent();
    expect(Number(set)).toBeGreaterThan(1.2);
    await popover.getByRole('checkbox', { name: /Only inside the selection/ }).check();
    expect(await popover.locator('output').textContent()).toBe(set);
    await shot(page, '15-weight-popover-scoped');
    await popover.getByRole('button', { name: 'Done' }).click();
    // Stored: the value inside the selection, nothing for the whole clip.
    await page.waitForTimeout(300);
    const session = (await callApi<{ lastOpenedId: string }>(server.url, 'listSessions')).lastOpenedId;
    const state = await callApi<SessionState>(server.url, 'openSession', { sessionId: session });
    const take1 = state.takes.find((t) => t.number === 1)!;
    const gravel = take1.tokens.findIndex((t) => t.text === 'gravel');
    const draft = state.timeline.draftWeights[take1.id]!.filter((w) => w.token === gravel);
    expect(draft).toEqual([
      { token: gravel, weight: Number(set), startSec: state.timeline.selection!.startSec, endSec: state.timeline.selection!.endSec },
    ]);
    expect(pageErrors).toEqual([]);
    await page.context().close();
  }, 120_000);
});
