import { basename, dirname, extname, join, resolve } from 'node:path';
import { MAX_VARIATIONS, toToken, unknownWordsNote } from '../../common/domain.js';
import { encodeAudioFile } from '../../engine/audio/encode.js';
import { generateCodes } from '../../engine/generate.js';
import { checkPromptText } from '../../engine/tokenizer.js';
import { parseWeightSpec } from '../../engine/weights.js';
import { numberOption, requiredString } from '../args.js';
import { type Command, durationOption, openModel, round, seedOption, wavFormatOption, writeFileSafely } from '../command.js';
import { Progress } from '../progress.js';

/** One stderr line naming the prompt words the model reads as [UNK] (generate and explain). */
export function warnUnknownWords(modelId: string, tokens: readonly { text: string; unknown?: boolean | undefined }[]): void {
  const note = unknownWordsNote(modelId, tokens);
  if (note !== null) process.stderr.write(`warning: ${note}\n`);
}

function variationPath(out: string, v: number, count: number): string {
  if (count === 1) return out;
  const ext = extname(out) || '.wav';
  return join(dirname(out), `${basename(out, extname(out))}-v${v + 1}${ext}`);
}

export const generateCommand: Command = {
  summary: 'generate a clip from a prompt',
  usage:
    'agx generate --prompt TEXT [--seed N] [--duration S] [--weights "dog=0,rain=1.5@1:3"] [--variations N] [--cfg X] [--top-k K] [--top-p P] [--temperature T] --out FILE.wav|FILE.flac [--json]',
  options: {
    prompt: { type: 'string', help: 'what to hear, e.g. "a dog barks while rain falls"' },
    seed: { type: 'string', help: 'seed (default 0); variation v uses seed + v' },
    duration: { type: 'string', help: 'seconds, up to the model maximum (default: the maximum, 5)' },
    weights: { type: 'string', help: 'word=weight (0 mutes, 2 emphasises), optionally word=weight@start:end' },
    variations: { type: 'string', help: 'takes drawn in one batch (default 1); files get -v1, -v2, ...' },
    out: { type: 'string', help: 'output WAV file (16-bit PCM), or FLAC for a name ending .flac' },
    format: { type: 'string', help: 'pcm16 (default), pcm24, float32 or flac (24-bit)' },
    cfg: { type: 'string', help: 'classifier-free guidance scale (default 3)' },
    'top-k': { type: 'string', help: 'sample from the k most likely codes (default 250)' },
    'top-p': { type: 'string', help: 'nucleus sampling mass, 0 = off (default 0)' },
    temperature: { type: 'string', help: 'sampling temperature, 0 = greedy (default 1)' },
  },
  async run(values) {
    const prompt = requiredString(values, 'prompt', 'generate');
    checkPromptText(prompt);
    const out = resolve(requiredString(values, 'out', 'generate'));
    const format = wavFormatOption(values, out);
    const seed = seedOption(values);
    const variations = numberOption(
      values,
      'variations',
      1,
      (n) => Number.isInteger(n) && n >= 1 && n <= MAX_VARIATIONS,
      `an integer from 1 to ${MAX_VARIATIONS}`,
    );
    const model = await openModel(values);
    const durationSec = durationOption(values, model.manifest);
    const tokens = await model.tokenizer.encode(prompt);
    warnUnknownWords(model.manifest.name, tokens);
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
    const gen = await generateCodes(model, {
      prompt,
      seed,
      durationSec,
      variations,
      weights,
      sampling,
      onProgress: (s, n) => progress.update(s / n),
    });
    const t1 = performance.now();
    const audio = await model.decode(gen.codes, gen.frames);
    const decodeMs = performance.now() - t1;
    progress.done();
    const files = await Promise.all(
      audio.map(async (a, v) => {
        const path = variationPath(out, v, audio.length);
        writeFileSafely(path, await encodeAudioFile(a, model.manifest.sampleRate, format));
        return path;
      }),
    );
    const totalMs = performance.now() - t0;
    const durationOut = gen.frames / model.manifest.frameRate;
    return {
      file: files[0],
      files,
      seed,
      sampleRate: model.manifest.sampleRate,
      durationSec: durationOut,
      model: { name: model.manifest.name, version: model.manifest.version, provider: model.provider },
      tokens: gen.tokens.map(toToken),
      weights,
      sampling: gen.sampling,
      timings: {
        textMs: round(gen.timings.textMs),
        lmMs: round(gen.timings.lmMs),
        decodeMs: round(decodeMs),
        totalMs: round(totalMs),
        lmSteps: gen.timings.steps,
        realtimeFactor: round((durationOut * variations * 1000) / totalMs),
      },
    };
  },
};
