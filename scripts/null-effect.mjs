// What removing each prompt word does to the LM, and what AudioGenX's mask does with it (issue 18,
// docs/decisions.md "Words that do nothing"). For every clip of a ground-truth set: the clip's audio
// teacher-forced under its caption once as is and once per word with that word at weight 0 (muted as
// generation mutes it: its post-softmax cross-attention x 0), and the effect of the word =
// mean over the clip's steps of 1 - cos(e_t, e_t without the word) -- the quantity AudioGenX's
// counterfactual term rewards. With --explain a,b (settings of scripts/audiogenx-sweep.mjs) it also
// runs AudioGenX on the first --explain-clips clips and records, every 5 epochs, each word's mean p
// and the four loss terms.
//
//   npx tsc -p tsconfig.json && nice -n 10 node scripts/null-effect.mjs --set DIR --out FILE [--explain paper,alpha-1e-2] [--explain-clips 3]
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { holisticMeans } from '../dist/electron/common/mask.js';
import { AUDIOGENX_PRESETS } from '../dist/electron/common/methods.js';
import { toModelAudio } from '../dist/electron/engine/audio/load.js';
import { explain } from '../dist/electron/engine/explain/index.js';
import { teacherForce } from '../dist/electron/engine/explain/teacher.js';
import { readGroundTruth, wordMutingEffects } from '../dist/electron/engine/ground-truth.js';
import { Model } from '../dist/electron/engine/model.js';

const { values } = parseArgs({
  options: {
    set: { type: 'string' },
    out: { type: 'string' },
    explain: { type: 'string' },
    'explain-clips': { type: 'string' },
  },
});
const model = await Model.load(undefined, { threads: 1 });
const clips = readGroundTruth(values.set);

const paper = AUDIOGENX_PRESETS.paper;
const SETTINGS = { paper, 'alpha-1e-2': { ...paper, alpha: 1e-2 } };
const explainNames = values.explain ? values.explain.split(',') : [];
const explainClips = Number(values['explain-clips'] ?? 3);
const out = [];
for (const [n, clip] of clips.entries()) {
  const { codes, frames } = await model.encodeAudio(
    await toModelAudio(readFileSync(join(values.set, clip.file)), model.manifest.sampleRate),
  );
  const base = await teacherForce(model, clip.caption, codes, frames);
  const named = new Set(clip.events.flatMap((e) => e.word_idx));
  const effects = await wordMutingEffects(model, base);
  const words = base.tokens.map((t, i) => ({ word: clip.words[i], naming: named.has(i), unknown: t.unknown, effect: effects[i] }));
  const row = { caption: clip.caption, words };
  // only clips with an unknown word are worth the optimisation's time here
  if (explainNames.length > 0 && out.filter((r) => r.runs).length < explainClips && words.some((w) => w.unknown)) {
    row.runs = {};
    for (const name of explainNames) {
      const trace = [];
      const e = await explain(model, clip.caption, codes, frames, 'audiogenx', SETTINGS[name], {
        onProgress: (f, partial) => {
          if (partial) trace.push(holisticMeans(partial));
        },
      });
      row.runs[name] = { holistic: e.holistic, meanPEvery5Epochs: trace, losses: e.diagnostics.losses };
    }
  }
  out.push(row);
  console.error(`${n + 1}/${clips.length}`);
}
writeFileSync(values.out, JSON.stringify({ set: values.set, clips: out }, null, 1) + '\n');
