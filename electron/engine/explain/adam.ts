/** Adam's moment estimates for one parameter tensor. */
export interface AdamMoments {
  m: Float32Array;
  v: Float32Array;
}

/** Zeroed moments for a parameter of n entries. */
export function adamMoments(n: number): AdamMoments {
  return { m: new Float32Array(n), v: new Float32Array(n) };
}

/**
 * One step of torch.optim.Adam (betas 0.9 / 0.999, eps 1e-8, weight decay coupled: added to the gradient),
 * in place. t counts from 1. Written in the engine rather than as graph operators: the explainer's first
 * generator layer is steps x d x hidden, and as operators the update made ~15 passes over it per epoch
 * (docs/decisions.md, "Explanation graphs of bundle 2.1.0"). The arithmetic is float32, four entries at a
 * time (WebAssembly SIMD, the kernel below), as torch's own Adam computes in float32: on W1's 3.1M
 * entries 14.6 -> 5.2 ms per step against the loop in double it replaces (parameters within 2.4e-7 of it
 * after 40 steps; docs/decisions.md, "Explainer speed: buckets, threads, Adam").
 */
export function adamStep(param: Float32Array, grad: Float32Array, moments: AdamMoments, t: number, lr: number, weightDecay: number): void {
  const { m, v } = moments;
  const k = kernel();
  const stepSize = lr / (1 - 0.9 ** t);
  // torch divides sqrt(v) by sqrt(1 - 0.999^t); the kernel multiplies by the reciprocal (one division fewer)
  const invC2 = 1 / Math.sqrt(1 - 0.999 ** t);
  for (let a = 0; a < param.length; a += CHUNK) {
    const b = Math.min(a + CHUNK, param.length);
    const n = b - a;
    k.p.set(param.subarray(a, b));
    k.g.set(grad.subarray(a, b));
    k.m.set(m.subarray(a, b));
    k.v.set(v.subarray(a, b));
    // whole vectors of four; entries past n are left-overs of the last chunk and are not copied back
    k.update(0, CHUNK_BYTES, 2 * CHUNK_BYTES, 3 * CHUNK_BYTES, Math.ceil(n / 4) * 16, stepSize, invC2, weightDecay);
    param.set(k.p.subarray(0, n), a);
    m.set(k.m.subarray(0, n), a);
    v.set(k.v.subarray(0, n), a);
  }
}

// Floats per array per kernel call: parameter, gradient and both moments (4 x 64 KiB) stay in a core's L2
// cache while they are copied in, updated and copied out, so the update needs no memory of a tensor's size
// (W1 of a converted model can be gigabytes). 16384 was the fastest of 4096, 16384 and 65536 here.
const CHUNK = 16384;
const CHUNK_BYTES = CHUNK * 4;

interface Kernel {
  p: Float32Array;
  g: Float32Array;
  m: Float32Array;
  v: Float32Array;
  update: (p: number, g: number, m: number, v: number, bytes: number, stepSize: number, invC2: number, weightDecay: number) => void;
}

let instance: Kernel | undefined;

function kernel(): Kernel {
  if (instance === undefined) {
    const memory = new WebAssembly.Memory({ initial: (4 * CHUNK_BYTES) / 65536 });
    const exports = new WebAssembly.Instance(new WebAssembly.Module(adamWasm()), { env: { memory } }).exports;
    const view = (i: number) => new Float32Array(memory.buffer, i * CHUNK_BYTES, CHUNK);
    instance = { p: view(0), g: view(1), m: view(2), v: view(3), update: exports.adam as Kernel['update'] };
  }
  return instance;
}

/**
 * The kernel's WebAssembly module, assembled here (298 bytes) rather than shipped as a binary:
 *   adam(p, g, m, v, bytes: i32, stepSize, invC2, weightDecay: f32), per f32x4 at byte offset i < bytes:
 *     g' = g + weightDecay * p
 *     m  = 0.9 * m + 0.1 * g'                 (stored)
 *     v  = 0.999 * v + (0.001 * g') * g'      (stored)
 *     p  = p - (stepSize * m) / (sqrt(v) * invC2 + 1e-8)   (stored)
 * Opcodes from the WebAssembly core specification (SIMD: prefix 0xfd, then the LEB128 opcode).
 */
function adamWasm(): Uint8Array<ArrayBuffer> {
  const leb = (n: number): number[] => {
    const out: number[] = [];
    do {
      const b = n & 0x7f;
      n >>>= 7;
      out.push(n ? b | 0x80 : b);
    } while (n);
    return out;
  };
  const name = (s: string) => [...leb(s.length), ...new TextEncoder().encode(s)];
  const section = (id: number, body: number[]) => [id, ...leb(body.length), ...body];
  const f32const = (x: number) => [0x43, ...new Uint8Array(Float32Array.of(x).buffer)];
  // locals: the 8 parameters (byte offsets of p, g, m, v; bytes; stepSize, invC2, weightDecay), then i (i32),
  // then v128 temporaries and splatted constants
  const [pAt, gAt, mAt, vAt, bytes, stepSize, invC2, decay, i] = [0, 1, 2, 3, 4, 5, 6, 7, 8] as const;
  const [p, g, m, v, b1, oneMinusB1, b2, oneMinusB2, stepSize4, invC2x4, eps, decay4] = [
    9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20,
  ] as const;
  const get = (l: number) => [0x20, l];
  const set = (l: number) => [0x21, l];
  const tee = (l: number) => [0x22, l];
  const simd = (op: number) => [0xfd, ...leb(op)];
  const load = [...simd(0x00), 4, 0]; // v128.load, align 2^4, offset 0
  const store = [...simd(0x0b), 4, 0]; // v128.store
  const splat = simd(0x13); // f32x4.splat
  const sqrt = simd(0xe3); // f32x4.sqrt, then add, sub, mul, div
  const add = simd(0xe4);
  const sub = simd(0xe5);
  const mul = simd(0xe6);
  const div = simd(0xe7);
  const at = (base: number) => [...get(base), ...get(i), 0x6a]; // base + i (i32.add)
  const constant = (x: number, l: number) => [...f32const(x), ...splat, ...set(l)];
  // prettier-ignore
  const code = [
    ...constant(0.9, b1),
    ...constant(0.1, oneMinusB1),
    ...constant(0.999, b2),
    ...constant(0.001, oneMinusB2),
    ...constant(1e-8, eps),
    ...get(stepSize), ...splat, ...set(stepSize4),
    ...get(invC2), ...splat, ...set(invC2x4),
    ...get(decay), ...splat, ...set(decay4),
    0x02, 0x40, 0x03, 0x40, // block, loop
    ...get(i), ...get(bytes), 0x4f, 0x0d, 1, // if i >= bytes (i32.ge_u) leave the block (br_if 1)
    ...at(gAt), ...load, ...at(pAt), ...load, ...tee(p), ...get(decay4), ...mul, ...add, ...set(g),
    ...at(mAt), ...load, ...get(b1), ...mul, ...get(oneMinusB1), ...get(g), ...mul, ...add, ...set(m),
    ...at(mAt), ...get(m), ...store,
    ...at(vAt), ...load, ...get(b2), ...mul, ...get(oneMinusB2), ...get(g), ...mul, ...get(g), ...mul, ...add, ...set(v),
    ...at(vAt), ...get(v), ...store,
    ...at(pAt), ...get(p), ...get(stepSize4), ...get(m), ...mul, ...get(v), ...sqrt, ...get(invC2x4), ...mul, ...get(eps), ...add, ...div, ...sub, ...store,
    ...get(i), 0x41, 16, 0x6a, ...set(i), // i += 16
    0x0c, 0, 0x0b, 0x0b, // br 0 (next iteration), end loop, end block
    0x0b, // end function
  ];
  const body = [2, 1, 0x7f, 12, 0x7b, ...code]; // local declarations: 1 x i32, 12 x v128
  const I32 = 0x7f;
  const F32 = 0x7d;
  return Uint8Array.from([
    ...[0x00, 0x61, 0x73, 0x6d, 1, 0, 0, 0], // "\0asm", version 1
    ...section(1, [1, 0x60, 8, I32, I32, I32, I32, I32, F32, F32, F32, 0]), // type: (5 x i32, 3 x f32) -> ()
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 1]), // import env.memory, at least 1 page
    ...section(3, [1, 0]), // one function of type 0
    ...section(7, [1, ...name('adam'), 0x00, 0]), // export it as "adam"
    ...section(10, [1, ...leb(body.length), ...body]),
  ]);
}
