// Electron Forge drives the Vite builds (main + engine worker, preload, renderer) and packages the app
// (`npm run package` -> out/). Installers come from electron-builder (electron-builder.yml).
// Packaging downloads the Electron binary, so it cannot run on machines without internet access.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VitePlugin } from '@electron-forge/plugin-vite';
import type { ForgeConfig } from '@electron-forge/shared-types';

const ROOT = fileURLToPath(new URL('.', import.meta.url));

/** Native modules the bundles leave external (see vite.main.config.ts); they ship in node_modules. */
export const NATIVE_MODULES = ['onnxruntime-node', 'better-sqlite3', 'tokenizers'];
/** Product name (also the userData folder name; see electron/store/data-dir.ts). */
export const PRODUCT_NAME = 'AudioGenX Studio';
/** Executable file name. */
export const EXECUTABLE_NAME = 'audiogenx-studio';
/** Native binaries that must sit outside app.asar so the OS loader can open them. */
export const ASAR_UNPACK = '**/{*.node,*.dll,*.dylib,*.so,*.so.*}';

/**
 * The installed packages the native modules need at run time: themselves plus their dependencies,
 * transitively (hoisted node_modules layout; nested node_modules travel inside their parent).
 */
export function runtimePackages(root: string, entry: readonly string[] = NATIVE_MODULES): Set<string> {
  const found = new Set<string>();
  const queue = [...entry];
  while (queue.length > 0) {
    const name = queue.shift()!;
    if (found.has(name)) continue;
    const manifest = join(root, 'node_modules', name, 'package.json');
    if (!existsSync(manifest)) continue;
    found.add(name);
    const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
      dependencies?: Record<string, string>;
      optionalDependencies?: Record<string, string>;
    };
    queue.push(...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.optionalDependencies ?? {}));
  }
  return found;
}

/**
 * Packager's ignore filter (true = leave out). Kept: package.json, the Vite output (.vite), the built
 * renderer (dist/renderer) and the native modules with their run-time dependencies; nothing else
 * (sources, tests, dist/electron, the model build code, dev dependencies).
 */
export function ignoreInPackage(file: string, keep: ReadonlySet<string>): boolean {
  if (file === '' || file === '/package.json') return false;
  if (file === '/.vite' || file.startsWith('/.vite/')) return false;
  if (file === '/dist' || file === '/dist/renderer' || file.startsWith('/dist/renderer/')) return false;
  if (file === '/node_modules') return false;
  const m = /^\/node_modules\/(@[^/]+)(?:\/([^/]+))?/.exec(file) ?? /^\/node_modules\/([^/]+)/.exec(file);
  if (m === null) return true;
  if (m[1]!.startsWith('@')) {
    if (m[2] === undefined) return ![...keep].some((name) => name.startsWith(`${m[1]}/`));
    return !keep.has(`${m[1]}/${m[2]}`);
  }
  return !keep.has(m[1]!);
}

/** The executable (or .app bundle) inside one packaged output folder. */
export function packagedExecutable(outputPath: string, platform: string): string {
  if (platform === 'darwin' || platform === 'mas') return join(outputPath, `${PRODUCT_NAME}.app`);
  return join(outputPath, platform === 'win32' ? `${EXECUTABLE_NAME}.exe` : EXECUTABLE_NAME);
}

const keep = runtimePackages(ROOT);

const config: ForgeConfig = {
  packagerConfig: {
    name: PRODUCT_NAME,
    executableName: EXECUTABLE_NAME,
    appBundleId: 'org.audiogenx.studio',
    appCategoryType: 'public.app-category.music',
    asar: { unpack: ASAR_UNPACK },
    // Outside app.asar: onnxruntime opens the graphs by path (resources/tiny-foley).
    extraResource: [join(ROOT, 'native-models', 'tiny-foley')],
    // The Vite plugin's default keeps only .vite/, which would drop the renderer (dist/renderer) and
    // the native modules the bundles leave external.
    ignore: (file: string) => ignoreInPackage(file, keep),
  },
  // better-sqlite3 is rebuilt for Electron's ABI (onnxruntime-node and tokenizers use N-API).
  rebuildConfig: { onlyModules: ['better-sqlite3'], force: true },
  makers: [],
  plugins: [
    new VitePlugin({
      build: [
        { entry: 'electron/main/main.ts', config: 'vite.main.config.ts', target: 'main' },
        { entry: 'electron/preload/preload.ts', config: 'vite.preload.config.ts', target: 'preload' },
      ],
      renderer: [{ name: 'main_window', config: 'vite.renderer.config.ts' }],
      // Two cores here; concurrent builds only thrash.
      concurrent: 1,
    }),
  ],
  hooks: {
    // Flip Electron's fuses on the packaged binary: no ELECTRON_RUN_AS_NODE, NODE_OPTIONS or --inspect,
    // cookies encrypted, code only from an integrity-checked app.asar, file:// without extra powers.
    postPackage: async (_config, result) => {
      const { flipFuses, FuseVersion, FuseV1Options } = await import('@electron/fuses');
      for (const out of result.outputPaths) {
        await flipFuses(packagedExecutable(out, result.platform), {
          version: FuseVersion.V1,
          resetAdHocDarwinSignature: result.platform === 'darwin' && result.arch === 'arm64',
          [FuseV1Options.RunAsNode]: false,
          [FuseV1Options.EnableCookieEncryption]: true,
          [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
          [FuseV1Options.EnableNodeCliInspectArguments]: false,
          [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
          [FuseV1Options.OnlyLoadAppFromAsar]: true,
          [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
        });
      }
    },
  },
};

export default config;
