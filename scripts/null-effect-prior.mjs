// The null-effect prior of "AudioGenX + null-effect prior" (ours) scored as if it were the explanation:
// per step and word, 1 - cos(e_t, e_t with the word muted) over the clip's largest, through the same
// ground-truth metrics as `agx benchmark-gt` (docs/decisions.md: why the prior cannot lift the frame AUC).
//
//   npx tsc -p tsconfig.json && nice -n 10 node scripts/null-effect-prior.mjs DIR   (a gt.json folder: gt_validation.py's, never to choose on test clips)
import { holisticMeans } from '../dist/electron/common/mask.js';
import { addClip, emptyTally, encodeClip, readGroundTruth, scoreClip, summarise } from '../dist/electron/engine/ground-truth.js';
import { nullEffectPrior, unpad } from '../dist/electron/engine/explain/audiogenx.js';
import { mutingEffects, teacherForce } from '../dist/electron/engine/explain/teacher.js';
import { Model } from '../dist/electron/engine/model.js';
const set = process.argv[2];
const model = await Model.load(undefined, { threads: 1 });
const tally = emptyTally();
for (const clip of readGroundTruth(set)) {
  const { codes, frames } = await encodeClip(model, set, clip);
  const input = await teacherForce(model, clip.caption, codes, frames);
  const prior = nullEffectPrior(await mutingEffects(model, input));
  const steps = unpad(prior, input.bucket.tokens, input.steps, input.tokens.length);
  const e = { tokens: input.tokens, steps, holistic: holisticMeans(steps), frameRate: model.manifest.frameRate };
  addClip(tally, scoreClip(e, clip, frames), clip.caption);
}
console.log(JSON.stringify(summarise(tally)));
