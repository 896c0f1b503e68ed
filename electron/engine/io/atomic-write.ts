// Every file written for a user (a generated WAV, an export) goes through here: the bytes go to a
// temporary file beside the target, are flushed to the disk, and only then replace the target by a
// rename. A full disk, a killed process or a failed write leaves the old file, never a torn one.
import * as nodeFs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { AgxError } from '../../common/errors.js';

/** The file-system calls used, so tests can make one of them fail. */
export type AtomicWriteFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'fsyncSync' | 'closeSync' | 'renameSync' | 'rmSync' | 'mkdirSync' | 'realpathSync'
>;

/** What a person can do about the usual failures. */
const REASONS: Record<string, string> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EFBIG: 'the file is larger than this system allows',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'the disk is read-only',
  EISDIR: 'it is a folder',
  ENOTDIR: 'a part of the path is not a folder',
};

function ioError(path: string, err: unknown): AgxError {
  const code = (err as NodeJS.ErrnoException).code;
  const reason = code === undefined ? String(err) : REASONS[code] ? `${REASONS[code]} (${code})` : code;
  return new AgxError('io_error', `cannot write ${path}: ${reason}; nothing was changed there`);
}

/** Options of writeFileAtomic. */
export interface AtomicWriteOptions {
  /** Create the folder first (the CLI's --out); a save dialog's folder exists, and a missing one is an error. */
  createFolder?: boolean;
  /** The file system (tests inject failures). */
  fs?: AtomicWriteFs;
}

/**
 * Writes data to path atomically: a temp file in the same folder (a rename across disks would copy),
 * written in full, fsynced, renamed over the target, then the folder fsynced so the rename survives a
 * power cut. Throws AgxError io_error; on failure the temp file is removed and the target is as it was.
 */
export function writeFileAtomic(path: string, data: Uint8Array, options: AtomicWriteOptions = {}): void {
  const fs = options.fs ?? nodeFs;
  let target = path;
  let temp: string | undefined;
  let fd: number | undefined;
  try {
    if (options.createFolder) fs.mkdirSync(dirname(path), { recursive: true });
    // Through a symlink, replace the file it points to, not the link.
    try {
      target = fs.realpathSync(path);
    } catch {
      // No file there yet.
    }
    temp = join(dirname(target), `.${basename(target)}.${randomBytes(6).toString('hex')}.tmp`);
    fd = fs.openSync(temp, 'wx');
    for (let off = 0; off < data.byteLength;) off += fs.writeSync(fd, data, off, data.byteLength - off);
    fs.fsyncSync(fd);
    fs.closeSync(fd);
    fd = undefined;
    fs.renameSync(temp, target);
    temp = undefined;
  } catch (err) {
    try {
      if (fd !== undefined) fs.closeSync(fd);
      if (temp !== undefined) fs.rmSync(temp, { force: true });
    } catch {
      // The first failure is the one to report.
    }
    throw ioError(path, err);
  }
  syncFolder(dirname(target), fs);
}

/** Makes a rename durable; some systems (Windows) cannot open a folder, and the file is already in place. */
function syncFolder(dir: string, fs: AtomicWriteFs): void {
  try {
    const fd = fs.openSync(dir, 'r');
    try {
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    // Best effort.
  }
}
