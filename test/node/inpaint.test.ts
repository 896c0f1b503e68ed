// Replacing a region ("inpainting") with the real bundle: the CLI on a plain WAV, the studio's
// regenerate with regions, and the splice itself.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioApi } from '../../electron/common/api.js';
import { base64ToFloat32 } from '../../electron/common/base64.js';
import { decodeWav } from '../../electron/engine/audio/wav.js';
import { inpaintFade, spliceRegion } from '../../electron/engine/inpaint.js';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import type { Studio } from '../../electron/studio/studio.js';
import { directApi, jobEnd, tempDir, tempStudio } from './studio-helpers.js';

const run = promisify(execFile);
const AGX = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
const tmp = mkdtempSync(join(tmpdir(), 'agx-inpaint-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const PROMPT = 'a dog barks while rain falls';
const SR = 16000;
const FADE = inpaintFade({ sampleRate: SR, frameRate: 25 }); // tiny-foley's codec frame

async function agx(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [AGX, ...args, '--threads', '2'], { env: { ...process.env, AGX_DEBUG: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function mono(path: string): Float32Array {
  return decodeWav(readFileSync(path)).channels[0]!;
}

/** First and last sample index where a and b differ (-1 when none). */
function changed(a: Float32Array, b: Float32Array): { first: number; last: number; count: number } {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      if (first < 0) first = i;
      last = i;
      count++;
    }
  }
  return { first, last, count };
}

/** Samples outside every [s - fade, e + fade) are identical; each region differs; each inner seam has crossfaded samples. */
function expectReplaced(input: Float32Array, output: Float32Array, regions: [number, number][]): void {
  expect(output.length).toBe(input.length);
  const inside = new Uint8Array(input.length);
  for (const [s, e] of regions) inside.fill(1, Math.max(0, Math.round(s * SR) - FADE), Math.min(input.length, Math.round(e * SR) + FADE));
  let outsideDiffers = 0;
  for (let i = 0; i < input.length; i++) if (!inside[i] && input[i] !== output[i]) outsideDiffers++;
  expect(outsideDiffers).toBe(0);
  for (const [s, e] of regions) {
    const s0 = Math.round(s * SR);
    const e0 = Math.round(e * SR);
    let diff = 0;
    let energy = 0;
    for (let i = s0; i < e0; i++) {
      diff += (output[i]! - input[i]!) ** 2;
      energy += input[i]! ** 2;
    }
    expect(diff / energy).toBeGreaterThan(0.05); // new audio, not a copy
    // Both seams blend: samples inside each fade differ from the input, yet the fade ends on it.
    expect(changed(input.subarray(s0 - FADE, s0), output.subarray(s0 - FADE, s0)).count).toBeGreaterThan(FADE / 2);
    expect(changed(input.subarray(e0, e0 + FADE), output.subarray(e0, e0 + FADE)).count).toBeGreaterThan(FADE / 2);
  }
}

describe('agx inpaint', () => {
  const input = join(tmp, 'in.wav');
  beforeAll(async () => {
    const r = await agx('generate', '--prompt', PROMPT, '--seed', '5', '--duration', '3', '--out', input);
    expect(r.code, r.stderr).toBe(0);
  });

  it('replaces one region and keeps every other sample of the input file', async () => {
    const out = join(tmp, 'one.wav');
    const r = await agx(
      'inpaint',
      '--audio',
      input,
      '--region',
      '1:1.6',
      '--prompt',
      PROMPT,
      '--seed',
      '3',
      '--candidates',
      '3',
      '--out',
      out,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.seams).toHaveLength(1);
    expect(res.seams[0].seeds).toEqual([3, 4, 5]);
    expect(res.seams[0].chosenSeed).toBe(3 + res.seams[0].distances.indexOf(Math.min(...res.seams[0].distances)));
    expectReplaced(mono(input), mono(out), [[1, 1.6]]);
  }, 120_000);

  it('replaces several regions at once', async () => {
    const out = join(tmp, 'two.wav');
    const r = await agx(
      'inpaint',
      '--audio',
      input,
      '--region',
      '0.4:0.8,2:2.4',
      '--prompt',
      PROMPT,
      '--candidates',
      '2',
      '--out',
      out,
      '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).seams).toHaveLength(2);
    expectReplaced(mono(input), mono(out), [
      [0.4, 0.8],
      [2, 2.4],
    ]);
  }, 120_000);

  it.each([
    ['2:1', /region 2\.00:1\.00 s must start before it ends/],
    ['2.5:3.5', /must lie within the clip \(0 to 3\.00 s\)/],
    ['0.5:1.5,1:2', /regions 0\.50:1\.50 s and 1\.00:2\.00 s overlap/],
    ['abc', /--region must be start:end seconds/],
  ])('rejects --region %s with one line and exit 2', async (spec, pattern) => {
    const r = await agx('inpaint', '--audio', input, '--region', spec, '--prompt', PROMPT, '--out', join(tmp, 'bad.wav'));
    expect(r.code).toBe(2);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^agx: error: /);
    expect(lines[0]).toMatch(pattern);
  });
});

describe('regenerate with regions in the studio', () => {
  let studio: Studio;
  let api: StudioApi;
  let takeId: string;
  beforeAll(async () => {
    studio = await tempStudio(tempDir());
    api = await directApi(studio);
    const sessionId = (await api.createSession({})).session.id;
    const { jobId } = await api.generate({ sessionId, prompt: PROMPT, seed: 11, durationSec: 2 });
    const end = await jobEnd(studio, jobId);
    takeId = end.result?.kind === 'takes' ? end.result.takeIds[0]! : '';
  }, 60_000);
  afterAll(async () => studio.close());

  it('makes a new take that replaces only the regions', async () => {
    const { jobId } = await api.regenerate({
      takeId,
      weights: [{ token: 1, weight: 2 }],
      seed: 20,
      regions: [
        { startSec: 1.2, endSec: 1.6 },
        { startSec: 0.3, endSec: 0.7 },
      ],
    });
    const end = await jobEnd(studio, jobId);
    expect(end.state, JSON.stringify(end.error)).toBe('done');
    expect(end.label).toMatch(/^Replace 0\.30-0\.70 s, 1\.20-1\.60 s of Take 1/);
    const childId = end.result?.kind === 'takes' ? end.result.takeIds[0]! : '';
    const state = await api.openSession({ sessionId: end.sessionId });
    const child = state.takes.find((t) => t.id === childId)!;
    expect(child).toMatchObject({
      parentTakeId: takeId,
      source: 'regenerated',
      seed: 20,
      keptBeforeSec: null,
      weights: [{ token: 1, weight: 2 }],
      frames: 50,
    });
    const parent = base64ToFloat32((await api.getTakeAudio({ takeId })).samplesBase64);
    const audio = base64ToFloat32((await api.getTakeAudio({ takeId: childId })).samplesBase64);
    expectReplaced(parent, audio, [
      [0.3, 0.7],
      [1.2, 1.6],
    ]);
  }, 120_000);

  it('rejects bad regions when called, with one clear line', async () => {
    await expect(api.regenerate({ takeId, weights: [], regions: [{ startSec: 1.5, endSec: 2.5 }] })).rejects.toThrow(
      /region 1\.50:2\.50 s must lie within the clip \(0 to 2\.00 s\)/,
    );
    await expect(api.regenerate({ takeId, weights: [], regions: [{ startSec: 1, endSec: 0.5 }] })).rejects.toThrow(
      /a region must start before it ends/,
    );
    await expect(
      api.regenerate({
        takeId,
        weights: [],
        regions: [
          { startSec: 0.2, endSec: 1 },
          { startSec: 0.8, endSec: 1.2 },
        ],
      }),
    ).rejects.toThrow(/overlap/);
    await expect(api.regenerate({ takeId, weights: [], keepBeforeSec: 1, regions: [{ startSec: 0.2, endSec: 1 }] })).rejects.toThrow(
      /not both/,
    );
  });
});

describe('the splice', () => {
  it('copies the region, crossfades with equal power (cos/sin) and touches nothing else', () => {
    const out = new Float32Array(100).fill(1);
    const fresh = new Float32Array(100).fill(-1);
    spliceRegion(out, fresh, 40, 60, 10);
    expect([...out.subarray(0, 30)].every((v) => v === 1)).toBe(true);
    expect([...out.subarray(70)].every((v) => v === 1)).toBe(true);
    expect([...out.subarray(40, 60)].every((v) => v === -1)).toBe(true);
    for (let j = 0; j < 10; j++) {
      const t = ((j + 0.5) / 10) * (Math.PI / 2);
      expect(out[30 + j]).toBeCloseTo(Math.cos(t) - Math.sin(t), 6);
      expect(out[60 + j]).toBeCloseTo(-Math.cos(t) + Math.sin(t), 6);
    }
  });
});
