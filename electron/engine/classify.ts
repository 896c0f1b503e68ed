import { AgxError } from '../common/errors.js';
import { labelDistribution } from './faithfulness.js';

/** A span of time in which the classifier hears one event. */
export interface EventSpan {
  /** Event label. */
  label: string;
  /** Start in seconds. */
  start: number;
  /** End in seconds. */
  end: number;
}

/**
 * Turns frame activity [labels][frames] into time spans for the given labels: frames above the
 * threshold, with gaps shorter than `bridgeFrames` closed (a dog's barks are one event, not ten).
 */
export function activitySpans(
  activity: Float32Array[],
  labels: readonly string[],
  frameRate: number,
  only: readonly string[],
  threshold = 0.5,
  bridgeFrames = 5,
): EventSpan[] {
  const spans: EventSpan[] = [];
  labels.forEach((label, i) => {
    if (!only.includes(label)) return;
    const a = activity[i]!;
    let start = -1;
    let lastOn = -1;
    for (let f = 0; f <= a.length; f++) {
      const on = f < a.length && a[f]! >= threshold;
      if (on) {
        if (start < 0) start = f;
        else if (f - lastOn > bridgeFrames) {
          spans.push({ label, start: start / frameRate, end: (lastOn + 1) / frameRate });
          start = f;
        }
        lastOn = f;
      }
    }
    if (start >= 0) spans.push({ label, start: start / frameRate, end: (lastOn + 1) / frameRate });
  });
  return spans.sort((x, y) => x.start - y.start);
}

/**
 * Calibrating the judge's label distribution (faithfulness.ts labelDistribution, softmax over
 * logit(p) / T) by temperature scaling on validation clips. A clip's target is uniform over the
 * labels it contains: the validation split's clips each hold two events, so a calibrated judge that
 * hears both should say about 0.5 for each rather than 1 for one of them.
 */
export interface CalibrationClip {
  /** The judge's sigmoid outputs. */
  probs: ArrayLike<number>;
  /** Indices of the labels the clip contains (at least one). */
  present: readonly number[];
}

function targetOf(clip: CalibrationClip, labels: number): Float64Array {
  if (clip.present.length === 0) throw new AgxError('bad_argument', 'a calibration clip needs at least one label');
  const t = new Float64Array(labels);
  for (const i of clip.present) t[i] = 1 / clip.present.length;
  return t;
}

/** Mean cross-entropy of the targets under softmax(logit(p) / T), in nats. */
export function calibrationNll(clips: readonly CalibrationClip[], temperature: number): number {
  let s = 0;
  for (const c of clips) {
    const q = labelDistribution(c.probs, temperature);
    const t = targetOf(c, q.length);
    for (let i = 0; i < q.length; i++) if (t[i]! > 0) s -= t[i]! * Math.log(Math.max(q[i]!, 1e-300));
  }
  return s / clips.length;
}

/**
 * The temperature minimising calibrationNll, by golden-section search on log T over [1/20, 1000]
 * (the NLL of a temperature-scaled softmax is unimodal in T).
 */
export function fitTemperature(clips: readonly CalibrationClip[]): number {
  if (clips.length === 0) throw new AgxError('bad_argument', 'no calibration clips');
  let lo = Math.log(1 / 20);
  let hi = Math.log(1000);
  const g = (Math.sqrt(5) - 1) / 2;
  let a = hi - g * (hi - lo);
  let b = lo + g * (hi - lo);
  let fa = calibrationNll(clips, Math.exp(a));
  let fb = calibrationNll(clips, Math.exp(b));
  for (let i = 0; i < 80; i++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - g * (hi - lo);
      fa = calibrationNll(clips, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + g * (hi - lo);
      fb = calibrationNll(clips, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/** Expected calibration errors of the judge's label distribution at one temperature (equal-width bins). */
export interface CalibrationError {
  /**
   * Over every (clip, label) pair: bins of q, each |mean q - mean target| weighted by its share;
   * the error the NLL fit targets.
   */
  ece: number;
  /**
   * Top label only: confidence max q against whether the top label is one the clip contains
   * (the usual single-label ECE; a two-event clip is "right" with either of its labels).
   */
  topLabelEce: number;
  /** Share of clips whose top label is one they contain. */
  topLabelAccuracy: number;
  /** Mean top-label confidence. */
  meanConfidence: number;
  /** calibrationNll at this temperature. */
  nll: number;
}

export function calibrationError(clips: readonly CalibrationClip[], temperature: number, bins = 15): CalibrationError {
  if (clips.length === 0) throw new AgxError('bad_argument', 'no calibration clips');
  const binOf = (v: number): number => Math.min(bins - 1, Math.floor(v * bins));
  const all = Array.from({ length: bins }, () => ({ n: 0, q: 0, t: 0 }));
  const top = Array.from({ length: bins }, () => ({ n: 0, q: 0, t: 0 }));
  let pairs = 0;
  let right = 0;
  let conf = 0;
  for (const c of clips) {
    const q = labelDistribution(c.probs, temperature);
    const t = targetOf(c, q.length);
    for (let i = 0; i < q.length; i++) {
      const b = all[binOf(q[i]!)]!;
      b.n++;
      b.q += q[i]!;
      b.t += t[i]!;
      pairs++;
    }
    const y = q.indexOf(Math.max(...q));
    const hit = c.present.includes(y) ? 1 : 0;
    const b = top[binOf(q[y]!)]!;
    b.n++;
    b.q += q[y]!;
    b.t += hit;
    right += hit;
    conf += q[y]!;
  }
  const ece = (bs: typeof all, total: number): number => bs.reduce((s, b) => s + (b.n > 0 ? Math.abs(b.q - b.t) / total : 0), 0);
  return {
    ece: ece(all, pairs),
    topLabelEce: ece(top, clips.length),
    topLabelAccuracy: right / clips.length,
    meanConfidence: conf / clips.length,
    nll: calibrationNll(clips, temperature),
  };
}
