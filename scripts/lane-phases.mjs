// Where a sequential clip's lanes are high: for each event, the mean of its strongest naming word's
// lane before its onset, inside its span and after its end (docs/decisions.md, "Where the frame goal
// stands"). Needs dist/ (npx tsc -p tsconfig.json).
//
//   node scripts/lane-phases.mjs DIR [METHOD]
import { encodeClip, isSequential, readGroundTruth } from '../dist/electron/engine/ground-truth.js';
import { explain } from '../dist/electron/engine/explain/index.js';
import { Model } from '../dist/electron/engine/model.js';
import { stepRange } from '../dist/electron/common/mask.js';
const model = await Model.load(undefined, { threads: 1 });
const set = process.argv[2];
const method = process.argv[3] ?? 'audiogenx';
const clips = readGroundTruth(set);
const mean = (a) => (a.length ? a.reduce((x, y) => x + y, 0) / a.length : NaN);
const rows = [];
for (const clip of clips) {
  if (!isSequential(clip)) continue;
  const { codes, frames } = await encodeClip(model, set, clip);
  const e = await explain(model, clip.caption, codes, frames, method, {});
  for (const [k, ev] of clip.events.entries()) {
    const w = ev.word_idx.reduce((b, i) => (e.holistic[i] > e.holistic[b] ? i : b));
    const lane = e.steps.slice(0, frames).map((r) => r[w]);
    const [from, to] = stepRange(e.frameRate, frames, ev.start, ev.end);
    const before = lane.slice(0, from),
      inside = lane.slice(from, to),
      after = lane.slice(to);
    rows.push({ k, before: mean(before), inside: mean(inside), after: mean(after), nb: before.length, na: after.length });
    console.log(
      clip.caption.padEnd(60),
      k,
      ev.label.padEnd(8),
      'before',
      mean(before).toFixed(3),
      `(${before.length})`,
      'inside',
      mean(inside).toFixed(3),
      'after',
      mean(after).toFixed(3),
      `(${after.length})`,
    );
  }
}
const B = rows.filter((r) => r.nb >= 5),
  A = rows.filter((r) => r.na >= 5);
console.log(
  'mean before-onset',
  mean(B.map((r) => r.before)).toFixed(3),
  'n',
  B.length,
  '| inside',
  mean(rows.map((r) => r.inside)).toFixed(3),
  '| after-end',
  mean(A.map((r) => r.after)).toFixed(3),
  'n',
  A.length,
);
await model.close();
