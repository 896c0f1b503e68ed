// Regions a regeneration replaces ("inpainting"): checked once, the same way, by the studio's call, the
// CLI and the engine, so a bad region is a rejected request with one clear line, never a failed job.
import type { TimeSpan } from './domain.js';
import { AgxError } from './errors.js';

/** Most regions one regeneration replaces. */
export const MAX_REGIONS = 8;

function show(r: TimeSpan): string {
  return `${r.startSec.toFixed(2)}:${r.endSec.toFixed(2)} s`;
}

/**
 * Throws bad_argument unless there are 1..MAX_REGIONS regions, each starts before it ends and lies
 * within [0, durationSec], and no two overlap (touching is fine); returns them sorted by start.
 */
export function checkRegions(regions: readonly TimeSpan[], durationSec: number): TimeSpan[] {
  if (regions.length === 0) throw new AgxError('bad_argument', 'give at least one region to replace');
  if (regions.length > MAX_REGIONS) throw new AgxError('bad_argument', `at most ${MAX_REGIONS} regions can be replaced at once`);
  for (const r of regions) {
    if (!(Number.isFinite(r.startSec) && Number.isFinite(r.endSec) && r.startSec < r.endSec)) {
      throw new AgxError('bad_argument', `region ${show(r)} must start before it ends`);
    }
    // A microsecond of slack: a selection drawn to the clip's end may round past it.
    if (r.startSec < 0 || r.endSec > durationSec + 1e-6) {
      throw new AgxError('bad_argument', `region ${show(r)} must lie within the clip (0 to ${durationSec.toFixed(2)} s)`);
    }
  }
  const sorted = [...regions].sort((a, b) => a.startSec - b.startSec);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.startSec < sorted[i - 1]!.endSec) {
      throw new AgxError('bad_argument', `regions ${show(sorted[i - 1]!)} and ${show(sorted[i]!)} overlap`);
    }
  }
  return sorted.map((r) => ({ startSec: r.startSec, endSec: Math.min(r.endSec, durationSec) }));
}
