// Export follows the selected take and says what became of each save (issue 15, item 9): the dialog
// rendered against the renderer store with a fake StudioApi, and saveExport against a fake Electron
// bridge whose save dialog is cancelled or fails.
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TimelineStateSchema, type ExportFile, type SessionState, type Take } from '../../electron/common/api';
import type { SaveFileResult } from '../../electron/common/bridge';
import { startFakeStudio } from './fake-studio';

vi.mock('../../renderer/src/audio/player', () => ({
  audioOut: { stop: () => {}, load: () => {}, has: () => false, play: async () => {} },
}));

const SESSION = 'a'.repeat(32);
const take = (n: number): Take => ({
  id: String(n).repeat(32),
  sessionId: SESSION,
  number: n,
  parentTakeId: null,
  source: 'generated',
  prompt: 'a dog barks',
  tokens: [],
  weights: [],
  seed: n,
  sampling: { cfg: 3, topK: 50, topP: 0, temperature: 1 },
  keptBeforeSec: null,
  modelId: 'm',
  modelSha256: '0'.repeat(64),
  durationSec: 1,
  sampleRate: 16000,
  frames: 25,
  createdAt: '2025-01-01T00:00:00.000Z',
});

async function studioWithTakes(selected: number) {
  const at = '2025-01-01T00:00:00.000Z';
  const summary = { id: SESSION, name: 'dogs', nameIsAuto: false, createdAt: at, updatedAt: at, openedAt: at, takeCount: 2 };
  const state: SessionState = {
    session: summary,
    takes: [take(1), take(2)],
    explanations: [],
    timeline: TimelineStateSchema.parse({ selectedTakeId: take(selected).id }),
    canUndo: false,
    canRedo: false,
  };
  const { store } = await startFakeStudio({
    answers: {
      listSessions: () => ({ sessions: [summary], lastOpenedId: SESSION }),
      openSession: () => state,
      saveTimeline: () => ({ canUndo: false, canRedo: false }),
    },
    strict: true,
  });
  await vi.waitFor(() => expect(store.getState().session?.takes).toHaveLength(2));
  return store;
}

describe('export', () => {
  beforeEach(() => vi.stubGlobal('window', globalThis));
  afterEach(() => vi.unstubAllGlobals());

  it('the dialog is about the selected take, and follows it when the selection changes', async () => {
    const { ExportDialog } = await import('../../renderer/src/components/ExportDialog');
    const store = await studioWithTakes(1);
    const html = () => renderToStaticMarkup(createElement(ExportDialog, { takeId: null, onClose: () => {} }));
    expect(html()).toContain('>Export Take 1</h2>');
    expect(html()).toMatch(new RegExp(`<option value="${take(1).id}" selected="">Take 1</option>`));
    store.updateTimeline({ selectedTakeId: take(2).id }, { kind: 'preview' });
    expect(html()).toContain('>Export Take 2</h2>');
    expect(html()).toMatch(new RegExp(`<option value="${take(2).id}" selected="">Take 2</option>`));
  });

  it('in Electron, says when the save dialog was cancelled, and fails loudly when the write failed', async () => {
    const { saveExport } = await import('../../renderer/src/api/files');
    const file: ExportFile = { fileName: 'dogs-take2.wav', mimeType: 'audio/wav', dataBase64: 'AAAA' };
    let answer: SaveFileResult = { saved: false };
    vi.stubGlobal('window', { studioBridge: { saveFile: async () => answer } });
    expect(await saveExport(file)).toEqual({ saved: false, message: 'Not saved: the save dialog for dogs-take2.wav was cancelled.' });
    answer = { saved: false, error: { code: 'io_error', message: 'EACCES: permission denied', expected: true } };
    await expect(saveExport(file)).rejects.toThrow('Could not save dogs-take2.wav: EACCES: permission denied');
    answer = { saved: true, path: '/home/d/dogs-take2.wav' };
    expect(await saveExport(file)).toEqual({ saved: true, message: 'Saved /home/d/dogs-take2.wav.' });
  });
});
