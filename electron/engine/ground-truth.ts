import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgxError } from '../common/errors.js';
import { toModelAudio } from './audio/load.js';
import { explain, type Explanation, intervalView } from './explain/index.js';
import type { Model } from './model.js';

/** One synthesised clip with its ground truth (native-models/build/agx_build/stages/gt_fixtures.py). */
export interface GroundTruthClip {
  /** WAV file name in the set's folder. */
  file: string;
  /** The caption the clip was synthesised for. */
  caption: string;
  /** Caption words; word i is prompt token i. */
  words: string[];
  /** Events: label, the word indices that name it, its span in seconds. */
  events: { label: string; word_idx: number[]; start: number; end: number }[];
}

/** Scores of one method over the set. */
export interface GroundTruthScores {
  /** Share of events whose interval view (over the event's span) ranks one of its own words first. */
  pointing: number;
  /** Mean over clips of the ROC-AUC of holistic importance against "names an event". */
  auc: number;
  /** Mean holistic importance of the words that name events (nouns, verbs, their modifiers). */
  contentWords: number;
  /** Mean holistic importance of every other word (articles, connectors, fillers). */
  functionWords: number;
  /** Mean holistic importance of the sequence words "then", "followed", "by", "after". */
  sequenceWords: number;
  /** Events scored. */
  events: number;
  /** Clips scored. */
  clips: number;
}

function mean(xs: number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Reads gt.json of a ground-truth set. */
export function readGroundTruth(dir: string): GroundTruthClip[] {
  try {
    return (JSON.parse(readFileSync(join(dir, 'gt.json'), 'utf8')) as { clips: GroundTruthClip[] }).clips;
  } catch {
    throw new AgxError('io_error', `cannot read the ground-truth set ${join(dir, 'gt.json')}`);
  }
}

/** ROC-AUC (Mann-Whitney U): the chance that a random positive scores above a random negative. */
export function rocAuc(scores: number[], positive: boolean[]): number {
  let pairs = 0;
  let wins = 0;
  scores.forEach((s, i) => {
    if (!positive[i]) return;
    scores.forEach((t, j) => {
      if (positive[j]) return;
      pairs++;
      wins += s > t ? 1 : s === t ? 0.5 : 0;
    });
  });
  return pairs === 0 ? Number.NaN : wins / pairs;
}

const SEQUENCE_WORDS = new Set(['then', 'followed', 'by', 'after']);

/** Pointing and AUC of one explanation against one clip's ground truth, and its words' importance by kind. */
export function scoreClip(
  e: Explanation,
  clip: GroundTruthClip,
): { hits: number; events: number; auc: number; content: number[]; func: number[]; sequence: number[] } {
  if (e.tokens.length !== clip.words.length) {
    throw new AgxError(
      'internal',
      `tokenizer split "${clip.caption}" into ${e.tokens.length} tokens, ground truth has ${clip.words.length} words`,
      false,
    );
  }
  let hits = 0;
  for (const ev of clip.events) {
    const view = intervalView(e, ev.start, ev.end).map((v) => v ?? 0);
    const top = view.indexOf(Math.max(...view));
    if (ev.word_idx.includes(top)) hits++;
  }
  const named = new Set(clip.events.flatMap((ev) => ev.word_idx));
  const holistic = e.holistic.map((v) => v ?? 0); // ground-truth clips carry no weights: nothing is muted
  const content = holistic.filter((_, i) => named.has(i));
  const func = holistic.filter((_, i) => !named.has(i));
  const sequence = holistic.filter((_, i) => !named.has(i) && SEQUENCE_WORDS.has(clip.words[i]!));
  return {
    hits,
    events: clip.events.length,
    auc: rocAuc(
      holistic,
      e.tokens.map((_, i) => named.has(i)),
    ),
    content,
    func,
    sequence,
  };
}

/** Explains every clip of the set (from its audio, teacher-forced under its caption) with each method. */
export async function benchmarkGroundTruth(
  model: Model,
  dir: string,
  methods: string[],
  params: Record<string, Record<string, unknown>> = {},
  onClip?: (done: number, total: number) => void,
): Promise<Record<string, GroundTruthScores>> {
  const clips = readGroundTruth(dir);
  const acc = new Map(
    methods.map((m) => [
      m,
      { hits: 0, events: 0, aucs: [] as number[], content: [] as number[], func: [] as number[], sequence: [] as number[] },
    ]),
  );
  for (const [n, clip] of clips.entries()) {
    const { codes, frames } = await model.encodeAudio(await toModelAudio(readFileSync(join(dir, clip.file)), model.manifest.sampleRate));
    for (const method of methods) {
      const s = scoreClip(await explain(model, clip.caption, codes, frames, method, params[method] ?? {}), clip);
      const a = acc.get(method)!;
      a.hits += s.hits;
      a.events += s.events;
      if (Number.isFinite(s.auc)) a.aucs.push(s.auc);
      a.content.push(...s.content);
      a.func.push(...s.func);
      a.sequence.push(...s.sequence);
    }
    onClip?.(n + 1, clips.length);
  }
  return Object.fromEntries(
    methods.map((m) => {
      const a = acc.get(m)!;
      return [
        m,
        {
          pointing: a.hits / a.events,
          auc: mean(a.aucs),
          contentWords: mean(a.content),
          functionWords: mean(a.func),
          sequenceWords: mean(a.sequence),
          events: a.events,
          clips: clips.length,
        },
      ];
    }),
  );
}
