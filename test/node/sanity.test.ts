// The paper's sanity check (Fig. 8): explanations must depend on the model. With the LM's weights
// randomised (each tensor's values shuffled: same scale, no learned structure), importances lose their
// structure. Measured as the spread of the holistic importance over tokens (std / mean).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { explain } from '../../electron/engine/explain/index.js';
import { generateCodes } from '../../electron/engine/generate.js';
import { embeddedModelsDir, fileSha256 } from '../../electron/engine/manifest.js';
import { Model } from '../../electron/engine/model.js';
import { Rng } from '../../electron/engine/rng.js';
import { embeddedModel } from './helpers.js';

const tmp = mkdtempSync(join(tmpdir(), 'agx-sanity-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** A copy of the embedded bundle whose LM tensors are shuffled in place (seeded). */
async function randomisedBundle(): Promise<string> {
  const dir = join(tmp, 'randomised');
  cpSync(join(embeddedModelsDir(), 'tiny-foley'), dir, { recursive: true });
  const index = JSON.parse(readFileSync(join(dir, 'lm_weights.index.json'), 'utf8')) as {
    file: string;
    tensors: { offset: number; bytes: number; dtype: string }[];
  };
  const blob = readFileSync(join(dir, index.file));
  const rng = new Rng(1234);
  for (const t of index.tensors) {
    if (t.dtype !== 'float32') continue;
    const v = new Float32Array(blob.buffer, blob.byteOffset + t.offset, t.bytes / 4);
    for (let i = v.length - 1; i > 0; i--) {
      const j = Math.floor(rng.next() * (i + 1));
      [v[i], v[j]] = [v[j]!, v[i]!];
    }
  }
  writeFileSync(join(dir, index.file), blob);
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
  manifest.files[index.file] = { sha256: await fileSha256(join(dir, index.file)), bytes: blob.length };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest));
  return dir;
}

function spread(xs: number[]): number {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  return Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length) / Math.max(mean, 1e-9);
}

describe('sanity check: randomised LM', () => {
  it('every method but random loses structure when the LM is randomised', async () => {
    const trained = await embeddedModel();
    const randomised = await Model.load(await randomisedBundle());
    const prompt = 'a dog barks while rain falls in the background';
    const gen = await generateCodes(trained, { prompt, seed: 0, durationSec: 5 });
    const spreads: Record<string, [number, number]> = {};
    const changes: Record<string, number> = {};
    for (const method of ['audiogenx', 'attention', 'atman', 'gradcam-a', 'gradcam-e', 'chefer']) {
      const a = await explain(trained, prompt, gen.codes[0]!, gen.frames, method, {});
      const b = await explain(randomised, prompt, gen.codes[0]!, gen.frames, method, {});
      spreads[method] = [spread(a.holistic), spread(b.holistic)];
      // relative to the method's own scale: Chefer's scores are ~0.05, AudioGenX's ~0.5
      const scale = Math.max(...a.holistic, ...b.holistic, 1e-9);
      changes[method] = Math.max(...a.holistic.map((x, i) => Math.abs(x - b.holistic[i]!))) / scale;
    }
    console.log('holistic spread (std/mean), trained vs randomised:', JSON.stringify(spreads));
    console.log('largest change of a holistic score / largest score, trained vs randomised:', JSON.stringify(changes));
    // Every method's explanation must depend on the weights.
    for (const [method, change] of Object.entries(changes)) expect(change, method).toBeGreaterThan(0.1);
    // The studio's own method must find structure in the trained model's map.
    expect(spreads.audiogenx![0]).toBeGreaterThan(0.3);
    // And every map with structure (spread >= 0.1) must lose it without the weights. A map that is
    // already nearly flat on this prompt cannot: Grad-CAM-a's (0.048 trained vs 0.126 randomised with
    // 2.0.0; 0.075 vs 0.128 with 1.2.0) and, with 2.0.0, AtMan's (0.053 vs 0.054). Those methods fail
    // the paper's sanity check here, a finding reported in docs/results.md, not a property of correct
    // code this test could assert.
    for (const [method, [t, r]] of Object.entries(spreads)) if (t >= 0.1) expect(r, method).toBeLessThan(t);
    await randomised.close();
  });
});
