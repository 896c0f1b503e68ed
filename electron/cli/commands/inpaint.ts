import { resolve } from 'node:path';
import { MAX_VARIATIONS, type TimeSpan, toToken } from '../../common/domain.js';
import { AgxError } from '../../common/errors.js';
import { checkRegions } from '../../common/regions.js';
import { encodeWav } from '../../engine/audio/wav.js';
import { encodeForInpaint, INPAINT_CANDIDATES, inpaint } from '../../engine/inpaint.js';
import { checkPromptText } from '../../engine/tokenizer.js';
import { parseWeightSpec } from '../../engine/weights.js';
import { numberOption, requiredString } from '../args.js';
import { type Command, openModel, readAudioFile, round, seedOption, writeFileSafely } from '../command.js';
import { Progress } from '../progress.js';
import { warnUnknownWords } from './generate.js';

/** --region "S:E[,S:E...]" in seconds; each span is checked against the clip by checkRegions. */
function parseRegions(spec: string): TimeSpan[] {
  return spec.split(',').map((part) => {
    const m = /^\s*([^:\s]+)\s*:\s*([^:\s]+)\s*$/.exec(part);
    const span = m ? { startSec: Number(m[1]), endSec: Number(m[2]) } : null;
    if (span === null || !Number.isFinite(span.startSec) || !Number.isFinite(span.endSec)) {
      throw new AgxError('bad_argument', `--region must be start:end seconds, several separated by commas (got "${part.trim()}")`);
    }
    return span;
  });
}

export const inpaintCommand: Command = {
  summary: 'regenerate only a region of a WAV, keeping the rest sample for sample',
  usage:
    'agx inpaint --audio IN.wav --region S:E[,S:E...] --prompt TEXT [--seed N] [--weights "dog=0"] [--candidates N] [--format float32|pcm24|pcm16] --out OUT.wav [--json]',
  options: {
    audio: { type: 'string', help: 'the WAV to edit (any rate and channels; used as 16 kHz mono, at most the model maximum)' },
    region: { type: 'string', help: 'seconds to replace, start:end; several as 1:2,3:3.5' },
    prompt: { type: 'string', help: 'what the region should hold (usually the caption of the whole clip)' },
    seed: { type: 'string', help: 'seed (default 0); candidate c uses seed + c' },
    weights: { type: 'string', help: 'word=weight (0 mutes, 2 emphasises), optionally word=weight@start:end' },
    candidates: { type: 'string', help: `draws per region; the one that joins the tail best is kept (default ${INPAINT_CANDIDATES})` },
    out: { type: 'string', help: 'output WAV file' },
    // float32 keeps the untouched samples exactly; 16-bit would re-quantise them.
    format: { type: 'string', help: 'float32 (default: the untouched samples stay exact), pcm24 or pcm16' },
  },
  async run(values) {
    const input = resolve(requiredString(values, 'audio', 'inpaint'));
    const regionSpec = requiredString(values, 'region', 'inpaint');
    const prompt = requiredString(values, 'prompt', 'inpaint');
    checkPromptText(prompt);
    const out = resolve(requiredString(values, 'out', 'inpaint'));
    const format = values.format ?? 'float32';
    if (format !== 'pcm16' && format !== 'pcm24' && format !== 'float32')
      throw new AgxError('bad_argument', '--format must be float32, pcm24 or pcm16');
    const seed = seedOption(values);
    const candidates = numberOption(
      values,
      'candidates',
      INPAINT_CANDIDATES,
      (n) => Number.isInteger(n) && n >= 1 && n <= MAX_VARIATIONS,
      `an integer from 1 to ${MAX_VARIATIONS}`,
    );
    const requested = parseRegions(regionSpec);
    const model = await openModel(values);
    const m = model.manifest;
    const audio = await readAudioFile(input, m.sampleRate, m.maxDurationSec);
    // Checked here too so a bad region fails before any model work.
    checkRegions(requested, audio.length / m.sampleRate);
    const tokens = await model.tokenizer.encode(prompt);
    warnUnknownWords(m.name, tokens);
    const weights = typeof values.weights === 'string' ? parseWeightSpec(values.weights, tokens) : [];
    const t0 = performance.now();
    const progress = new Progress('inpainting');
    const { codes, frames } = await encodeForInpaint(model, audio);
    const r = await inpaint(model, {
      prompt,
      seed,
      audio,
      codes,
      frames,
      regions: requested,
      weights,
      candidates,
      onProgress: (f) => progress.update(f),
    });
    progress.done();
    writeFileSafely(out, encodeWav(r.audio, m.sampleRate, format));
    return {
      file: out,
      input,
      sampleRate: m.sampleRate,
      durationSec: r.audio.length / m.sampleRate,
      model: { name: m.name, version: m.version, provider: model.provider },
      tokens: r.tokens.map(toToken),
      weights,
      fadeSec: r.fadeSec,
      seams: r.seams.map((s) => ({ ...s, distances: s.distances.map((d) => round(d, 4)) })),
      timings: { totalMs: round(performance.now() - t0) },
    };
  },
};
