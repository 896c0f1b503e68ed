// Views of an explanation's per-step mask M[step][token], shared by the engine, the exports and the
// timeline so every place computes "importance in this interval" the same way.

/** The steps [from, to) whose frames start inside [startSec, endSec); at least one step. */
export function stepRange(frameRate: number, steps: number, startSec: number, endSec: number): [number, number] {
  const from = Math.max(0, Math.min(steps - 1, Math.floor(startSec * frameRate)));
  const to = Math.max(from + 1, Math.min(steps, Math.ceil(endSec * frameRate)));
  return [from, to];
}

/** Mean importance per token over the steps of [startSec, endSec). */
export function intervalMeans(mask: ArrayLike<ArrayLike<number>>, frameRate: number, startSec: number, endSec: number): number[] {
  const tokens = mask[0]?.length ?? 0;
  const out = new Array<number>(tokens).fill(0);
  if (mask.length === 0) return out;
  const [from, to] = stepRange(frameRate, mask.length, startSec, endSec);
  for (let s = from; s < to; s++) {
    const row = mask[s]!;
    for (let i = 0; i < tokens; i++) out[i]! += row[i]! / (to - from);
  }
  return out;
}

/** Mean importance per token over every step (the holistic view). */
export function holisticMeans(mask: ArrayLike<ArrayLike<number>>): number[] {
  const tokens = mask[0]?.length ?? 0;
  const out = new Array<number>(tokens).fill(0);
  for (let s = 0; s < mask.length; s++) for (let i = 0; i < tokens; i++) out[i]! += mask[s]![i]! / mask.length;
  return out;
}
