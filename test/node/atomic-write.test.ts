// Outputs are written atomically (issue 15, hostile input 4): a full disk, a failed fsync or rename,
// or a process limit mid-write leaves the old file as it was and no partial file beside it.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { type AtomicWriteFs, writeFileAtomic } from '../../electron/engine/io/atomic-write.js';

const tmp = mkdtempSync(join(tmpdir(), 'agx-atomic-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

let n = 0;
/** A fresh folder holding target.wav with old content. */
function folderWithOldFile(): { dir: string; target: string } {
  const dir = join(tmp, `case-${++n}`);
  fs.mkdirSync(dir);
  const target = join(dir, 'target.wav');
  writeFileSync(target, 'the old take');
  return { dir, target };
}

const errno = (code: string) => Object.assign(new Error(`${code}: simulated`), { code });
const NEW = new Uint8Array(100_000).fill(7);

describe('writeFileAtomic', () => {
  it('creates the folder when asked, writes the bytes and leaves nothing else behind', () => {
    const path = join(tmp, 'new', 'deep', 'out.wav');
    writeFileAtomic(path, NEW, { createFolder: true });
    expect(new Uint8Array(readFileSync(path))).toEqual(NEW);
    expect(readdirSync(join(tmp, 'new', 'deep'))).toEqual(['out.wav']);
    // Without createFolder (a save dialog's path), a missing folder is an error.
    expect(() => writeFileAtomic(join(tmp, 'missing', 'out.wav'), NEW)).toThrow(/cannot write .*: ENOENT/);
  });

  it('replaces an existing file whole', () => {
    const { dir, target } = folderWithOldFile();
    writeFileAtomic(target, NEW);
    expect(new Uint8Array(readFileSync(target))).toEqual(NEW);
    expect(readdirSync(dir)).toEqual(['target.wav']);
  });

  // Each step that can fail on a full or broken disk: the old file stays, the temp file goes.
  const failures: [string, Partial<AtomicWriteFs>, RegExp][] = [
    [
      'a write that runs out of space half-way',
      {
        writeSync: ((fd: number, data: Uint8Array, offset: number) => {
          if (offset > 0) throw errno('ENOSPC');
          return fs.writeSync(fd, data, 0, 40_000);
        }) as AtomicWriteFs['writeSync'],
      },
      /cannot write .*target\.wav: the disk is full \(ENOSPC\); nothing was changed there/,
    ],
    [
      'an fsync that fails',
      {
        fsyncSync: () => {
          throw errno('EIO');
        },
      },
      /cannot write .*: EIO/,
    ],
    [
      'a rename that fails',
      {
        renameSync: () => {
          throw errno('EACCES');
        },
      },
      /permission denied \(EACCES\)/,
    ],
  ];
  it.each(failures)('on %s, keeps the old file and leaves no partial file', (_name, override, message) => {
    const { dir, target } = folderWithOldFile();
    expect(() => writeFileAtomic(target, NEW, { fs: { ...fs, ...override } })).toThrow(
      expect.objectContaining({ code: 'io_error', message: expect.stringMatching(message) }),
    );
    expect(readFileSync(target, 'utf8')).toBe('the old take');
    expect(readdirSync(dir)).toEqual(['target.wav']);
  });

  it('through a symlink, replaces the file it points to and keeps the link', () => {
    const { dir, target } = folderWithOldFile();
    const link = join(tmp, `link-${n}.wav`);
    symlinkSync(target, link);
    writeFileAtomic(link, NEW);
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(new Uint8Array(readFileSync(target))).toEqual(NEW);
    expect(readdirSync(dir)).toEqual(['target.wav']);
  });
});

describe('agx generate when the disk fills mid-write', () => {
  it('keeps the old file whole instead of a truncated WAV whose header claims the full length', async () => {
    const { dir, target } = folderWithOldFile();
    const agx = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
    // A 64 KB file-size limit stands in for a full disk: a 5 s pcm16 clip is 160 KB, so the write
    // fails with EFBIG part-way (SIGXFSZ ignored so the write errors instead of killing the process).
    const script = `trap '' XFSZ; ulimit -f 64; exec "$0" "$@"`;
    const args = [
      '-c',
      script,
      process.execPath,
      agx,
      'generate',
      '--prompt',
      'a dog barks',
      '--duration',
      '5',
      '--threads',
      '1',
      // on a machine without a GPU, auto would add its one-line fallback note to stderr
      '--device',
      'cpu',
      '--out',
      target,
    ];
    const r = await promisify(execFile)('bash', args).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(
      `agx: error: cannot write ${target}: the file is larger than this system allows (EFBIG); nothing was changed there`,
    );
    expect(readFileSync(target, 'utf8')).toBe('the old take');
    expect(readdirSync(dir)).toEqual(['target.wav']);
  });
});
