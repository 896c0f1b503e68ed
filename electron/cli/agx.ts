#!/usr/bin/env node
// `agx`: the studio's command line. JSON on stdout with --json, progress on stderr, one clear line on error.
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { AgxError, toErrorData } from '../common/errors.js';
import { wavToModelAudio } from '../engine/audio/load.js';
import { encodeWav } from '../engine/audio/wav.js';
import { activitySpans } from '../engine/classify.js';
import { explain, getMethod, intervalView, METHODS } from '../engine/explain/index.js';
import { captionsFromCsv, evaluatePrompt, type PromptScores, summarise } from '../engine/faithfulness.js';
import { generateCodes } from '../engine/generate.js';
import { benchmarkGroundTruth } from '../engine/ground-truth.js';
import { checkBundleFiles, embeddedModelsDir, listBundles } from '../engine/manifest.js';
import { Model } from '../engine/model.js';
import { checkPromptText } from '../engine/tokenizer.js';
import { parseWeightSpec } from '../engine/weights.js';
import { runBench } from './bench.js';
import { numberOption, type OptionSpec, parseCommand, requiredString } from './args.js';
import { Progress } from './progress.js';

const COMMON: Record<string, OptionSpec> = {
  model: { type: 'string', help: 'bundle name or folder (default: the embedded tiny-foley; AGX_MODELS_DIR adds folders)' },
  threads: { type: 'string', help: 'onnxruntime intra-op threads (default: all cores)' },
  json: { type: 'boolean', help: 'print the result as JSON on stdout' },
  help: { type: 'boolean', help: 'show this help' },
};

interface Command {
  summary: string;
  usage: string;
  options: Record<string, OptionSpec>;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<unknown>;
}

async function openModel(values: Record<string, string | boolean | undefined>): Promise<Model> {
  const threads = numberOption(values, 'threads', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 256, 'a whole number of threads');
  return Model.load(typeof values.model === 'string' ? values.model : undefined, { threads });
}

/** Reads any WAV as 16 kHz mono for the model (the model's rate, whatever the file's). */
export function readAudioFile(path: string, sampleRate: number): Float32Array {
  let bytes: Uint8Array;
  try {
    if (!statSync(path).isFile()) throw new Error('not a file');
    bytes = readFileSync(path);
  } catch {
    throw new AgxError('io_error', `cannot read audio file ${path}`);
  }
  try {
    return wavToModelAudio(bytes, sampleRate);
  } catch (err) {
    throw new AgxError('bad_audio', `${basename(path)}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function writeFileSafely(path: string, data: Uint8Array): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, data);
  } catch (err) {
    throw new AgxError('io_error', `cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}`);
  }
}

function variationPath(out: string, v: number, count: number): string {
  if (count === 1) return out;
  const ext = extname(out) || '.wav';
  return join(dirname(out), `${basename(out, extname(out))}-v${v + 1}${ext}`);
}

const COMMANDS: Record<string, Command> = {
  generate: {
    summary: 'generate a clip from a prompt',
    usage: 'agx generate --prompt TEXT [--seed N] [--duration S] [--weights "dog=0,rain=1.5@1:3"] [--variations N] [--cfg X] [--top-k K] [--top-p P] [--temperature T] --out FILE.wav [--json]',
    options: {
      prompt: { type: 'string', help: 'what to hear, e.g. "a dog barks while rain falls"' },
      seed: { type: 'string', help: 'seed (default 0); variation v uses seed + v' },
      duration: { type: 'string', help: 'seconds, up to the model maximum (default: the maximum, 5)' },
      weights: { type: 'string', help: 'word=weight (0 mutes, 2 emphasises), optionally word=weight@start:end' },
      variations: { type: 'string', help: 'takes drawn in one batch (default 1); files get -v1, -v2, ...' },
      out: { type: 'string', help: 'output WAV file (16-bit PCM)' },
      format: { type: 'string', help: 'pcm16 (default), pcm24 or float32' },
      cfg: { type: 'string', help: 'classifier-free guidance scale (default 3)' },
      'top-k': { type: 'string', help: 'sample from the k most likely codes (default 250)' },
      'top-p': { type: 'string', help: 'nucleus sampling mass, 0 = off (default 0)' },
      temperature: { type: 'string', help: 'sampling temperature, 0 = greedy (default 1)' },
    },
    async run(values) {
      const prompt = requiredString(values, 'prompt', 'generate');
      checkPromptText(prompt);
      const out = resolve(requiredString(values, 'out', 'generate'));
      const format = (values.format ?? 'pcm16') as string;
      if (!['pcm16', 'pcm24', 'float32'].includes(format)) throw new AgxError('bad_argument', '--format must be pcm16, pcm24 or float32');
      const seed = numberOption(values, 'seed', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer from 0 to 4294967295');
      const variations = numberOption(values, 'variations', 1, (n) => Number.isInteger(n) && n >= 1 && n <= 16, 'an integer from 1 to 16');
      const model = await openModel(values);
      const durationSec = numberOption(values, 'duration', model.manifest.maxDurationSec, (n) => n > 0 && n <= model.manifest.maxDurationSec, `more than 0 and at most ${model.manifest.maxDurationSec}`);
      const tokens = await model.tokenizer.encode(prompt);
      const weights = typeof values.weights === 'string' ? parseWeightSpec(values.weights, tokens) : [];
      const progress = new Progress('generating');
      const t0 = performance.now();
      const g = model.manifest.generation;
      const sampling = {
        cfg: numberOption(values, 'cfg', g.cfg, (n) => n >= 0 && n <= 20, 'from 0 to 20'),
        topK: numberOption(values, 'top-k', g.topK, (n) => Number.isInteger(n) && n >= 1, 'a whole number >= 1'),
        topP: numberOption(values, 'top-p', g.topP, (n) => n >= 0 && n <= 1, 'from 0 to 1'),
        temperature: numberOption(values, 'temperature', g.temperature, (n) => n >= 0 && n <= 10, 'from 0 to 10'),
      };
      const gen = await generateCodes(model, { prompt, seed, durationSec, variations, weights, sampling, onProgress: (s, n) => progress.update(s / n) });
      const t1 = performance.now();
      const audio = await model.decode(gen.codes, gen.frames);
      const decodeMs = performance.now() - t1;
      progress.done();
      const files = audio.map((a, v) => {
        const path = variationPath(out, v, audio.length);
        writeFileSafely(path, encodeWav(a, model.manifest.sampleRate, format as 'pcm16'));
        return path;
      });
      const totalMs = performance.now() - t0;
      const durationOut = gen.frames / model.manifest.frameRate;
      return {
        file: files[0],
        files,
        seed,
        sampleRate: model.manifest.sampleRate,
        durationSec: durationOut,
        model: { name: model.manifest.name, version: model.manifest.version, provider: model.provider },
        tokens: gen.tokens.map((t) => ({ text: t.text, start: t.start, end: t.end, ...(t.unknown ? { unknown: true } : {}) })),
        weights,
        sampling: gen.sampling,
        timings: { textMs: round(gen.timings.textMs), lmMs: round(gen.timings.lmMs), decodeMs: round(decodeMs), totalMs: round(totalMs), lmSteps: gen.timings.steps, realtimeFactor: round((durationOut * variations * 1000) / totalMs) },
      };
    },
  },
  classify: {
    summary: 'label the sound events in a WAV file with the bundle classifier',
    usage: 'agx classify FILE.wav [--json]',
    options: {},
    async run(values, positionals) {
      if (positionals.length !== 1) throw new AgxError('bad_argument', 'agx classify: give exactly one WAV file');
      const model = await openModel(values);
      const audio = readAudioFile(positionals[0]!, model.manifest.sampleRate);
      const { probabilities, activity } = await model.classify(audio);
      const m = model.manifest;
      const labels = m.labels.map((label, i) => ({ label, probability: round(probabilities[i]!, 4) })).sort((a, b) => b.probability - a.probability);
      const detected = labels.filter((l) => l.probability >= m.classifierThreshold).map((l) => l.label);
      return { file: resolve(positionals[0]!), durationSec: round(audio.length / m.sampleRate, 3), labels, detected, events: activitySpans(activity, m.labels, m.frameRate, detected) };
    },
  },
  models: {
    summary: 'list the model bundles found, their sizes and checksum status',
    usage: 'agx models [--json]',
    options: {},
    async run() {
      const out = [];
      for (const b of listBundles()) {
        if (b.manifest === undefined) {
          out.push({ name: basename(b.dir), dir: b.dir, status: 'invalid', error: b.error });
          continue;
        }
        const checks = await checkBundleFiles({ dir: b.dir, manifest: b.manifest });
        const bad = checks.filter((c) => c.status !== 'ok');
        const bytes = Object.values(b.manifest.files).reduce((s, f) => s + f.bytes, 0);
        out.push({ name: b.manifest.name, version: b.manifest.version, dir: b.dir, bytes, status: bad.length === 0 ? 'ok' : 'checksum mismatch', problems: bad });
      }
      return { models: out };
    },
  },
  explain: {
    summary: 'explain which prompt words made which sounds, when (AudioGenX)',
    usage: 'agx explain --prompt TEXT (--seed N | --audio FILE) [--method NAME] [--epochs N] [--interval S:E] [--duration S] [--json]',
    options: {
      prompt: { type: 'string', help: 'the prompt the audio was (or is taken to be) generated from' },
      seed: { type: 'string', help: 'generate the clip with this seed first (as agx generate does), then explain it' },
      audio: { type: 'string', help: 'explain this WAV file instead (codec-encoded, teacher-forced under the prompt)' },
      duration: { type: 'string', help: 'with --seed: clip length in seconds (default: the maximum, 5)' },
      method: { type: 'string', help: `explanation method (default audiogenx); one of: ${Object.keys(METHODS).join(', ')}` },
      epochs: { type: 'string', help: 'optimisation epochs for AudioGenX (default 50)' },
      interval: { type: 'string', help: 'also report the interval view for start:end seconds' },
    },
    async run(values) {
      const prompt = requiredString(values, 'prompt', 'explain');
      checkPromptText(prompt);
      const hasSeed = values.seed !== undefined;
      if (hasSeed === (values.audio !== undefined)) throw new AgxError('bad_argument', 'agx explain: give exactly one of --seed N or --audio FILE');
      const method = getMethod(typeof values.method === 'string' ? values.method : 'audiogenx');
      let interval: [number, number] | undefined;
      if (typeof values.interval === 'string') {
        const m = /^\s*([0-9.]+)\s*:\s*([0-9.]+)\s*$/.exec(values.interval);
        interval = m ? [Number(m[1]), Number(m[2])] : [Number.NaN, Number.NaN];
        if (!(interval[0] >= 0 && interval[0] < interval[1])) throw new AgxError('bad_argument', '--interval must be start:end seconds with 0 <= start < end');
      }
      const params: Record<string, unknown> = {};
      if (values.epochs !== undefined) params.epochs = numberOption(values, 'epochs', 50, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer from 1 to 1000');
      if (hasSeed) params.seed = numberOption(values, 'seed', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer from 0 to 4294967295');
      const model = await openModel(values);
      const m = model.manifest;
      let codes: Int32Array;
      let frames: number;
      if (hasSeed) {
        const durationSec = numberOption(values, 'duration', m.maxDurationSec, (n) => n > 0 && n <= m.maxDurationSec, `more than 0 and at most ${m.maxDurationSec}`);
        const gen = await generateCodes(model, { prompt, seed: params.seed as number, durationSec });
        codes = gen.codes[0]!;
        frames = gen.frames;
      } else {
        const audio = readAudioFile(values.audio as string, m.sampleRate);
        if (audio.length > m.maxDurationSec * m.sampleRate + 1) {
          throw new AgxError('bad_audio', `${basename(values.audio as string)} is ${(audio.length / m.sampleRate).toFixed(1)} s long; this model explains at most ${m.maxDurationSec} s`);
        }
        ({ codes, frames } = await model.encodeAudio(audio));
      }
      const progress = new Progress('explaining');
      const e = await explain(model, prompt, codes, frames, method.name, params, { onProgress: (f) => progress.update(f) });
      progress.done();
      const r4 = (x: number): number => round(x, 4);
      return {
        method: e.method,
        params: e.params,
        frameRate: e.frameRate,
        tokens: e.tokens.map((t) => ({ text: t.text, start: t.start, end: t.end })),
        holistic: e.holistic.map(r4),
        ...(interval ? { interval: intervalView(e, interval[0], interval[1]).map(r4), intervalSec: interval } : {}),
        steps: e.steps.map((row) => Array.from(row, r4)),
        timings: { prepareMs: round(e.timings.prepareMs), methodMs: round(e.timings.methodMs) },
      };
    },
  },
  evaluate: {
    summary: "the paper's faithfulness protocol: Fid_F, Fid_CF, KL_F, KL_CF and Size per method, plus the no-mask floor",
    usage: 'agx evaluate --prompts FILE.csv --methods LIST [--seeds 5] [--duration S] [--out DIR] [--json]',
    options: {
      prompts: { type: 'string', help: 'CSV with a "caption" column (AudioCaps test.csv format; other columns ignored)' },
      methods: { type: 'string', help: `comma-separated; any of: ${Object.keys(METHODS).join(', ')}` },
      seeds: { type: 'string', help: 'regeneration seeds per prompt (default 5: seeds 1..5; the original uses seed 0)' },
      duration: { type: 'string', help: 'clip length in seconds (default: the maximum, 5)' },
      out: { type: 'string', help: 'folder for results.jsonl (appended per prompt, so a rerun resumes); default: a temp folder' },
    },
    async run(values) {
      const csvPath = requiredString(values, 'prompts', 'evaluate');
      const methods = requiredString(values, 'methods', 'evaluate').split(',').map((x) => x.trim()).filter((x) => x.length > 0);
      methods.forEach((x) => getMethod(x));
      const nSeeds = numberOption(values, 'seeds', 5, (n) => Number.isInteger(n) && n >= 1 && n <= 50, 'an integer from 1 to 50');
      let captions: string[];
      try {
        captions = captionsFromCsv(readFileSync(csvPath, 'utf8'));
      } catch (err) {
        if (err instanceof AgxError) throw err;
        throw new AgxError('io_error', `cannot read ${csvPath}`);
      }
      if (captions.length === 0) throw new AgxError('bad_argument', `${csvPath} has no captions`);
      const outDir = resolve(typeof values.out === 'string' ? values.out : mkdtempSync(join(tmpdir(), 'agx-evaluate-')));
      mkdirSync(outDir, { recursive: true });
      const resultsPath = join(outDir, 'results.jsonl');
      const done = new Map<string, PromptScores[] | { error: string }>();
      if (existsSync(resultsPath)) {
        for (const line of readFileSync(resultsPath, 'utf8').split('\n')) {
          if (line.trim() === '') continue;
          try {
            const rec = JSON.parse(line) as { key: string; scores?: PromptScores[]; error?: string };
            done.set(rec.key, rec.scores ?? { error: rec.error ?? 'unknown' });
          } catch {
            // a line cut short by a killed run: that prompt is simply done again
          }
        }
      }
      const model = await openModel(values);
      const durationSec = numberOption(values, 'duration', model.manifest.maxDurationSec, (n) => n > 0 && n <= model.manifest.maxDurationSec, `more than 0 and at most ${model.manifest.maxDurationSec}`);
      const opts = { seeds: Array.from({ length: nSeeds }, (_, i) => i + 1), originalSeed: 0, durationSec };
      const progress = new Progress('evaluating');
      const rows: PromptScores[] = [];
      let skipped = 0;
      for (const [i, caption] of captions.entries()) {
        const key = `${i}\t${caption}\t${methods.join(',')}\t${nSeeds}\t${durationSec}`;
        let rec = done.get(key);
        if (rec === undefined) {
          try {
            rec = await evaluatePrompt(model, caption, methods, opts);
            appendFileSync(resultsPath, JSON.stringify({ key, scores: rec }) + '\n');
          } catch (err) {
            const data = toErrorData(err);
            if (!data.expected) throw err;
            rec = { error: data.message };
            appendFileSync(resultsPath, JSON.stringify({ key, error: data.message }) + '\n');
          }
        }
        if (Array.isArray(rec)) rows.push(...rec);
        else skipped++;
        progress.update((i + 1) / captions.length);
      }
      progress.done();
      const table = summarise(rows);
      const { floor, ...byMethod } = table;
      return { methods: byMethod, floor: floor ?? null, prompts: captions.length - skipped, skipped, seeds: nSeeds, results: resultsPath };
    },
  },
  'benchmark-gt': {
    summary: 'score explanation methods against the ground truth of synthesised held-out clips',
    usage: 'agx benchmark-gt [--methods LIST] [--epochs N] [--set DIR] [--json]',
    options: {
      methods: { type: 'string', help: `comma-separated (default: all); any of: ${Object.keys(METHODS).join(', ')}` },
      epochs: { type: 'string', help: 'AudioGenX epochs (default 50)' },
      set: { type: 'string', help: 'folder with gt.json and WAVs (default: test/fixtures/gt of this project)' },
    },
    async run(values) {
      const methods = typeof values.methods === 'string' ? values.methods.split(',').map((x) => x.trim()).filter((x) => x) : Object.keys(METHODS);
      methods.forEach((x) => getMethod(x));
      const epochs = numberOption(values, 'epochs', 50, (n) => Number.isInteger(n) && n >= 1 && n <= 1000, 'an integer from 1 to 1000');
      const dir = resolve(typeof values.set === 'string' ? values.set : join(embeddedModelsDir(), '..', 'test', 'fixtures', 'gt'));
      const model = await openModel(values);
      const progress = new Progress('benchmark');
      const scores = await benchmarkGroundTruth(model, dir, methods, { audiogenx: { epochs } }, (d, n) => progress.update(d / n));
      progress.done();
      return { methods: scores, set: dir };
    },
  },
  bench: {
    summary: 'measure model load time, ms per LM step and generation speed (median of runs)',
    usage: 'agx bench [--runs N] [--json]',
    options: { runs: { type: 'string', help: 'timed runs per measurement (default 5)' } },
    async run(values) {
      const runs = numberOption(values, 'runs', 5, (n) => Number.isInteger(n) && n >= 1 && n <= 100, 'an integer from 1 to 100');
      return runBench({ model: typeof values.model === 'string' ? values.model : undefined, runs, threads: numberOption(values, 'threads', 0) });
    },
  },
};

function round(x: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function helpText(name?: string): string {
  const cmd = name === undefined ? undefined : COMMANDS[name];
  if (cmd === undefined) {
    const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(10)} ${c.summary}`);
    return `agx: AudioGenX Studio command line\n\nusage: agx <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nagx <command> --help shows a command's options.`;
  }
  const opts = Object.entries({ ...cmd.options, ...COMMON }).map(([o, s]) => `  --${o.padEnd(12)} ${s.help}`);
  return `usage: ${cmd.usage}\n\n${cmd.summary}\n\noptions:\n${opts.join('\n')}`;
}

function describe(result: unknown): string {
  const r = result as Record<string, unknown>;
  if (Array.isArray(r.files)) {
    const t = r.timings as Record<string, number>;
    return `${(r.files as string[]).join('\n')}\n${r.durationSec} s at ${r.sampleRate} Hz, seed ${r.seed}, ${t.totalMs} ms (${t.realtimeFactor}x real time)`;
  }
  if (Array.isArray(r.holistic)) {
    const tokens = r.tokens as { text: string }[];
    const rows = (r.holistic as number[]).map((v, i) => `${tokens[i]!.text.padEnd(14)} ${v.toFixed(2)} ${'#'.repeat(Math.round(v * 30))}`);
    return `${r.method}: holistic importance per token\n${rows.join('\n')}`;
  }
  if (Array.isArray(r.labels)) {
    const top = (r.labels as { label: string; probability: number }[]).slice(0, 5).map((l) => `${l.label} ${l.probability.toFixed(2)}`);
    return `detected: ${(r.detected as string[]).join(', ') || 'nothing'}\ntop: ${top.join(', ')}`;
  }
  return JSON.stringify(result, null, 2);
}

/** Runs one command line; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(helpText(rest[0]) + '\n');
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  try {
    if (cmd === undefined) throw new AgxError('bad_argument', `unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    const { values, positionals } = parseCommand(rest, { ...cmd.options, ...COMMON }, name);
    if (values.help === true) {
      process.stdout.write(helpText(name) + '\n');
      return 0;
    }
    if (positionals.length > 0 && name !== 'classify') throw new AgxError('bad_argument', `agx ${name}: unexpected argument "${positionals[0]}"`);
    const result = await cmd.run(values, positionals);
    process.stdout.write((values.json === true ? JSON.stringify(result, null, 2) : describe(result)) + '\n');
    return 0;
  } catch (err) {
    const data = toErrorData(err);
    process.stderr.write(`agx: error: ${data.message}\n`);
    if (!data.expected && process.env.AGX_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return data.code === 'bad_argument' ? 2 : 1;
  }
}
