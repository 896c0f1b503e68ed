import { AgxError } from '../common/errors.js';
import { floatData } from './model.js';
import { type EngineTensor, type Graph, tensor } from './onnx/session-factory.js';

/** One step's feeds besides the cache. */
export interface StepFeeds {
  /** [B, K] the previous step's codes (the pattern's empty code at step 0). */
  tokens: BigInt64Array;
  cross: { key: EngineTensor; value: EngineTensor };
  /** [B, L] */
  textMask: EngineTensor;
  /** [B, L] */
  tokenWeights: EngineTensor;
}

/**
 * lm_step with a fixed-capacity KV cache: the cache [layers, B, heads, capacity, headDim] is allocated
 * once, the graph attends to its first `step` positions and returns only the new step's keys and values
 * [layers, B, heads, 1, headDim], which are written in place, so nothing grows or is copied per step
 * (docs/decisions.md, "A fixed-capacity KV cache"). Positions not yet written stay zero: the graph
 * masks them, and a masked position must still be finite.
 */
export class LmStepper {
  private readonly key: Float32Array;
  private readonly value: Float32Array;
  private readonly dims: number[];
  private readonly rows: number;
  private step = 0;

  constructor(
    private readonly graph: Graph,
    shape: { layers: number; batch: number; heads: number; headDim: number },
    readonly capacity: number,
  ) {
    checkStepContract(graph);
    this.rows = shape.layers * shape.batch * shape.heads;
    this.dims = [shape.layers, shape.batch, shape.heads, capacity, shape.headDim];
    this.key = new Float32Array(this.rows * capacity * shape.headDim);
    this.value = new Float32Array(this.key.length);
  }

  /** Runs the next step; returns its logits [B, K, card]. */
  async next(f: StepFeeds): Promise<Float32Array> {
    if (this.step >= this.capacity) throw new AgxError('internal', `the KV cache holds ${this.capacity} steps`, false);
    const batch = this.dims[1]!;
    const out = await this.graph.run({
      tokens: tensor.i64(f.tokens, [batch, f.tokens.length / batch]),
      step: tensor.i64(BigInt64Array.of(BigInt(this.step)), [1]),
      cache_key: tensor.f32(this.key, this.dims),
      cache_value: tensor.f32(this.value, this.dims),
      cross_key: f.cross.key,
      cross_value: f.cross.value,
      text_mask: f.textMask,
      token_weights: f.tokenWeights,
    });
    this.write(this.key, floatData(out.new_key));
    this.write(this.value, floatData(out.new_value));
    this.step++;
    return floatData(out.logits);
  }

  private write(cache: Float32Array, fresh: Float32Array): void {
    const dh = this.dims[4]!;
    for (let r = 0; r < this.rows; r++) cache.set(fresh.subarray(r * dh, (r + 1) * dh), (r * this.capacity + this.step) * dh);
  }
}

/**
 * Bundles converted before the fixed-capacity cache have an lm_step that takes past_key and returns a
 * grown present_key; they are refused with what to do rather than run by a second generation loop.
 */
export function checkStepContract(graph: Graph): void {
  const want = ['cache_key', 'cache_value'];
  if (want.every((n) => graph.inputNames.includes(n)) && ['new_key', 'new_value'].every((n) => graph.outputNames.includes(n))) return;
  const old = graph.inputNames.includes('past_key');
  throw new AgxError(
    'bad_model',
    old
      ? "this bundle's lm_step.onnx is from before the fixed-capacity KV cache (it takes past_key); convert the model again with `agx models convert` to generate with it"
      : `lm_step.onnx must take cache_key and cache_value and return new_key and new_value; it takes ${graph.inputNames.join(', ')}`,
  );
}
