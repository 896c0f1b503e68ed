// Views of an explanation's per-step mask M[step][token], shared by the engine, the exports and the
// timeline so every place computes "importance in this interval" the same way.

/** The steps [from, to) whose frames start inside [startSec, endSec); at least one step. */
export function stepRange(frameRate: number, steps: number, startSec: number, endSec: number): [number, number] {
  // Times snapped to frames arrive as e.g. 0.28 s * 25 = 7.000000000000001: round such products to
  // the frame they name before taking floor / ceil, or a snapped selection gains a step.
  const frame = (sec: number) => Math.round(sec * frameRate * 1e6) / 1e6;
  const from = Math.max(0, Math.min(steps - 1, Math.floor(frame(startSec))));
  const to = Math.max(from + 1, Math.min(steps, Math.ceil(frame(endSec))));
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
