import { generateCodes } from '../engine/generate.js';
import { Model } from '../engine/model.js';

/** Benchmark settings. */
export interface BenchOptions {
  /** Bundle name or folder. */
  model?: string | undefined;
  /** Timed runs per measurement. */
  runs: number;
  /** onnxruntime intra-op threads (0 = default). */
  threads: number;
}

const PROMPT = 'a dog barks while rain falls in the background';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const r = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/**
 * Speed of the embedded engine, medians of `runs` runs after one warm-up run: model load (manifest,
 * checksums, tokenizer, sessions), generation of a full-length clip split into LM loop and decoding.
 */
export async function runBench(opts: BenchOptions): Promise<unknown> {
  const t0 = performance.now();
  const model = await Model.load(opts.model, { threads: opts.threads });
  await model.warmUp();
  const loadMs = performance.now() - t0;
  const durationSec = model.manifest.maxDurationSec;
  const totals: number[] = [];
  const lm: number[] = [];
  const decode: number[] = [];
  let steps = 0;
  for (let i = 0; i <= opts.runs; i++) {
    const a = performance.now();
    const gen = await generateCodes(model, { prompt: PROMPT, seed: i, durationSec });
    const b = performance.now();
    await model.decode(gen.codes, gen.frames);
    const c = performance.now();
    steps = gen.timings.steps;
    if (i === 0) continue; // warm-up: first runs pay for lazy allocations
    totals.push(c - a);
    lm.push(gen.timings.lmMs + gen.timings.textMs);
    decode.push(c - b);
  }
  await model.close();
  const total = median(totals);
  return {
    model: model.manifest.name,
    provider: model.provider,
    runs: opts.runs,
    loadMs: r(loadMs, 1),
    generate: {
      clipSec: durationSec,
      secondsMedian: r(total / 1000, 3),
      realtime_factor: r((durationSec * 1000) / total),
      lmMsMedian: r(median(lm), 1),
      msPerLmStep: r(median(lm) / steps, 2),
      lmSteps: steps,
      decodeMsMedian: r(median(decode), 1),
      secondsAll: totals.map((t) => r(t / 1000, 3)),
    },
  };
}
