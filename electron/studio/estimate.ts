// What an explanation will cost before it starts: the method catalog's cost model (fitted to the
// measured timings in docs/data/bench.json), rescaled to this machine by its last run of that method.
import { type Bucket, chooseBucket, type ExplainWork, methodSpec, predictSeconds } from '../common/methods.js';

/** The last measured run per method, with the work it did. */
export type CostBook = Map<string, { seconds: number; work: ExplainWork; params: Record<string, unknown> }>;

/** The work of explaining a take: its LM steps and prompt tokens, padded to the bundle's bucket when it lists any. */
export function explainWork(frames: number, tokens: number, codebooks: number, buckets: readonly Bucket[]): ExplainWork {
  const steps = frames + codebooks - 1;
  return { steps, tokens, bucket: buckets.length > 0 ? chooseBucket(buckets, steps, tokens) : { steps, tokens } };
}

/** Estimated seconds of one explanation (params after defaults), and what the estimate rests on. */
export function estimateExplainSeconds(
  method: string,
  params: Record<string, unknown>,
  work: ExplainWork,
  measured: CostBook,
): { seconds: number; basis: string } {
  const spec = methodSpec(method);
  const predicted = predictSeconds(method, params, work);
  const last = measured.get(method);
  if (last !== undefined) {
    // This machine's speed relative to the one the model was fitted on, from its last run.
    const lastPredicted = predictSeconds(method, last.params, last.work);
    const speed = lastPredicted > 0 ? last.seconds / lastPredicted : 1;
    return { seconds: predicted * speed, basis: `measured on this machine (last ${spec.label}: ${last.seconds.toFixed(1)} s)` };
  }
  return { seconds: predicted, basis: 'typical on a 2-core CPU' };
}
