// DESIGN.md's house rules on who may import what, checked on the source so a leak fails CI.
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
