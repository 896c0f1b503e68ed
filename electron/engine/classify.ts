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
