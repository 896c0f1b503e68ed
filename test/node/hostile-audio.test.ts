// Hostile WAV headers (issue 15, hostile input 2): a header is checked before a sample is decoded, so
// the work of reading a file follows the bytes it holds and the length the caller can use, never what
// its header claims; resampling can be cancelled between chunks.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { toModelAudio } from '../../electron/engine/audio/load.js';
import { resample } from '../../electron/engine/audio/resample.js';
import { decodeWav, encodeWav } from '../../electron/engine/audio/wav.js';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';

const tmp = mkdtempSync(join(tmpdir(), 'agx-hostile-audio-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A 16-bit PCM WAV with a header saying what the caller wants, whatever the data holds. */
function pcm16(opts: { sampleRate: number; channels?: number; frames: number; declaredDataBytes?: number }): Uint8Array {
  const channels = opts.channels ?? 1;
  const dataBytes = opts.frames * channels * 2;
  const b = Buffer.alloc(44 + dataBytes);
  b.write('RIFF', 0);
  b.writeUInt32LE(36 + dataBytes, 4);
  b.write('WAVE', 8);
  b.write('fmt ', 12);
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(channels, 22);
  b.writeUInt32LE(opts.sampleRate, 24);
  b.writeUInt32LE(opts.sampleRate * channels * 2, 28);
  b.writeUInt16LE(channels * 2, 32);
  b.writeUInt16LE(16, 34);
  b.write('data', 36);
  b.writeUInt32LE(opts.declaredDataBytes ?? dataBytes, 40);
  for (let i = 0; i < opts.frames * channels; i++) b.writeInt16LE(Math.round(8000 * Math.sin(i)), 44 + 2 * i);
  return new Uint8Array(b);
}

/** The file of the issue: 16 KB of samples whose header says 1 Hz (8000 s of audio, 128 M samples at 16 kHz). */
const ONE_HZ = pcm16({ sampleRate: 1, frames: 8000 });

describe('WAV header checks', () => {
  it('refuses a header declaring 1 Hz before decoding, with one line a person understands', async () => {
    expect(() => decodeWav(ONE_HZ)).toThrow('WAV file declares 1 Hz; supported sample rates are 8-384 kHz');
    const t0 = performance.now();
    await expect(toModelAudio(ONE_HZ, 16000)).rejects.toThrow(/declares 1 Hz/);
    // Resampling 128 M samples takes many seconds; a refusal from the header takes milliseconds (1 s leaves room for a busy machine).
    expect(performance.now() - t0).toBeLessThan(1000);
  });

  it('accepts 8 to 384 kHz and refuses rates outside, and more than 64 channels', () => {
    expect(decodeWav(pcm16({ sampleRate: 8000, frames: 10 })).sampleRate).toBe(8000);
    expect(decodeWav(pcm16({ sampleRate: 384000, frames: 10 })).sampleRate).toBe(384000);
    expect(() => decodeWav(pcm16({ sampleRate: 7999, frames: 10 }))).toThrow(
      'WAV file declares 7999 Hz; supported sample rates are 8-384 kHz',
    );
    expect(() => decodeWav(pcm16({ sampleRate: 400000, frames: 10 }))).toThrow(/declares 400000 Hz/);
    expect(decodeWav(pcm16({ sampleRate: 48000, channels: 64, frames: 2 })).channels).toHaveLength(64);
    expect(() => decodeWav(pcm16({ sampleRate: 48000, channels: 65, frames: 2 }))).toThrow(
      'WAV file declares 65 channels; at most 64 are supported',
    );
    // The message is a bad_audio error, as every front door expects.
    expect(() => decodeWav(ONE_HZ)).toThrow(expect.objectContaining({ code: 'bad_audio', expected: true }));
  });

  it('counts only the samples a file holds, whatever length its data chunk declares', async () => {
    // A data chunk claiming 4 GB in a 1 s file (a streaming writer's 0xFFFFFFFF, or a lie).
    const claims = pcm16({ sampleRate: 16000, frames: 16000, declaredDataBytes: 0xffffffff });
    expect(await toModelAudio(claims, 16000, { maxDurationSec: 5 })).toHaveLength(16000);
  });

  it("refuses a file longer than the caller's maximum from its header, with the length in the message", async () => {
    const sixSeconds = pcm16({ sampleRate: 8000, frames: 6 * 8000 });
    await expect(toModelAudio(sixSeconds, 16000, { maxDurationSec: 5 })).rejects.toThrow(
      'the clip is 6.0 s long; this model explains at most 5 s',
    );
    // The maximum itself (and a rounding sample) still passes: valid files keep working.
    expect(await toModelAudio(pcm16({ sampleRate: 44100, frames: 5 * 44100 }), 16000, { maxDurationSec: 5 })).toHaveLength(80000);
    // Without a maximum (agx classify) long clips are read whole, as before.
    expect(await toModelAudio(sixSeconds, 16000)).toHaveLength(6 * 16000);
  });
});

describe('resampling', () => {
  const input = new Float32Array(10 * 48000).map((_, i) => Math.sin(i / 7));

  it('reports progress between chunks and stops with cancelled when its signal fires', () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const run = () =>
      resample(input, 48000, 16000, {
        signal: controller.signal,
        onProgress: (f) => {
          seen.push(f);
          controller.abort();
        },
      });
    expect(run).toThrow(expect.objectContaining({ code: 'cancelled' }));
    // Stopped at the first chunk boundary, not after the whole clip.
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBeGreaterThan(0);
    expect(seen[0]).toBeLessThan(0.5);
  });

  it('gives the same samples with progress reported as without', () => {
    const seen: number[] = [];
    const a = resample(input, 48000, 16000, { onProgress: (f) => seen.push(f) });
    expect(a).toEqual(resample(input, 48000, 16000));
    expect(seen.at(-1)).toBe(1);
    expect(seen).toEqual([...seen].sort((x, y) => x - y));
  });
});

describe('agx classify on a hostile header', () => {
  it('refuses the 16 KB "1 Hz" WAV at once with one line, instead of minutes and gigabytes', async () => {
    const file = join(tmp, 'one-hz.wav');
    writeFileSync(file, ONE_HZ);
    const agx = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
    const t0 = performance.now();
    const r = await promisify(execFile)(process.execPath, [agx, 'classify', file, '--threads', '1'], { timeout: 60_000 }).then(
      () => ({ code: 0, stderr: '', killed: false }),
      (e: { code: number; stderr: string; killed: boolean }) => e,
    );
    expect(r.killed).toBe(false);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe('agx: error: one-hz.wav: WAV file declares 1 Hz; supported sample rates are 8-384 kHz');
    // Model loading included; before the check this ran for 296 s and peaked at 9.2 GB.
    expect(performance.now() - t0).toBeLessThan(30_000);
  }, 90_000);

  it('still reads valid files at every supported rate', async () => {
    // The header checks refuse nothing a recorder writes: 8 kHz mono and 96 kHz stereo decode as before.
    const stereo = encodeWav([new Float32Array(960).fill(0.25), new Float32Array(960).fill(-0.25)], 96000, 'pcm24');
    expect(await toModelAudio(stereo, 16000)).toHaveLength(160);
    expect(await toModelAudio(pcm16({ sampleRate: 8000, frames: 8000 }), 16000)).toHaveLength(16000);
  });
});
