import { resolve } from 'node:path';
import type { SessionState, StudioApi } from '../../common/api.js';
import { base64ToBytes } from '../../common/base64.js';
import { parseTimeSpan, type TimeSpan } from '../../common/domain.js';
import { AgxError } from '../../common/errors.js';
import { methodSpec } from '../../common/methods.js';
import { numberOption, requiredString } from '../args.js';
import { type Command, wavFormatOption, writeFileSafely } from '../command.js';
import { DATA_DIR_OPTION, withStudioApi } from '../studio-client.js';

/** A session by id or by exact name (the studio is read-only here, so this does not change the session it opens next). */
async function findSession(api: StudioApi, ref: string): Promise<SessionState> {
  const { sessions } = await api.listSessions({});
  const byId = sessions.find((s) => s.id === ref);
  const byName = sessions.filter((s) => s.name === ref);
  if (!byId && byName.length > 1)
    throw new AgxError('bad_argument', `${byName.length} sessions are named "${ref}"; give its id (agx sessions lists them)`);
  const hit = byId ?? byName[0];
  if (!hit) throw new AgxError('not_found', `no session "${ref}"; agx sessions lists them`);
  return api.openSession({ sessionId: hit.id });
}

/** --region START:END as the time span exportTake takes (none: the whole take). */
function region(spec: string | undefined): TimeSpan | Record<string, never> {
  if (spec === undefined) return {};
  const span = parseTimeSpan(spec);
  if (span === null) throw new AgxError('bad_argument', '--region must be START:END in seconds with START < END, e.g. 0.5:2');
  return span;
}

export const exportCommand: Command = {
  summary: 'export a saved take (or a region of it) as WAV, or its latest explanation (of one method) as JSON, CSV or Audacity labels',
  usage:
    'agx export --session ID|NAME --take N [--region S:E] [--format pcm16|pcm24|float32|flac] [--explanation json|csv|audacity [--method NAME]] --out FILE',
  options: {
    ...DATA_DIR_OPTION,
    session: { type: 'string', help: 'session id or exact name (agx sessions lists them)' },
    take: { type: 'string', help: 'take number, as in "Take 2"' },
    region: { type: 'string', help: 'only START:END seconds of the take' },
    format: {
      type: 'string',
      help: 'WAV sample format: pcm16 (default), pcm24 or float32; or flac (24-bit; the default for an --out ending .flac)',
    },
    explanation: { type: 'string', help: "export the take's latest explanation instead, as json, csv or audacity" },
    method: { type: 'string', help: 'with --explanation: the latest explanation by this method (default: the latest of any method)' },
    out: { type: 'string', help: 'output file' },
  },
  async run(values) {
    const ref = requiredString(values, 'session', 'export');
    const number = numberOption(values, 'take', Number.NaN, (n) => Number.isInteger(n) && n >= 1, 'a take number such as 1');
    if (Number.isNaN(number)) throw new AgxError('bad_argument', 'agx export: --take N is required');
    const out = resolve(requiredString(values, 'out', 'export'));
    const format = wavFormatOption(values, out);
    const as = values.explanation as string | undefined;
    if (as !== undefined && !['json', 'csv', 'audacity'].includes(as))
      throw new AgxError('bad_argument', '--explanation must be json, csv or audacity');
    const method = values.method as string | undefined;
    if (method !== undefined && as === undefined)
      throw new AgxError('bad_argument', 'agx export: --method chooses an explanation; give --explanation json, csv or audacity too');
    if (method !== undefined) methodSpec(method);
    return withStudioApi(values, async (api) => {
      const state = await findSession(api, ref);
      const take = state.takes.find((t) => t.number === number);
      if (!take) throw new AgxError('not_found', `session "${state.session.name}" has no Take ${number} (it has ${state.takes.length})`);
      let file;
      if (as !== undefined) {
        const ofTake = state.explanations.filter((e) => e.takeId === take.id);
        const latest = ofTake.filter((e) => method === undefined || e.method === method).at(-1);
        if (!latest && method !== undefined && ofTake.length > 0) {
          const has = [...new Set(ofTake.map((e) => e.method))].sort().join(', ');
          throw new AgxError('not_found', `Take ${number} has no ${method} explanation (it has ${has}); explain it in the studio first`);
        }
        if (!latest) throw new AgxError('not_found', `Take ${number} has no explanation yet; explain it in the studio first`);
        file = await api.exportExplanation({ explanationId: latest.id, format: as as 'json' });
      } else {
        file = await api.exportTake({ takeId: take.id, format: format, ...region(values.region as string | undefined) });
      }
      writeFileSafely(out, base64ToBytes(file.dataBase64));
      return { file: out, session: state.session.name, take: number };
    });
  },
};
