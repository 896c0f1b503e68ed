import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect } from 'vitest';
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

/** What one `agx` run gave, whatever its exit code. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runners of bin/agx.js (needs dist/) on one intra-op thread in the environment `env()` returns when each
 * run starts (so a beforeAll can set it): `agx` resolves with the exit code and both streams, `json`
 * expects success and parses what `--json` printed.
 */
export function agxCli(env: () => NodeJS.ProcessEnv): {
  agx: (...args: string[]) => Promise<CliResult>;
  json: (...args: string[]) => Promise<Record<string, unknown>>;
} {
  const bin = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
  const agx = async (...args: string[]): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await promisify(execFile)(process.execPath, [bin, ...args, '--threads', '1'], {
        env: env(),
        maxBuffer: 1 << 26,
      });
      return { code: 0, stdout, stderr };
    } catch (err) {
      const e = err as { code?: number; stdout?: string; stderr?: string };
      return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
    }
  };
  const json = async (...args: string[]): Promise<Record<string, unknown>> => {
    const r = await agx(...args, '--json');
    expect(r.code, r.stderr).toBe(0);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  return { agx, json };
}
