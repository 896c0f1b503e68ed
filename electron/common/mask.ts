// The explanation mask M[step][token] and its views, shared by the engine, the studio, the exports and
// the timeline so every place computes "importance in this time span" the same way. Step t writes
// codebook 0 of frame t (delay pattern); M[t][i] in [0, 1] is how much prompt token i drove step t.
import { z } from 'zod';
import type { TimeSpan } from './domain.js';

/**
 * A mask as every layer reads it: plain rows (JSON, the contract, the store, the renderer) or typed
 * rows (the engine's numerics) alike, so a mask crosses layers without being converted.
 */
export type MaskRows = readonly ArrayLike<number>[];

/** A mask as JSON carries it: what the contract, the store and the renderer hold. */
export type Mask = number[][];
/** The wire form of a mask. */
export const MaskSchema = z.array(z.array(z.number()));

/** Typed rows -> the wire form: the one conversion on the way from the engine to the lanes. */
export function maskToJson(rows: MaskRows): Mask {
  return rows.map((row) => Array.from(row));
}

/** 1 - M: the counterfactual mask (every token's importance removed instead of kept). */
export function complementMask(rows: MaskRows): Float32Array[] {
  return rows.map((row) => Float32Array.from(row, (v) => 1 - v));
}

/** Mean mask value (the paper's mask size). */
export function maskSize(rows: MaskRows): number {
  let total = 0;
  for (const row of rows) for (let i = 0; i < row.length; i++) total += row[i]!;
  return total / (rows.length * (rows[0]?.length ?? 1));
}

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
export function intervalMeans(mask: MaskRows, frameRate: number, startSec: number, endSec: number): number[] {
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

/** The interval view everyone shows: intervalMeans, with null for a muted token (it could not act, so it has no importance). */
export function intervalImportance(mask: MaskRows, frameRate: number, span: TimeSpan, muted: readonly boolean[]): (number | null)[] {
  return intervalMeans(mask, frameRate, span.startSec, span.endSec).map((v, i) => (muted[i] === true ? null : v));
}

/** Mean importance per token over every step (the holistic view). */
export function holisticMeans(mask: MaskRows): number[] {
  const tokens = mask[0]?.length ?? 0;
  const out = new Array<number>(tokens).fill(0);
  for (let s = 0; s < mask.length; s++) for (let i = 0; i < tokens; i++) out[i]! += mask[s]![i]! / mask.length;
  return out;
}
