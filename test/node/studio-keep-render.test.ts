// A factual or counterfactual render kept as a take (issue 15, item 7): renderExplanation with keep
// stores the render that was heard, sample for sample, as a new take from the explained one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StudioApi } from '../../electron/common/api.js';
import { base64ToFloat32 } from '../../electron/common/base64.js';
import type { Studio } from '../../electron/studio/studio.js';
import { directApi, jobEnd, tempStudio } from './studio-helpers.js';

describe('keeping a render as a take', () => {
  let studio: Studio;
  let api: StudioApi;
  beforeAll(async () => {
    studio = await tempStudio();
    api = await directApi(studio);
  });
  afterAll(async () => {
    await studio.close();
  });

  it('stores the counterfactual render as a new take linked to the explained take', async () => {
    const sessionId = (await api.createSession({})).session.id;
    const made = await jobEnd(studio, (await api.generate({ sessionId, prompt: 'a dog barks', seed: 3, durationSec: 1 })).jobId);
    const takeId = made.result?.kind === 'takes' ? made.result.takeIds[0]! : '';
    const explained = await jobEnd(studio, (await api.explain({ takeId, method: 'attention' })).jobId);
    const explanationId = explained.result?.kind === 'explanation' ? explained.result.explanationId : '';

    const heard = await jobEnd(studio, (await api.renderExplanation({ explanationId, render: 'counterfactual' })).jobId);
    expect(heard.result?.kind).toBe('render');
    const heardAudio = heard.result?.kind === 'render' ? base64ToFloat32(heard.result.audio.samplesBase64) : new Float32Array();

    const kept = await jobEnd(studio, (await api.renderExplanation({ explanationId, render: 'counterfactual', keep: true })).jobId);
    expect(kept.state, JSON.stringify(kept.error)).toBe('done');
    expect(kept.label).toBe('Keep counterfactual render of Take 1 as a take');
    const keptId = kept.result?.kind === 'takes' ? kept.result.takeIds[0]! : '';
    const state = await api.openSession({ sessionId });
    expect(state.takes.find((t) => t.id === keptId)).toMatchObject({
      number: 2,
      parentTakeId: takeId,
      source: 'regenerated',
      prompt: 'a dog barks',
      seed: 3,
    });
    expect(base64ToFloat32((await api.getTakeAudio({ takeId: keptId })).samplesBase64)).toEqual(heardAudio);
  });
});
