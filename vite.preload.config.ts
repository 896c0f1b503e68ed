// Bundles the sandboxed preload into .vite/build/preload.cjs: one CommonJS file (a sandboxed preload
// cannot be an ES module or load chunks), whose only require is 'electron'.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  publicDir: false,
  build: {
    outDir: here('./.vite/build'),
    emptyOutDir: false,
    target: 'chrome130',
    minify: false,
    sourcemap: false,
    copyPublicDir: false,
    rollupOptions: {
      input: { preload: here('./electron/preload/preload.ts') },
      external: ['electron'],
      output: { format: 'cjs', codeSplitting: false, entryFileNames: '[name].cjs' },
    },
  },
});
