// Damage that integrity_check cannot see: bytes changed inside a row. Every take (codes and audio) and
// every explanation carries a checksum (rows.ts); reads verify it, and the Store turns a mismatch into
// one line naming the take and the backups that still hold it intact. Backups are checked the same way
// before retention counts one as sound. These functions work on a given handle; opening files is the
// caller's.
import type { Connection, Db } from './connection.js';
import { APPLICATION_ID, schemaVersion } from './migrations.js';
import { DamageFound, explanationChecksum, takeChecksum, type ExplanationRow } from './rows.js';

type TakeBlobs = { checksum?: string; codes: Buffer; audio: Buffer };

/** Every row whose content no longer matches its checksum (none in a file from before checksums). */
export function damagedRows(db: Db): DamageFound[] {
  if (schemaVersion(db) < CHECKSUMS_FROM) return [];
  const found: DamageFound[] = [];
  for (const r of db.prepare(`SELECT id, checksum, codes, audio FROM takes`).iterate() as Iterable<TakeBlobs & { id: string }>) {
    if (takeChecksum(r.codes, r.audio) !== r.checksum) found.push(new DamageFound('takes', r.id));
  }
  for (const r of db.prepare(`SELECT * FROM explanations`).iterate() as Iterable<ExplanationRow>) {
    if (explanationChecksum(r) !== r.checksum) found.push(new DamageFound('explanations', r.id));
  }
  return found;
}

/** The first schema version whose rows carry checksums. */
const CHECKSUMS_FROM = 2;

/** A damaged row as the user knows it ("Take 3 of 'rain'", or an explanation of it) and its stored checksum. */
export function describeDamage(c: Connection, found: DamageFound): { what: string; checksum: string } {
  const row = c.get(`SELECT * FROM ${found.table} WHERE id = ?`, found.id) as { checksum: string; take_id?: string; method?: string };
  const takeId = found.table === 'takes' ? found.id : row.take_id!;
  const take = c.get(`SELECT t.number, s.name FROM takes t JOIN sessions s ON s.id = t.session_id WHERE t.id = ?`, takeId) as {
    number: number;
    name: string;
  };
  const takeName = `Take ${take.number} of '${take.name.replace(/\s+/g, ' ')}'`;
  return { what: found.table === 'takes' ? takeName : `The ${row.method} explanation of ${takeName}`, checksum: row.checksum };
}

/**
 * Whether another database (a backup) holds the row as it was written: its bytes there hash to the
 * live checksum, or to the backup's own (the live checksum may be what was damaged). A backup from
 * before checksums is judged by the live checksum alone.
 */
export function holdsIntact(db: Db, found: DamageFound, liveChecksum: string): boolean {
  if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID) return false;
  const own = schemaVersion(db) >= CHECKSUMS_FROM ? 'checksum, ' : '';
  const r =
    found.table === 'takes'
      ? (db.prepare(`SELECT ${own}codes, audio FROM takes WHERE id = ?`).get(found.id) as TakeBlobs | undefined)
      : (db.prepare(`SELECT * FROM explanations WHERE id = ?`).get(found.id) as ExplanationRow | undefined);
  if (r === undefined) return false;
  const sum = 'audio' in r ? takeChecksum(r.codes, r.audio) : explanationChecksum(r);
  return sum === liveChecksum || sum === r.checksum;
}
