// native-models/build/agx_build's layering (lib <- stages <- tools, build_all), no import cycles and no sys.path
// patching, checked from the Python source by its own stdlib-only script (no torch needed).
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';

const python = spawnSync('python3', ['--version']).status === 0 ? 'python3' : undefined;

describe('native-models/build package', () => {
  it.skipIf(!python)('keeps its layers, has no import cycles and leaves sys.path alone', () => {
    const out = execFileSync(python!, ['-m', 'agx_build.tools.check_imports'], {
      cwd: join(embeddedModelsDir(), 'build'),
      encoding: 'utf8',
    });
    expect(out).toContain('ok');
  });
});
