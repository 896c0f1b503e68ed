import { z } from 'zod';
import { Rng } from '../rng.js';
import type { ExplainMethod } from './method.js';

/** Random-Mask (the paper's floor): uniform values per step and token, from a seeded stream. */
export const randomMask: ExplainMethod<{ seed: number }> = {
  name: 'random',
  label: 'Random mask',
  needs: [],
  params: z.object({ seed: z.number().int().min(0).max(0xffffffff).default(0) }),
  async run(_model, input, params) {
    const rng = new Rng(params.seed);
    return { mask: Array.from({ length: input.steps }, () => Float32Array.from({ length: input.tokens.length }, () => rng.next())) };
  },
};
