import { METHOD_CATALOG, type RandomParams } from '../../common/methods.js';
import { Rng } from '../rng.js';
import type { ExplainMethod } from './method.js';
import { scaleToUnit } from './probe.js';
import type { TeacherForcedInput } from './teacher.js';

/**
 * The default seed: FNV-1a (32 bit) over the prompt's token texts and the clip's codes (the delay
 * pattern). A generated clip's codes follow from its prompt and seed, and imported audio has no seed,
 * so the codes stand for "the clip's seed": stable across runs, different for same-shaped prompts.
 */
export function defaultRandomSeed(input: Pick<TeacherForcedInput, 'tokens' | 'pattern'>): number {
  let h = 0x811c9dc5;
  const mix = (byte: number): void => {
    h = Math.imul(h ^ (byte & 0xff), 0x01000193) >>> 0;
  };
  for (const t of input.tokens) {
    for (const b of new TextEncoder().encode(t.text)) mix(b);
    mix(0);
  }
  for (const c of input.pattern) for (let k = 0; k < 4; k++) mix(Number((c >> BigInt(8 * k)) & 0xffn));
  return h;
}

/** Random-Mask (the paper's floor): uniform values per step and token, from a seeded stream. */
export const randomMask: ExplainMethod<RandomParams> = {
  ...METHOD_CATALOG.random,
  async run(_model, input, params) {
    const rng = new Rng(params.seed ?? defaultRandomSeed(input));
    const n = input.steps * input.tokens.length;
    // scaled like every other baseline, so all masks span [0, 1] the same way
    const L = input.tokens.length;
    return {
      mask: scaleToUnit(
        rng.floats(n, (u) => u),
        input.steps,
        L,
        L,
        params.scaling,
      ),
    };
  },
};
