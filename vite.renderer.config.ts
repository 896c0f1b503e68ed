// Builds the studio's renderer (React + react-konva + Tone.js) into dist/renderer, which both the
// Electron window and `agx serve` load. base './' keeps asset URLs relative so file:// works too.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const here = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  root: here('./renderer'),
  base: './',
  // Icons and fonts come from assets/ through imports (hashed into the build); nothing from the network.
  publicDir: false,
  plugins: [react()],
  build: {
    outDir: here('./dist/renderer'),
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2000,
  },
  server: { fs: { allow: [here('.')] } },
});
