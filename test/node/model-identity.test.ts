// A take records the identity of the model that made it (manifest "identity"): it survives a re-export of
// the graphs (bundles 2.1.0 to 2.3.0 keep 2.0.0's, so takes saved before stay explainable) and changes with the weights.
import { execFile, spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { embeddedModelsDir, manifestSha256, modelInfoOf, resolveBundle } from '../../electron/engine/manifest.js';

const python = '/usr/bin/python3';
const hasTorch = spawnSync(python, ['-c', 'import torch, onnx'], { encoding: 'utf8' }).status === 0;
const BUILD = join(embeddedModelsDir(), 'build');
/** sha256 of bundle 2.0.0's manifest.json: what every take made with 2.0.0 recorded as its model. */
const BUNDLE_2_0_0 = '48c76121128ea79e8dbe5cb0ad3d9865a8b7ba5972d3b7668f8e7716625259c1';

/** The identity tools/reexport.py would write for a bundle (computed from its tensors by the build's code). */
async function identityOf(dir: string): Promise<{ id: string; weightsSha256: string }> {
  const { stdout } = await promisify(execFile)(python, ['-m', 'agx_build.tools.reexport', '--identity', '--bundle', dir], {
    cwd: BUILD,
    env: { ...process.env, OPENBLAS_NUM_THREADS: '1' },
  });
  return JSON.parse(stdout);
}

describe('model identity', () => {
  it("is carried forward from 2.0.0's manifest sha256, and is what the studio compares takes with", () => {
    const bundle = resolveBundle('tiny-foley');
    expect(bundle.manifest.version).toBe('2.3.0');
    expect(bundle.manifest.identity?.id).toBe(BUNDLE_2_0_0);
    const info = modelInfoOf(bundle);
    expect(info.identity).toBe(BUNDLE_2_0_0);
    // the re-exported graphs changed the manifest, not the identity
    expect(info.manifestSha256).not.toBe(BUNDLE_2_0_0);
  });

  it.skipIf(!hasTorch)(
    'survives a re-export of the graphs and changes when a weight changes',
    async () => {
      const dir = join(embeddedModelsDir(), 'tiny-foley');
      const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
      // The digest recomputed from the bundle's tensors is the one the manifest holds: the graphs were
      // re-exported (2.0.0 -> 2.1.0 -> 2.2.0 -> 2.3.0) over the same weights.
      expect(await identityOf(dir)).toEqual(manifest.identity);
      // One weight changed (the first float of a code embedding): another model, another identity.
      const scratch = mkdtempSync(join(tmpdir(), 'agx-identity-'));
      const copy = join(scratch, 'tiny-foley');
      cpSync(dir, copy, { recursive: true });
      const index = JSON.parse(readFileSync(join(copy, 'lm_weights.index.json'), 'utf8'));
      const entry = index.tensors.find((t: { names: string[] }) => t.names.includes('lm.code_emb.0.weight'));
      const blob = readFileSync(join(copy, 'lm_weights.bin'));
      const view = new DataView(blob.buffer, blob.byteOffset + entry.offset, 4);
      view.setFloat32(0, view.getFloat32(0, true) + 0.01, true);
      writeFileSync(join(copy, 'lm_weights.bin'), blob);
      try {
        const changed = await identityOf(copy);
        expect(changed.weightsSha256).not.toBe(manifest.identity.weightsSha256);
        expect(changed.id).not.toBe(manifest.identity.id);
        expect(manifestSha256(copy)).toBe(manifestSha256(dir)); // only the weights differ
      } finally {
        rmSync(scratch, { recursive: true, force: true });
      }
    },
    180_000,
  );
});
