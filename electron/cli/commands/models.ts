import { basename } from 'node:path';
import { checkBundleFiles, listBundles } from '../../engine/manifest.js';
import type { Command } from '../command.js';

export const modelsCommand: Command = {
  summary: 'list the model bundles found, their sizes and checksum status',
  usage: 'agx models [--json]',
  options: {},
  async run() {
    const out = [];
    for (const b of listBundles()) {
      if (b.manifest === undefined) {
        out.push({ name: basename(b.dir), dir: b.dir, status: 'invalid', error: b.error });
        continue;
      }
      const checks = await checkBundleFiles({ dir: b.dir, manifest: b.manifest });
      const bad = checks.filter((c) => c.status !== 'ok');
      const bytes = Object.values(b.manifest.files).reduce((s, f) => s + f.bytes, 0);
      out.push({
        name: b.manifest.name,
        version: b.manifest.version,
        dir: b.dir,
        bytes,
        status: bad.length === 0 ? 'ok' : 'checksum mismatch',
        problems: bad,
      });
    }
    return { models: out };
  },
};
