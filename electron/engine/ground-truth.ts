import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgxError } from '../common/errors.js';
import { stepRange } from '../common/mask.js';
import { toModelAudio } from './audio/load.js';
import { explain, type Explanation, intervalView } from './explain/index.js';
import { mutingEffects, type TeacherForcedInput, teacherForce } from './explain/teacher.js';
import type { Model } from './model.js';
import { quantile } from './stats.js';

/** One synthesised clip with its ground truth (native-models/build/agx_build/stages/gt_fixtures.py). */
export interface GroundTruthClip {
  /** WAV file name in the set's folder. */
  file: string;
  /** The caption the clip was synthesised for. */
  caption: string;
  /** Caption words; word i is prompt token i. */
  words: string[];
  /** Events: label, the word indices that name it, its span in seconds. */
  events: { label: string; word_idx: number[]; noun_idx?: number[]; start: number; end: number }[];
  /** Validation sets (tools/gt_validation.py): indices of words inserted that the model does not know. */
  unknown_idx?: number[];
  /** Validation sets: indices of filler words ("in the background", "nearby"). */
  filler_idx?: number[];
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
  /** Mean holistic importance of the words the model does not know (the tokenizer's unknown flag); NaN when there are none. */
  unknownWords: number;
  /** Share of clips where every event's strongest naming word outranks every word that names nothing (articles, connectors, fillers, unknown words). */
  namingAboveFunction: number;
  /**
   * Sequential clips ("then", "after", "followed by"): mean over events of the ROC-AUC of the lane of
   * the event's strongest naming word over the clip's frames against "inside the event's span".
   */
  frameAuc: number;
  /** Sequential clips: mean over events of that lane's mean inside the event's span minus outside it. */
  spanContrast: number;
  /** Events scored by frameAuc and spanContrast. */
  sequentialEvents: number;
  /** Median over those events of the frame ROC-AUC (one event with a tiny outside can sink the mean). */
  frameAucMedian: number;
  /** The event with the lowest frame ROC-AUC, and the share of the clip's frames inside its span. */
  frameAucLowest: { caption: string; event: number; auc: number; insideShare: number } | null;
  /**
   * Mean over clips of the ROC-AUC of holistic importance, nouns of the events (gt.json's noun_idx)
   * against the words that name nothing; the events' verbs and modifiers are left out (muting many
   * of them changes the LM no more than muting an article: docs/results.md). NaN without noun_idx.
   */
  nounAuc: number;
  /** Mean holistic importance of the naming words that are not nouns (verbs, modifiers); NaN without noun_idx. */
  verbsAndModifiers: number;
  /**
   * Mean over clips of the ROC-AUC of holistic importance, the active naming words against the words
   * that name nothing; inert naming words (see `inertNamingWords`) are left out. NaN without muting effects.
   */
  activeAuc: number;
  /** activeAuc of each clip, in the set's order (for intervals and paired tests between methods). */
  activeAucPerClip: number[];
  /**
   * Naming words the LM ignores: muting one moves the LM's hidden states no more than muting some word
   * that names nothing in the same caption (docs/decisions.md, "Lanes in frame time, and naming words
   * the LM ignores"). Their count and mean holistic importance.
   */
  inertNamingWords: number;
  inertImportance: number;
  /** Events scored. */
  events: number;
  /** Clips scored. */
  clips: number;
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

const SEQUENCE_CONNECTORS = new Set(['then', 'followed', 'after']);

/** A clip whose caption orders its events ("then", "followed by", "after"): the one kind whose lanes are scored over time. */
export function isSequential(clip: Pick<GroundTruthClip, 'words'>): boolean {
  return clip.words.some((w) => SEQUENCE_CONNECTORS.has(w));
}

/** The scores of one explanation against one clip's ground truth, and its words' importance by kind. */
export interface ClipScores {
  hits: number;
  events: number;
  auc: number;
  content: number[];
  func: number[];
  sequence: number[];
  unknown: number[];
  /** ROC-AUC of nouns against words that name nothing (NaN without noun_idx). */
  nounAuc: number;
  /** Holistic importance of the naming words that are not nouns (empty without noun_idx). */
  verbsAndModifiers: number[];
  /** Every event's strongest naming word outranks every word that names nothing. */
  namingAboveFunction: boolean;
  /** Per event, on sequential clips only (else empty): frame ROC-AUC and inside-minus-outside mean of its strongest naming word's lane. */
  frameAuc: number[];
  spanContrast: number[];
  /** Per scored event (as frameAuc): its index in the clip and the share of the clip's frames inside its span. */
  frameEvents: { event: number; insideShare: number }[];
  /** With muting effects: ROC-AUC of the active naming words against the words that name nothing (else NaN). */
  activeAuc: number;
  /** With muting effects: holistic importance of the inert naming words (else empty). */
  inert: number[];
}

function mean(xs: number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

/**
 * Each word's muting effect on a teacher-forced clip: the mean over its steps of 1 - cos of the LM's
 * final hidden states with the word at weight 0.
 */
export async function wordMutingEffects(model: Model, input: TeacherForcedInput): Promise<number[]> {
  const d = await mutingEffects(model, input);
  const L = input.bucket.tokens;
  return input.tokens.map((_, i) => {
    let sum = 0;
    for (let s = 0; s < input.steps; s++) sum += d[s * L + i]!;
    return sum / input.steps;
  });
}

/**
 * Pointing, AUCs and importance by word kind of one explanation against one clip's ground truth;
 * with the clip's frame count, also the lanes' time ranking on sequential clips; with the words'
 * muting effects (wordMutingEffects), the AUC of the active naming words.
 */
export function scoreClip(e: Explanation, clip: GroundTruthClip, frames?: number, effects?: readonly number[]): ClipScores {
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
  const unknown = holistic.filter((_, i) => e.tokens[i]!.unknown);
  const strongest = clip.events.map((ev) => ev.word_idx.reduce((best, i) => (holistic[i]! > holistic[best]! ? i : best)));
  const topFunction = Math.max(...func);
  const frameAuc: number[] = [];
  const spanContrast: number[] = [];
  const frameEvents: { event: number; insideShare: number }[] = [];
  if (frames !== undefined && isSequential(clip)) {
    // step t writes frame t's first stream; the K - 1 trailing steps have no frame of their own
    clip.events.forEach((ev, k) => {
      const lane = e.steps.slice(0, frames).map((row) => row[strongest[k]!]!);
      const [from, to] = stepRange(e.frameRate, frames, ev.start, ev.end);
      const inside = lane.map((_, t) => t >= from && t < to);
      const auc = rocAuc(lane, inside);
      if (!Number.isFinite(auc)) return; // an event over the whole clip has no outside
      frameAuc.push(auc);
      frameEvents.push({ event: k, insideShare: (to - from) / lane.length });
      spanContrast.push(mean(lane.filter((_, t) => inside[t])) - mean(lane.filter((_, t) => !inside[t])));
    });
  }
  const hasNouns = clip.events.every((ev) => ev.noun_idx !== undefined);
  const nouns = new Set(clip.events.flatMap((ev) => ev.noun_idx ?? []));
  const apart = holistic.flatMap((v, i) => (!named.has(i) || nouns.has(i) ? [v] : []));
  const nounAuc = hasNouns
    ? rocAuc(
        apart,
        holistic.flatMap((_, i) => (!named.has(i) || nouns.has(i) ? [nouns.has(i)] : [])),
      )
    : Number.NaN;
  // a naming word the LM reacts to no more than to some word beside it that names nothing is inert
  const loudestNothing = effects ? Math.max(...effects.filter((_, i) => !named.has(i))) : Number.NaN;
  const inert = new Set(effects ? [...named].filter((i) => effects[i]! <= loudestNothing) : []);
  const active = holistic.flatMap((_, i) => (inert.has(i) ? [] : [i]));
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
    unknown,
    nounAuc,
    verbsAndModifiers: hasNouns ? holistic.filter((_, i) => named.has(i) && !nouns.has(i)) : [],
    namingAboveFunction: strongest.every((i) => holistic[i]! > topFunction),
    frameAuc,
    spanContrast,
    frameEvents,
    activeAuc: effects
      ? rocAuc(
          active.map((i) => holistic[i]!),
          active.map((i) => named.has(i)),
        )
      : Number.NaN,
    inert: [...inert].map((i) => holistic[i]!),
  };
}

/** Running totals of ClipScores over a set, for one run. */
export interface GroundTruthTally {
  hits: number;
  events: number;
  aucs: number[];
  content: number[];
  func: number[];
  sequence: number[];
  unknown: number[];
  nounAucs: number[];
  verbsAndModifiers: number[];
  naming: boolean[];
  /** Every scored event of the sequential clips, with its frame ROC-AUC. */
  frameEvents: { caption: string; event: number; auc: number; insideShare: number }[];
  spanContrast: number[];
  activeAucs: number[];
  inert: number[];
}

export function emptyTally(): GroundTruthTally {
  return {
    hits: 0,
    events: 0,
    aucs: [],
    content: [],
    func: [],
    sequence: [],
    unknown: [],
    nounAucs: [],
    verbsAndModifiers: [],
    naming: [],
    frameEvents: [],
    spanContrast: [],
    activeAucs: [],
    inert: [],
  };
}

/** Adds one clip's scores to a tally. */
export function addClip(a: GroundTruthTally, s: ClipScores, caption: string): void {
  a.hits += s.hits;
  a.events += s.events;
  if (Number.isFinite(s.auc)) a.aucs.push(s.auc);
  a.content.push(...s.content);
  a.func.push(...s.func);
  a.sequence.push(...s.sequence);
  a.unknown.push(...s.unknown);
  if (Number.isFinite(s.nounAuc)) a.nounAucs.push(s.nounAuc);
  a.verbsAndModifiers.push(...s.verbsAndModifiers);
  a.naming.push(s.namingAboveFunction);
  a.frameEvents.push(...s.frameEvents.map((ev, j) => ({ caption, ...ev, auc: s.frameAuc[j]! })));
  a.spanContrast.push(...s.spanContrast);
  if (Number.isFinite(s.activeAuc)) a.activeAucs.push(s.activeAuc);
  a.inert.push(...s.inert);
}

/** A tally's scores. */
export function summarise(a: GroundTruthTally): GroundTruthScores {
  const aucs = a.frameEvents.map((ev) => ev.auc);
  return {
    pointing: a.hits / a.events,
    auc: mean(a.aucs),
    contentWords: mean(a.content),
    functionWords: mean(a.func),
    sequenceWords: mean(a.sequence),
    unknownWords: mean(a.unknown),
    namingAboveFunction: a.naming.filter((x) => x).length / a.naming.length,
    frameAuc: mean(aucs),
    spanContrast: mean(a.spanContrast),
    sequentialEvents: aucs.length,
    frameAucMedian:
      aucs.length === 0
        ? Number.NaN
        : quantile(
            aucs.sort((x, y) => x - y),
            0.5,
          ),
    frameAucLowest: a.frameEvents.reduce<GroundTruthTally['frameEvents'][number] | null>(
      (low, ev) => (low === null || ev.auc < low.auc ? ev : low),
      null,
    ),
    nounAuc: mean(a.nounAucs),
    verbsAndModifiers: mean(a.verbsAndModifiers),
    activeAuc: mean(a.activeAucs),
    activeAucPerClip: a.activeAucs,
    inertNamingWords: a.inert.length,
    inertImportance: mean(a.inert),
    events: a.events,
    clips: a.naming.length,
  };
}

/** One clip's audio as codes, for explaining it (teacher-forced under its caption). */
export async function encodeClip(model: Model, dir: string, clip: GroundTruthClip): Promise<{ codes: Int32Array; frames: number }> {
  return model.encodeAudio(await toModelAudio(readFileSync(join(dir, clip.file)), model.manifest.sampleRate));
}

/**
 * Explains every clip of the set (from its audio, teacher-forced under its caption) with each run. A
 * run is a method name, or "method:label" to score one method under several parameter sets side by
 * side (params are keyed by the run's full name).
 */
export async function benchmarkGroundTruth(
  model: Model,
  dir: string,
  runs: string[],
  params: Record<string, Record<string, unknown>> = {},
  onClip?: (done: number, total: number) => void,
): Promise<Record<string, GroundTruthScores>> {
  const clips = readGroundTruth(dir);
  const tallies = new Map(runs.map((r) => [r, emptyTally()]));
  for (const [n, clip] of clips.entries()) {
    const { codes, frames } = await encodeClip(model, dir, clip);
    const effects = await wordMutingEffects(model, await teacherForce(model, clip.caption, codes, frames));
    for (const run of runs) {
      const method = run.split(':')[0]!;
      addClip(
        tallies.get(run)!,
        scoreClip(await explain(model, clip.caption, codes, frames, method, params[run] ?? {}), clip, frames, effects),
        clip.caption,
      );
    }
    onClip?.(n + 1, clips.length);
  }
  return Object.fromEntries(runs.map((r) => [r, summarise(tallies.get(r)!)]));
}
