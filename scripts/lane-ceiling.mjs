// The frame AUC a lane would score if it were the LM's own dependence on the word (per step, and over
// every step), on a ground-truth set's sequential clips: how time-localised a faithful explanation's
// lanes can be expected to be (docs/decisions.md, "Where the frame goal stands"). The clips are
// encoded and teacher-forced here, the dependence is PyTorch's (agx_build/tools/lane_ceiling.py:
// one batched forward per word).
//
//   npx tsc -p tsconfig.json && node scripts/lane-ceiling.mjs --set DIR --out FILE
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { teacherForce, teacherForcedJson } from '../dist/electron/engine/explain/teacher.js';
import { encodeClip, isSequential, readGroundTruth } from '../dist/electron/engine/ground-truth.js';
import { embeddedModelsDir } from '../dist/electron/engine/manifest.js';
import { Model } from '../dist/electron/engine/model.js';

const { values } = parseArgs({ options: { set: { type: 'string' }, out: { type: 'string' } } });
const model = await Model.load(undefined, { threads: 1 });
const sequential = readGroundTruth(values.set).filter(isSequential);
const inputs = [];
for (const clip of sequential) {
  const { codes, frames } = await encodeClip(model, values.set, clip);
  inputs.push({
    caption: clip.caption,
    events: clip.events,
    frames,
    ...teacherForcedJson(await teacherForce(model, clip.caption, codes, frames)),
  });
}
const bundleDir = model.bundle.dir;
await model.close();
const dir = mkdtempSync(join(tmpdir(), 'agx-lane-ceiling-'));
try {
  writeFileSync(join(dir, 'input.json'), JSON.stringify(inputs));
  const build = join(embeddedModelsDir(), 'build');
  process.stdout.write(
    execFileSync('/usr/bin/python3', ['-m', 'agx_build.tools.lane_ceiling', bundleDir, join(dir, 'input.json'), values.out], {
      env: { ...process.env, OPENBLAS_NUM_THREADS: '1', PYTHONPATH: build },
      encoding: 'utf8',
    }),
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
