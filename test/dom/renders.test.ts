// Factual/counterfactual renders (issue 15, item 7): each can be kept as a take or saved as a WAV once
// it has been made; keeping one asks the studio for the render as a new take.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Explanation, JobInfo, Take } from '../../electron/common/api';
import { startFakeStudio } from './fake-studio';

const loaded = new Set<string>();
vi.mock('../../renderer/src/audio/player', () => ({
  audioOut: {
    stop: () => {},
    load: (key: string) => loaded.add(key),
    has: (key: string) => loaded.has(key),
    play: async () => {},
    onStart: () => () => {},
    onStop: () => () => {},
  },
}));

const EXPL = 'e'.repeat(32);
const take = { id: 't'.repeat(32), number: 3, durationSec: 2 } as Take;
const expl = { id: EXPL, method: 'audiogenx' } as Explanation;

function renderDone(render: 'factual' | 'counterfactual'): JobInfo {
  const at = '2025-01-01T00:00:00.000Z';
  return {
    id: 'j'.repeat(32),
    kind: 'render',
    sessionId: null,
    label: 'Factual render of Take 3',
    state: 'done',
    progress: 1,
    etaSec: null,
    queuedAt: at,
    startedAt: at,
    finishedAt: at,
    error: null,
    result: { kind: 'render', explanationId: EXPL, render, audio: { sampleRate: 16000, samplesBase64: 'AAAAAA==' } },
  };
}

async function studio() {
  return startFakeStudio();
}

describe('renders in the inspector', () => {
  beforeEach(() => vi.stubGlobal('window', globalThis));
  afterEach(() => vi.unstubAllGlobals());

  it('offers Keep as take for both renders, and Export WAV once a render has been made', async () => {
    const { Renders } = await import('../../renderer/src/components/Inspector');
    const { emit } = await studio();
    const html = () => renderToStaticMarkup(createElement(Renders, { e: expl, take }));
    expect(html().match(/aria-label="Keep as take"/g)).toHaveLength(2);
    const disabledExports = () => html().match(/<button[^>]*disabled=""[^>]*aria-label="Export WAV"/g) ?? [];
    expect(disabledExports()).toHaveLength(2);
    emit({ type: 'job', job: renderDone('factual') });
    expect(html()).toMatch(
      /aria-label="Factual render">(?:(?!role="group").)*<button type="button" class="btn" aria-label="Export WAV" title="Save this render as a 32-bit float WAV">/,
    );
    expect(disabledExports()).toHaveLength(1);
  });

  it('keeping a render asks the studio for it as a new take', async () => {
    const { store, calls } = await studio();
    await store.keepRender(EXPL, 'counterfactual');
    expect(calls.at(-1)).toEqual(['renderExplanation', { explanationId: EXPL, render: 'counterfactual', keep: true }]);
  });
});
