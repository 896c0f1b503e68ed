// Backups beside the store: `agx-<UTC time with ms>.sqlite` files in the backups folder. One is taken
// only when the store changed since the last one, and retention keeps tiers: the newest few, the
// newest of each recent day, and always the newest backup that verifies (docs/decisions.md,
// "Backups: only after changes, kept in tiers"). Listing works on the folder alone, so it also serves
// a store that cannot be opened.
import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import type { BackupSchema } from '../common/api.js';
import { AgxError } from '../common/errors.js';
import { asStoreError, type Connection } from './connection.js';

/** A backup as listed (file is a basename inside the backups folder). */
export type Backup = z.infer<typeof BackupSchema>;

/** A backup's file name; the groups are its time and an optional sequence number. */
export const BACKUP_RE = /^agx-(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z(?:-(\d+))?\.sqlite$/;

/** Which backups survive pruning. */
export interface Retention {
  /** The newest this many are kept. */
  recent: number;
  /** The newest backup of each UTC day is kept for this many days. */
  days: number;
}

const DAY_MS = 24 * 3600 * 1000;

/** The backups of one store, taken one at a time. */
export class Backups {
  private pending: Promise<unknown> | null = null;
  private writing: string | null = null;
  /** total_changes() when the store's content was last known to be in a backup; null: not known to be. */
  private cleanAt: number | null = null;
  /** Whether each backup verified, by file name (a backup never changes once written). */
  private readonly verified = new Map<string, boolean>();

  constructor(
    private readonly c: Connection,
    /** The backups folder. */
    readonly dir: string,
    /** What pruning keeps. */
    readonly keep: Retention,
    /** Whether a backup file is sound (open.ts, backupVerifies). */
    private readonly sound: (full: string) => boolean,
  ) {}

  /** Records that the store's content, as it is now, is in a backup (or is as in the newest one). */
  markClean(): void {
    this.cleanAt = this.totalChanges();
  }

  /** Whether the store changed since its content was last known to be in a backup. */
  changed(): boolean {
    return this.cleanAt === null || this.totalChanges() !== this.cleanAt;
  }

  /**
   * Copies the live database into the backups folder (online, consistent) and prunes; null, writing
   * nothing, when the store has not changed since its last backup.
   */
  async backup(): Promise<Backup | null> {
    const run = async (): Promise<Backup | null> => {
      if (!this.changed()) return null;
      const name = this.freshName();
      const target = path.join(this.dir, name);
      const partial = `${target}.partial`;
      this.writing = partial;
      try {
        const before = this.checkpoint();
        await this.c.db.backup(partial);
        fs.renameSync(partial, target);
        this.cleanAt = before;
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
      const before = this.checkpoint();
      this.c.db.prepare(`VACUUM INTO ?`).run(partial);
      fs.renameSync(partial, target);
      this.cleanAt = before;
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

  private totalChanges(): number {
    return (this.c.get(`SELECT total_changes() AS n`) as { n: number }).n;
  }

  /**
   * Moves the WAL into the database file before a backup, so the file's modification time is older
   * than the backup's until the next change (Store.open compares them), and returns total_changes().
   */
  private checkpoint(): number {
    this.c.db.pragma('wal_checkpoint(TRUNCATE)');
    return this.totalChanges();
  }

  private freshName(): string {
    let name = backupName(this.c.nowMs());
    // Another process (or a clock step back) may have used this millisecond already.
    for (let i = 1; fs.existsSync(path.join(this.dir, name)); i++) name = name.replace(/Z(-\d+)?\.sqlite$/, `Z-${i}.sqlite`);
    return name;
  }

  private verifies(file: string): boolean {
    let ok = this.verified.get(file);
    if (ok === undefined) {
      ok = this.sound(path.join(this.dir, file));
      this.verified.set(file, ok);
    }
    return ok;
  }

  private prune(): void {
    const all = listBackupsIn(this.dir);
    const keep = new Set(all.slice(0, this.keep.recent).map((b) => b.file));
    const since = Date.now() - this.keep.days * DAY_MS;
    const days = new Set<string>();
    for (const b of all) {
      const day = b.createdAt.slice(0, 10);
      if (Date.parse(day) + DAY_MS > since && !days.has(day)) {
        days.add(day);
        keep.add(b.file);
      }
    }
    // Never rotate away the newest backup that verifies: the live store (and so every newer backup)
    // may carry damage that integrity_check does not see.
    const sound = all.find((b) => this.verifies(b.file));
    if (sound !== undefined) keep.add(sound.file);
    for (const b of all) {
      if (keep.has(b.file)) continue;
      fs.rmSync(path.join(this.dir, b.file), { force: true });
      this.verified.delete(b.file);
    }
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
