// agx_convert's front half (native-models/convert): the release formats are recognised, checked against the
// spec their config implies, and normalised; both MusicGen formats give byte-identical weights; every broken
// input is one clear error; the full-size shapes add up to the published parameter counts; `agx models
// convert` resumes after a kill. Tiny random-weight checkpoints, written by the converter's own fixtures
// command in each real format (no third-party weights). Needs Debian's python3-torch and python3-omegaconf
// (.ci/run installs them); skipped with the reason where they are missing.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBundleFiles, embeddedModelsDir, type Manifest } from '../../electron/engine/manifest.js';

const run = promisify(execFile);
const python = '/usr/bin/python3';
const converter = join(embeddedModelsDir(), 'convert');
const AGX = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
const missing = spawnSync(python, ['-c', 'import torch, omegaconf, numpy, onnx'], { encoding: 'utf8' });
const skipReason = missing.status === 0 ? undefined : `needs ${python} with python3-torch, python3-omegaconf, python3-onnx`;
const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', PYTHONDONTWRITEBYTECODE: '1', AGX_DEBUG: '' };
const tmp = mkdtempSync(join(tmpdir(), 'agx-convert-'));
const fx = join(tmp, 'fixtures');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function py(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(python, ['-m', 'agx_convert', ...args], { cwd: converter, env, maxBuffer: 1 << 26 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

interface Report {
  family: string;
  lmParameters: number;
  sampleRate: number;
  frameRate: number;
  codebooks: number;
  cardinality: number;
  cfgCoef: number;
  t5: string;
  licence: string;
  warnings: string[];
  sources: { file: string; sha256: string; bytes: number }[];
  weightsSha256: { lm: string; codec: string; t5: string };
  exported?: boolean;
  resumed?: boolean;
}

/**
 * Every --check-only case runs in one Python process (convert.convert, the function behind the command
 * line): importing torch costs most of a run on a loaded machine. The command line's own exit code and
 * message are checked by the cases that spawn it (refusedByProcess and the out-folder check).
 */
const BATCH = `import json, sys, tempfile
from pathlib import Path
from agx_convert.convert import convert
results = []
for case in json.loads(sys.stdin.read()):
    try:
        results.append({"report": convert([Path(p) for p in case], Path(tempfile.mkdtemp()) / "out", True)})
    except ValueError as e:
        results.append({"error": str(e)})
print(json.dumps(results))`;

const CASES = [
  ['audiogen', 't5-large'],
  ['musicgen/state_dict.bin', 'musicgen/compression_state_dict.bin', 'encodec_32khz', 't5-base'],
  ['musicgen-hf'],
  ['musicgen-hf', 't5-base'],
  ['audiogen', 't5-base'],
  ['broken/lm_env_heads.bin', 'audiogen/compression_state_dict.bin', 't5-large'],
  ['audiogen', 'broken/t5-wide'],
  ['audiogen', 'broken/t5-short-vocab'],
  ['musicgen', 't5-base'],
  ['audiogen'],
  ['broken/not_audiocraft.bin'],
  ['musicgen-hf-truncated'],
];
const batched = new Map<string, { report?: Report; error?: string }>();

async function runBatch(): Promise<void> {
  const child = spawn(python, ['-c', BATCH], { cwd: converter, env, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  child.stdin.end(JSON.stringify(CASES.map((c) => c.map((s) => join(fx, s)))));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  expect(code, stderr).toBe(0);
  const results = JSON.parse(stdout) as { report?: Report; error?: string }[];
  CASES.forEach((c, i) => batched.set(c.join('|'), results[i]!));
}

function outcome(sources: string[]): { report?: Report; error?: string } {
  const r = batched.get(sources.join('|'));
  if (r === undefined) throw new Error(`add ${sources.join(' ')} to CASES`);
  return r;
}

function check(...sources: string[]): Report {
  const r = outcome(sources);
  expect(r.error).toBeUndefined();
  return r.report!;
}

/** The one error message of a refused conversion. */
function refused(...sources: string[]): string {
  const r = outcome(sources);
  expect(r.report).toBeUndefined();
  return r.error!;
}

/** The same through the command line: exit 1, nothing on stdout, one message on stderr, no traceback. */
async function refusedByProcess(...sources: string[]): Promise<string> {
  const r = await py('convert', ...sources.map((s) => join(fx, s)), '--out', mkdtempSync(join(tmp, 'bad-')), '--check-only');
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  expect(r.stderr).not.toMatch(/Traceback/);
  const at = r.stderr.indexOf('agx_convert: error: ');
  expect(at).toBeGreaterThanOrEqual(0);
  return r.stderr.slice(at + 'agx_convert: error: '.length).trim();
}

// The tiny LM of fixtures.py: dim 16, 2 layers, FF 64, 4 codebooks of 32 codes, T5 width 8; counted here
// from audiocraft's layer shapes, independently of spec.py.
const D = 16;
const TINY_LM_PARAMETERS = 4 * 33 * D + 2 * (4 * D * D + 4 * D * D + 2 * D * 64 + 6 * D) + 2 * D + 4 * 32 * D + (8 * D + D);

describe.skipIf(skipReason !== undefined)(
  `agx_convert front half (tiny checkpoints in the release formats)${skipReason ? `: skipped, ${skipReason}` : ''}`,
  () => {
    beforeAll(async () => {
      const r = await py('fixtures', fx);
      expect(r.code, r.stderr).toBe(0);
      // a transformers folder with one shard cut short
      const copy = join(fx, 'musicgen-hf-truncated');
      cpSync(join(fx, 'musicgen-hf'), copy, { recursive: true });
      const shard = join(copy, 'model-00003-of-00010.safetensors');
      truncateSync(shard, statSync(shard).size - 100);
      await runBatch();
    }, 300_000);

    it('reads an audiocraft AudioGen release: LM + full EnCodec + T5 folder, sizes from xp.cfg and the weights', () => {
      const r = check('audiogen', 't5-large');
      expect(r).toMatchObject({
        family: 'audiogen',
        sampleRate: 16000,
        frameRate: 50,
        codebooks: 4,
        cardinality: 32,
        cfgCoef: 3,
        t5: 't5-large',
      });
      expect(r.licence).toBe('CC-BY-NC-4.0');
      expect(r.lmParameters).toBe(TINY_LM_PARAMETERS);
      expect(r.warnings).toEqual([]);
      // the model card's source checksums: every weight file, each with its sha256
      const files = r.sources.map((s) => s.file);
      expect(files).toEqual(
        expect.arrayContaining(['audiogen/state_dict.bin', 'audiogen/compression_state_dict.bin', 't5-large/model.safetensors']),
      );
      for (const s of r.sources) expect(s.sha256).toMatch(/^[0-9a-f]{64}$/);
    }, 60_000);

    it('MusicGen as audiocraft files and as a transformers folder gives byte-identical LM, codec and T5 weights', () => {
      const audiocraft = check('musicgen/state_dict.bin', 'musicgen/compression_state_dict.bin', 'encodec_32khz', 't5-base');
      const hf = check('musicgen-hf');
      const hfWithT5 = check('musicgen-hf', 't5-base');
      expect(audiocraft).toMatchObject({ family: 'musicgen', sampleRate: 32000, frameRate: 50, codebooks: 4, cfgCoef: 3 });
      expect(hf.weightsSha256).toEqual(audiocraft.weightsSha256);
      expect(hfWithT5.weightsSha256).toEqual(audiocraft.weightsSha256);
      expect(hf.lmParameters).toBe(audiocraft.lmParameters);
      // and they are not all one digest: the check can fail
      const ag = check('audiogen', 't5-large');
      expect(ag.weightsSha256.lm).not.toBe(audiocraft.weightsSha256.lm);
    }, 120_000);

    it('both MusicGen formats convert to the same bundle, file for file', async () => {
      const outA = join(tmp, 'musicgen-audiocraft');
      const outB = join(tmp, 'musicgen-transformers');
      const a = await py('convert', ...['musicgen', 'encodec_32khz', 't5-base'].map((s) => join(fx, s)), '--out', outA);
      const b = await py('convert', join(fx, 'musicgen-hf'), '--out', outB);
      expect(a.code, a.stderr).toBe(0);
      expect(b.code, b.stderr).toBe(0);
      const files = (dir: string) => (JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest).files;
      expect(Object.keys(files(outA))).toEqual(
        expect.arrayContaining(['lm_weights.bin', 'codec_weights.bin', 'text_encoder.onnx', 'lm_step.onnx']),
      );
      expect(files(outB)).toEqual(files(outA));
    }, 300_000);

    it('names every missing, unexpected and misshapen tensor', async () => {
      const msg = await refusedByProcess('broken/lm_wrong_tensors.bin', 'audiogen/compression_state_dict.bin', 't5-large');
      expect(msg).toMatch(/1 missing, 1 unexpected, 1 of wrong shape/);
      expect(msg).toContain('missing: linears.3.weight [32, 16]');
      expect(msg).toContain('unexpected: transformer.layers.0.self_attn.in_proj_bias [48]');
      expect(msg).toContain('wrong shape: emb.0.weight: expected [33, 16], found [32, 16]');
    }, 60_000);

    it('refuses an xp.cfg value that only resolves on the training machine, and never resolves it', () => {
      const msg = refused('broken/lm_env_heads.bin', 'audiogen/compression_state_dict.bin', 't5-large');
      expect(msg).toMatch(/transformer_lm\.num_heads is '\$\{oc\.env:HEADS\}', which only resolves on the training machine/);
      // interpolations the converter does not need (dora.dir: ${oc.env:USER}) stay unread: audiogen converts
      expect(check('audiogen', 't5-large').family).toBe('audiogen');
    }, 60_000);

    it('fails on a T5 folder of the wrong width, warns on a different T5 name of the right width', () => {
      expect(refused('audiogen', 'broken/t5-wide')).toMatch(/this T5 has d_model 16, but the LM's output_proj takes 8-wide/);
      expect(refused('audiogen', 'broken/t5-short-vocab')).toMatch(/produces ids up to 55, but the T5 embedding has 10 rows/);
      const r = check('audiogen', 't5-base');
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toMatch(/trained with t5-large, this folder looks like t5-base/);
    }, 60_000);

    it('asks for the EnCodec folder a {pretrained} compression file names, and for a missing T5 folder', async () => {
      expect(refused('musicgen', 't5-base')).toMatch(/compression_state_dict\.bin names facebook\/encodec_32khz/);
      expect(refused('audiogen')).toMatch(/no T5 folder given: the LM was trained with t5-large/);
      expect(refused('broken/not_audiocraft.bin')).toMatch(/not an audiocraft release file/);
      // the bundle never goes over other files or into a source folder
      const r = await py('convert', join(fx, 'audiogen'), join(fx, 't5-large'), '--out', fx, '--check-only');
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/agx_convert: error: --out .* overlaps the source/);
    }, 60_000);

    it('refuses a truncated safetensors shard by name', () => {
      expect(refused('musicgen-hf-truncated')).toMatch(/model-00003-of-00010\.safetensors: tensor .* do not fit/);
    });

    it('reads a safetensors file laid out by hand from the format description (not by our writer)', async () => {
      // 8-byte little-endian header length, JSON header, then raw little-endian tensors at the stated offsets
      const f32 = Buffer.alloc(24);
      [1.5, -2, 0.25, 3, 1e-3, -7].forEach((v, i) => f32.writeFloatLE(v, i * 4));
      const f16 = Buffer.from([0x00, 0x3c, 0x00, 0xc0, 0x00, 0x38]); // 1, -2, 0.5
      const bf16 = Buffer.from([0x80, 0x3f, 0x49, 0x40]); // 1, 3.140625
      const i64 = Buffer.alloc(16);
      i64.writeBigInt64LE(-3n, 0);
      i64.writeBigInt64LE(1n << 40n, 8);
      const header = {
        __metadata__: { format: 'pt' },
        a: { dtype: 'F32', shape: [2, 3], data_offsets: [0, 24] },
        h: { dtype: 'F16', shape: [3], data_offsets: [24, 30] },
        b: { dtype: 'BF16', shape: [2], data_offsets: [30, 34] },
        n: { dtype: 'I64', shape: [2], data_offsets: [34, 50] },
      };
      const json = Buffer.from(JSON.stringify(header) + '   ');
      const len = Buffer.alloc(8);
      len.writeBigUInt64LE(BigInt(json.length));
      const file = join(tmp, 'hand.safetensors');
      writeFileSync(file, Buffer.concat([len, json, f32, f16, bf16, i64]));
      const script = `import json, sys
from agx_convert.safetensors import SafetensorsFile
f = SafetensorsFile(sys.argv[1])
print(json.dumps({n: {"shape": f.shape(n), "values": f.tensor(n).reshape(-1).tolist(), "dtype": str(f.tensor(n).dtype)} for n in "ahbn"}))`;
      const { stdout } = await run(python, ['-c', script, file], { cwd: converter, env });
      const got = JSON.parse(stdout) as Record<string, { shape: number[]; values: number[]; dtype: string }>;
      expect(got.a!.shape).toEqual([2, 3]);
      expect(got.a!.values).toEqual([1.5, -2, 0.25, 3, Math.fround(1e-3), -7]);
      expect(got.h).toEqual({ shape: [3], values: [1, -2, 0.5], dtype: 'torch.float32' });
      expect(got.b).toEqual({ shape: [2], values: [1, 3.140625], dtype: 'torch.float32' });
      expect(got.n).toEqual({ shape: [2], values: [-3, 2 ** 40], dtype: 'torch.int64' });
    }, 60_000);

    it("full size on torch's meta device: AudioGen-medium and MusicGen-small add up to their published LM parameter counts", async () => {
      const r = await py('meta-check');
      expect(r.code, r.stderr).toBe(0);
      const result = JSON.parse(r.stdout) as Record<string, { parameters: number; moduleParameters: number; problems: string[] }>;
      expect(result['audiogen-medium']).toMatchObject({ parameters: 1_839_131_136, moduleParameters: 1_839_131_136, problems: [] });
      expect(result['musicgen-small']).toMatchObject({ parameters: 420_371_456, moduleParameters: 420_371_456, problems: [] });
    }, 60_000);

    it('agx models convert writes a bundle whose manifest verifies, and resumes after a SIGKILL', async () => {
      const out = join(tmp, 'bundle');
      const args = [AGX, 'models', 'convert', join(fx, 'audiogen'), join(fx, 't5-large'), '--out', out, '--json'];
      // first run: killed (with its python child: a process group) once the export has started
      const killed = await new Promise<string>((resolve) => {
        const child = spawn(process.execPath, args, { env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        let err = '';
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          err += chunk;
          if (/exporting lm_step/.test(err)) process.kill(-child.pid!, 'SIGKILL');
        });
        child.on('close', () => resolve(err));
      });
      expect(killed).toMatch(/checked: /);
      expect(existsSync(join(out, '.agx-convert', 'checked.json'))).toBe(true);
      expect(existsSync(join(out, '.agx-convert', 'export.json'))).toBe(false);
      const second = await run(process.execPath, args, { env, maxBuffer: 1 << 26 });
      const report = JSON.parse(second.stdout) as Report;
      expect(report.exported).toBe(true);
      // the manifest's own sizes and checksums (the engine's schema for converted bundles is issue 17's part 2)
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
      expect(manifest).toMatchObject({ sampleRate: 16000, frameRate: 50, codebooks: 4, cardinality: 32 });
      expect(Object.keys(manifest.files).length).toBeGreaterThan(5);
      const checks = await checkBundleFiles({ dir: out, manifest });
      expect(checks.filter((c) => c.status !== 'ok')).toEqual([]);
      // the model card states the licence and the sources' checksums
      const card = readFileSync(join(out, 'README.md'), 'utf8');
      expect(card).toContain('CC-BY-NC');
      for (const s of report.sources) expect(card).toContain(s.sha256);
      // a third run finds the finished stages and does nothing
      const third = JSON.parse((await run(process.execPath, args, { env, maxBuffer: 1 << 26 })).stdout) as Report;
      expect(third.resumed).toBe(true);
    }, 240_000);
  },
);
