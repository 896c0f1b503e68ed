// Sessions, errors, keyboard and audio in the browser against the real server and model.
import type { Page } from 'playwright-core';
import { expect, it } from 'vitest';
import type { SessionState } from '../../electron/common/api';
import { callApi, openStudio, pickMethod, shot, studioSuite } from './helpers';

async function generate(page: Page, prompt: string, take: number): Promise<void> {
  await page.getByRole('textbox', { name: 'Prompt' }).fill(prompt);
  await page.getByRole('button', { name: 'Generate', exact: true }).click();
  await page.getByRole('group', { name: `Take ${take}` }).waitFor({ timeout: 90_000 });
}

studioSuite('studio sessions, errors, keyboard, audio', (env) => {
  it('names, renames, duplicates and deletes sessions (with confirmation), and reopens the last one at start', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    const nav = page.getByRole('navigation', { name: 'Sessions' });
    await generate(page, 'church bell rings', 1);
    await nav.getByRole('button', { name: 'Open session church bell rings' }).waitFor();

    // A second session, named after its own first prompt.
    await nav.getByRole('button', { name: 'New session' }).click();
    await expect.poll(() => page.getByRole('group', { name: 'Take 1' }).count()).toBe(0);
    await generate(page, 'thunder rumbles', 1);
    await nav.getByRole('button', { name: 'Open session thunder rumbles' }).waitFor();

    // Rename; the name sticks when a later prompt is generated.
    await nav.getByRole('button', { name: 'Rename session thunder rumbles' }).click();
    await nav.getByRole('textbox', { name: 'New name for thunder rumbles' }).fill('Storm bed');
    await page.keyboard.press('Enter');
    await nav.getByRole('button', { name: 'Open session Storm bed' }).waitFor();

    // Duplicate, then delete the copy: cancel first (nothing happens), then confirm.
    await nav.getByRole('button', { name: 'Duplicate session Storm bed' }).click();
    await expect.poll(() => nav.getByRole('button', { name: /^Open session / }).count()).toBe(3);
    const list = await callApi<{ sessions: { id: string; name: string }[] }>(server.url, 'listSessions');
    const copy = list.sessions.find((s) => s.name !== 'Storm bed' && s.name !== 'church bell rings')!;
    expect(copy.name).toMatch(/Storm bed/);
    await nav.getByRole('button', { name: `Open session ${copy.name}` }).click();
    await page.getByRole('group', { name: 'Take 1' }).waitFor();
    await nav.getByRole('button', { name: `Delete session ${copy.name}` }).click();
    const confirm = page.getByRole('dialog', { name: 'Delete session?' });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    expect(await nav.getByRole('button', { name: /^Open session / }).count()).toBe(3);
    await nav.getByRole('button', { name: `Delete session ${copy.name}` }).click();
    await shot(page, '07-delete-confirm');
    await confirm.getByRole('button', { name: 'Delete' }).click();
    await expect.poll(() => nav.getByRole('button', { name: /^Open session / }).count()).toBe(2);

    // Open "Storm bed", collapse the panel, reload: the same session and panel state come back.
    await nav.getByRole('button', { name: 'Open session Storm bed' }).click();
    await page.getByRole('textbox', { name: 'Prompt' }).waitFor();
    await nav.getByRole('button', { name: 'Hide sessions' }).click();
    await page.waitForTimeout(700);
    await page.reload();
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
    await page.getByRole('navigation', { name: 'Sessions' }).getByRole('button', { name: 'Show sessions' }).click();
    await page.getByRole('navigation', { name: 'Sessions' }).getByRole('button', { name: 'Rename session Storm bed' }).waitFor();
    expect(await page.getByRole('region', { name: 'Take' }).getByText('thunder rumbles').count()).toBe(1);
    expect(pageErrors).toEqual([]);
  }, 300_000);

  it('shows errors from the studio in a visible alert, never swallowed', async () => {
    const { server, browser } = env;
    const { page } = await openStudio(browser, server.url);
    const nav = page.getByRole('navigation', { name: 'Sessions' });
    await nav.getByRole('button', { name: /^Rename session / }).click();
    await nav.getByRole('textbox', { name: /^New name for / }).fill('   ');
    await page.keyboard.press('Enter');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toMatch(/a name is needed/);
    await shot(page, '08-error-alert');
    await alert.getByRole('button', { name: 'Dismiss error' }).click();
    await expect.poll(() => page.getByRole('alert').count()).toBe(0);
  }, 120_000);

  it('is keyboard driven: shortcut list, loop, markers, playback, faithfulness and renders', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 30_000 });
    // Tab reaches the prompt and Generate.
    await page.getByRole('textbox', { name: 'Prompt' }).focus();
    await page.keyboard.press('Tab');
    // The vocabulary panel's button sits beside the prompt, then the seed.
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Words the model knows');
    await page.keyboard.press('Tab');
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Seed');

    // '?' lists the shortcuts.
    await page.getByRole('button', { name: 'Zoom to fit' }).focus();
    await page.keyboard.press('Shift+?');
    const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
    await help.getByText('Loop the selection on or off').waitFor();
    await shot(page, '09-shortcuts');
    await page.keyboard.press('Escape');
    await expect.poll(() => help.count()).toBe(0);

    // Select a region with the mouse, loop it with L, add a marker with M.
    const box = (await page.getByTestId('timeline-stage').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.2, box.y + 60);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + 60, { steps: 5 });
    await page.mouse.up();
    await page.keyboard.press('l');
    await expect.poll(() => page.getByRole('button', { name: 'Loop selection' }).getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('m');
    await page.getByRole('region', { name: 'Markers' }).getByText('M1').waitFor();

    // Space plays (looping the selection) and pauses; the clock moves while it plays.
    const clock = page.getByLabel('Playhead time');
    const before = await clock.textContent();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Pause' }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(600);
    expect(await clock.textContent()).not.toBe(before);
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play', exact: true }).waitFor();

    // Explain with a fast baseline, evaluate faithfulness, audition the counterfactual render.
    await page.getByRole('button', { name: 'Explain Take 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Explain Take 1' });
    await pickMethod(dialog, 'Random mask');
    await dialog.getByText(/Estimated time/).waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Start explaining' }).click();
    await page.getByRole('button', { name: 'Evaluate faithfulness' }).click();
    const metrics = page.getByRole('table', { name: 'Faithfulness' });
    await metrics.waitFor({ timeout: 180_000 });
    const state = await callApi<{ lastOpenedId: string }>(server.url, 'listSessions').then((l) =>
      callApi<SessionState>(server.url, 'openSession', { sessionId: l.lastOpenedId }),
    );
    const m = state.explanations[0]!.metrics!;
    expect(await metrics.getByRole('row', { name: /Fid CF/ }).textContent()).toContain(m.fidCF.toFixed(3));
    await page.getByRole('button', { name: 'Counterfactual' }).click();
    await page.getByRole('button', { name: 'Pause' }).waitFor({ timeout: 120_000 });
    await shot(page, '10-faithfulness-render');
    await page.getByRole('button', { name: 'Pause' }).click();

    // A weight only inside the selection, from the chip's popover (right-click).
    const sel = state.timeline.selection!;
    const where = `from ${sel.startSec.toFixed(2)} to ${sel.endSec.toFixed(2)} s`;
    await page.getByRole('button', { name: /^thunder, importance/ }).click({ button: 'right' });
    const pop = page.getByRole('dialog', { name: 'Weight of thunder' });
    await pop.getByRole('checkbox', { name: /Only inside the selection/ }).check();
    const slider = pop.getByRole('slider', { name: 'Weight of thunder' });
    await slider.focus();
    for (let k = 0; k < 4; k++) await page.keyboard.press('ArrowLeft');
    await shot(page, '12-weight-popover');
    await pop.getByRole('button', { name: 'Done' }).click();
    // The chip keeps the selected take's own weights and shows the draft's edit beside them.
    await page
      .getByRole('button', { name: new RegExp(`^thunder, importance [\\d.]+; edited: weight 0\\.8 ${where.replace(/\./g, '\\.')}$`) })
      .waitFor();

    // Regenerate from the selection start, keeping the audio before it: Take 2, linked, kept < start.
    await page.getByRole('checkbox', { name: /^Keep audio before/ }).check();
    await page.getByRole('button', { name: 'Regenerate' }).click();
    const t2 = page.getByRole('group', { name: 'Take 2' });
    await t2.waitFor({ timeout: 90_000 });
    await t2.getByText(`kept < ${sel.startSec.toFixed(2)} s`).waitFor();

    // A/B: while Take 1 plays, B switches to Take 2 at the same position, and back.
    await page.getByRole('button', { name: 'Select Take 1' }).click();
    await page.getByRole('button', { name: 'Loop selection' }).click();
    await page.getByRole('button', { name: 'Play Take 1' }).click();
    await page.getByRole('button', { name: 'Stop Take 1' }).waitFor();
    await page.getByRole('button', { name: 'Zoom to fit' }).focus();
    await page.keyboard.press('b');
    await page.getByRole('button', { name: 'Stop Take 2' }).waitFor();
    await page.keyboard.press('b');
    await page.getByRole('button', { name: 'Stop Take 1' }).waitFor();
    await page.keyboard.press('Space');
    await page.getByRole('button', { name: 'Play Take 1' }).waitFor();
    expect(pageErrors).toEqual([]);
  }, 400_000);
});
