#!/usr/bin/env node
// Prints the markdown tables of docs/results.md from the JSON the commands wrote, so no number in
// that page is typed by hand:  node docs/render-results.mjs EVALUATE.json GT.json BENCH.json [SWEEP.json] [NULL-EFFECT.json]
import { readFileSync } from 'node:fs';
import { estimate, paired } from '../dist/electron/engine/stats.js';

const [evalPath, gtPath, benchPath] = process.argv.slice(2);
const read = (p) => (p ? JSON.parse(readFileSync(p, 'utf8')) : undefined);
const f3 = (x) => (x === null || x === undefined || Number.isNaN(x) ? '-' : Number(x).toFixed(3));
const ms = (m) => (m ? `${f3(m.mean)} ± ${f3(m.std)}` : '-');

const ev = read(evalPath);
if (ev) {
  console.log(`Faithfulness (${ev.prompts} prompts x ${ev.seeds} seeds; mean ± std over prompt-seed pairs)\n`);
  console.log('| method | Fid_F (lower) | Fid_CF (higher) | KL_F (lower) | KL_CF (higher) | Size |');
  console.log('|---|---|---|---|---|---|');
  if (ev.floor) console.log(`| no mask, resampled | ${ms(ev.floor.fid_f)} | - | ${ms(ev.floor.kl_f)} | - | - |`);
  for (const [name, m] of Object.entries(ev.methods)) {
    console.log(`| ${name} | ${ms(m.fid_f)} | ${ms(m.fid_cf)} | ${ms(m.kl_f)} | ${ms(m.kl_cf)} | ${ms(m.size)} |`);
  }
  console.log();
}
const gt = read(gtPath);
if (gt) {
  console.log('Ground truth and word kinds (mean holistic importance)\n');
  console.log('| method | pointing | token ROC-AUC | content words | function words | sequence words |');
  console.log('|---|---|---|---|---|---|');
  for (const [name, s] of Object.entries(gt.methods)) {
    console.log(`| ${name} | ${f3(s.pointing)} | ${f3(s.auc)} | ${f3(s.contentWords)} | ${f3(s.functionWords)} | ${f3(s.sequenceWords)} |`);
  }
  const first = Object.values(gt.methods)[0];
  console.log(`\n(${first.clips} clips, ${first.events} events)\n`);
  if (first.frameAuc !== undefined) gtGoals(gt.methods, first);
}

/** benchmark-gt's issue-18 metrics: words that do nothing, and the lanes' time ranking on sequential clips. */
function gtGoals(methods, first) {
  console.log('Naming words against the rest, and the lanes over time (sequential clips)\n');
  console.log(
    '| method | token ROC-AUC | nouns only: ROC-AUC | verbs and modifiers | naming word above every other word (share of clips) | unknown words | frame AUC | inside - outside |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const [name, s] of Object.entries(methods)) {
    console.log(
      `| ${name} | ${f3(s.auc)} | ${f3(s.nounAuc)} | ${f3(s.verbsAndModifiers)} | ${f3(s.namingAboveFunction)} | ${f3(s.unknownWords)} | ${f3(s.frameAuc)} | ${f3(s.spanContrast)} |`,
    );
  }
  console.log(`\n(${first.clips} clips; ${first.sequentialEvents} events of sequential clips for the last two columns)\n`);
  if (first.activeAucPerClip !== undefined) activeWords(methods, first);
}

/** The token AUC with the naming words the LM ignores scored apart (docs/decisions.md), each method against AudioGenX. */
function activeWords(methods, first) {
  const ref = methods.audiogenx?.activeAucPerClip;
  const ci = ([lo, hi]) => `[${f3(lo)}, ${f3(hi)}]`;
  console.log('Active naming words against the words that name nothing (inert naming words scored apart)\n');
  console.log(
    `| method | token ROC-AUC, all naming words | active naming words: ROC-AUC [95% CI] | minus AudioGenX [95% CI] (p) | inert naming words (${first.inertNamingWords}): mean importance | words that name nothing |`,
  );
  console.log('|---|---|---|---|---|---|');
  for (const [name, s] of Object.entries(methods)) {
    const e = estimate(s.activeAucPerClip);
    const d = ref && name !== 'audiogenx' ? paired(s.activeAucPerClip, ref) : undefined;
    console.log(
      `| ${name} | ${f3(s.auc)} | ${f3(e.mean)} ${ci(e.ci95)} | ${d ? `${f3(d.mean)} ${ci(d.ci95)} (${d.p < 0.001 ? '<0.001' : f3(d.p)})` : '-'} | ${f3(s.inertImportance)} | ${f3(s.functionWords)} |`,
    );
  }
  console.log(`\n(${first.clips} clips; the interval is a bootstrap over clips, p a paired sign-flip test)\n`);
}

const sweep = read(process.argv[5]);
if (sweep) {
  console.log(`AudioGenX settings on validation ground truth (${sweep.clips} of ${sweep.of ?? sweep.clips} clips)\n`);
  console.log(
    '| setting | alpha | beta | lr | epochs | init | token ROC-AUC | naming above rest | unknown words | frame AUC | inside - outside | pointing |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const [name, { params: p, scores: s }] of Object.entries(sweep.settings)) {
    console.log(
      `| ${name} | ${p.alpha} | ${p.beta} | ${p.lr} | ${p.epochs} | ${p.init} | ${f3(s.auc)} | ${f3(s.namingAboveFunction)} | ${f3(s.unknownWords)} | ${f3(s.frameAuc)} | ${f3(s.spanContrast)} | ${f3(s.pointing)} |`,
    );
  }
  console.log();
}
const bench = read(benchPath);
if (bench?.methods) {
  console.log('Cost per explanation of a 5 s clip (each method in its own process)\n');
  console.log('| method | seconds (median) | peak memory (MB, process incl. model) |');
  console.log('|---|---|---|');
  for (const [name, m] of Object.entries(bench.methods)) console.log(`| ${name} | ${f3(m.secondsMedian)} | ${m.maxRssMb} |`);
  console.log();
}
if (bench?.explain?.scaling) {
  console.log('AudioGenX cost by clip and prompt length (50 epochs)\n');
  console.log('| clip (s) | tokens | LM steps | seconds |');
  console.log('|---|---|---|---|');
  for (const row of bench.explain.scaling) console.log(`| ${row.clipSec} | ${row.tokens} | ${row.steps} | ${f3(row.seconds)} |`);
}

const nullEffect = read(process.argv[6]);
if (nullEffect?.summary) {
  console.log(`What muting a word does to the LM (mean 1 - cos of its hidden states; ${nullEffect.clips.length} clips)\n`);
  console.log(`| words | count | mean | median | min | max | share below ${nullEffect.functionFloor.toExponential(1)} |`);
  console.log('|---|---|---|---|---|---|---|');
  const e = (x) => x.toExponential(1);
  for (const [k, v] of Object.entries(nullEffect.summary)) {
    console.log(`| ${k} | ${v.words} | ${e(v.mean)} | ${e(v.median)} | ${e(v.min)} | ${e(v.max)} | ${f3(v.shareBelowFunctionFloor)} |`);
  }
  console.log();
}
