import { existsSync } from 'node:fs';
import { storePaths } from '../../store/data-dir.js';
import type { Command } from '../command.js';
import { DATA_DIR_OPTION, dataDirOption, withStudioApi } from '../studio-client.js';

export const sessionsCommand: Command = {
  summary: 'list saved studio sessions (the ones the studio shows), most recently opened first',
  usage: 'agx sessions [--data-dir DIR] [--json]',
  options: { ...DATA_DIR_OPTION },
  async run(values) {
    const dataDir = dataDirOption(values);
    // Listing is a read: a folder without a store is reported empty, not created.
    if (!existsSync(storePaths(dataDir).file)) return { dataDir, sessions: [] };
    return withStudioApi(values, async (api) => {
      const { sessions } = await api.listSessions({});
      return { dataDir, sessions: sessions.map((s) => ({ id: s.id, name: s.name, takes: s.takeCount, openedAt: s.openedAt })) };
    });
  },
};
