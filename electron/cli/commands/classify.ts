import { resolve } from 'node:path';
import { AgxError } from '../../common/errors.js';
import { activitySpans } from '../../engine/classify.js';
import { openJudge } from '../../engine/judge.js';
import { judgeGraph } from '../../engine/manifest.js';
import { type Command, openModel, readAudioFile, round, sessionOptions } from '../command.js';

export const classifyCommand: Command = {
  summary: 'label the sound events in a WAV file with the bundle classifier, or with a converted AudioSet judge (--judge)',
  usage: 'agx classify FILE.wav [--judge DIR|NAME] [--json]',
  options: {
    judge: {
      type: 'string',
      help: 'a converted judge bundle (agx models convert --judge cnn14; docs/convert.md) instead of the bundle classifier',
    },
  },
  async run(values, positionals) {
    if (positionals.length !== 1)
      throw new AgxError('bad_argument', 'agx classify: give exactly one audio file (WAV, FLAC, MP3, Ogg or AIFF)');
    if (typeof values.judge === 'string') return classifyWithJudge(values, positionals[0]!, values.judge);
    const model = await openModel(values);
    judgeGraph(model.manifest, 'agx classify');
    const audio = await readAudioFile(positionals[0]!, model.manifest.sampleRate);
    const { probabilities, activity } = await model.classify(audio);
    const m = model.manifest;
    const labels = m.labels
      .map((label, i) => ({ label, probability: round(probabilities[i]!, 4) }))
      .sort((a, b) => b.probability - a.probability);
    const detected = labels.filter((l) => l.probability >= m.classifierThreshold!).map((l) => l.label);
    return {
      file: resolve(positionals[0]!),
      durationSec: round(audio.length / m.sampleRate, 3),
      labels,
      detected,
      events: activitySpans(activity, m.labels, m.frameRate, detected),
    };
  },
};

/** How many of a judge's labels the report lists (AudioSet has 527). */
const TOP_LABELS = 10;

/** A converted judge: clip-level probabilities only (CNN14 has no frame activity), its top labels first. */
async function classifyWithJudge(values: Record<string, string | boolean | undefined>, file: string, nameOrDir: string): Promise<unknown> {
  const judge = await openJudge(nameOrDir, sessionOptions(values));
  try {
    const audio = await readAudioFile(file, judge.sampleRate);
    const probabilities = await judge.probabilities(audio, judge.sampleRate);
    const labels = judge.labels
      .map((label, i) => ({ label, probability: round(probabilities[i]!, 4) }))
      .sort((a, b) => b.probability - a.probability);
    return {
      file: resolve(file),
      judge: { name: judge.name, architecture: judge.manifest.architecture, dir: judge.dir, sampleRate: judge.sampleRate },
      durationSec: round(audio.length / judge.sampleRate, 3),
      labels: labels.slice(0, TOP_LABELS),
      detected: labels.filter((l) => l.probability >= 0.5).map((l) => l.label),
    };
  } finally {
    await judge.close();
  }
}
