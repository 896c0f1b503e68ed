// Bundles Electron's main process and the engine worker (one ESM build, two entries) into
// .vite/build: main.js and engine-worker.js side by side, so the studio's
// `new URL('./engine-worker.js', import.meta.url)` finds the worker in the app as it does in dist/.
// Used by forge.config.ts (plugin-vite) and, standalone, by scripts/start.mjs and the build test.
import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

/** Native modules stay external: they load their .node binaries from node_modules at run time. */
export const NATIVE_EXTERNALS = ['onnxruntime-node', 'better-sqlite3', 'tokenizers'];

/** Everything the bundle imports at run time instead of inlining. */
export const MAIN_EXTERNALS: (string | RegExp)[] = [
  'electron',
  /^electron\//,
  /^node:/,
  ...builtinModules,
  ...NATIVE_EXTERNALS.flatMap((m) => [m, new RegExp(`^${m}/`)]),
];

export default defineConfig({
  // Node code: no public dir, no index.html, node export conditions.
  publicDir: false,
  resolve: { conditions: ['node', 'import', 'module', 'default'], mainFields: ['module', 'main'] },
  build: {
    outDir: here('./.vite/build'),
    // main and preload share the folder; neither build may wipe the other's output.
    emptyOutDir: false,
    target: 'node22',
    minify: false,
    sourcemap: true,
    copyPublicDir: false,
    ssr: true,
    lib: {
      entry: { main: here('./electron/main/main.ts'), 'engine-worker': here('./electron/studio/engine-worker.ts') },
      formats: ['es'],
      fileName: (_format, name) => `${name}.js`,
    },
    rollupOptions: { external: MAIN_EXTERNALS, output: { chunkFileNames: 'chunks/[name]-[hash].js' } },
  },
  ssr: { noExternal: true, external: NATIVE_EXTERNALS, target: 'node' },
});
