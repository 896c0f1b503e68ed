// CLI commands that work on saved sessions go through the studio service and its typed contract,
// exactly as the Electron and browser front ends do. They only read, so the studio opens the store
// read-only: nothing is created, backed up or marked as opened.
import type { StudioApi } from '../common/api.js';
import { AgxError } from '../common/errors.js';
import { dispatch, makeApi } from '../common/protocol.js';
import { resolveDataDir } from '../store/data-dir.js';
import { createStudio } from '../studio/studio.js';
import { numberOption, type OptionSpec } from './args.js';
import { appVersion } from './commands/serve.js';

/** The option every session command takes. */
export const DATA_DIR_OPTION: Record<string, OptionSpec> = {
  'data-dir': { type: 'string', help: 'folder of the session database (default: AGX_DATA_DIR, else the OS app-data folder)' },
};

/** The data folder a session command reads: --data-dir, else AGX_DATA_DIR, else the OS app-data folder. */
export function dataDirOption(values: Record<string, string | boolean | undefined>): string {
  return resolveDataDir(typeof values['data-dir'] === 'string' ? values['data-dir'] : undefined);
}

/** Opens the studio read-only for one command, hands its StudioApi to `use`, and closes it again. */
export async function withStudioApi<T>(
  values: Record<string, string | boolean | undefined>,
  use: (api: StudioApi) => Promise<T>,
): Promise<T> {
  const threads = numberOption(values, 'threads', 0, (n) => Number.isInteger(n) && n >= 0 && n <= 256, 'a whole number of threads');
  const studio = await createStudio({
    dataDir: dataDirOption(values),
    model: typeof values.model === 'string' ? values.model : undefined,
    threads,
    version: appVersion(),
    readOnly: true,
  });
  let id = 0;
  const api = makeApi(async (method, params) => {
    const r = await dispatch(studio.handlers, { id: ++id, method, params });
    // Keep the service's code, so its argument errors exit 2 with their own message.
    if (!r.ok) throw new AgxError(r.error.code, r.error.message, r.error.expected);
    return r.result;
  });
  try {
    return await use(api);
  } finally {
    await studio.close();
  }
}
