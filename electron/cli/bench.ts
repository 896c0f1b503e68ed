import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { explain, METHODS } from '../engine/explain/index.js';
import { teacherForce, type TeacherForcedInput, teacherForcedJson } from '../engine/explain/teacher.js';
import { generateCodes } from '../engine/generate.js';
import { embeddedModelsDir } from '../engine/manifest.js';
import { Model } from '../engine/model.js';
import type { Device } from '../engine/onnx/providers.js';
import { printProviderNote } from './command.js';

/** Benchmark settings. */
export interface BenchOptions {
  /** Bundle name or folder. */
  model?: string | undefined;
  /** Timed runs per measurement. */
  runs: number;
  /** onnxruntime intra-op threads for every graph (0 = each graph's default, graphThreads). */
  threads: number;
  /** --device (default auto); the provider it resolved to is in the result. */
  device?: Device;
  /** Also time every explanation method in a child process of its own. */
  methods?: boolean;
}

const PROMPT = 'a dog barks while rain falls in the background';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const r = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

/**
 * What a reader needs to judge the numbers: the CPU, how busy it was when the bench started, and
 * every thread setting either side used (onnxruntime's, and the BLAS/OpenMP variables PyTorch reads).
 */
function machine(threads: number): Record<string, unknown> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => /^(OPENBLAS_|OMP_|MKL_)/.test(k)));
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    loadAverageAtStart: loadavg().map((x) => r(x)),
    platform: `${process.platform}-${process.arch}`,
    node: process.version,
    onnxruntimeIntraOpThreads:
      threads === 0 ? `each graph's default (graphThreads): lm_step of a small LM 1, every other graph ${availableParallelism()}` : threads,
    env,
  };
}

/**
 * Speed of the embedded engine, medians of `runs` runs after one warm-up run: model load (manifest,
 * checksums, tokenizer, sessions), generation of a full-length clip split into LM loop and decoding.
 */
export async function runBench(opts: BenchOptions): Promise<unknown> {
  const host = machine(opts.threads);
  const t0 = performance.now();
  const model = await Model.load(opts.model, { threads: opts.threads, provider: opts.device ?? 'auto', onProviderNote: printProviderNote });
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
  const scaling = await generateScaling(model, opts.runs);
  const explainResult = await benchExplain(model, opts);
  const methods = opts.methods ? benchMethods(model, opts) : undefined;
  await model.close();
  const total = median(totals);
  return {
    model: model.manifest.name,
    machine: host,
    provider: model.provider,
    ...(model.providerNote !== null ? { providerNote: model.providerNote } : {}),
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
      scaling,
    },
    explain: explainResult,
    ...(methods ? { methods, methodsMemory: METHODS_MEMORY } : {}),
  };
}

/** Generation cost by clip length (medians of `runs` warm runs each): LM steps grow with frames. */
async function generateScaling(model: Model, runs: number): Promise<Record<string, number>[]> {
  const rows: Record<string, number>[] = [];
  for (const durationSec of [1, 2.4]) {
    const totals: number[] = [];
    let steps = 0;
    for (let i = 0; i < runs; i++) {
      const a = performance.now();
      const gen = await generateCodes(model, { prompt: PROMPT, seed: i, durationSec });
      await model.decode(gen.codes, gen.frames);
      totals.push(performance.now() - a);
      steps = gen.timings.steps;
    }
    const t = median(totals);
    rows.push({ clipSec: durationSec, lmSteps: steps, secondsMedian: r(t / 1000, 3), realtime_factor: r((durationSec * 1000) / t) });
  }
  return rows;
}

/**
 * What methods.*.maxRssMb is, said in the output: issue 16's memory goals are read from it, and an earlier
 * 347 MB taken another way did not match its 413 (docs/decisions.md, "Explainer speed and memory").
 */
const METHODS_MEMORY =
  'peak resident memory (VmHWM, MB) of the whole fresh `agx explain --seed 0` process: Node and onnxruntime, the model, ' +
  'generating the 5 s clip, teacher forcing (their sessions are released before the method runs), then the method at its defaults ' +
  "(AudioGenX: 25 epochs); random's row is that process with no method to speak of";

/**
 * Table 2's analogue: each method explains the same 5 s clip in a fresh `agx explain` process, so
 * its peak memory (maxRSS, model included) is its own; seconds are the method's own time (median).
 */
function benchMethods(model: Model, opts: BenchOptions): Record<string, { secondsMedian: number; secondsAll: number[]; maxRssMb: number }> {
  const agx = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
  const out: Record<string, { secondsMedian: number; secondsAll: number[]; maxRssMb: number }> = {};
  for (const method of Object.keys(METHODS)) {
    const seconds: number[] = [];
    let rss = 0;
    for (let i = 0; i < Math.min(opts.runs, 3); i++) {
      const res = JSON.parse(
        execFileSync(
          process.execPath,
          [
            agx,
            'explain',
            '--prompt',
            PROMPT,
            '--seed',
            '0',
            '--method',
            method,
            '--model',
            model.bundle.dir,
            '--threads',
            String(opts.threads),
            '--device',
            model.provider,
            '--json',
          ],
          { encoding: 'utf8', maxBuffer: 1 << 26 },
        ),
      );
      seconds.push(res.timings.methodMs / 1000);
      rss = Math.max(rss, res.timings.maxRssMb);
    }
    out[method] = { secondsMedian: r(median(seconds), 3), secondsAll: seconds.map((s) => r(s, 3)), maxRssMb: rss };
  }
  return out;
}

const EPOCHS = 50;

/**
 * A full-length clip explained with AudioGenX (50 epochs), ours and the PyTorch reference side by side:
 * PyTorch's fastest thread count is found by a sweep first, then the two alternate, one run each per
 * round, and the speedup is the median of the rounds' ratios. Shared hosts change speed by 2x within
 * minutes (docs/decisions.md, "Explainer speed: buckets, threads, Adam"); a pair run back to back sees
 * the same machine, two blocks of runs minutes apart may not.
 */
async function benchExplain(model: Model, opts: BenchOptions): Promise<Record<string, unknown>> {
  const gen = await generateCodes(model, { prompt: PROMPT, seed: 0, durationSec: model.manifest.maxDurationSec });
  const codes = gen.codes[0]!;
  const runs = opts.runs;
  const input = await teacherForce(model, PROMPT, codes, gen.frames);
  const sweep = torchReference(
    model,
    input,
    Array.from({ length: availableParallelism() }, (_, i) => i + 1),
  );
  const seconds: number[] = [];
  const torchSeconds: number[] = [];
  let diagnostics: Record<string, unknown> = {};
  for (let i = 0; i < runs; i++) {
    // a 2-epoch warm-up before each timed run, as the reference does before its own: after a PyTorch
    // process the machine's first allocations are slow for whoever runs next (prepare 238 against 61 ms)
    await explain(model, PROMPT, codes, gen.frames, 'audiogenx', { epochs: 2 });
    const e = await explain(model, PROMPT, codes, gen.frames, 'audiogenx', { epochs: EPOCHS });
    seconds.push((e.timings.prepareMs + e.timings.methodMs) / 1000);
    diagnostics = {
      graphMsPerEpoch: r((e.diagnostics?.graphMs as number) / EPOCHS, 1),
      otherMsPerEpoch: r((e.diagnostics?.otherMs as number) / EPOCHS, 2),
      prepareMs: r(e.timings.prepareMs, 1),
    };
    if (sweep.seconds !== undefined) {
      const t = torchReference(model, input, [sweep.threads as number]).seconds;
      if (t !== undefined) torchSeconds.push(t);
    }
  }
  const scaling = await explainScaling(model);
  const paired = torchSeconds.map((t, i) => t / seconds[i]!);
  return {
    seconds: r(median(seconds), 3),
    secondsAll: seconds.map((s) => r(s, 3)),
    torch_reference_seconds: torchSeconds.length > 0 ? r(median(torchSeconds), 3) : null,
    torch_reference_secondsAll: torchSeconds.map((s) => r(s, 3)),
    speedup_vs_torch: paired.length > 0 ? r(median(paired)) : null,
    speedup_vs_torch_all: paired.map((x) => r(x)),
    speedup: 'median over rounds of (PyTorch run / our run), the two run back to back in each round',
    torch_reference: sweep,
    epochs: EPOCHS,
    steps: input.steps,
    tokens: input.tokens.length,
    ...diagnostics,
    scaling,
  };
}

const LONG_PROMPT =
  'a loud dog barks repeatedly while the rain falls softly in the distance and a church bell rings then a car accelerates';

/** How one explanation's cost grows with clip length and prompt length (one warm run each, 50 epochs). */
async function explainScaling(model: Model): Promise<Record<string, unknown>[]> {
  const rows: Record<string, unknown>[] = [];
  for (const prompt of [PROMPT, LONG_PROMPT]) {
    for (const durationSec of [1, 2.4, 5]) {
      const gen = await generateCodes(model, { prompt, seed: 0, durationSec });
      // a short run first: the bucket's session is created once, then timed warm like the rest
      await explain(model, prompt, gen.codes[0]!, gen.frames, 'audiogenx', { epochs: 2 });
      const e = await explain(model, prompt, gen.codes[0]!, gen.frames, 'audiogenx', { epochs: EPOCHS });
      rows.push({
        clipSec: durationSec,
        tokens: e.tokens.length,
        steps: e.steps.length,
        seconds: r((e.timings.prepareMs + e.timings.methodMs) / 1000, 3),
      });
    }
  }
  return rows;
}

/**
 * Runs native-models/build/agx_build/tools/reference_explainer.py when Debian's PyTorch is there;
 * otherwise says why not. One timed run per thread count in `threads` (after a warm-up), and its
 * fastest: our own --threads does not bind the reference.
 */
function torchReference(
  model: Model,
  input: TeacherForcedInput,
  threads: number[],
): { seconds?: number; skipped?: string; [k: string]: unknown } {
  const python = '/usr/bin/python3';
  const build = join(embeddedModelsDir(), 'build');
  const script = join(build, 'agx_build', 'tools', 'reference_explainer.py');
  if (!existsSync(python) || !existsSync(script)) return { skipped: 'no /usr/bin/python3 or reference script' };
  const dir = mkdtempSync(join(tmpdir(), 'agx-bench-'));
  try {
    const spec = join(dir, 'input.json');
    writeFileSync(
      spec,
      JSON.stringify({
        ...teacherForcedJson(input),
        epochs: EPOCHS,
        threads,
        repeats: 1,
      }),
    );
    // Some hosts set OPENBLAS_CORETYPE (with OPENBLAS_L2_SIZE), which slows Debian's BLAS several-fold:
    // the reference runs without them so the ratio is fair to PyTorch (this child process only).
    const { OPENBLAS_CORETYPE: _coretype, OPENBLAS_L2_SIZE: _l2, ...env } = process.env;
    const out = execFileSync(python, ['-m', 'agx_build.tools.reference_explainer', model.bundle.dir, spec], {
      env: { ...env, OPENBLAS_NUM_THREADS: '1', PYTHONPATH: build },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return JSON.parse(out.trim().split('\n').at(-1)!);
  } catch (err) {
    const msg = (err as { stderr?: string }).stderr?.trim().split('\n').at(-1) ?? String(err);
    return { skipped: `PyTorch reference did not run: ${msg}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
