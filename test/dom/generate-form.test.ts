// The Generate form (issue 15, items 2 and 6): a new seed after every Generate unless locked, the
// same seed after a reload, a clamped duration that says so, and a disabled Generate that says why.
// Rules tested pure; the prompt bar rendered to markup against the store with a fake StudioApi.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { INFO, startFakeStudio } from './fake-studio';
import {
  generateBlocker,
  loadSeedField,
  readDuration,
  saveSeedField,
  SEED_STORAGE_KEY,
  seedAfterGenerate,
} from '../../renderer/src/state/generate-form';

vi.mock('../../renderer/src/audio/player', () => ({
  audioOut: { stop: () => {}, load: () => {}, has: () => false, play: async () => {} },
}));

const MODEL = { id: 'tiny-foley', maxDurationSec: 5, maxTextTokens: 32 };

function memoryStorage(init: Record<string, string> = {}) {
  const data = new Map(Object.entries(init));
  return { getItem: (k: string) => data.get(k) ?? null, setItem: (k: string, v: string) => void data.set(k, v), data };
}

describe('the seed field', () => {
  it('advances after each Generate, never to the seed just used; a locked seed stays', () => {
    const draws = [7, 7, 9];
    const next = seedAfterGenerate({ seed: 7, locked: false }, () => draws.shift()!);
    expect(next).toEqual({ seed: 9, locked: false });
    expect(seedAfterGenerate({ seed: 7, locked: true }, () => 1)).toEqual({ seed: 7, locked: true });
  });

  it('is kept, lock included, so a reload shows the same seed; a missing or bad value starts afresh', () => {
    const store = memoryStorage();
    saveSeedField(store, { seed: 123456, locked: true });
    expect(loadSeedField(store, () => 1)).toEqual({ seed: 123456, locked: true });
    expect(loadSeedField(memoryStorage(), () => 42)).toEqual({ seed: 42, locked: false });
    expect(loadSeedField(memoryStorage({ [SEED_STORAGE_KEY]: '{"seed":-3}' }), () => 42)).toEqual({ seed: 42, locked: false });
    expect(loadSeedField(memoryStorage({ [SEED_STORAGE_KEY]: 'not json' }), () => 42)).toEqual({ seed: 42, locked: false });
    expect(loadSeedField(null, () => 5)).toEqual({ seed: 5, locked: false });
  });
});

describe('the duration field', () => {
  it("clamps to the model's longest clip and says so; nothing usable blocks Generate", () => {
    expect(readDuration('2.5', MODEL)).toEqual({ sec: 2.5, note: null });
    expect(readDuration('12', MODEL)).toEqual({ sec: 5, note: 'tiny-foley makes at most 5 s: clamped to 5 s' });
    expect(readDuration('0', MODEL).sec).toBeNull();
    expect(readDuration('', MODEL)).toEqual({ sec: null, note: 'Enter a duration in seconds' });
  });
});

describe('why Generate is disabled', () => {
  const ok = { prompt: 'a dog barks', tokens: 3, model: MODEL, duration: { sec: 5, note: null }, offline: null, busy: false };
  it('names the first thing in the way, or nothing when it can run', () => {
    expect(generateBlocker(ok)).toBeNull();
    expect(generateBlocker({ ...ok, prompt: '  ' })).toBe('Type a prompt first');
    expect(generateBlocker({ ...ok, tokens: 40 })).toBe('The prompt has 40 tokens; tiny-foley reads at most 32');
    expect(generateBlocker({ ...ok, duration: readDuration('-1', MODEL) })).toBe('The duration must be more than 0 s');
    expect(generateBlocker({ ...ok, offline: 'Not connected: the studio is not reachable' })).toBe(
      'Not connected: the studio is not reachable',
    );
    // A clamped duration still generates (at the clamp).
    expect(generateBlocker({ ...ok, duration: readDuration('9', MODEL) })).toBeNull();
  });
});

describe('the prompt bar', () => {
  let storage: ReturnType<typeof memoryStorage>;
  beforeEach(() => {
    storage = memoryStorage({ [SEED_STORAGE_KEY]: JSON.stringify({ seed: 4242, locked: false }) });
    vi.stubGlobal('window', Object.assign(globalThis, { localStorage: storage }));
  });
  afterEach(() => vi.unstubAllGlobals());

  async function promptBar(): Promise<string> {
    await startFakeStudio({
      answers: { getInfo: () => ({ ...INFO, model: { ...MODEL, sampleRate: 16000, frameRate: 25 } }) },
      strict: true,
    });
    const { PromptBar } = await import('../../renderer/src/components/PromptBar');
    return renderToStaticMarkup(createElement(PromptBar));
  }

  it('shows the kept seed (a reload does not change it), its lock, and why Generate is disabled', async () => {
    const html = await promptBar();
    expect(/<input[^>]*aria-label="Seed"[^>]*>/.exec(html)?.[0]).toContain('value="4242"');
    expect(html).toContain('aria-label="Lock seed" aria-pressed="false"');
    expect(html).toMatch(/<button type="submit"[^>]*disabled=""[^>]*title="Type a prompt first"[^>]*>Generate/);
  });
});
