#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/ by `npm install` (prepare) or `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const entry = new URL('../dist/electron/cli/agx.js', import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write('agx: error: the CLI is not built; run `npm install` (or `npm run build`) in the project folder\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
