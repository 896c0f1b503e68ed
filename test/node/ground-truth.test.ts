import { mkdtempSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Explanation } from '../../electron/engine/explain/index.js';
import { benchmarkGroundTruth, readGroundTruth, rocAuc, scoreClip } from '../../electron/engine/ground-truth.js';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { embeddedModel } from './helpers.js';

const GT = join(embeddedModelsDir(), '..', 'test', 'fixtures', 'gt');

describe('ground-truth benchmark', () => {
  it('ROC-AUC counts ranked pairs, ties as half', () => {
    expect(rocAuc([0.9, 0.8, 0.1, 0.2], [true, true, false, false])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.9, 0.8], [true, true, false, false])).toBe(0);
    expect(rocAuc([0.5, 0.5], [true, false])).toBe(0.5);
    expect(Number.isNaN(rocAuc([0.5], [true]))).toBe(true);
  });

  it('scores pointing per event over its own span', () => {
    const clip = {
      file: '',
      caption: 'a dog barks then rain falls',
      words: ['a', 'dog', 'barks', 'then', 'rain', 'falls'],
      events: [
        { label: 'dog', word_idx: [1, 2], start: 0, end: 2 },
        { label: 'rain', word_idx: [4, 5], start: 2.5, end: 5 },
      ],
    };
    // a perfect explanation: dog words during 0-2 s, rain words after
    const steps = Array.from({ length: 128 }, (_, s) =>
      Float32Array.from([0, s < 55 ? 1 : 0, s < 55 ? 0.8 : 0, 0, s >= 55 ? 1 : 0, s >= 55 ? 0.7 : 0]),
    );
    const e = {
      tokens: clip.words.map((w) => ({ id: 0, text: w, start: 0, end: 0, unknown: false })),
      steps,
      frameRate: 25,
      holistic: [0, 0.43, 0.34, 0, 0.57, 0.4],
    } as unknown as Explanation;
    expect(scoreClip(e, clip)).toMatchObject({ hits: 2, events: 2, auc: 1, sequence: [0] });
    const swapped = { ...e, steps: steps.map((r) => Float32Array.from([r[0]!, r[4]!, r[5]!, r[3]!, r[1]!, r[2]!])) } as Explanation;
    expect(scoreClip(swapped, clip).hits).toBe(0);
  });

  it("scores the lanes' time ranking on sequential clips, unknown words, and naming words against the rest", () => {
    const clip = {
      file: '',
      caption: 'a dog barks twice then rain falls',
      words: ['a', 'dog', 'barks', 'twice', 'then', 'rain', 'falls'],
      events: [
        { label: 'dog', word_idx: [1, 2], start: 0, end: 2 },
        { label: 'rain', word_idx: [5, 6], start: 2.4, end: 4 },
      ],
    };
    // 100 frames + 3 trailing steps; the dog lane is 1 in its span (frames 0-49), 0.2 elsewhere
    const steps = Array.from({ length: 103 }, (_, s) =>
      Float32Array.from([0.1, s < 50 ? 1 : 0.2, 0.3, 0.05, 0.4, s >= 60 && s < 100 ? 0.9 : 0.1, 0.2]),
    );
    const e = {
      tokens: clip.words.map((w) => ({ id: 0, text: w, start: 0, end: 0, unknown: w === 'twice' })),
      steps,
      frameRate: 25,
      holistic: [0.1, 0.6, 0.3, 0.05, 0.4, 0.43, 0.2],
    } as unknown as Explanation;
    const s = scoreClip(e, clip, 100);
    expect(s.frameAuc).toEqual([1, 1]);
    expect(s.spanContrast[0]).toBeCloseTo(0.8, 6);
    // rain's lane: 0.9 inside frames 60-99, 0.1 over frames 0-59 (the trailing steps have no frame)
    expect(s.spanContrast[1]).toBeCloseTo(0.8, 6);
    expect(s.unknown).toEqual([0.05]);
    expect(s.namingAboveFunction).toBe(true); // dog 0.6, rain 0.43 > 'then' 0.4
    const then = { ...e, holistic: [0.1, 0.6, 0.3, 0.05, 0.5, 0.43, 0.2] } as Explanation;
    expect(scoreClip(then, clip, 100).namingAboveFunction).toBe(false);
    // without the frame count (or on an overlapping clip) the lanes are not scored
    expect(scoreClip(e, clip).frameAuc).toEqual([]);
    // without noun_idx the nouns are not scored apart; with it the verbs leave the AUC
    expect(Number.isNaN(s.nounAuc)).toBe(true);
    const withNouns = { ...clip, events: clip.events.map((ev) => ({ ...ev, noun_idx: [ev.word_idx[0]!] })) };
    const low = { ...e, holistic: [0.1, 0.6, 0.01, 0.05, 0.4, 0.43, 0.02] } as Explanation;
    expect(scoreClip(low, clip).auc).toBeLessThan(1); // "barks" and "falls" under "a" and "then"
    expect(scoreClip(low, withNouns)).toMatchObject({ nounAuc: 1, verbsAndModifiers: [0.01, 0.02] });
    // with muting effects, a naming word the LM reacts to no more than to "then" (2e-3) is inert and
    // leaves the active-word AUC; "barks" (2e-3, a tie) and "falls" (1e-3) go, "dog" and "rain" stay
    const effects = [1e-3, 2e-2, 2e-3, 5e-4, 2e-3, 1.5e-2, 1e-3];
    expect(Number.isNaN(scoreClip(low, clip).activeAuc)).toBe(true);
    expect(scoreClip(low, clip, undefined, effects)).toMatchObject({ activeAuc: 1, inert: [0.01, 0.02] });
    // an inert word is not taken out when the LM reacts to it more than to every word naming nothing
    expect(scoreClip(low, clip, undefined, [...effects.slice(0, 2), 3e-3, ...effects.slice(3)])).toMatchObject({ inert: [0.02] });
  });

  it('the committed set: captions tokenise word for word, and a benchmark run scores every event', async () => {
    const model = await embeddedModel();
    const clips = readGroundTruth(GT);
    expect(clips.length).toBeGreaterThanOrEqual(20);
    for (const c of clips) expect((await model.tokenizer.encode(c.caption)).map((t) => t.text)).toEqual(c.words);
    const dir = mkdtempSync(join(tmpdir(), 'agx-gt-'));
    try {
      writeFileSync(join(dir, 'gt.json'), JSON.stringify({ clips: clips.slice(0, 2) }));
      for (const c of clips.slice(0, 2)) copyFileSync(join(GT, c.file), join(dir, c.file));
      const scores = await benchmarkGroundTruth(model, dir, ['random', 'atman']);
      for (const m of ['random', 'atman']) {
        expect(scores[m]!.clips).toBe(2);
        expect(scores[m]!.events).toBe(clips[0]!.events.length + clips[1]!.events.length);
        expect(scores[m]!.pointing >= 0 && scores[m]!.pointing <= 1).toBe(true);
        expect(scores[m]!.auc >= 0 && scores[m]!.auc <= 1).toBe(true);
        // the run measures each clip's muting effects, so the active-word AUC is scored on both clips
        expect(scores[m]!.activeAucPerClip).toHaveLength(2);
        expect(scores[m]!.activeAuc >= 0 && scores[m]!.activeAuc <= 1).toBe(true);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
