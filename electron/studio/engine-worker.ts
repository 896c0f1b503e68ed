// The engine's thread: onnxruntime-node's session.run blocks its event loop for a whole inference,
// so all model work lives here and the studio's thread stays free for IPC, timers and the store.
import { join } from 'node:path';
import { parentPort, workerData } from 'node:worker_threads';
import { toToken } from '../common/domain.js';
import { toErrorData } from '../common/errors.js';
import { type Mask, maskToJson } from '../common/mask.js';
import { modelScale } from '../common/methods.js';
import { toModelAudio } from '../engine/audio/load.js';
import { explain } from '../engine/explain/index.js';
import { explanationFaithfulness } from '../engine/faithfulness.js';
import { generateCodes } from '../engine/generate.js';
import { inpaint } from '../engine/inpaint.js';
import { bundleMethods, modelInfoOf } from '../engine/manifest.js';
import { Model } from '../engine/model.js';
import { checkPromptText } from '../engine/tokenizer.js';
import {
  CANCEL_SLOT,
  CLOSING_SLOT,
  type EngineInfo,
  type EngineResults,
  type EngineTask,
  type EngineWorkerData,
  type FromWorker,
  type ToWorker,
} from './engine-protocol.js';

const port = parentPort;
if (port === null) throw new Error('engine-worker.js must run as a worker thread');
const options = workerData as EngineWorkerData;
const flags = new Int32Array(options.flags);
const closing = () => Atomics.load(flags, CLOSING_SLOT) === 1;

function send(message: FromWorker): void {
  port!.postMessage(message);
}

/**
 * A generation's preview: the first `decoded` frames decoded on their own, of which the first `kept` are
 * sent. Griffin-Lim near a chunk's end differs from the whole clip's decode; over its first three
 * quarters the two agree (relative error under 1e-3 on three prompts; docs/decisions.md), so the preview
 * is the take's own opening and playback can pass from one to the other mid-stream.
 */
const PREVIEW_FRAMES = { decoded: 32, kept: 24 };

async function runTask(
  model: Model,
  task: EngineTask,
  signal: AbortSignal,
  progress: (f: number, partial?: Mask) => void,
  preview: (audio: Float32Array) => void,
): Promise<EngineResults[keyof EngineResults]> {
  const m = model.manifest;
  switch (task.kind) {
    case 'generate': {
      checkPromptText(task.prompt);
      const gen = await generateCodes(model, {
        prompt: task.prompt,
        seed: task.seed,
        durationSec: task.durationSec,
        variations: task.variations,
        weights: task.weights,
        ...(task.maskWeights ? { maskWeights: task.maskWeights } : {}),
        ...(task.prefix ? { prefix: task.prefix } : {}),
        sampling: task.sampling,
        signal,
        // Decoding is about a quarter of a 5 s generation; leave it that share of the bar.
        onProgress: (s, n) => progress((0.75 * s) / n),
        // Time to first audio: the opening is decoded alone as soon as its frames exist, and only the part
        // that decoding the whole clip gives the same samples for is sent (see PREVIEW_FRAMES).
        ...(task.preview === true
          ? {
              onFirstFrames: {
                frames: PREVIEW_FRAMES.decoded,
                call: async (codes: Int32Array) => {
                  const audio = (await model.decode([codes], PREVIEW_FRAMES.decoded))[0]!;
                  preview(audio.slice(0, (PREVIEW_FRAMES.kept * m.sampleRate) / m.frameRate));
                },
              },
            }
          : {}),
      });
      const audio = await model.decode(gen.codes, gen.frames);
      return {
        tokens: gen.tokens.map(toToken),
        codes: gen.codes,
        audio,
        frames: gen.frames,
        sampling: gen.sampling,
      } satisfies EngineResults['generate'];
    }
    case 'inpaint': {
      checkPromptText(task.prompt);
      const r = await inpaint(model, { ...task, signal, onProgress: progress });
      return {
        tokens: r.tokens.map(toToken),
        codes: r.codes,
        audio: r.audio,
        frames: r.frames,
        sampling: r.sampling,
      } satisfies EngineResults['inpaint'];
    }
    case 'explain': {
      // The engine's typed rows become the wire form here, once, for partial and final masks alike.
      const onProgress = (f: number, partial?: Float32Array[]) => progress(f, partial && maskToJson(partial));
      const e = await explain(model, task.prompt, task.codes, task.frames, task.method, task.params, { signal, onProgress }, task.weights);
      return {
        method: e.method,
        params: e.params,
        tokens: e.tokens.map(toToken),
        frameRate: e.frameRate,
        mask: maskToJson(e.steps),
        holistic: e.holistic,
      } satisfies EngineResults['explain'];
    }
    case 'evaluate': {
      const r = await explanationFaithfulness(
        model,
        task.prompt,
        { codes: task.codes, frames: task.frames, weights: task.weights },
        task.mask,
        task.seed,
        signal,
      );
      return r satisfies EngineResults['evaluate'];
    }
    case 'import': {
      checkPromptText(task.prompt);
      // The header is checked before decoding; resampling reports progress, which is where a cancel is noticed.
      const audio = await toModelAudio(task.wav, m.sampleRate, {
        maxDurationSec: m.maxDurationSec,
        signal,
        onProgress: (f) => progress(0.5 * f),
      });
      const { codes, frames } = await model.encodeAudio(audio);
      const tokens = (await model.tokenizer.encode(task.prompt)).map(toToken);
      return { tokens, codes, audio, frames } satisfies EngineResults['import'];
    }
  }
}

async function start(): Promise<void> {
  let model: Model;
  let info: EngineInfo;
  try {
    model = await Model.load(options.model, {
      spinning: false,
      provider: options.device ?? 'auto',
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
    });
    await model.warmUp();
    const m = model.manifest;
    info = {
      model: modelInfoOf(model.bundle),
      codebooks: m.codebooks,
      explainBuckets: m.graphs.lmExplain.map((b) => ({ steps: b.steps, tokens: b.tokens })),
      modelScale: modelScale(m),
      methods: bundleMethods(m),
      provider: model.provider,
      ...(model.providerNote !== null ? { providerNote: model.providerNote } : {}),
      sampling: { cfg: m.generation.cfg, topK: m.generation.topK, topP: m.generation.topP, temperature: m.generation.temperature },
      tokenizer: { file: join(model.bundle.dir, m.graphs.tokenizer), unkId: m.specialTokens.unk },
    };
  } catch (err) {
    send({ type: 'init-failed', error: toErrorData(err) });
    return;
  }
  // Jobs arrive one at a time (the studio's queue), but a message may land while one runs: chain them.
  let chain: Promise<void> = Promise.resolve();
  port!.on('message', (msg: ToWorker) => {
    if (msg?.type === 'shutdown') {
      // Terminating a thread inside onnxruntime aborts the process; release the sessions instead.
      chain = chain.then(async () => {
        await model.close().catch(() => undefined);
        port!.close();
      });
      return;
    }
    if (msg?.type !== 'run') return;
    chain = chain.then(async () => {
      const controller = new AbortController();
      const stopRequested = () => Atomics.load(flags, CANCEL_SLOT) === msg.jobNumber || closing();
      // The loop is blocked inside each inference, so a cancel message could not be read until the
      // job ended; the shared flags are read between steps instead.
      const progress = (fraction: number, partial?: Mask) => {
        if (stopRequested()) controller.abort();
        send({ type: 'progress', jobNumber: msg.jobNumber, fraction, partial });
      };
      try {
        if (stopRequested()) controller.abort();
        const preview = (audio: Float32Array) => send({ type: 'preview', jobNumber: msg.jobNumber, audio });
        const result = await runTask(model, msg.task, controller.signal, progress, preview);
        send({ type: 'done', jobNumber: msg.jobNumber, result });
      } catch (err) {
        send({ type: 'failed', jobNumber: msg.jobNumber, error: toErrorData(err) });
      }
    });
  });
  send({ type: 'ready', info });
  // Creating the explainer graphs' sessions takes ~2 s; doing it now, before the first Explain, lets
  // that explanation's lanes start filling within about a second. Jobs queue behind it.
  chain = chain.then(() => warmUpExplain(model));
}

/** One AudioGenX epoch on silence, for a full-length clip and a short prompt (the common bucket). */
async function warmUpExplain(model: Model): Promise<void> {
  const m = model.manifest;
  const frames = Math.round(m.maxDurationSec * m.frameRate);
  const controller = new AbortController();
  if (closing()) return;
  try {
    await explain(
      model,
      'a dog barks',
      new Int32Array(m.codebooks * frames),
      frames,
      'audiogenx',
      { epochs: 1 },
      {
        signal: controller.signal,
        onProgress: () => closing() && controller.abort(),
      },
    );
  } catch {
    // A bundle without explain graphs still generates; its Explain reports the problem when asked.
  }
}

void start();
