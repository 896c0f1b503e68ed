// The studio on a converted bundle whose T5 tokenizer cuts words into SentencePiece pieces, in a real
// browser against the real engine: chips, lanes and bars show the words typed ("dogs" is one chip and
// one lane, not "dog" + "s"), muting a word mutes all its pieces, the unknown-word note names the word
// a piece of which fell to <unk>, the vocabulary panel says the vocabulary is open, and the CSV /
// Audacity exports are per word. The bundle is the tiny random-weight AudioGen checkpoint of
// `agx_convert fixtures`, converted here (as test/node/convert-engine.test.ts does). Needs dist/, the
// built renderer, Chromium, and /usr/bin/python3 with torch, onnx and omegaconf.
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SessionState } from '../../electron/common/api';
import { base64ToBytes } from '../../electron/common/base64';
import { callApi, launchBrowser, openStudio, pickMethod, ROOT, shot, skipReason, startServer, waitForJobs, type Server } from './helpers';

const run = promisify(execFile);
const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch, onnx, omegaconf'], { encoding: 'utf8' }).status === 0;
const reason = skipReason() ?? (hasTorch ? null : `${python} lacks torch, onnx or omegaconf (the converter's packages)`);
if (reason !== null) console.warn(`skipping the word-view studio test: ${reason}`);
// "dogs" is "dog" + "s" in the fixture's vocabulary; "barked" has a "b" the vocabulary lacks (<unk>).
const PROMPT = 'the dogs barked in rain';

async function until(ok: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > end) throw new Error(`not reached in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

describe.skipIf(reason !== null)('the studio on a SentencePiece bundle: words, not pieces', () => {
  let tmp: string;
  let server: Server;
  let browser: Browser;

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'agx-e2e-words-'));
    const env = { ...process.env, OPENBLAS_NUM_THREADS: '1' };
    await run(python, ['-m', 'agx_convert', 'fixtures', join(tmp, 'fx')], { cwd: join(ROOT, 'native-models', 'convert'), env });
    const bundle = join(tmp, 'ag-tiny');
    await run(
      process.execPath,
      [join(ROOT, 'bin', 'agx.js'), 'models', 'convert', join(tmp, 'fx', 'audiogen'), join(tmp, 'fx', 't5-large'), '--out', bundle],
      {
        env,
        maxBuffer: 1 << 26,
      },
    );
    server = await startServer(undefined, 0, ['--model', bundle, '--threads', '1']);
    browser = await launchBrowser();
  }, 600_000);
  afterAll(async () => {
    await browser?.close();
    await server?.cleanup();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('chips, lanes, bars, muting, the unknown note, the vocabulary panel and the exports are per word', async () => {
    const { page, pageErrors } = await openStudio(browser, server.url, { width: 1500, height: 900 });
    const prompt = page.getByRole('textbox', { name: 'Prompt' });
    await prompt.fill(PROMPT);
    // The note names the word typed, not the piece "b" that is <unk>.
    await page.getByText(/does not know "barked"; it is read as \[UNK\]/).waitFor({ timeout: 30_000 });
    // and the counter counts that word once, while the tokens it counts are T5's pieces (the model's limit)
    expect(await page.getByLabel('Prompt tokens').textContent()).toMatch(/^\d+ \/ 32 tokens · 1 unknown$/);

    await page.getByRole('button', { name: 'Words the model knows' }).click();
    const panel = page.getByRole('region', { name: 'Words the model knows' });
    await panel.getByText(/^Open vocabulary: /).waitFor();
    expect(await panel.getByRole('button', { name: 'Insert dog', exact: true }).count()).toBe(1);
    // the fixture's 26 words, each once: "▁dog" is offered as "dog", its continuation twin "dog" is not a second word
    await panel.getByText(/^Words ag-tiny has whole \(26\)$/).waitFor();
    await panel.getByRole('button', { name: 'Close' }).click();

    await page.getByRole('spinbutton', { name: 'Seed' }).fill('3');
    await page.getByRole('spinbutton', { name: 'Duration (seconds)' }).fill('1');
    await page.getByRole('button', { name: 'Generate', exact: true }).click();
    await page.getByRole('group', { name: 'Take 1' }).waitFor({ timeout: 120_000 });

    await page.getByRole('button', { name: 'Explain Take 1' }).click();
    const dialog = page.getByRole('dialog', { name: 'Explain Take 1' });
    await pickMethod(dialog, 'AudioGenX');
    await dialog.getByText(/Estimated time: (about|under)/).waitFor({ timeout: 30_000 });
    await dialog.getByRole('button', { name: 'Start explaining' }).click();
    // The lanes below are the stored explanation's, not a partial mask's.
    const list = await callApi<{ lastOpenedId: string }>(server.url, 'listSessions');
    const current = () => callApi<SessionState>(server.url, 'openSession', { sessionId: list.lastOpenedId });
    await until(async () => (await current()).explanations.length === 1, 300_000);
    await waitForJobs(page);

    // One lane per word typed, and </s> (T5 appends it; its column is part of the explanation).
    const lanes = page.getByRole('list', { name: 'Take 1 token lanes' }).getByRole('listitem');
    await lanes.first().waitFor({ timeout: 30_000 });
    const laneNames = await lanes.evaluateAll((els) => els.map((el) => el.getAttribute('aria-label') ?? ''));
    expect(laneNames.map((n) => n.split(' ')[0])).toEqual(['the', 'dogs', 'barked', 'in', 'rain', '</s>']);
    expect(laneNames[2]).toMatch(/^barked \(unknown word\) /);
    const chips = page.getByRole('group', { name: 'Prompt words' }).getByRole('button');
    expect(await chips.count()).toBe(6);

    // The chip's importance is the word lane's mean: the largest of its pieces at each step.
    const session = await current();
    const take = session.takes[0]!;
    const e = session.explanations[0]!;
    const dogs = [1, 2];
    expect(take.tokens.slice(1, 3).map((t) => t.text)).toEqual(['dog', 's']);
    const lane = e.mask.map((row) => Math.max(...dogs.map((i) => row[i]!)));
    const mean = lane.reduce((a, b) => a + b, 0) / lane.length;
    await page.getByRole('button', { name: new RegExp(`^dogs, importance ${mean.toFixed(2)}`) }).waitFor();

    await shot(page, '50-word-view-t5');
    copyFileSync(join(ROOT, 'test', 'e2e', 'screenshots', '50-word-view-t5.png'), join(ROOT, 'docs', 'screenshots', 'word-view-t5.png'));

    // Muting "dogs" mutes both pieces in the weights the regeneration sends.
    await page.getByRole('button', { name: /^dogs, importance/ }).click();
    await page.getByRole('button', { name: /^dogs, importance.*edited: muted/ }).waitFor();
    await until(async () => (await current()).timeline.draftWeights[take.id] !== undefined, 10_000);
    expect((await current()).timeline.draftWeights[take.id]).toEqual([
      { token: 1, weight: 0 },
      { token: 2, weight: 0 },
    ]);

    // CSV columns and Audacity labels name words.
    const file = async (format: 'csv' | 'audacity'): Promise<string> => {
      const r = await callApi<{ dataBase64: string }>(server.url, 'exportExplanation', {
        explanationId: e.id,
        format,
        intervalSec: 0.5,
        topK: 6,
      });
      return new TextDecoder().decode(base64ToBytes(r.dataBase64));
    };
    expect((await file('csv')).split('\n')[0]).toBe('step,time_sec,0:the,1:dogs,2:barked (unknown),3:in,4:rain,5:</s>');
    const labels = await file('audacity');
    expect(labels).toMatch(/\bdogs \d/);
    expect(labels).not.toMatch(/\bdog \d|\bs \d/);
    expect(pageErrors).toEqual([]);
  }, 600_000);
});
