// The studio's tokenize call (issue 15, item 6): the prompt bar counts a prompt's tokens against the
// model's most as the user types, over the limit too, and without waiting for a running job.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioApi } from '../../electron/common/api.js';
import type { Studio } from '../../electron/studio/studio.js';
import { directApi, jobEnd, tempDir, tempStudio } from './studio-helpers.js';

describe('studio tokenize', () => {
  let studio: Studio;
  let api: StudioApi;
  beforeAll(async () => {
    studio = await tempStudio(tempDir());
    api = await directApi(studio);
  });
  afterAll(async () => {
    await studio.close();
  });

  it("gives the tokens with offsets and unknown words, and the model's most", async () => {
    const info = await api.getInfo({});
    const r = await api.tokenize({ prompt: 'A dog barks, zzyzx' });
    expect(r.maxTokens).toBe(info.model.maxTextTokens);
    expect(r.tokens.map((t) => t.text)).toEqual(['A', 'dog', 'barks', ',', 'zzyzx']);
    expect(r.tokens[1]).toEqual({ text: 'dog', start: 2, end: 5 });
    expect(r.tokens[4]!.unknown).toBe(true);
    expect((await api.tokenize({ prompt: '   ' })).tokens).toEqual([]);
  });

  it('counts a prompt over the limit (Generate refuses it) and answers while a job runs', async () => {
    const info = await api.getInfo({});
    const long = Array.from({ length: info.model.maxTextTokens + 5 }, () => 'dog').join(' ');
    const sessionId = (await api.createSession({})).session.id;
    const { jobId } = await api.generate({ sessionId, prompt: 'rain falls', seed: 1, durationSec: 2 });
    const r = await api.tokenize({ prompt: long });
    expect(r.tokens).toHaveLength(info.model.maxTextTokens + 5);
    expect((await api.listJobs({})).find((j) => j.id === jobId)?.state).toMatch(/queued|running/);
    await jobEnd(studio, jobId);
  });
});
