import { METHOD_CATALOG, type RandomParams } from '../../common/methods.js';
import { Rng } from '../rng.js';
import type { ExplainMethod } from './method.js';
import { scaleToUnit } from './probe.js';

/** Random-Mask (the paper's floor): uniform values per step and token, from a seeded stream. */
export const randomMask: ExplainMethod<RandomParams> = {
  ...METHOD_CATALOG.random,
  async run(_model, input, params) {
    const rng = new Rng(params.seed);
    const n = input.steps * input.tokens.length;
    // scaled like every other baseline, so all masks span [0, 1] the same way
    return { mask: scaleToUnit(Float32Array.from({ length: n }, () => rng.next()), input.steps, input.tokens.length) };
  },
};
