import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AgxError } from '../../common/errors.js';
import { parseDevice } from '../../engine/onnx/providers.js';
import { numberOption } from '../args.js';
import type { Command } from '../command.js';
import { startServer } from '../../server/server.js';
import { createStudio } from '../../studio/studio.js';
import { resolveDataDir } from '../../store/data-dir.js';

/** dist/electron/cli/commands -> dist/renderer (the Vite build of the UI). */
const RENDERER_DIR = fileURLToPath(new URL('../../../renderer/', import.meta.url));

/** The app's version, from package.json at the project root. */
export function appVersion(): string {
  try {
    return String(JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')).version);
  } catch {
    return '0.0.0';
  }
}

export const serveCommand: Command = {
  summary: 'run the studio in a browser: the StudioApi over WebSocket plus the UI, on loopback',
  usage: 'agx serve [--port N] [--host 127.0.0.1] [--data-dir DIR] [--json]',
  options: {
    port: { type: 'string', help: 'port to listen on; 0 picks a free one (default 0)' },
    host: {
      type: 'string',
      help: 'interface to bind (default 127.0.0.1; anything else exposes the studio to the network, guarded by the token)',
    },
    'data-dir': {
      type: 'string',
      help: 'folder of the session database and its backups (default: AGX_DATA_DIR, else the OS app-data folder)',
    },
  },
  async run(values) {
    const port = numberOption(values, 'port', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 65535, 'a port from 0 to 65535');
    const host = typeof values.host === 'string' ? values.host : '127.0.0.1';
    if (host.trim() === '') throw new AgxError('bad_argument', '--host must name an interface, e.g. 127.0.0.1');
    const threads = numberOption(values, 'threads', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 256, 'a whole number of threads');
    const dataDir = resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined);
    // Catch Ctrl+C / SIGTERM from the start: one arriving while the studio starts up (the engine
    // warming, getInfo below) must still close the store and the engine worker, not kill the process.
    let stopRequested = false;
    const stopped = new Promise<void>((done) => {
      const stop = () => {
        stopRequested = true;
        done();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    const studio = await createStudio({
      dataDir,
      model: typeof values.model === 'string' ? values.model : undefined,
      threads,
      device: parseDevice(values.device),
      version: appVersion(),
    });
    let server;
    try {
      server = await startServer({ studio, host, port, rendererDir: RENDERER_DIR });
    } catch (err) {
      await studio.close();
      const code = (err as NodeJS.ErrnoException).code;
      throw new AgxError('io_error', `cannot listen on ${host}:${port}${code ? ` (${code})` : ''}`);
    }
    const line =
      values.json === true
        ? JSON.stringify({ url: server.url, port: server.port, dataDir })
        : `AudioGenX Studio is running at ${server.url}`;
    process.stdout.write(`${line}\n`);
    if (!['127.0.0.1', 'localhost', '::1'].includes(host))
      process.stderr.write(`agx: warning: listening on ${host}, reachable from the network; anyone with the URL can use the studio\n`);
    if (!stopRequested) {
      const info = await studio.handlers.getInfo({});
      if (info.storeError) process.stderr.write(`agx: warning: ${info.storeError.message}\n`);
      if (info.providerNote !== undefined) process.stderr.write(`agx: ${info.providerNote}\n`);
    }
    await stopped;
    await server.close();
    await studio.close();
    return { stopped: true };
  },
};
