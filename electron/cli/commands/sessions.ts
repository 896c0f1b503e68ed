import type { Command } from '../command.js';
import { DATA_DIR_OPTION, withStudioApi } from '../studio-client.js';

export const sessionsCommand: Command = {
  summary: 'list saved studio sessions (the ones the studio shows), most recently opened first',
  usage: 'agx sessions [--data-dir DIR] [--json]',
  options: { ...DATA_DIR_OPTION },
  run: (values) =>
    withStudioApi(values, async (api) => {
      const { sessions } = await api.listSessions({});
      return { sessions: sessions.map((s) => ({ id: s.id, name: s.name, takes: s.takeCount, openedAt: s.openedAt })) };
    }),
};
