// Where the studio keeps its database and backups. The defaults equal Electron's app.getPath('userData')
// for productName "AudioGenX Studio", so the CLI, `agx serve` and the Electron app share one store
// without importing electron here.
import os from 'node:os';
import path from 'node:path';

/** The product name Electron derives the userData folder from. */
export const PRODUCT_NAME = 'AudioGenX Studio';

/** The per-user data folder the platform expects (the same place Electron's userData points to). */
export function defaultDataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = os.homedir(),
): string {
  // path.win32 / path.posix explicitly, so the answer depends on `platform`, not on the host running it.
  if (platform === 'win32') {
    const appData = env['APPDATA'] || path.win32.join(home, 'AppData', 'Roaming');
    return path.win32.join(appData, PRODUCT_NAME);
  }
  if (platform === 'darwin') return path.posix.join(home, 'Library', 'Application Support', PRODUCT_NAME);
  // Taken as-is when set and non-empty, which is what Chromium's XDG lookup (and so Electron) does.
  const xdg = env['XDG_CONFIG_HOME'];
  const config = xdg ? xdg : path.posix.join(home, '.config');
  return path.posix.join(config, PRODUCT_NAME);
}

/** The data folder to use: the --data-dir flag wins, then AGX_DATA_DIR, then the platform default. */
export function resolveDataDir(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag !== undefined && flag.trim() !== '') return path.resolve(flag);
  const fromEnv = env['AGX_DATA_DIR'];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return defaultDataDir(env);
}

/** The database file and the backups folder inside a data folder. */
export function storePaths(dataDir: string): { file: string; backupsDir: string } {
  return { file: path.join(dataDir, 'studio.sqlite'), backupsDir: path.join(dataDir, 'backups') };
}
