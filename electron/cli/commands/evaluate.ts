import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AgxError, toErrorData } from '../../common/errors.js';
import { isAudioGenX, parseMethodParams } from '../../common/methods.js';
import { getMethod, METHODS } from '../../engine/explain/index.js';
import { openJudge } from '../../engine/judge.js';
import { judgeGraph } from '../../engine/manifest.js';
import { captionsFromCsv, evaluatePrompt, type PromptScores, rescore, summarise } from '../../engine/faithfulness.js';
import { numberOption, requiredString } from '../args.js';
import { type Command, durationOption, openModel, sessionOptions } from '../command.js';
import { Progress } from '../progress.js';

export const evaluateCommand: Command = {
  summary:
    "the paper's faithfulness protocol: Fid_F, Fid_CF, KL_F, KL_CF and Size per method with bootstrap 95% intervals over prompts and a paired test against AudioGenX, plus the no-mask floor; beside them the same under the bundle's calibrated judge where its manifest has one",
  usage:
    'agx evaluate --prompts FILE.csv --methods LIST [--seeds 5] [--duration S] [--scaling matrix|step] [--size-match] [--audiogenx K=V,...] [--average-steps] [--judge DIR|NAME] [--out DIR] [--json]',
  options: {
    prompts: { type: 'string', help: 'CSV with a "caption" column (AudioCaps test.csv format; other columns ignored)' },
    methods: { type: 'string', help: `comma-separated; any of: ${Object.keys(METHODS).join(', ')}` },
    seeds: { type: 'string', help: 'regeneration seeds per prompt (default 5: seeds 1..5; the original uses seed 0)' },
    duration: { type: 'string', help: 'clip length in seconds (default: the maximum, 5)' },
    scaling: {
      type: 'string',
      help: "how the baselines' scores become masks: matrix (by the whole matrix's maximum; default) or step (min-max per step)",
    },
    'size-match': {
      type: 'boolean',
      help: "bring every baseline's mask to AudioGenX's Size on the same clip (m -> m^p; needs audiogenx among the methods)",
    },
    audiogenx: {
      type: 'string',
      help: "AudioGenX's parameters as key=value pairs, comma-separated (e.g. preset=paper or alpha=0.01,beta=0.1); default: the shipped default",
    },
    'average-steps': {
      type: 'boolean',
      help: "replace every mask by its mean over steps, one value per token at every step (the paper's averaged-mask ablation)",
    },
    judge: {
      type: 'string',
      help: "the classifier that scores the clips: a converted judge bundle (agx models convert --judge cnn14; docs/convert.md); default the bundle's own",
    },
    out: { type: 'string', help: 'folder for results.jsonl (appended per prompt, so a rerun resumes); default: a temp folder' },
  },
  async run(values) {
    const csvPath = requiredString(values, 'prompts', 'evaluate');
    const methods = requiredString(values, 'methods', 'evaluate')
      .split(',')
      .map((x) => x.trim())
      .filter((x) => x.length > 0);
    methods.forEach((x) => getMethod(x));
    const scaling = typeof values.scaling === 'string' ? values.scaling : 'matrix';
    // AudioGenX has no scaling: its mask is already in [0, 1]; the catalog checks the value for the rest
    const params = Object.fromEntries(methods.filter((m) => !isAudioGenX(m)).map((m) => [m, parseMethodParams(m, { scaling })]));
    const audiogenxText = typeof values.audiogenx === 'string' ? values.audiogenx : '';
    if (audiogenxText !== '') params.audiogenx = parseMethodParams('audiogenx', keyValues(audiogenxText));
    const averageSteps = values['average-steps'] === true;
    const sizeMatch = values['size-match'] === true;
    if (sizeMatch && !methods.includes('audiogenx')) throw new AgxError('bad_argument', '--size-match needs audiogenx among the --methods');
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
    const judge = typeof values.judge === 'string' ? await openJudge(values.judge, sessionOptions(values)) : undefined;
    if (judge === undefined) judgeGraph(model.manifest, 'agx evaluate (the faithfulness judge)');
    const durationSec = durationOption(values, model.manifest);
    const opts = {
      seeds: Array.from({ length: nSeeds }, (_, i) => i + 1),
      originalSeed: 0,
      durationSec,
      params,
      sizeMatch,
      averageSteps,
      ...(judge ? { judge } : {}),
    };
    const progress = new Progress('evaluating');
    const rows: PromptScores[] = [];
    let skipped = 0;
    for (const [i, caption] of captions.entries()) {
      // today's protocol keeps its old key, so results written before these options still resume
      const variant =
        scaling === 'matrix' && !sizeMatch && audiogenxText === '' && !averageSteps
          ? ''
          : `\t${scaling}${sizeMatch ? '\tsize-match' : ''}${audiogenxText ? `\taudiogenx:${audiogenxText}` : ''}${averageSteps ? '\taverage-steps' : ''}`;
      // another judge's scores are other results: its name joins the key (the bundle's own keeps the old key)
      const key = `${i}\t${caption}\t${methods.join(',')}\t${nSeeds}\t${durationSec}${variant}${judge ? `\tjudge:${judge.name}` : ''}`;
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
    await judge?.close();
    const { floor, ...byMethod } = summarise(rows);
    // the raw judge's figures stay the headline for continuity; the calibrated ones sit beside them
    // (the bundle's temperature was fitted to its own classifier: a converted judge has none)
    const temperature = judge ? undefined : model.manifest.judge?.temperature;
    const rescored = temperature === undefined ? [] : rescore(rows, temperature);
    let calibrated = null;
    if (rescored.length > 0) {
      const { floor: calibratedFloor, ...calibratedMethods } = summarise(rescored);
      // results written before the judge's outputs were kept cannot be rescored: say how many prompts were
      const prompts = new Set(rescored.map((r) => r.prompt)).size;
      calibrated = { temperature, prompts, methods: calibratedMethods, floor: calibratedFloor ?? null };
    }
    return {
      judge: judge
        ? { name: judge.name, architecture: judge.manifest.architecture, sampleRate: judge.sampleRate, dir: judge.dir }
        : { name: `${model.manifest.name} classifier` },
      methods: byMethod,
      floor: floor ?? null,
      calibrated,
      prompts: captions.length - skipped,
      skipped,
      seeds: nSeeds,
      scaling,
      sizeMatch,
      averageSteps,
      audiogenx: params.audiogenx ?? null,
      results: resultsPath,
    };
  },
};

/** "alpha=0.01,preset=paper" -> { alpha: 0.01, preset: 'paper' }: numbers where the value reads as one; the catalog checks the rest. */
function keyValues(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of text.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new AgxError('bad_argument', `--audiogenx takes key=value pairs separated by commas; got "${pair.slice(0, 64)}"`);
    const value = pair.slice(eq + 1).trim();
    out[pair.slice(0, eq).trim()] = value !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
  }
  return out;
}
