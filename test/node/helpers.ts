import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { Model } from '../../electron/engine/model.js';

/** The embedded bundle, loaded once per test file. */
let shared: Promise<Model> | undefined;
export function embeddedModel(): Promise<Model> {
  shared ??= Model.load();
  return shared;
}

/** The PyTorch parity fixture written by native-models/build/agx_build/stages/parity_fixture.py. */
export function parityFixture(): any {
  return JSON.parse(readFileSync(join(embeddedModelsDir(), '..', 'test', 'fixtures', 'parity', 'tiny-foley.json'), 'utf8'));
}

/** Largest absolute difference between two sequences of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

/** Largest absolute value. */
export function maxAbs(a: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]!));
  return m;
}

/** parity_fixture.py's test signal: 440 Hz throughout plus 1250 Hz in the first half second. */
export function fixtureAudio(n: number, sampleRate: number): Float32Array {
  return Float32Array.from(
    { length: n },
    (_, i) =>
      0.3 * Math.sin((2 * Math.PI * 440 * i) / sampleRate) +
      (i / sampleRate < 0.5 ? 0.2 * Math.sin((2 * Math.PI * 1250 * i) / sampleRate) : 0),
  );
}
