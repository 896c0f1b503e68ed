/** A small seeded PRNG (xoshiro128**, seeded through splitmix32): the same seed gives the same
 * stream on every platform, which makes generation reproducible bit for bit. */
export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next();
    this.s1 = next();
    this.s2 = next();
    this.s3 = next();
  }

  /** Next 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float in [0, 1) with 32 bits of resolution. */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /**
   * n floats f(u), u = next() in stream order. A plain loop: Float32Array.from with a mapping function
   * took 239 ms for an AudioGenX W1 (3.1M draws) against 45 ms (one run each, this machine).
   */
  floats(n: number, f: (u: number) => number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) out[i] = f(this.next());
    return out;
  }

  /** Moves the stream on by n draws, as n calls of nextU32 would, without keeping them. */
  skip(n: number): void {
    for (let i = 0; i < n; i++) this.nextU32();
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
