// Execution providers (--device). Only the CPU path can run on the test machine (no GPU, no CUDA
// provider library): the GPU branches are checked through ProviderChoice with a described platform,
// and the real onnxruntime-node answers for what this machine has.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { parseMainArgs } from '../../electron/main/policy.js';
import { parseDevice, type Platform, ProviderChoice } from '../../electron/engine/onnx/providers.js';
import { ortPlatform, SessionFactory } from '../../electron/engine/onnx/session-factory.js';
import { MIGRATIONS, migrate } from '../../electron/store/migrations.js';
import { takeChecksum, toBlob } from '../../electron/store/rows.js';
import { Store } from '../../electron/store/store.js';
import { distinctTake } from './store-fixtures.js';
import { directApi, jobEnd, tempDir, tempStudio } from './studio-helpers.js';

const run = promisify(execFile);
const AGX = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
const tmp = mkdtempSync(join(tmpdir(), 'agx-providers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function agx(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [AGX, ...args], { env: { ...process.env, AGX_DEBUG: '' } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

const here = ortPlatform();
const cudaInstalled = here.installed('cuda');

/** A platform as onnxruntime-node would describe it, and a session creator that starts only `works`. */
function described(os: string, backends: Platform['backends'], works: string[], installed: string[] = []) {
  const platform: Platform = { os, backends, installed: (n) => installed.includes(n) };
  const tried: string[][] = [];
  const create = async (eps: string[]) => {
    tried.push(eps);
    if (!works.includes(eps[0]!)) throw new Error(`${eps[0]} failed to start\nsecond line`);
    return { provider: eps[0]!, release: async () => {} };
  };
  return { platform, tried, create };
}

describe('provider choice', () => {
  it('--device takes the listed values; anything else is one clear error', () => {
    expect(parseDevice(undefined)).toBe('auto');
    expect(parseDevice('cuda')).toBe('cuda');
    expect(() => parseDevice('gpu')).toThrow(/--device must be one of auto, cpu, cuda, dml, coreml, webgpu \(got "gpu"\)/);
    // The app passes --device through as typed; main.ts checks it with parseDevice, inside its start-up error box.
    expect(parseMainArgs(['electron', '.', '--device', 'cuda', '--threads=2'])).toEqual({ device: 'cuda', threads: 2 });
    expect(() => parseDevice(parseMainArgs(['electron', '--device=gpu']).device)).toThrow(/--device must be one of/);
  });

  it('auto on Windows tries CUDA, then DirectML, and stays on the one that started', async () => {
    const win = described(
      'win32',
      [
        { name: 'cpu', bundled: true },
        { name: 'dml', bundled: true },
        { name: 'cuda', bundled: false },
      ],
      ['dml', 'cpu'],
    );
    const notes: string[] = [];
    const choice = new ProviderChoice('auto', win.platform, (n) => notes.push(n));
    await Promise.all([choice.open(win.create), choice.open(win.create), choice.open(win.create)]);
    expect(choice.provider).toBe('dml');
    // CUDA's library is not installed, so it is never tried; the parallel opens wait for the first's choice.
    expect(win.tried).toEqual([
      ['dml', 'cpu'],
      ['dml', 'cpu'],
      ['dml', 'cpu'],
    ]);
    expect(notes).toEqual([]);
  });

  it('auto falls back to CPU once, with each reason; a broken graph is the model’s error, not the device’s', async () => {
    const linux = described(
      'linux',
      [
        { name: 'cpu', bundled: true },
        { name: 'cuda', bundled: false },
      ],
      ['cpu'],
      ['cuda'],
    );
    const notes: string[] = [];
    const choice = new ProviderChoice('auto', linux.platform, (n) => notes.push(n));
    await choice.open(linux.create);
    expect(choice.provider).toBe('cpu');
    expect(notes).toEqual(['--device auto runs on cpu: cuda: cuda failed to start']);

    const explicit = new ProviderChoice('cuda', linux.platform);
    await expect(explicit.open(linux.create)).rejects.toThrow(/^--device cuda could not start: cuda failed to start \(--device cpu/);
    const broken = async () => {
      throw new Error('Load model failed: bad graph');
    };
    await expect(new ProviderChoice('cuda', linux.platform).open(broken)).rejects.toThrow('Load model failed: bad graph');
  });
});

describe('on this machine (CPU only)', () => {
  it('--device cpu loads a graph on the CPU with nothing to say', async () => {
    const notes: string[] = [];
    const factory = new SessionFactory({ provider: 'cpu', onProviderNote: (n) => notes.push(n) });
    const graph = await factory.create(join(embeddedModelsDir(), 'tiny-foley', 'text_encoder.onnx'));
    await graph.release();
    expect(factory.provider).toBe('cpu');
    expect(notes).toEqual([]);
  });

  it.runIf(!cudaInstalled && process.platform === 'linux')(
    'auto generates on the CPU with its reason on stderr, the same audio as --device cpu; --device cuda is one clear error',
    async () => {
      const args = ['generate', '--prompt', 'a dog barks', '--duration', '1', '--seed', '3', '--threads', '2', '--json'];
      const cpu = await agx(...args, '--device', 'cpu', '--out', join(tmp, 'cpu.wav'));
      const auto = await agx(...args, '--out', join(tmp, 'auto.wav'));
      expect(cpu.code, cpu.stderr).toBe(0);
      expect(auto.code, auto.stderr).toBe(0);
      expect(JSON.parse(cpu.stdout).model.provider).toBe('cpu');
      expect(JSON.parse(auto.stdout).model.provider).toBe('cpu');
      expect(cpu.stderr).not.toMatch(/--device/);
      const noteLines = auto.stderr.split('\n').filter((l) => l.includes('--device auto'));
      expect(noteLines).toEqual([
        'agx: --device auto runs on cpu: cuda: the CUDA provider library is not installed (README: "Running on a GPU")',
      ]);
      expect(readFileSync(join(tmp, 'auto.wav')).equals(readFileSync(join(tmp, 'cpu.wav')))).toBe(true);

      const cuda = await agx(...args, '--device', 'cuda', '--out', join(tmp, 'cuda.wav'));
      expect(cuda.code).toBe(2);
      expect(cuda.stdout).toBe('');
      expect(cuda.stderr.trim().split('\n')).toEqual([
        'agx: error: --device cuda is unavailable here: the CUDA provider library is not installed (README: "Running on a GPU")',
      ]);
      const coreml = await agx('models', '--device', 'coreml');
      expect(coreml.code).toBe(2);
      expect(coreml.stderr).toMatch(
        /^agx: error: --device coreml is unavailable here: this onnxruntime-node has no coreml provider on linux/,
      );
    },
  );

  it('agx models says where --device resolves and what each provider needs', async () => {
    const r = await agx('models', '--json');
    expect(r.code, r.stderr).toBe(0);
    const device = JSON.parse(r.stdout).device;
    expect(device.requested).toBe('auto');
    expect(['cpu', 'cuda']).toContain(device.provider);
    expect(device.providers.find((p: { name: string }) => p.name === 'cpu').status).toBe('offered');
    if (!cudaInstalled) expect(device.providers.find((p: { name: string }) => p.name === 'cuda').status).toMatch(/not installed/);
  });
});

describe('a take records its provider', () => {
  it('migration 3 gives older takes a NULL provider, keeps their bytes and checksum, and puts the column before the blobs', () => {
    const file = join(tmp, 'v2.sqlite');
    const db = new Database(file);
    migrate(db, MIGRATIONS.slice(0, 2));
    const [sid, tid] = ['a'.repeat(32), 'b'.repeat(32)];
    const t = distinctTake(sid, 1);
    const codes = toBlob(t.codes);
    const audio = toBlob(t.audio);
    db.prepare(`INSERT INTO sessions VALUES (?, 'Old', 0, 't', 't', 't')`).run(sid);
    db.prepare(
      `INSERT INTO takes (id, session_id, number, parent_take_id, source, prompt, tokens, weights, seed, sampling, kept_before_sec,
         model_id, model_sha256, duration_sec, sample_rate, frames, created_at, checksum, codes, audio)
       VALUES (?, ?, 1, NULL, 'generated', 'rain', '[]', '[]', 1, '{"cfg":3,"topK":250,"topP":0,"temperature":1}', NULL,
         'tiny-foley', ?, 1, 32000, 50, 't', ?, ?, ?)`,
    ).run(tid, sid, 'ab'.repeat(32), takeChecksum(codes, audio), codes, audio);
    expect(migrate(db)).toEqual(MIGRATIONS.slice(2).map((m) => m.version));
    const columns = (db.pragma('table_info(takes)') as { name: string }[]).map((c) => c.name);
    expect(columns.indexOf('provider')).toBeLessThan(columns.indexOf('codes'));
    expect(columns.slice(-2)).toEqual(['codes', 'audio']);
    db.close();

    const store = Store.open({ file, backupsDir: join(tmp, 'backups') });
    try {
      expect(store.getTake(tid).provider).toBeNull();
      expect(store.getTakeData(tid).audio).toEqual(t.audio);
    } finally {
      store.close();
    }
  });

  it('a take generated in the studio carries the provider getInfo shows', async () => {
    const studio = await tempStudio(tempDir());
    try {
      const api = await directApi(studio);
      const info = await api.getInfo();
      const { session } = await api.createSession({});
      const { jobId } = await api.generate({ sessionId: session.id, prompt: 'a dog barks', seed: 1, durationSec: 1 });
      const job = await jobEnd(studio, jobId);
      expect(job.state).toBe('done');
      const state = await api.openSession({ sessionId: session.id });
      expect(state.takes.map((t) => t.provider)).toEqual([info.provider]);
      if (!cudaInstalled && process.platform === 'linux') {
        expect(info.provider).toBe('cpu');
        expect(info.providerNote).toMatch(/^--device auto runs on cpu: cuda: /);
      }
    } finally {
      await studio.close();
    }
  });
});
