// Temperature-scales the judge (the bundle's classifier.onnx, as `agx evaluate` reads it) on
// validation clips and writes docs/data/judge-calibration.json: every clip's sigmoid outputs, the
// fitted temperature, and the calibration errors before and after (issue 18 item 5).
//
//   cd native-models/build && OPENBLAS_NUM_THREADS=1 /usr/bin/python3 -m agx_build.tools.judge_validation --out DIR
//   npx tsc -p tsconfig.json && node scripts/calibrate-judge.mjs DIR [docs/data/judge-calibration.json]
//   node scripts/calibrate-judge.mjs --refit docs/data/judge-calibration.json   # refit from the kept outputs only
//
// Each clip goes through the codec (encode, then decode with Griffin-Lim) before the judge hears
// it, as every generated clip the protocol judges does; the original audio's outputs are kept too.
// Outputs are kept at float32 precision: a saturated judge differs from another only near 1.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { calibrationError, fitTemperature } from '../dist/electron/engine/classify.js';
import { toModelAudio } from '../dist/electron/engine/audio/load.js';
import { Model } from '../dist/electron/engine/model.js';

const round = (x) => Number(x.toPrecision(6));

function summary(clips, key) {
  const set = clips.map((c) => ({ probs: c[key], present: c.present }));
  const temperature = fitTemperature(set);
  return { temperature: round(temperature), raw: calibrationError(set, 1), calibrated: calibrationError(set, temperature) };
}

function report(data) {
  const decoded = summary(data.clips, 'decoded');
  return { ...data, fit: { decoded, original: summary(data.clips, 'original') } };
}

const args = process.argv.slice(2);
let data;
let out;
if (args[0] === '--refit') {
  out = args[1];
  data = JSON.parse(readFileSync(out, 'utf8'));
} else {
  const [dir, target = 'docs/data/judge-calibration.json'] = args;
  if (!dir) throw new Error('usage: node scripts/calibrate-judge.mjs DIR [OUT.json] | --refit OUT.json');
  out = target;
  const model = await Model.load();
  const labels = model.manifest.labels;
  const gt = JSON.parse(readFileSync(join(dir, 'gt.json'), 'utf8'));
  const clips = [];
  for (const c of gt.clips) {
    const audio = await toModelAudio(readFileSync(join(dir, c.file)), model.manifest.sampleRate);
    const enc = await model.encodeAudio(audio);
    const [decoded] = await model.decode([enc.codes], enc.frames);
    const present = [...new Set(c.events.map((e) => labels.indexOf(e.label)))];
    clips.push({
      seed: c.seed,
      caption: c.caption,
      present,
      original: Array.from((await model.classify(audio)).probabilities),
      decoded: Array.from((await model.classify(decoded)).probabilities),
    });
    if (clips.length % 50 === 0) process.stderr.write(`${clips.length}/${gt.clips.length}\n`);
  }
  await model.close();
  data = { bundle: `${model.manifest.name} ${model.manifest.version}`, labels, clips };
}
const { fit: _old, ...kept } = data;
const result = report(kept);
writeFileSync(out, JSON.stringify(result, null, 1) + '\n');
console.log(JSON.stringify(result.fit, null, 1));
