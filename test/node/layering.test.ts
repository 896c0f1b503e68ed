// The house rules on who may import what (docs/architecture.md, 'Layers'), checked on the source so a leak fails CI.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';

const ROOT = join(embeddedModelsDir(), '..');

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.ts'))
    .map((e) => relative(ROOT, join(e.parentPath, e.name)));
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('layering', () => {
  it('electron/common is pure TypeScript: no Node built-ins, no DOM-only or Electron modules', () => {
    for (const f of sources('electron/common')) {
      for (const spec of imports(f)) expect(spec.startsWith('.') || spec === 'zod', `${f} imports ${spec}`).toBe(true);
    }
  });

  it('electron/engine never imports electron, and only the session factory imports onnxruntime-node', () => {
    for (const f of sources('electron/engine')) {
      for (const spec of imports(f)) {
        expect(spec, f).not.toBe('electron');
        if (spec === 'onnxruntime-node') expect(f).toBe(join('electron', 'engine', 'onnx', 'session-factory.ts'));
      }
    }
  });
});

/** Every project file a module reaches through relative imports (type-only imports excluded). */
function reachable(entry: string): Set<string> {
  const seen = new Set<string>();
  const stack = [entry];
  while (stack.length > 0) {
    const file = stack.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(join(ROOT, file), 'utf8');
    for (const m of text.matchAll(/^import\s+(?!type\s)[^;]*?from\s+['"](\.[^'"]+)['"]/gms)) {
      stack.push(relative(ROOT, join(ROOT, file, '..', m[1]!.replace(/\.js$/, '.ts'))));
    }
  }
  return seen;
}

describe('layering of the studio', () => {
  it('the main-thread service, server and store never load onnxruntime: only the engine worker does', () => {
    for (const entry of ['electron/studio/studio.ts', 'electron/server/server.ts', 'electron/cli/commands/serve.ts']) {
      const files = [...reachable(entry)];
      expect(files.length).toBeGreaterThan(3);
      expect(files, entry).not.toContain(join('electron', 'engine', 'onnx', 'session-factory.ts'));
      expect(files, entry).not.toContain(join('electron', 'studio', 'engine-worker.ts'));
    }
    expect([...reachable('electron/studio/engine-worker.ts')]).toContain(join('electron', 'engine', 'onnx', 'session-factory.ts'));
  });

  it('the store and the server never import the engine', () => {
    for (const dir of ['electron/store', 'electron/server']) {
      for (const f of sources(dir)) for (const spec of imports(f)) expect(spec.includes('/engine/'), `${f} imports ${spec}`).toBe(false);
    }
  });
});
