// The packaging configuration as the tools read it: forge.config.ts loaded as Forge would (its Vite
// entries, asar unpacking, what the package keeps), and electron-builder.yml checked against
// electron-builder's own schema. Packaging itself downloads Electron and cannot run here.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PACKAGED_MODEL_FOLDER } from '../../electron/main/policy.js';
import forgeConfig, { ASAR_UNPACK, ignoreInPackage, packagedExecutable, runtimePackages } from '../../forge.config.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(import.meta.url);

describe('forge.config.ts', () => {
  it('builds main (with the worker), preload and renderer through the Vite plugin', () => {
    const vite = forgeConfig.plugins?.find((p) => (p as { name?: string }).name === 'vite') as unknown as {
      config: { build: { entry: string; config: string; target: string }[]; renderer: { config: string }[] };
    };
    expect(vite).toBeDefined();
    expect(vite.config.build).toEqual([
      { entry: 'electron/main/main.ts', config: 'vite.main.config.ts', target: 'main' },
      { entry: 'electron/preload/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
    ]);
    expect(vite.config.renderer.map((r) => r.config)).toEqual(['vite.renderer.config.ts']);
  });

  it('unpacks native binaries from app.asar and ships the model as an extra resource', () => {
    const packager = forgeConfig.packagerConfig!;
    expect(packager.asar).toEqual({ unpack: ASAR_UNPACK });
    // The matcher @electron/asar itself uses for `unpack`, with its options.
    const minimatch = createRequire(require.resolve('@electron/asar'))('minimatch') as (
      path: string,
      pattern: string,
      options: object,
    ) => boolean;
    for (const f of [
      '/app/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
      '/app/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1',
      '/app/node_modules/onnxruntime-node/bin/napi-v6/win32/x64/onnxruntime.dll',
    ]) {
      expect(minimatch(f, ASAR_UNPACK, { matchBase: true }), f).toBe(true);
    }
    expect(minimatch('/app/.vite/build/main.js', ASAR_UNPACK, { matchBase: true })).toBe(false);
    expect(packager.extraResource).toEqual([join(ROOT, 'native-models', PACKAGED_MODEL_FOLDER)]);
  });

  it('keeps the builds, the renderer and the native modules with their run-time dependencies, and nothing else', () => {
    const keep = runtimePackages(ROOT);
    for (const name of ['onnxruntime-node', 'onnxruntime-common', 'better-sqlite3', 'bindings', 'tokenizers'])
      expect(keep.has(name), name).toBe(true);
    for (const name of ['electron', 'vite', 'react', 'zod', 'vitest', '@electron-forge/cli']) expect(keep.has(name), name).toBe(false);
    const kept = (f: string) => !ignoreInPackage(f, keep);
    for (const f of [
      '',
      '/package.json',
      '/.vite',
      '/.vite/build/main.js',
      '/.vite/build/engine-worker.js',
      '/dist',
      '/dist/renderer/index.html',
      '/node_modules',
      '/node_modules/better-sqlite3/lib/index.js',
      '/node_modules/onnxruntime-common/dist/cjs/index.js',
    ]) {
      expect(kept(f), f).toBe(true);
    }
    for (const f of [
      '/electron/main/main.ts',
      '/dist/electron/cli/agx.js',
      '/native-models/build/train.py',
      '/test/node/x.test.ts',
      '/node_modules/vite/package.json',
      '/node_modules/@electron-forge',
      '/node_modules/electron/index.js',
      '/README.md',
      '/.git/config',
    ]) {
      expect(kept(f), f).toBe(false);
    }
  });

  it('names the packaged executable per platform for the fuse flip', () => {
    expect(packagedExecutable('/out/x', 'linux')).toBe('/out/x/audiogenx-studio');
    expect(packagedExecutable('/out/x', 'win32')).toBe('/out/x/audiogenx-studio.exe');
    expect(packagedExecutable('/out/x', 'darwin')).toBe('/out/x/AudioGenX Studio.app');
  });
});

describe('electron-builder.yml', () => {
  const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config') as {
    getConfig: (dir: string, file: string, extra: null) => Promise<Record<string, any>>;
    validateConfiguration: (config: unknown, logger: unknown) => Promise<void>;
  };
  const { DebugLogger } = require('builder-util') as { DebugLogger: new (enabled: boolean) => unknown };

  it("passes electron-builder's schema and targets AppImage, deb, NSIS and DMG", async () => {
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    await expect(validateConfiguration(config, new DebugLogger(false))).resolves.toBeUndefined();
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.win.target).toEqual(['nsis']);
    expect(config.mac.target).toEqual(['dmg']);
  });

  it('loads the bundled main, unpacks native modules, ships the model where main looks, and flips the fuses', async () => {
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    expect(config.extraMetadata.main).toBe('.vite/build/main.js');
    expect(config.asarUnpack).toContain('**/*.node');
    expect(config.extraResources).toEqual([{ from: 'native-models/tiny-foley', to: PACKAGED_MODEL_FOLDER }]);
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      grantFileProtocolExtraPrivileges: false,
    });
  });

  it('is refused by the schema when a key is misspelt (the check has teeth)', async () => {
    const config = await getConfig(ROOT, join(ROOT, 'electron-builder.yml'), null);
    await expect(validateConfiguration({ ...config, asarUnpak: ['x'] }, new DebugLogger(false))).rejects.toThrow(/asarUnpak/);
  });
});
