import { readFileSync } from 'node:fs';
import { parseTimeSpan, type TimeSpan, toToken } from '../../common/domain.js';
import { AgxError } from '../../common/errors.js';
import { AUDIOGENX_PRESETS, METHOD_CATALOG, METHOD_NAMES, type MethodName, methodSpec, parseMethodParams } from '../../common/methods.js';
import { explain, intervalView } from '../../engine/explain/index.js';
import { generateCodes } from '../../engine/generate.js';
import { requireMethodGraphs } from '../../engine/manifest.js';
import { checkPromptText } from '../../engine/tokenizer.js';
import { parseWeightSpec } from '../../engine/weights.js';
import { numberOption, requiredString } from '../args.js';
import { type Command, durationOption, openModel, readAudioFile, round, seedOption } from '../command.js';
import { Progress } from '../progress.js';
import { warnUnknownWords } from './generate.js';

export const explainCommand: Command = {
  summary: 'explain which prompt words made which sounds, when (AudioGenX)',
  usage:
    'agx explain --prompt TEXT (--seed N | --audio FILE) [--weights "dog=0,rain=1.5@1:3"] [--method NAME] [--preset NAME] [--epochs N] [--interval S:E] [--duration S] [--json]',
  options: {
    prompt: { type: 'string', help: 'the prompt the audio was (or is taken to be) generated from' },
    seed: { type: 'string', help: 'generate the clip with this seed first (as agx generate does), then explain it' },
    audio: { type: 'string', help: 'explain this WAV file instead (codec-encoded, teacher-forced under the prompt)' },
    duration: { type: 'string', help: 'with --seed: clip length in seconds (default: the maximum, 5)' },
    weights: {
      type: 'string',
      help: 'the token weights the clip was made with, as agx generate takes them (with --seed, the clip is generated with them too)',
    },
    method: { type: 'string', help: `explanation method (default audiogenx); one of: ${METHOD_NAMES.join(', ')}` },
    preset: {
      type: 'string',
      help: `AudioGenX's settings: ${Object.keys(AUDIOGENX_PRESETS).join(', ')} (default: the shipped default; docs/method.md, "Loss")`,
    },
    epochs: {
      type: 'string',
      help: `optimisation epochs for AudioGenX (default ${METHOD_CATALOG.audiogenx.params.parse({}).epochs}, or the preset's)`,
    },
    interval: { type: 'string', help: 'also report the interval view for start:end seconds' },
  },
  async run(values) {
    const prompt = requiredString(values, 'prompt', 'explain');
    checkPromptText(prompt);
    const hasSeed = values.seed !== undefined;
    if (hasSeed === (values.audio !== undefined))
      throw new AgxError('bad_argument', 'agx explain: give exactly one of --seed N or --audio FILE');
    const method = methodSpec(typeof values.method === 'string' ? values.method : 'audiogenx');
    let interval: TimeSpan | undefined;
    if (typeof values.interval === 'string') {
      const span = parseTimeSpan(values.interval);
      if (span === null) throw new AgxError('bad_argument', '--interval must be start:end seconds with 0 <= start < end');
      interval = span;
    }
    // The catalog checks --epochs and --preset (bounds, names, and that the method has them) before any model work.
    const params = parseMethodParams(method.name, {
      ...(values.epochs === undefined ? {} : { epochs: numberOption(values, 'epochs', Number.NaN) }),
      ...(typeof values.preset === 'string' ? { preset: values.preset } : {}),
    });
    // --seed is the generation seed; AudioGenX's own noise stream keeps its default seed (0)
    const seed = hasSeed ? seedOption(values) : 0;
    const model = await openModel(values);
    const m = model.manifest;
    requireMethodGraphs(m, method.name as MethodName);
    const tokens = await model.tokenizer.encode(prompt);
    warnUnknownWords(m.name, tokens);
    const weights = typeof values.weights === 'string' ? parseWeightSpec(values.weights, tokens) : [];
    let codes: Int32Array;
    let frames: number;
    if (hasSeed) {
      const durationSec = durationOption(values, m);
      const gen = await generateCodes(model, { prompt, seed, durationSec, weights });
      codes = gen.codes[0]!;
      frames = gen.frames;
    } else {
      const audio = await readAudioFile(values.audio as string, m.sampleRate, m.maxDurationSec);
      ({ codes, frames } = await model.encodeAudio(audio));
    }
    const progress = new Progress('explaining');
    const e = await explain(
      model,
      prompt,
      codes,
      frames,
      method.name,
      params,
      { onProgress: (f) => progress.update(f), oneShot: true },
      weights,
    );
    progress.done();
    const r4 = (x: number): number => round(x, 4);
    return {
      method: e.method,
      params: e.params,
      frameRate: e.frameRate,
      tokens: e.tokens.map(toToken),
      holistic: e.holistic.map((v) => (v === null ? null : r4(v))),
      ...(interval
        ? {
            interval: intervalView(e, interval.startSec, interval.endSec).map((v) => (v === null ? null : r4(v))),
            intervalSec: [interval.startSec, interval.endSec],
          }
        : {}),
      steps: e.steps.map((row) => Array.from(row, r4)),
      timings: { prepareMs: round(e.timings.prepareMs), methodMs: round(e.timings.methodMs), maxRssMb: round(peakRssMb()) },
    };
  },
};

/**
 * This process's peak resident memory. On Linux, getrusage's maxRSS survives exec and so includes the
 * parent's memory at fork time (`agx bench --methods` spawned from a busy process read 850 MB for a
 * 230 MB run); /proc/self/status's VmHWM belongs to this process's own address space.
 */
function peakRssMb(): number {
  try {
    const hwm = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'));
    if (hwm) return Number(hwm[1]) / 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS / 1024;
}
