// What an explanation will cost before it starts: the method catalog's cost model (fitted to the
// measured timings in docs/data/bench.json), rescaled to this machine by its last run of that method.
// The last runs are kept in the data folder, so the estimate is this machine's from the first dialog
// after a restart too.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { type Bucket, chooseBucket, type ExplainWork, METHOD_NAMES, methodSpec, predictSeconds } from '../common/methods.js';

/** A measured run: its seconds, the work it did and its parameters. */
export interface CostRecord {
  seconds: number;
  work: ExplainWork;
  params: Record<string, unknown>;
}

/** The last measured run per method. */
export type CostBook = Map<string, CostRecord>;

/** The work of explaining a take: its LM steps and prompt tokens, padded to the bundle's bucket when it lists any, and the model's size (methods.modelScale). */
export function explainWork(frames: number, tokens: number, codebooks: number, buckets: readonly Bucket[], modelScale = 1): ExplainWork {
  const steps = frames + codebooks - 1;
  const bucket = buckets.length > 0 ? chooseBucket(buckets, steps, tokens) : { steps, tokens };
  return { steps, tokens, bucket, ...(modelScale !== 1 ? { modelScale } : {}) };
}

/** Estimated seconds of one explanation (params after defaults), and what the estimate rests on. */
export function estimateExplainSeconds(
  method: string,
  params: Record<string, unknown>,
  work: ExplainWork,
  measured: CostBook,
): { seconds: number; basis: string; measured: boolean } {
  const spec = methodSpec(method);
  const predicted = predictSeconds(method, params, work);
  const last = measured.get(method);
  if (last !== undefined) {
    // This machine's speed relative to the one the model was fitted on, from its last run.
    const lastPredicted = predictSeconds(method, last.params, last.work);
    const speed = lastPredicted > 0 ? last.seconds / lastPredicted : 1;
    return {
      seconds: predicted * speed,
      basis: `measured on this machine (last ${spec.label}: ${last.seconds.toFixed(1)} s)`,
      measured: true,
    };
  }
  const scale = work.modelScale ?? 1;
  // The catalog was measured on tiny-foley: for another model the estimate is that fit times the model's size, and says so.
  const scaled = scale === 1 ? '' : `, scaled by this model's ${Math.round(scale)}x tiny-foley's compute per step`;
  return { seconds: predicted, basis: `typical on a 2-core CPU${scaled}`, measured: false };
}

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** One kept run as the file holds it, or null when it is not one (hand-edited, another version's). */
function costEntry(v: unknown): CostRecord | null {
  const e = v as {
    seconds?: unknown;
    work?: { steps?: unknown; tokens?: unknown; bucket?: { steps?: unknown; tokens?: unknown }; modelScale?: unknown };
    params?: unknown;
  };
  const ok =
    typeof e === 'object' &&
    e !== null &&
    typeof e.seconds === 'number' &&
    e.seconds > 0 &&
    Number.isFinite(e.seconds) &&
    isCount(e.work?.steps) &&
    isCount(e.work?.tokens) &&
    isCount(e.work?.bucket?.steps) &&
    isCount(e.work?.bucket?.tokens) &&
    (e.work?.modelScale === undefined || (typeof e.work.modelScale === 'number' && e.work.modelScale > 0)) &&
    typeof e.params === 'object' &&
    e.params !== null &&
    !Array.isArray(e.params);
  return ok ? (e as CostRecord) : null;
}

/** The cost book kept in `file`; empty when there is none or it cannot be read (the catalog's fit then stands in). */
export function loadCostBook(file: string): CostBook {
  const book: CostBook = new Map();
  try {
    const raw = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    if (typeof raw !== 'object' || raw === null) return book;
    for (const [method, v] of Object.entries(raw)) {
      // A method the catalog no longer lists, or an entry that is not a run, is dropped rather than failing every estimate.
      const e = costEntry(v);
      if (e !== null && (METHOD_NAMES as string[]).includes(method)) book.set(method, e);
    }
  } catch {
    // No file yet, or an unreadable one: the catalog's fit stands in.
  }
  return book;
}

/** Writes the cost book (through a temporary file, so a crash never leaves half a file); a failed write only loses the memory. */
export function saveCostBook(file: string, book: CostBook): void {
  try {
    writeFileSync(`${file}.tmp`, JSON.stringify(Object.fromEntries(book)));
    renameSync(`${file}.tmp`, file);
  } catch {
    // A read-only or full disk: the estimate falls back to this run's memory.
  }
}
