// Queued imports wait on disk, not in memory: a WAV sent to importAudio is written to a file in the
// data folder and read back only when its job runs, so jobs waiting in the queue hold a path, not
// megabytes. Each file is removed when its job ends, however it ends.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgxError } from '../common/errors.js';

/** Spool files older than this are leftovers of a studio that was killed; no queued job waits that long. */
const STALE_MS = 24 * 60 * 60 * 1000;

/** One spooled payload. */
export interface Spooled {
  /** Where the bytes wait. */
  readonly path: string;
  /** The bytes, read back from disk. */
  read(): Uint8Array;
  /** Deletes the file; safe to call more than once. */
  remove(): void;
}

/** A folder of payloads waiting for their jobs. */
export class Spool {
  /** Where the files wait: the import-spool folder of the data folder (created on first use). */
  readonly dir: string;

  /** Opens the data folder's spool; stale files from a killed studio are removed now. */
  constructor(dataDir: string) {
    const dir = join(dataDir, 'import-spool');
    this.dir = dir;
    let names: string[] = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    // Another studio on the same data folder may have files waiting here, so only old ones go.
    for (const name of names) {
      const path = join(dir, name);
      try {
        if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { force: true });
      } catch {
        // Gone already.
      }
    }
  }

  /** Writes bytes to a new file (owner-only); a full disk is an io_error and nothing is queued. */
  put(bytes: Uint8Array): Spooled {
    const path = join(this.dir, `${randomUUID()}.bin`);
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(path, bytes, { flag: 'wx', mode: 0o600 });
    } catch (err) {
      rmSync(path, { force: true });
      throw new AgxError(
        'io_error',
        `cannot queue the file: writing to ${this.dir} failed (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      );
    }
    return {
      path,
      read: () => readFileSync(path),
      remove: () => rmSync(path, { force: true }),
    };
  }
}
