#!/usr/bin/env node
// `npm start`: the Electron app when an Electron binary is installed; otherwise the same studio in the
// browser (`agx serve`), with the URL opened where a browser can be opened. Arguments pass through
// (--data-dir, --model, --threads; browser mode also --port and --host). --no-open keeps the browser shut.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The Electron binary: AGX_ELECTRON_PATH when it names a file, else the one `npm install electron` put in node_modules; null when there is none. */
export function findElectronBinary(root = ROOT, env = process.env) {
  const isFile = (p) => {
    try {
      return statSync(p).isFile();
    } catch {
      return false;
    }
  };
  if (env.AGX_ELECTRON_PATH) return isFile(env.AGX_ELECTRON_PATH) ? env.AGX_ELECTRON_PATH : null;
  // electron's index.js reads path.txt and points into dist/; without both there is no binary.
  const pkg = join(root, 'node_modules', 'electron');
  const pathTxt = join(pkg, 'path.txt');
  if (!existsSync(pathTxt)) return null;
  const binary = join(env.ELECTRON_OVERRIDE_DIST_PATH || join(pkg, 'dist'), readFileSync(pathTxt, 'utf8').trim());
  return isFile(binary) ? binary : null;
}

/** A program on PATH, or null. */
function onPath(name, env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return null;
}

/** How to open a URL in the default browser on this platform: [command, args], or null when there is no way. */
export function browserCommand(url, platform = process.platform, env = process.env) {
  if (platform === 'darwin') return ['open', [url]];
  // Quoted: the token's query string holds characters cmd would otherwise split on.
  if (platform === 'win32') return ['cmd', ['/c', 'start', '""', `"${url}"`]];
  // Linux and the BSDs: a desktop session and xdg-open, or nothing (servers, CI, containers).
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return null;
  const opener = onPath('xdg-open', env);
  return opener === null ? null : [opener, [url]];
}

/** The first http(s) URL in a line of the server's output. */
export function findUrl(text) {
  const m = /https?:\/\/[^\s"']+/.exec(text);
  return m === null ? null : m[0];
}

/** The line printed when there is no Electron binary. */
export const NO_ELECTRON_LINE =
  'No Electron binary is installed (node_modules/electron has none; set AGX_ELECTRON_PATH to use one), so AudioGenX Studio runs in browser mode.';

function openBrowser(url) {
  const cmd = browserCommand(url);
  if (cmd === null) return;
  try {
    const child = spawn(cmd[0], cmd[1], { stdio: 'ignore', detached: true, windowsVerbatimArguments: process.platform === 'win32' });
    // No browser is not an error: the URL is on the screen.
    child.on('error', () => {});
    child.unref();
  } catch {
    // Same: opening the browser is a convenience.
  }
}

function relay(child) {
  const stop = (signal) => {
    if (child.exitCode === null) child.kill(signal);
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

async function buildForElectron() {
  const { build } = await import('vite');
  for (const name of ['main', 'preload', 'renderer']) {
    await build({ configFile: join(ROOT, `vite.${name}.config.ts`), logLevel: 'warn', mode: 'production' });
  }
}

function runBrowserMode(args, open) {
  process.stdout.write(`${NO_ELECTRON_LINE}\n`);
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'agx.js'), 'serve', ...args], {
    cwd: ROOT,
    stdio: ['inherit', 'pipe', 'inherit'],
  });
  let opened = !open;
  child.stdout.on('data', (chunk) => {
    process.stdout.write(chunk);
    if (opened) return;
    const url = findUrl(chunk.toString('utf8'));
    if (url !== null) {
      opened = true;
      openBrowser(url);
    }
  });
  relay(child);
}

async function main(argv) {
  const open = !argv.includes('--no-open') && !process.env.AGX_NO_BROWSER;
  const args = argv.filter((a) => a !== '--no-open');
  const electron = findElectronBinary();
  if (electron === null) {
    runBrowserMode(args, open);
    return;
  }
  await buildForElectron();
  // ELECTRON_RUN_AS_NODE would turn the binary into plain Node.
  const env = { ...process.env };
  delete env.ELECTRON_RUN_AS_NODE;
  const child = spawn(electron, [join(ROOT, '.vite', 'build', 'main.js'), ...args], { cwd: ROOT, stdio: 'inherit', env });
  relay(child);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).catch((err) => {
    process.stderr.write(`start: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}
