import { resolve } from 'node:path';
import { AgxError } from '../../common/errors.js';
import { activitySpans } from '../../engine/classify.js';
import { judgeGraph } from '../../engine/manifest.js';
import { type Command, openModel, readAudioFile, round } from '../command.js';

export const classifyCommand: Command = {
  summary: 'label the sound events in a WAV file with the bundle classifier',
  usage: 'agx classify FILE.wav [--json]',
  options: {},
  async run(values, positionals) {
    if (positionals.length !== 1)
      throw new AgxError('bad_argument', 'agx classify: give exactly one audio file (WAV, FLAC, MP3, Ogg or AIFF)');
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
