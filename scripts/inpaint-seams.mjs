// The seam measurement of docs/decisions.md ("Replacing a region"): 8 clips, one region each, inpainted
// with 1, 4 and 8 candidates. Writes WAVs and index.json to OUT (argv[2]) for scripts/inpaint-seams.py.
// Run after `npx tsc -p tsconfig.json`: node scripts/inpaint-seams.mjs /tmp/seams
import { mkdirSync, writeFileSync } from 'node:fs';
import { Model } from '../dist/electron/engine/model.js';
import { generateCodes } from '../dist/electron/engine/generate.js';
import { inpaint } from '../dist/electron/engine/inpaint.js';
import { encodeWav } from '../dist/electron/engine/audio/wav.js';
const OUT = process.argv[2] ?? '/tmp/seams';
mkdirSync(OUT, { recursive: true });
const m = await Model.load(undefined, { threads: 2 });
const cases = [
  ['a dog barks while rain falls', 1, 1.5, 2.5],
  ['a siren wails while wind blows', 2, 2.0, 3.0],
  ['a bell rings then a clock ticks', 3, 1.0, 2.2],
  ['rain falls and thunder rumbles', 4, 2.5, 3.5],
  ['footsteps then a door slams', 5, 1.2, 2.0],
  ['water runs while a bird sings', 6, 3.0, 4.0],
  ['an engine hums while a phone rings', 7, 0.8, 1.8],
  ['people clap while wind blows', 8, 2.2, 3.2],
];
const index = [];
for (const [prompt, seed, S, E] of cases) {
  const g = await generateCodes(m, { prompt, seed, durationSec: 5 });
  const [audio] = await m.decode(g.codes, g.frames);
  const name = `c${seed}`;
  writeFileSync(`${OUT}/${name}-orig.wav`, encodeWav(audio, 16000, 'float32'));
  const row = { name, prompt, S, E, runs: {} };
  for (const N of [1, 4, 8]) {
    const r = await inpaint(m, {
      prompt,
      seed: 100 + seed,
      audio,
      codes: g.codes[0],
      frames: g.frames,
      regions: [{ startSec: S, endSec: E }],
      candidates: N,
    });
    writeFileSync(`${OUT}/${name}-n${N}.wav`, encodeWav(r.audio, 16000, 'float32'));
    row.runs[N] = r.seams[0];
  }
  index.push(row);
  console.log(name, JSON.stringify(row.runs[8].distances.map((d) => d.toFixed(2))), row.runs[8].chosenSeed);
}
writeFileSync(`${OUT}/index.json`, JSON.stringify(index, null, 1));
