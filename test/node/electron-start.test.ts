// `npm start` (scripts/start.mjs): how it finds an Electron binary, how it would open a browser, and,
// where no binary is installed (as here), that it says so in one line and runs `agx serve` instead.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain .mjs script without type declarations
import { browserCommand, findElectronBinary, findUrl, NO_ELECTRON_LINE } from '../../scripts/start.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function fakeInstall(withBinary: boolean): string {
  const root = mkdtempSync(join(tmpdir(), 'agx-start-'));
  const pkg = join(root, 'node_modules', 'electron');
  mkdirSync(join(pkg, 'dist'), { recursive: true });
  writeFileSync(join(pkg, 'path.txt'), 'electron');
  if (withBinary) writeFileSync(join(pkg, 'dist', 'electron'), '');
  return root;
}

describe('finding the Electron binary', () => {
  it('needs both path.txt and the file it names under dist/', () => {
    expect(findElectronBinary(fakeInstall(false), {})).toBeNull();
    const root = fakeInstall(true);
    expect(findElectronBinary(root, {})).toBe(join(root, 'node_modules', 'electron', 'dist', 'electron'));
    expect(findElectronBinary(mkdtempSync(join(tmpdir(), 'agx-start-')), {})).toBeNull();
  });

  it('takes AGX_ELECTRON_PATH when it names a file, and nothing else when it does not', () => {
    const root = fakeInstall(true);
    const file = join(root, 'node_modules', 'electron', 'dist', 'electron');
    expect(findElectronBinary(fakeInstall(false), { AGX_ELECTRON_PATH: file })).toBe(file);
    expect(findElectronBinary(root, { AGX_ELECTRON_PATH: join(root, 'missing') })).toBeNull();
  });
});

describe('opening the browser', () => {
  const url = 'http://127.0.0.1:4321/?token=a&b';
  it('uses open on macOS and a quoted start on Windows', () => {
    expect(browserCommand(url, 'darwin', {})).toEqual(['open', [url]]);
    expect(browserCommand(url, 'win32', {})).toEqual(['cmd', ['/c', 'start', '""', `"${url}"`]]);
  });
  it('skips Linux without a display or without xdg-open', () => {
    expect(browserCommand(url, 'linux', { PATH: '/usr/bin:/bin' })).toBeNull();
    expect(browserCommand(url, 'linux', { DISPLAY: ':0', PATH: mkdtempSync(join(tmpdir(), 'agx-path-')) })).toBeNull();
    const bin = mkdtempSync(join(tmpdir(), 'agx-path-'));
    writeFileSync(join(bin, 'xdg-open'), '');
    expect(browserCommand(url, 'linux', { WAYLAND_DISPLAY: 'wayland-0', PATH: bin })).toEqual([join(bin, 'xdg-open'), [url]]);
  });
  it("finds the URL in the server's line", () => {
    expect(findUrl('AudioGenX Studio is running at http://127.0.0.1:5173/?token=abc123\n')).toBe('http://127.0.0.1:5173/?token=abc123');
    expect(findUrl('no url here')).toBeNull();
  });
});

const noBinary = findElectronBinary() === null;
const cliBuilt = existsSync(join(ROOT, 'dist', 'electron', 'cli', 'agx.js'));

describe('npm start without an Electron binary', () => {
  it.skipIf(!noBinary || !cliBuilt)(
    `prints one line and runs agx serve with the arguments passed through${!cliBuilt ? ' (skipped: the CLI is not built; npm run build)' : ''}`,
    () => {
      // --help makes `agx serve` print its options and exit, so the whole path runs without a server.
      const run = spawnSync(process.execPath, [join(ROOT, 'scripts', 'start.mjs'), '--help', '--no-open'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, AGX_ELECTRON_PATH: '' },
        timeout: 60_000,
      });
      expect(run.status).toBe(0);
      const lines = run.stdout.split('\n');
      expect(lines[0]).toBe(NO_ELECTRON_LINE);
      expect(run.stdout).toContain('agx serve');
      expect(run.stdout).toContain('--port');
      expect(lines.filter((l) => l.includes('No Electron binary'))).toHaveLength(1);
    },
  );
});
