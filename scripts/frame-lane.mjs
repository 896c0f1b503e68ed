// The lanes read in step time (row f = frame f) against frame time (frame f = mean of the K rows that
// write it under the delay pattern), scored from the same masks (docs/decisions.md, "Lanes in frame
// time"). Run on the validation set first; the rule there decides.
//
//   npx tsc -p tsconfig.json && nice -n 10 node scripts/frame-lane.mjs --set DIR --methods audiogenx --out FILE
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { addClip, emptyTally, encodeClip, readGroundTruth, scoreClip, summarise } from '../dist/electron/engine/ground-truth.js';
import { explain } from '../dist/electron/engine/explain/index.js';
import { Model } from '../dist/electron/engine/model.js';

const { values } = parseArgs({ options: { set: { type: 'string' }, methods: { type: 'string' }, out: { type: 'string' } } });
const model = await Model.load(undefined, { threads: 1 });
const K = model.manifest.codebooks;
const methods = values.methods.split(',');
const clips = readGroundTruth(values.set);
const tallies = Object.fromEntries(
  methods.flatMap((m) => [
    [`${m} step`, emptyTally()],
    [`${m} frame`, emptyTally()],
  ]),
);
const frameRows = (steps, frames) =>
  Array.from({ length: frames }, (_, f) => {
    const to = Math.min(f + K, steps.length);
    const row = new Float32Array(steps[0].length);
    for (let s = f; s < to; s++) for (let i = 0; i < row.length; i++) row[i] += steps[s][i] / (to - f);
    return row;
  });
for (const [n, clip] of clips.entries()) {
  const { codes, frames } = await encodeClip(model, values.set, clip);
  for (const m of methods) {
    const e = await explain(model, clip.caption, codes, frames, m, {});
    addClip(tallies[`${m} step`], scoreClip(e, clip, frames), clip.caption);
    addClip(tallies[`${m} frame`], scoreClip({ ...e, steps: frameRows(e.steps, frames) }, clip, frames), clip.caption);
  }
  process.stderr.write(`${n + 1}/${clips.length}\n`);
}
const out = {
  set: values.set,
  bundle: `${model.manifest.name} ${model.manifest.version}`,
  K,
  runs: Object.fromEntries(Object.entries(tallies).map(([k, t]) => [k, summarise(t)])),
};
writeFileSync(values.out, JSON.stringify(out, null, 1) + '\n');
for (const [k, s] of Object.entries(out.runs))
  console.log(
    k.padEnd(22),
    'frameAuc',
    s.frameAuc.toFixed(4),
    'median',
    s.frameAucMedian.toFixed(4),
    'contrast',
    s.spanContrast.toFixed(3),
    'pointing',
    s.pointing.toFixed(4),
    `(${Math.round(s.pointing * s.events)}/${s.events})`,
  );
await model.close();
