// The engine's costs on a converted bundle at full size (docs/results.md, "Real models at full size"):
// load (manifest and the sha256 of every file), session creation, RSS, ms per LM step, a 5 s clip,
// its decode, and AudioGenX epochs on that clip. Each phase appends one JSON line to --out as it
// ends, so a run cut short keeps what finished. --studio instead measures the studio's service (what
// Electron's main process and `agx serve` run: store, engine worker, job queue) with the model: its RSS
// once started and after it generated a 5 s take; run it as its own process so the engine phases'
// memory does not count.
//
//   npx tsc -p tsconfig.json
//   node scripts/fullsize-measure.mjs --model DIR --out FILE.jsonl [--epochs 2] [--threads 0] [--studio]
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { dispatch } from '../dist/electron/common/protocol.js';
import { explain } from '../dist/electron/engine/explain/index.js';
import { generateCodes } from '../dist/electron/engine/generate.js';
import { Model } from '../dist/electron/engine/model.js';
import { createStudio } from '../dist/electron/studio/studio.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string' },
    out: { type: 'string' },
    epochs: { type: 'string', default: '2' },
    threads: { type: 'string', default: '0' },
    studio: { type: 'boolean', default: false },
  },
});
if (values.model === undefined || values.out === undefined)
  throw new Error('usage: --model DIR --out FILE.jsonl [--epochs N] [--threads N]');
const epochs = Number(values.epochs);
const PROMPT = 'a dog barks while rain falls in the background';

// RSS split into private (anonymous) and file-backed pages: memory-mapped weights are the latter.
const mem = () => {
  const s = readFileSync('/proc/self/status', 'utf8');
  const mb = (k) => Math.round(Number(new RegExp(`${k}:\\s+(\\d+)`).exec(s)?.[1] ?? 0) / 1024);
  return { rssMb: mb('VmRSS'), anonMb: mb('RssAnon'), fileMb: mb('RssFile'), peakMb: mb('VmHWM') };
};
const log = (phase, o = {}) => {
  const loadavg = readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  const line = JSON.stringify({ phase, at: new Date().toISOString(), loadavg, ...o, mem: mem() });
  appendFileSync(values.out, `${line}\n`);
  console.log(line);
};

if (values.studio) {
  const dataDir = mkdtempSync(join(tmpdir(), 'agx-measure-studio-'));
  let t = performance.now();
  const studio = await createStudio({ dataDir, model: values.model, threads: Number(values.threads), version: 'measure' });
  log('studio: started with the model (store, engine worker, sessions)', { ms: Math.round(performance.now() - t) });
  let id = 0;
  const call = async (method, params) => {
    const r = await dispatch(studio.handlers, { id: ++id, method, params });
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.result;
  };
  const session = await call('createSession', { name: 'measure' });
  t = performance.now();
  const ended = new Promise((resolve) =>
    studio.onEvent((e) => {
      if (e.type === 'job' && ['done', 'failed', 'cancelled'].includes(e.job.state)) resolve(e.job);
    }),
  );
  await call('generate', { sessionId: session.session.id, prompt: PROMPT, seed: 0, durationSec: 5 });
  const job = await ended;
  log('studio: generated a 5 s take', { ms: Math.round(performance.now() - t), state: job.state, error: job.error ?? null });
  await studio.close();
  rmSync(dataDir, { recursive: true, force: true });
  process.exit(0);
}

log('start', { model: values.model, epochs });
let t = performance.now();
const model = await Model.load(values.model, { threads: Number(values.threads), provider: 'cpu' });
log('load: manifest, sha256 of every file, tokenizer', { ms: Math.round(performance.now() - t) });
t = performance.now();
await model.warmUp();
log('sessions: text encoder, lm_step, codec decoder', { ms: Math.round(performance.now() - t) });

t = performance.now();
const stepMs = [];
let last = performance.now();
const gen = await generateCodes(model, {
  prompt: PROMPT,
  seed: 0,
  durationSec: 5,
  onProgress: (s, n) => {
    const now = performance.now();
    stepMs.push(now - last);
    last = now;
    if (s % 25 === 0 || s === n)
      log('steps', {
        step: s,
        of: n,
        msPerStepLast25: Math.round(stepMs.slice(-25).reduce((a, b) => a + b, 0) / Math.min(25, stepMs.length)),
      });
  },
});
const sorted = [...stepMs].sort((a, b) => a - b);
log('generate 5 s: text encoder and LM loop', {
  ms: Math.round(performance.now() - t),
  textMs: Math.round(gen.timings.textMs),
  lmMs: Math.round(gen.timings.lmMs),
  steps: gen.timings.steps,
  msPerStepMedian: Math.round(sorted[sorted.length >> 1]),
});
t = performance.now();
await model.decode(gen.codes, gen.frames);
log('decode 5 s', { ms: Math.round(performance.now() - t) });

t = performance.now();
const e = await explain(
  model,
  PROMPT,
  gen.codes[0],
  gen.frames,
  'audiogenx',
  { epochs },
  {
    onProgress: (f) => log('audiogenx progress', { fraction: f, msSinceStart: Math.round(performance.now() - t) }),
  },
);
log('audiogenx', {
  epochs,
  prepareMs: Math.round(e.timings.prepareMs),
  methodMs: Math.round(e.timings.methodMs),
  diagnostics: e.diagnostics,
});
await model.close();
log('done');
