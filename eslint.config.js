// ESLint for the whole repository: typescript-eslint's recommended rules (syntax-only, no type
// information, so a run stays a few seconds), the layer table below, and eslint-config-prettier last so
// no rule argues with the formatter. `npm run lint` runs it; CI runs that.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import { fileURLToPath } from 'node:url';
import tseslint from 'typescript-eslint';
import layers from './eslint-rules/layers.js';

const ROOT = fileURLToPath(new URL('.', import.meta.url));
const NODE = ['onnxruntime-node'];

/**
 * The layer table (docs/architecture.md, "Layers"): common <- engine <- studio <- main / server / cli;
 * store beside engine; preload and renderer see only common. A file belongs to the first row whose
 * `files` entry is the file itself or a folder above it (ending in '/'), so single files come before
 * their folder. `imports`: the other layers it may import (its own layer always); `packages`: the npm
 * packages it may import; `node`: whether Node built-ins are allowed; `mustNotReach`: packages that
 * its value imports must not load even through other files. Type-only imports count as imports for
 * `imports` (a layer should not know another's types either) but load nothing, so not for `mustNotReach`.
 */
export const LAYERS = [
  {
    name: 'common',
    files: ['electron/common/'],
    imports: [],
    packages: ['zod'],
    node: false,
    why: 'common is pure TypeScript: it runs in Node, Electron and the browser',
  },
  {
    name: 'onnx',
    files: ['electron/engine/onnx/session-factory.ts'],
    imports: ['common', 'engine'],
    packages: ['onnxruntime-node'],
    node: true,
    why: 'the session factory is the one door to onnxruntime-node',
  },
  {
    name: 'engine',
    files: ['electron/engine/'],
    imports: ['common', 'onnx'],
    packages: [
      'tokenizers',
      'zod',
      '@audio/decode-flac',
      '@audio/decode-mp3',
      '@audio/decode-vorbis',
      '@audio/decode-opus',
      '@audio/decode-aiff',
      '@audio/encode-flac',
    ],
    node: true,
    why: 'the engine is pure Node: never Electron, the store or the studio; ONNX only through the session factory',
  },
  {
    name: 'store',
    files: ['electron/store/'],
    imports: ['common'],
    packages: ['better-sqlite3', 'zod'],
    node: true,
    why: 'the store keeps data; it never needs the engine',
  },
  {
    name: 'engine-worker',
    files: ['electron/studio/engine-worker.ts'],
    imports: ['common', 'engine', 'studio'],
    packages: [],
    node: true,
    why: "the worker thread is the studio's only way into the engine's ONNX sessions",
  },
  {
    name: 'studio',
    files: ['electron/studio/'],
    imports: ['common', 'engine', 'store'],
    packages: [],
    node: true,
    mustNotReach: NODE,
    why: 'the studio runs on the main thread; onnxruntime loads only in its engine worker',
  },
  {
    name: 'server',
    files: ['electron/server/'],
    imports: ['common', 'store', 'studio'],
    packages: ['ws'],
    node: true,
    mustNotReach: NODE,
    why: 'the server is a front door to the studio service; the engine sits behind it',
  },
  {
    name: 'main',
    files: ['electron/main/'],
    imports: ['common', 'engine', 'store', 'studio'],
    packages: ['electron', 'zod'],
    node: true,
    mustNotReach: NODE,
    why: 'the Electron main process stays responsive: the engine runs in the worker',
  },
  // `agx serve` is the studio behind a server, like main; the other commands run the engine in-process.
  {
    name: 'cli-serve',
    files: ['electron/cli/commands/serve.ts'],
    imports: ['common', 'engine', 'store', 'studio', 'server', 'cli'],
    packages: [],
    node: true,
    mustNotReach: NODE,
    why: 'agx serve runs the engine in the worker, like the app',
  },
  {
    name: 'cli',
    files: ['electron/cli/'],
    imports: ['common', 'engine', 'store', 'studio', 'server', 'cli-serve'],
    packages: [],
    node: true,
  },
  {
    name: 'preload',
    files: ['electron/preload/'],
    imports: ['common'],
    packages: ['electron'],
    node: false,
    why: 'the preload script only bridges the contract into the page',
  },
  {
    name: 'renderer',
    files: ['renderer/src/'],
    imports: ['common', 'assets'],
    packages: ['react', 'react-dom', 'react-konva', 'konva', 'tone', 'fft.js'],
    node: false,
    why: 'the renderer is DOM code: it sees the Node side only through electron/common',
  },
  // Import targets only: icons and fonts that Vite bundles.
  { name: 'assets', files: ['assets/'] },
];

export default defineConfig(
  {
    ignores: [
      'dist/',
      'out/',
      '.vite/',
      'native-models/',
      'docs/',
      'test/e2e/screenshots/',
      // Lint fixtures break the rules on purpose; test/node/lint-boundaries.test.ts feeds them in.
      'test/fixtures/',
    ],
  },
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    rules: {
      // A leading underscore marks a parameter kept for a callback's signature (policy.ts's handlers).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // Tests fake Electron's and onnxruntime's objects and read JSON fixtures with partial shapes;
    // typing every fake buys nothing there.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['electron/**/*.ts', 'renderer/src/**/*.{ts,tsx}'],
    plugins: { layers },
    rules: { 'layers/boundaries': ['error', { root: ROOT, layers: LAYERS }] },
  },
  {
    files: ['renderer/src/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "MemberExpression[property.name='_context']",
          message: "Konva's _context is private: draw through the Konva.Context a sceneFunc receives.",
        },
      ],
    },
  },
  prettier,
);
