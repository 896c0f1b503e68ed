// AudioGenX's settings swept on a validation ground-truth set (native-models/build/agx_build/tools/
// gt_validation.py: never the test clips), every setting scored with the same metrics as
// `agx benchmark-gt`. The rule that picks the default is written in docs/decisions.md ("AudioGenX's
// settings, chosen on validation ground truth") before this ran.
//
//   npx tsc -p tsconfig.json
//   nice -n 10 node scripts/audiogenx-sweep.mjs --set DIR --out docs/data/sweep-audiogenx.json [--only a,b] [--threads 1]
//
// Each clip is encoded once and explained under every setting; --only splits the settings between
// processes (their files merge with --merge A.json,B.json). The np-gamma-* settings are our variant,
// "AudioGenX + null-effect prior" (method audiogenx-np, docs/decisions.md), at the shipped default's other settings.
//
//   nice -n 10 node scripts/audiogenx-sweep.mjs --set DIR --out docs/data/sweep-audiogenx-np.json \
//     --only alpha-1e-2-epochs-25,np-gamma-0.003,np-gamma-0.01,np-gamma-0.03,np-gamma-0.1
import { readFileSync, writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { AUDIOGENX_DEFAULT, AUDIOGENX_PRESETS } from '../dist/electron/common/methods.js';
import { addClip, emptyTally, encodeClip, readGroundTruth, scoreClip, summarise } from '../dist/electron/engine/ground-truth.js';
import { explain } from '../dist/electron/engine/explain/index.js';
import { Model } from '../dist/electron/engine/model.js';

const paper = AUDIOGENX_PRESETS.paper;
/** Every setting, named; each changes the paper's settings in one or two places. */
export const SETTINGS = {
  paper: { ...paper },
  'alpha-1e-2': { ...paper, alpha: 1e-2 },
  'alpha-3e-2': { ...paper, alpha: 3e-2 },
  'alpha-1e-1': { ...paper, alpha: 1e-1 },
  'alpha-1e-2-beta-0': { ...paper, alpha: 1e-2, beta: 0 },
  'alpha-1e-2-lr-3e-3': { ...paper, alpha: 1e-2, lr: 3e-3 },
  'alpha-1e-2-init-0.1': { ...paper, alpha: 1e-2, init: 0.1 },
  'alpha-1e-2-epochs-25': { ...paper, alpha: 1e-2, epochs: 25 },
  ...Object.fromEntries([0.003, 0.01, 0.03, 0.1].map((gamma) => [`np-gamma-${gamma}`, { ...AUDIOGENX_DEFAULT, gamma }])),
};
const methodOf = (name) => (name.startsWith('np-') ? 'audiogenx-np' : 'audiogenx');

const { values } = parseArgs({
  options: {
    set: { type: 'string' },
    out: { type: 'string' },
    only: { type: 'string' },
    threads: { type: 'string' },
    merge: { type: 'string' },
  },
});
if (values.merge) {
  const parts = values.merge.split(',').map((f) => JSON.parse(readFileSync(f, 'utf8')));
  const merged = { ...parts[0], settings: Object.assign({}, ...parts.map((p) => p.settings)) };
  writeFileSync(values.out, JSON.stringify(merged, null, 1) + '\n');
  process.exit(0);
}
const names = values.only ? values.only.split(',') : Object.keys(SETTINGS);
for (const n of names) if (!SETTINGS[n]) throw new Error(`unknown setting ${n}`);
const model = await Model.load(undefined, { threads: Number(values.threads ?? 1) });
const all = readGroundTruth(values.set);
// sequential and overlapping clips alternate, so the scores written after every clip are of a balanced prefix
const half = Math.ceil(all.length / 2);
const order = Array.from({ length: all.length }, (_, i) => (i % 2 === 0 ? i / 2 : half + (i - 1) / 2));
const tallies = Object.fromEntries(names.map((n) => [n, emptyTally()]));
const t0 = Date.now();
for (const [done, k] of order.entries()) {
  const clip = all[k];
  const { codes, frames } = await encodeClip(model, values.set, clip);
  for (const n of names)
    addClip(tallies[n], scoreClip(await explain(model, clip.caption, codes, frames, methodOf(n), SETTINGS[n]), clip, frames), clip.caption);
  writeFileSync(
    values.out,
    JSON.stringify(
      {
        set: `gt_validation.py --n ${all.length} (validation split, seeds from 1000)`,
        clips: done + 1,
        of: all.length,
        bundle: `${model.manifest.name} ${model.manifest.version}`,
        seconds: (Date.now() - t0) / 1000,
        settings: Object.fromEntries(names.map((n) => [n, { method: methodOf(n), params: SETTINGS[n], scores: summarise(tallies[n]) }])),
      },
      null,
      1,
    ) + '\n',
  );
  console.error(`${done + 1}/${all.length} clips, ${((Date.now() - t0) / 1000).toFixed(0)} s`);
}
