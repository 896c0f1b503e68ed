// Benchmark (`npm run bench:ui`, not part of `npm test`): frame times with 10 takes while the timeline
// scrolls and zooms every frame, measured in the page with requestAnimationFrame (headless Chromium,
// software rendering). Speed is reported, never asserted: these machines are shared and noisy.
import { writeFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { openStudio, pickMethod, shot, studioSuite } from '../e2e/helpers';

studioSuite('timeline with 10 takes', (env) => {
  it('frame times while scrolling and zooming', async () => {
    const { server, browser } = env;
    const { page, pageErrors } = await openStudio(browser, server.url);
    await page.getByRole('textbox', { name: 'Prompt' }).fill('footsteps on gravel while a bird sings and wind blows');
    await page.getByRole('spinbutton', { name: 'Variations' }).fill('8');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.getByRole('group', { name: 'Take 8' }).waitFor({ timeout: 120_000 });
    await page.getByRole('spinbutton', { name: 'Variations' }).fill('2');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.getByRole('group', { name: 'Take 10' }).waitFor({ timeout: 120_000 });
    // Heat in every lane block: a fast baseline on each take.
    for (let n = 1; n <= 10; n++) {
      await page.getByRole('button', { name: `Explain Take ${n}`, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: `Explain Take ${n}` });
      await pickMethod(dialog, 'Random mask');
      await dialog.getByRole('button', { name: 'Start explaining' }).click();
    }
    await expect
      .poll(
        async () =>
          (await page
            .getByRole('list', { name: /token lanes$/ })
            .getByText(/^0\.\d\d$/)
            .count()) >=
          10 * 9,
        { timeout: 180_000, interval: 1000 },
      )
      .toBe(true);
    await page.getByRole('button', { name: 'Spectrogram' }).click();

    const result = await page.evaluate(async () => {
      const stage = document.querySelector('[data-testid="timeline-stage"]')!;
      const scroller = document.querySelector('.tl-scroll')!;
      const rect = stage.getBoundingClientRect();
      const deltas: number[] = [];
      let last = performance.now();
      const FRAMES = 240;
      await new Promise<void>((done) => {
        let i = 0;
        const step = (now: number): void => {
          deltas.push(now - last);
          last = now;
          const phase = Math.floor(i / 60);
          const init: WheelEventInit = { bubbles: true, cancelable: true, clientX: rect.left + rect.width / 2, clientY: rect.top + 80 };
          if (phase === 0 || phase === 2)
            stage.dispatchEvent(new WheelEvent('wheel', { ...init, shiftKey: true, deltaY: i % 30 < 15 ? 40 : -40 }));
          else stage.dispatchEvent(new WheelEvent('wheel', { ...init, ctrlKey: true, deltaY: i % 20 < 10 ? -60 : 60 }));
          if (phase >= 2) scroller.scrollTop = (i % 60) * 20;
          i++;
          if (i < FRAMES) requestAnimationFrame(step);
          else done();
        };
        requestAnimationFrame((t) => {
          last = t;
          requestAnimationFrame(step);
        });
      });
      const sorted = deltas.slice(1).sort((a, b) => a - b);
      const q = (p: number): number => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
      return {
        frames: sorted.length,
        median: q(0.5),
        p95: q(0.95),
        max: sorted[sorted.length - 1]!,
        over50: sorted.filter((d) => d > 50).length,
      };
    });
    console.log(
      `10 takes, spectrograms on, scroll+zoom every frame: ${result.frames} frames, median ${result.median.toFixed(1)} ms, p95 ${result.p95.toFixed(1)} ms, max ${result.max.toFixed(1)} ms, ${result.over50} frames over 50 ms`,
    );
    await shot(page, '11-ten-takes');
    if (process.env.AGX_BENCH_OUT)
      writeFileSync(process.env.AGX_BENCH_OUT, `${JSON.stringify({ takes: 10, spectrograms: true, ...result }, null, 2)}\n`);
    expect(result.frames).toBe(239);
    expect(pageErrors).toEqual([]);
  }, 600_000);
});
