// An explanation as files a sound designer can take elsewhere: JSON (everything, reloadable), CSV
// (one row per LM step), and an Audacity label track naming the strongest words per interval; CSV and
// labels are per word the user typed, JSON keeps the model's tokens.
import type { CallParams, ExportFile, Explanation, Take } from '../common/api.js';
import { bytesToBase64 } from '../common/base64.js';
import { intervalMeans } from '../common/mask.js';
import { wordExplanation } from '../common/words.js';

const text = (s: string) => bytesToBase64(new TextEncoder().encode(s));

/** RFC 4180 field quoting. */
function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

/** The explanation as JSON: the mask with the take and model that produced it. */
function asJson(e: Explanation, take: Take): string {
  return JSON.stringify(
    {
      format: 'audiogenx-explanation',
      version: 1,
      prompt: take.prompt,
      take: {
        number: take.number,
        seed: take.seed,
        durationSec: take.durationSec,
        weights: take.weights,
        modelId: take.modelId,
        modelSha256: take.modelSha256,
        provider: take.provider,
      },
      method: e.method,
      params: e.params,
      tokens: e.tokens,
      frameRate: e.frameRate,
      holistic: e.holistic,
      metrics: e.metrics,
      mask: e.mask,
    },
    null,
    1,
  );
}

/** How a token is named in CSV columns and labels: its text, marked when muted or unknown to the model. */
function tokenLabel(t: Explanation['tokens'][number]): string {
  return `${t.text}${t.muted ? ' (muted)' : ''}${t.unknown ? ' (unknown)' : ''}`;
}

/**
 * One row per LM step: its time and each word's importance (columns named "i:word"); a muted word's
 * cells are empty. A word T5 cut into pieces is one column, its pieces' largest value (electron/common/words.ts).
 */
function asCsv(full: Explanation): string {
  const e = { ...full, ...wordExplanation(full) };
  const header = ['step', 'time_sec', ...e.tokens.map((t, i) => csvField(`${i}:${tokenLabel(t)}`))].join(',');
  const rows = e.mask.map((row, s) =>
    [String(s), (s / e.frameRate).toFixed(3), ...row.map((v, i) => (e.tokens[i]?.muted ? '' : v.toFixed(5)))].join(','),
  );
  return `${[header, ...rows].join('\n')}\n`;
}

/** Audacity's label format: start<TAB>end<TAB>label per line, labels = the top-K words of each interval (muted ones have no importance and are left out). */
export function audacityLabels(full: Explanation, durationSec: number, intervalSec: number, topK: number): string {
  const e = { ...full, ...wordExplanation(full) };
  const lines: string[] = [];
  for (let start = 0; start < durationSec - 1e-9; start += intervalSec) {
    const end = Math.min(durationSec, start + intervalSec);
    const means = intervalMeans(e.mask, e.frameRate, start, end);
    const top = means
      .map((v, i) => ({ v, i }))
      .filter(({ i }) => e.tokens[i]?.muted !== true)
      .sort((a, b) => b.v - a.v)
      .slice(0, topK)
      .map(({ v, i }) => `${e.tokens[i] ? tokenLabel(e.tokens[i]) : i} ${v.toFixed(2)}`);
    lines.push(`${start.toFixed(6)}\t${end.toFixed(6)}\t${top.join(', ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The file for exportExplanation. */
export function explanationExport(
  e: Explanation,
  take: Take,
  stem: string,
  p: Required<Pick<CallParams<'exportExplanation'>, 'format' | 'intervalSec' | 'topK'>>,
): ExportFile {
  switch (p.format) {
    case 'json':
      return { fileName: `${stem}.json`, mimeType: 'application/json', dataBase64: text(asJson(e, take)) };
    case 'csv':
      return { fileName: `${stem}.csv`, mimeType: 'text/csv', dataBase64: text(asCsv(e)) };
    case 'audacity':
      return {
        fileName: `${stem}-labels.txt`,
        mimeType: 'text/plain',
        dataBase64: text(audacityLabels(e, take.durationSec, p.intervalSec, p.topK)),
      };
  }
}
