// Rolling backups beside the store: `agx-<UTC time with ms>.sqlite` files in the backups folder, the
// newest keepBackups kept. Listing works on the folder alone, so it also serves a store that cannot
// be opened.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { BackupSchema } from '../common/api.js';
import { AgxError } from '../common/errors.js';
import { asStoreError, type Connection } from './connection.js';

/** A rolling backup as listed (file is a basename inside the backups folder). */
export type Backup = z.infer<typeof BackupSchema>;

/** A backup's file name; the groups are its time and an optional sequence number. */
export const BACKUP_RE = /^agx-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-(\d+))?\.sqlite$/;

/** The backups of one store, taken one at a time. */
export class Backups {
  private pending: Promise<unknown> | null = null;
  private writing: string | null = null;

  constructor(
    private readonly c: Connection,
    /** The backups folder. */
    readonly dir: string,
    /** Backups kept. */
    readonly keep: number,
  ) {}

  /** Copies the live database into the backups folder (online, consistent) and drops the oldest beyond keep. */
  async backup(): Promise<Backup> {
    const run = async (): Promise<Backup> => {
      const name = this.freshName();
      const target = path.join(this.dir, name);
      const partial = `${target}.partial`;
      this.writing = partial;
      try {
        await this.c.db.backup(partial);
        fs.renameSync(partial, target);
      } catch (err) {
        fs.rmSync(partial, { force: true });
        throw asStoreError(err, this.c.file);
      } finally {
        this.writing = null;
      }
      this.prune();
      return backupEntry(this.dir, name);
    };
    // One backup at a time: a second call waits for the first rather than racing it.
    const previous = this.pending ?? Promise.resolve();
    const mine = previous.catch(() => undefined).then(run);
    this.pending = mine;
    try {
      return await mine;
    } finally {
      if (this.pending === mine) this.pending = null;
    }
  }

  /** The synchronous backup taken at open: VACUUM INTO writes a compact, consistent copy. */
  backupNow(): Backup {
    const name = this.freshName();
    const target = path.join(this.dir, name);
    const partial = `${target}.partial`;
    try {
      fs.rmSync(partial, { force: true });
      this.c.db.prepare(`VACUUM INTO ?`).run(partial);
      fs.renameSync(partial, target);
    } catch (err) {
      fs.rmSync(partial, { force: true });
      throw asStoreError(err, this.c.file);
    }
    this.prune();
    return backupEntry(this.dir, name);
  }

  /** Resolves when no backup is being written (whether the last one worked or not). */
  async settled(): Promise<void> {
    if (this.pending !== null) await this.pending.catch(() => undefined);
  }

  private freshName(): string {
    let name = backupName(this.c.nowMs());
    // Another process (or a clock step back) may have used this millisecond already.
    for (let i = 1; fs.existsSync(path.join(this.dir, name)); i++) name = name.replace(/Z(-\d+)?\.sqlite$/, `Z-${i}.sqlite`);
    return name;
  }

  private prune(): void {
    const all = listBackupsIn(this.dir);
    for (const b of all.slice(this.keep)) fs.rmSync(path.join(this.dir, b.file), { force: true });
    // Leftovers of a backup interrupted by a crash.
    for (const name of fs.readdirSync(this.dir)) {
      const full = path.join(this.dir, name);
      if (name.endsWith('.sqlite.partial') && BACKUP_RE.test(name.slice(0, -'.partial'.length)) && full !== this.writing) {
        fs.rmSync(full, { force: true });
      }
    }
  }
}

function backupName(ms: number): string {
  return `agx-${fileStamp(ms)}.sqlite`;
}

/** A time as it appears in file names (no colons or dots). */
export function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/:/g, '-').replace('.', '-');
}

function backupEntry(dir: string, name: string): Backup {
  const m = BACKUP_RE.exec(name)!;
  return { file: name, createdAt: `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z`, bytes: fs.statSync(path.join(dir, name)).size };
}

/** The backups in a backups folder, newest first (also when the store itself cannot be opened). */
export function listBackupsIn(dir: string): Backup[] {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new AgxError('io_error', `cannot read the backups folder ${dir} (${(err as Error).message})`);
  }
  const found = names
    .filter((n) => BACKUP_RE.test(n))
    .map((n) => ({ n, entry: backupEntry(dir, n), seq: Number(BACKUP_RE.exec(n)![6] ?? 0) }));
  found.sort((a, b) => (a.entry.createdAt === b.entry.createdAt ? b.seq - a.seq : a.entry.createdAt < b.entry.createdAt ? 1 : -1));
  return found.map((f) => f.entry);
}
