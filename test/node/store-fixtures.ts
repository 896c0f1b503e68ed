// Store test data shared by the store's test files.
import type { NewTake } from '../../electron/store/store.js';

/** A take whose audio and codes differ from every other take's (seeded by n). */
export function distinctTake(sessionId: string, n: number): NewTake {
  const audio = new Float32Array(32000).map((_, i) => Math.sin(i * 0.001 * (n + 1)) * 0.5 + n * 1e-3);
  const codes = new Int32Array(200).map((_, i) => i * 7 + n);
  return {
    sessionId,
    parentTakeId: null,
    source: 'generated',
    prompt: 'rain and a dog',
    tokens: [{ text: 'rain', start: 0, end: 4 }],
    weights: [],
    seed: n,
    sampling: { cfg: 3, topK: 250, topP: 0, temperature: 1 },
    keptBeforeSec: null,
    modelId: 'tiny-foley',
    modelSha256: 'ab'.repeat(32),
    durationSec: 1,
    sampleRate: 32000,
    frames: 50,
    codes,
    audio,
  };
}
