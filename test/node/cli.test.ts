// The agx command as a user runs it: one clear line on stderr and a non-zero exit for bad input.
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeAudio } from '../../electron/engine/audio/decode.js';
import { decodeWav, encodeWav } from '../../electron/engine/audio/wav.js';
import { embeddedModelsDir, resolveBundle } from '../../electron/engine/manifest.js';

const escapeRegExp = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

const run = promisify(execFile);
const AGX = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
const tmp = mkdtempSync(join(tmpdir(), 'agx-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function agx(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return agxWithEnv({}, ...args);
}

async function agxWithEnv(env: NodeJS.ProcessEnv, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [AGX, ...args], { env: { ...process.env, AGX_DEBUG: '', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  const lines = r.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^agx: error: /);
  expect(lines[0]).toMatch(pattern);
  expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
}

describe('agx command line', () => {
  it('generate writes a WAV and prints JSON with tokens, seed and timings', async () => {
    const out = join(tmp, 'dog.wav');
    const r = await agx('generate', '--prompt', 'a dog barks', '--seed', '4', '--duration', '1', '--out', out, '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res).toMatchObject({ file: out, seed: 4, sampleRate: 16000, durationSec: 1 });
    expect(res.tokens.map((t: { text: string }) => t.text)).toEqual(['a', 'dog', 'barks']);
    expect(res.tokens[1]).toMatchObject({ start: 2, end: 5 });
    expect(res.timings.totalMs).toBeGreaterThan(0);
    const bytes = readFileSync(out);
    expect(bytes.subarray(0, 4).toString()).toBe('RIFF');
    expect(bytes.length).toBe(44 + 16000 * 2);
  });

  it('generate writes FLAC from an --out ending .flac, lossless against the 24-bit WAV of the same take', async () => {
    const wav = join(tmp, 'same.wav');
    const flac = join(tmp, 'same.flac');
    const args = ['generate', '--prompt', 'a bell rings', '--seed', '2', '--duration', '1'];
    expect((await agx(...args, '--format', 'pcm24', '--out', wav)).code).toBe(0);
    const r = await agx(...args, '--out', flac, '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).file).toBe(flac);
    const bytes = new Uint8Array(readFileSync(flac));
    expect(Buffer.from(bytes.subarray(0, 4)).toString()).toBe('fLaC');
    const fromFlac = await decodeAudio(bytes);
    const fromWav = decodeWav(new Uint8Array(readFileSync(wav)));
    expect(fromFlac.sampleRate).toBe(16000);
    expect(fromFlac.channels[0]!.length).toBe(fromWav.channels[0]!.length);
    expect(Array.from(fromFlac.channels[0]!)).toEqual(Array.from(fromWav.channels[0]!));
    expect(bytes.length).toBeLessThan(readFileSync(wav).length);
  });

  it('explain reports its own peak memory, not the memory of the process that started it', async () => {
    // agx bench --methods starts each explain from a process holding the model and earlier runs
    const parentBallast = Buffer.alloc(700 * 1024 * 1024, 1);
    const r = await agx('explain', '--prompt', 'a dog barks', '--seed', '1', '--duration', '1', '--method', 'random', '--json');
    expect(r.code, r.stderr).toBe(0);
    const { maxRssMb } = JSON.parse(r.stdout).timings;
    expect(maxRssMb).toBeGreaterThan(50);
    // a random explanation of a 1 s clip needs about 220 MB; getrusage's maxRSS read over 700 here
    expect(maxRssMb).toBeLessThan(500);
    expect(parentBallast[0]).toBe(1);
  });

  it('explain works for every method, from a seed or from a WAV, with the documented JSON', async () => {
    const wav = join(tmp, 'explain-me.wav');
    expect((await agx('generate', '--prompt', 'a dog barks', '--duration', '1', '--out', wav)).code).toBe(0);
    for (const method of ['audiogenx', 'random', 'attention', 'atman', 'gradcam-a', 'gradcam-e', 'chefer']) {
      const epochs = method === 'audiogenx' ? ['--epochs', '3'] : [];
      const r = await agx(
        'explain',
        '--prompt',
        'a dog barks',
        '--seed',
        '1',
        '--duration',
        '1',
        '--method',
        method,
        ...epochs,
        '--interval',
        '0.2:0.6',
        '--json',
      );
      expect(r.code, `${method}: ${r.stderr}`).toBe(0);
      const e = JSON.parse(r.stdout);
      expect(e.method).toBe(method);
      expect(e.tokens.map((t: { text: string }) => t.text)).toEqual(['a', 'dog', 'barks']);
      expect(e.holistic).toHaveLength(3);
      expect(e.interval).toHaveLength(3);
      expect(e.steps).toHaveLength(25 + 3);
      expect(e.frameRate).toBe(25);
      for (const v of [...e.holistic, ...e.interval, ...e.steps.flat()]) expect(v >= 0 && v <= 1).toBe(true);
    }
    const fromAudio = await agx('explain', '--prompt', 'a dog barks', '--audio', wav, '--epochs', '3', '--json');
    expect(fromAudio.code).toBe(0);
    expect(JSON.parse(fromAudio.stdout).steps).toHaveLength(25 + 3);
    expectOneLineError(await agx('explain', '--prompt', 'a dog barks', '--json'), /exactly one of --seed N or --audio FILE/);
    expectOneLineError(
      await agx('explain', '--prompt', 'a dog barks', '--seed', '1', '--method', 'lime'),
      /unknown method "lime"; methods: audiogenx/,
    );
    expectOneLineError(
      await agx('explain', '--prompt', 'a dog barks', '--seed', '1', '--duration', '1', '--method', 'atman', '--epochs', '5'),
      /atman has no parameter "epochs"/,
    );
  });

  it('classify reads a WAV at another rate and channel count and returns labels', async () => {
    const path = join(tmp, 'stereo44k.wav');
    const n = 44100;
    const tone = Float32Array.from({ length: n }, (_, i) => 0.2 * Math.sin((2 * Math.PI * 1000 * i) / 44100));
    writeFileSync(path, encodeWav([tone, tone], 44100, 'pcm16'));
    const r = await agx('classify', path, '--json');
    expect(r.code).toBe(0);
    const res = JSON.parse(r.stdout);
    expect(res.labels).toHaveLength(14);
    expect(res.durationSec).toBeCloseTo(1, 2);
    for (const l of res.labels) expect(l.probability >= 0 && l.probability <= 1).toBe(true);
  });

  it('models lists the embedded bundle with checksum status ok', async () => {
    const r = await agx('models', '--json');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).models).toContainEqual(expect.objectContaining({ name: 'tiny-foley', status: 'ok' }));
  });

  it('bad input: one clear line, non-zero exit, nothing written', async () => {
    const out = join(tmp, 'never.wav');
    expectOneLineError(await agx('generate', '--prompt', '', '--out', out), /the prompt is empty/);
    expectOneLineError(await agx('generate', '--prompt', 'dog '.repeat(600), '--out', out), /characters long/);
    expectOneLineError(await agx('generate', '--prompt', 'dog '.repeat(40), '--out', out), /at most 32/);
    expectOneLineError(
      await agx('generate', '--prompt', 'a dog', '--out', out, '--loud'),
      /unknown option --loud; valid options: --prompt/,
    );
    expectOneLineError(
      await agx('generate', '--prompt', 'a dog barks', '--weights', 'cat=0', '--out', out),
      /"cat", which is not a token of the prompt; tokens: a, dog, barks/,
    );
    expectOneLineError(await agx('generate', '--prompt', 'a dog barks', '--weights', 'dog=9', '--out', out), /from 0 to 2/);
    expectOneLineError(await agx('generate', '--prompt', 'a dog barks', '--duration', 'abc', '--out', out), /--duration must be/);
    expectOneLineError(await agx('generate', '--prompt', 'a dog barks'), /--out is required/);
    expectOneLineError(await agx('explode'), /unknown command "explode"; commands: generate/);
    expectOneLineError(
      await agx('generate', '--prompt', 'a dog', '--out', out, '--model', 'nope'),
      /unknown model "nope"; available: .*tiny-foley/,
    );
    expect(() => readFileSync(out)).toThrow();
  });

  it('exit codes and messages: 2 and one exact line for a bad command line; text output unless --json', async () => {
    const out = join(tmp, 'codes.wav');
    const empty = await agx('generate', '--prompt', '', '--out', out);
    expect([empty.code, empty.stderr]).toEqual([2, 'agx: error: the prompt is empty\n']);
    const negative = await agx('generate', '--prompt', 'a dog', '--seed', '-1', '--out', out);
    expect([negative.code, negative.stderr]).toEqual([2, 'agx: error: --seed must be an integer from 0 to 4294967295 (got "-1")\n']);
    const dashed = await agx('generate', '--prompt', 'a dog', '--out', '-x.wav');
    expect([dashed.code, dashed.stderr]).toEqual([
      2,
      'agx: error: agx generate: --out needs a value; write one that starts with "-" as --out=-x.wav\n',
    ]);

    const wav = join(tmp, 'classify-me.wav');
    writeFileSync(wav, encodeWav(new Float32Array(16000), 16000, 'pcm16'));
    const classified = await agx('classify', wav);
    expect(classified.code).toBe(0);
    const lines = classified.stdout.trim().split('\n');
    expect(lines[0]).toBe(`${wav} (1 s)`);
    expect(lines[1]).toMatch(/^detected: /);
    expect(lines[2]).toMatch(/^top: \S+ \d\.\d\d, /);

    const models = await agx('models');
    expect(models.code).toBe(0);
    expect(models.stdout).toMatch(
      new RegExp(
        `^tiny-foley ${escapeRegExp(resolveBundle('tiny-foley').manifest.version)} +ok +[\\d.]+ MB \\(generation opens [\\d.]+ MB\\) +MIT +${escapeRegExp(join(embeddedModelsDir(), 'tiny-foley'))}$`,
        'm',
      ),
    );

    // No --data-dir and no AGX_DATA_DIR: the platform default folder (here under XDG_CONFIG_HOME) is read, not created.
    const config = join(tmp, 'config');
    const sessions = await agxWithEnv({ XDG_CONFIG_HOME: config, AGX_DATA_DIR: '' }, 'sessions');
    const dataDir = join(config, 'AudioGenX Studio');
    expect([sessions.code, sessions.stdout, sessions.stderr]).toEqual([0, `no sessions in ${dataDir}\n`, '']);
    const json = await agxWithEnv({ XDG_CONFIG_HOME: config, AGX_DATA_DIR: '' }, 'sessions', '--json');
    expect(JSON.parse(json.stdout)).toEqual({ dataDir, sessions: [] });
    expect(existsSync(config)).toBe(false);
  });

  it('unreadable or corrupt audio gives one clear line', async () => {
    expectOneLineError(await agx('classify', join(tmp, 'missing.wav')), /cannot read audio file/);
    const junk = join(tmp, 'junk.wav');
    writeFileSync(junk, Buffer.from('this is not audio at all, just text'));
    expectOneLineError(await agx('classify', junk), /junk\.wav: not an audio file this app reads \(expected WAV, FLAC, MP3/);
    const truncated = join(tmp, 'truncated.wav');
    writeFileSync(truncated, encodeWav(new Float32Array(16000), 16000, 'pcm16').subarray(0, 30));
    expectOneLineError(await agx('classify', truncated), /truncated\.wav: /);
  });

  it('a tampered model file is refused by its checksum', async () => {
    const copy = join(tmp, 'tampered');
    cpSync(join(embeddedModelsDir(), 'tiny-foley'), copy, { recursive: true });
    const file = join(copy, 'lm_step.onnx');
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1] ^= 0xff;
    writeFileSync(file, bytes);
    expectOneLineError(
      await agx('generate', '--prompt', 'a dog', '--out', join(tmp, 'x.wav'), '--model', copy),
      /lm_step\.onnx is corrupt or modified/,
    );
    writeFileSync(join(copy, 'manifest.json'), '{ not json');
    expectOneLineError(
      await agx('generate', '--prompt', 'a dog', '--out', join(tmp, 'x.wav'), '--model', copy),
      /manifest\.json is not valid JSON/,
    );
  });
});
