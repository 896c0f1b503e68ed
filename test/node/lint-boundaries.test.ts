// The import-boundary rule (eslint-rules/layers.js, table in eslint.config.js) on fixtures that break
// it: each fixture is linted as if it lived in a layer's folder, and the rule must report exactly the
// lines marked "violates". So the rule cannot silently stop doing anything (a glob that no longer
// matches, a table row that lost its packages) while `npm run lint` stays green.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FIXTURES = join(ROOT, 'test', 'fixtures', 'lint');

describe('lint: the layer table', () => {
  const eslint = new ESLint({ cwd: ROOT });

  for (const name of readdirSync(FIXTURES).sort()) {
    it(`reports every marked import of fixtures/lint/${name}, and nothing else`, async () => {
      const text = readFileSync(join(FIXTURES, name), 'utf8');
      const as = /^\/\/ lint as: (\S+)/.exec(text)![1]!;
      const [result] = await eslint.lintText(text, { filePath: join(ROOT, as) });
      const reported = result!.messages.filter((m) => m.ruleId === 'layers/boundaries').map((m) => m.line);
      const marked = text.split('\n').flatMap((line, i) => (line.includes('// violates') ? [i + 1] : []));
      expect(marked.length).toBeGreaterThan(0);
      expect(
        reported.sort((a, b) => a - b),
        result!.messages.map((m) => `${m.line}: ${m.message}`).join('\n'),
      ).toEqual(marked);
    });
  }

  it('names the chain of files when a main-thread import reaches onnxruntime-node', async () => {
    const [result] = await eslint.lintText("import { Model } from '../engine/model.js';\nexport const m = Model;\n", {
      filePath: join(ROOT, 'electron/studio/lint-fixture.ts'),
    });
    expect(result!.messages.map((m) => m.message)).toEqual([
      expect.stringContaining('electron/engine/model.ts -> electron/engine/onnx/session-factory.ts -> onnxruntime-node'),
    ]);
  });
});
