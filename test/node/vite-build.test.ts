// The Electron bundles, built here with Vite's JS API from the same config files Forge uses: main and
// the engine worker as ES modules side by side, the preload as one CommonJS file, native modules left
// to node_modules. (The renderer build is tested with the renderer.)
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const NATIVE = ['onnxruntime-node', 'better-sqlite3', 'tokenizers'];
const out = mkdtempSync(join(tmpdir(), 'agx-vite-'));

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.js'))
    .map((e) => join(e.parentPath, e.name));
}

/** Module specifiers a bundle loads at run time: static and dynamic imports, require() and createRequire(...)(). */
function loads(code: string): string[] {
  const specs = [
    ...code.matchAll(/^\s*import\s[^;]*?from\s*["']([^"']+)["']/gm),
    ...code.matchAll(/^\s*import\s*["']([^"']+)["']/gm),
    ...code.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g),
    ...code.matchAll(/createRequire\([^)]*\)\(\s*["']([^"']+)["']\s*\)/g),
  ].map((m) => m[1]!);
  return [...new Set(specs)];
}

beforeAll(async () => {
  for (const name of ['main', 'preload']) {
    await build({ configFile: join(ROOT, `vite.${name}.config.ts`), logLevel: 'silent', build: { outDir: out } });
  }
}, 120_000);

afterAll(() => rmSync(out, { recursive: true, force: true }));

describe('main + engine worker bundle', () => {
  it('puts main.js and engine-worker.js side by side, where the studio looks for the worker', () => {
    const main = readFileSync(join(out, 'main.js'), 'utf8');
    expect(readdirSync(out)).toEqual(expect.arrayContaining(['main.js', 'engine-worker.js', 'preload.cjs']));
    expect(main).toContain('new URL("./engine-worker.js", import.meta.url)');
  });

  it('is ESM: imports, no require() or module.exports', () => {
    for (const name of ['main.js', 'engine-worker.js']) {
      const code = readFileSync(join(out, name), 'utf8');
      expect(code, name).toMatch(/^import\s/m);
      expect(code, name).not.toMatch(/\brequire\(\s*["']|module\.exports/);
    }
    expect(readFileSync(join(out, 'main.js'), 'utf8')).toMatch(/^import \{[^}]*\bapp\b[^}]*\} from "electron";$/m);
  });

  it('loads only Electron, Node built-ins, its own chunks and the native modules at run time', () => {
    const allowed = new Set(['electron', ...builtinModules, ...builtinModules.map((m) => `node:${m}`), ...NATIVE]);
    const seen = new Set<string>();
    for (const file of files(out).filter((f) => !f.endsWith('preload.cjs'))) {
      for (const spec of loads(readFileSync(file, 'utf8'))) {
        seen.add(spec);
        if (spec.startsWith('./') || spec.startsWith('../')) continue;
        // onnxruntime-node's package.json is resolved (not bundled) to find its binaries.
        expect(allowed.has(spec) || spec === 'onnxruntime-node/package.json', `${file} loads ${spec}`).toBe(true);
      }
    }
    for (const native of NATIVE) expect(seen.has(native), native).toBe(true);
    expect(seen.has('zod')).toBe(false);
  });

  it('inlines no source of the native modules', () => {
    for (const file of files(out)) {
      const map = `${file}.map`;
      let sources: string[] = [];
      try {
        sources = (JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] }).sources;
      } catch {
        continue;
      }
      for (const native of NATIVE)
        expect(
          sources.some((s) => s.includes(`node_modules/${native}/`)),
          `${file} inlines ${native}`,
        ).toBe(false);
    }
  });
});

describe('preload bundle', () => {
  const code = () => readFileSync(join(out, 'preload.cjs'), 'utf8');

  it('is a single CommonJS file whose only require is electron', () => {
    expect(readdirSync(out).filter((f) => f.startsWith('preload'))).toEqual(['preload.cjs']);
    expect(code()).not.toMatch(/^\s*(import|export)\s/m);
    expect(loads(code())).toEqual(['electron']);
    expect(code().match(/require\(/g)).toHaveLength(1);
  });

  it('runs as a sandboxed preload does (require limited to electron) and exposes only the bridge', () => {
    const exposed: [string, Record<string, unknown>][] = [];
    const ipcRenderer = { invoke: async () => null, on: () => {}, removeListener: () => {} };
    const electron = { contextBridge: { exposeInMainWorld: (k: string, v: Record<string, unknown>) => exposed.push([k, v]) }, ipcRenderer };
    const sandboxRequire = (spec: string) => {
      if (spec !== 'electron') throw new Error(`module not found: ${spec}`);
      return electron;
    };
    const module = { exports: {} };
    new Function('require', 'module', 'exports', code())(sandboxRequire, module, module.exports);
    expect(exposed.map(([k]) => k)).toEqual(['studioBridge']);
    expect(Object.keys(exposed[0]![1]).sort()).toEqual(['invoke', 'onEvent', 'onMenu', 'saveFile']);
    expect(Object.values(exposed[0]![1])).not.toContain(ipcRenderer);
  });
});
