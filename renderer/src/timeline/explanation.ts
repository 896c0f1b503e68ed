// Pure views of an explanation mask M[step][token]: holistic, interval, and a comparison of two takes.
// Holistic and interval means come from electron/common/mask, the helper the engine and the exports
// use, so the inspector shows exactly what they compute.
import { holisticMeans } from '../../../electron/common/mask';

/** Number of token columns of a mask (0 when empty). */
export function maskTokens(mask: readonly (readonly number[])[]): number {
  return mask[0]?.length ?? 0;
}

/** Holistic importance: the mean of the mask over all steps, one score per token. */
export function holisticOf(mask: readonly (readonly number[])[]): number[] {
  return holisticMeans(mask);
}

/** Importance as the chips and bars print it. */
export function formatImportance(v: number): string {
  return v.toFixed(2);
}

/** One row of a comparison of two explanations. */
export interface DiffRow {
  token: string;
  a: number | null;
  b: number | null;
  /** a - b where both exist: how much more the word matters in A (the selected take) than in B. */
  delta: number | null;
}

/**
 * Compares two explanations' holistic scores token by token. Tokens are matched by text in order of
 * occurrence (the n-th "dog" of A with the n-th "dog" of B), so takes whose prompts differ by a word
 * still line up; unmatched tokens get a null side.
 */
export function diffHolistic(
  tokensA: readonly string[],
  a: readonly (number | null)[],
  tokensB: readonly string[],
  b: readonly (number | null)[],
): DiffRow[] {
  const usedB = new Set<number>();
  const rows: DiffRow[] = [];
  tokensA.forEach((tok, i) => {
    const j = tokensB.findIndex((t, k) => t === tok && !usedB.has(k));
    const va = a[i] ?? null;
    if (j >= 0) {
      usedB.add(j);
      const vb = b[j] ?? null;
      rows.push({ token: tok, a: va, b: vb, delta: va !== null && vb !== null ? va - vb : null });
    } else {
      rows.push({ token: tok, a: va, b: null, delta: null });
    }
  });
  tokensB.forEach((tok, j) => {
    if (!usedB.has(j)) rows.push({ token: tok, a: null, b: b[j] ?? null, delta: null });
  });
  return rows;
}

/** Indices of the k largest scores, largest first (ties: earlier token first). */
export function topTokens(scores: readonly number[], k: number): number[] {
  return scores
    .map((v, i) => ({ v, i }))
    .sort((x, y) => y.v - x.v || x.i - y.i)
    .slice(0, Math.max(0, k))
    .map((e) => e.i);
}
