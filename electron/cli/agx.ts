#!/usr/bin/env node
// `agx`: the studio's command line. JSON on stdout with --json, progress on stderr, one clear line on error.
import { AgxError, exitCodeOf, toErrorData } from '../common/errors.js';
import { parseCommand } from './args.js';
import { COMMON, type Command } from './command.js';

import { benchCommand } from './commands/bench.js';
import { benchmarkGtCommand } from './commands/benchmark-gt.js';
import { classifyCommand } from './commands/classify.js';
import { evaluateCommand } from './commands/evaluate.js';
import { explainCommand } from './commands/explain.js';
import { generateCommand } from './commands/generate.js';
import { inpaintCommand } from './commands/inpaint.js';
import { modelsCommand } from './commands/models.js';
import { serveCommand } from './commands/serve.js';
import { sessionsCommand } from './commands/sessions.js';
import { exportCommand } from './commands/export.js';

const COMMANDS: Record<string, Command> = {
  generate: generateCommand,
  inpaint: inpaintCommand,
  explain: explainCommand,
  evaluate: evaluateCommand,
  'benchmark-gt': benchmarkGtCommand,
  classify: classifyCommand,
  models: modelsCommand,
  bench: benchCommand,
  serve: serveCommand,
  sessions: sessionsCommand,
  export: exportCommand,
};

function helpText(name?: string): string {
  const cmd = name === undefined ? undefined : COMMANDS[name];
  if (cmd === undefined) {
    const lines = Object.entries(COMMANDS).map(([n, c]) => `  ${n.padEnd(13)} ${c.summary}`);
    return `agx: AudioGenX Studio command line\n\nusage: agx <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nagx <command> --help shows a command's options.`;
  }
  const opts = Object.entries({ ...cmd.options, ...COMMON }).map(([o, s]) => `  --${o.padEnd(12)} ${s.help}`);
  return `usage: ${cmd.usage}\n\n${cmd.summary}\n\noptions:\n${opts.join('\n')}`;
}

function describe(result: unknown): string {
  const r = result as Record<string, unknown>;
  if (Array.isArray(r.files)) {
    const t = r.timings as Record<string, number>;
    return `${(r.files as string[]).join('\n')}\n${r.durationSec} s at ${r.sampleRate} Hz, seed ${r.seed}, ${t.totalMs} ms (${t.realtimeFactor}x real time)`;
  }
  // Before the plain `file` case: classify's result names its file too.
  if (Array.isArray(r.labels)) {
    const top = (r.labels as { label: string; probability: number }[]).slice(0, 5).map((l) => `${l.label} ${l.probability.toFixed(2)}`);
    const judge = r.judge as { name: string } | undefined;
    return `${r.file} (${r.durationSec} s${judge ? `, judge ${judge.name}` : ''})\ndetected: ${(r.detected as string[]).join(', ') || 'nothing'}\ntop: ${top.join(', ')}`;
  }
  if (typeof r.file === 'string') return `${r.file}`;
  if (Array.isArray(r.sessions)) {
    const rows = (r.sessions as { id: string; name: string; takes: number; openedAt: string }[]).map(
      (s) => `${s.openedAt.slice(0, 16).replace('T', ' ')}  ${String(s.takes).padStart(3)} takes  ${s.name}  (${s.id})`,
    );
    return rows.length > 0 ? `sessions in ${r.dataDir}:\n${rows.join('\n')}` : `no sessions in ${r.dataDir}`;
  }
  if (r.kind === 'judge') {
    // agx models convert --judge
    const warnings = (r.warnings as string[]).map((w) => `warning: ${w}`);
    const what = `${r.architecture} judge: ${(r.parameters as number).toLocaleString('en')} parameters, ${r.classes} classes, ${r.sampleRate} Hz, licence ${r.licence}`;
    return [...warnings, what, `converted into ${r.out}${r.resumed === true ? ' (already done)' : ''}`].join('\n');
  }
  if (typeof r.weightsSha256 === 'object' && r.weightsSha256 !== null) {
    // agx models convert
    const warnings = (r.warnings as string[]).map((w) => `warning: ${w}`);
    const what = `${r.family}: ${(r.lmParameters as number).toLocaleString('en')} LM parameters, ${r.sampleRate} Hz, ${r.codebooks} codebooks of ${r.cardinality}, T5 ${r.t5}, licence ${r.licence}`;
    const done =
      r.exported === true ? `converted into ${r.out}${r.resumed === true ? ' (already done)' : ''}` : `checked (no bundle written)`;
    return [...warnings, what, done].join('\n');
  }
  if (Array.isArray(r.models)) {
    const models = r.models as {
      name: string;
      version?: string;
      dir: string;
      bytes?: number;
      licence?: string;
      memory?: { generateBytes: number };
      status: string;
      error?: string;
      problems?: { file: string; status: string }[];
    }[];
    const width = Math.max(...models.map((m) => `${m.name} ${m.version ?? ''}`.length));
    const device = r.device as { requested: string; provider?: string; note?: string };
    const runsOn = device.provider === undefined ? '' : `\n${device.note ?? `--device ${device.requested} runs on ${device.provider}`}`;
    return (
      (models
        .map((m) => {
          const status =
            m.status === 'invalid'
              ? `invalid (${m.error})`
              : m.problems?.length
                ? `${m.status} (${m.problems.map((p) => `${p.file} ${p.status}`).join(', ')})`
                : m.status;
          const size = m.bytes === undefined ? '' : `  ${(m.bytes / 1e6).toFixed(1)} MB`;
          const needs = m.memory === undefined ? '' : ` (generation opens ${(m.memory.generateBytes / 1e6).toFixed(1)} MB)`;
          const licence = m.licence === undefined ? '' : `  ${m.licence}`;
          return `${`${m.name} ${m.version ?? ''}`.padEnd(width)}  ${status}${size}${needs}${licence}  ${m.dir}`;
        })
        .join('\n') || 'no model bundles found') + runsOn
    );
  }
  if (Array.isArray(r.holistic)) {
    const tokens = r.tokens as { text: string }[];
    const rows = (r.holistic as number[]).map((v, i) => `${tokens[i]!.text.padEnd(14)} ${v.toFixed(2)} ${'#'.repeat(Math.round(v * 30))}`);
    return `${r.method}: holistic importance per token\n${rows.join('\n')}`;
  }
  return JSON.stringify(result, null, 2);
}

/** Runs one command line; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(helpText(rest[0]) + '\n');
    return name === undefined ? 2 : 0;
  }
  const cmd = COMMANDS[name];
  try {
    if (cmd === undefined) throw new AgxError('bad_argument', `unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    const { values, positionals } = parseCommand(rest, { ...cmd.options, ...COMMON }, name);
    if (values.help === true) {
      process.stdout.write(helpText(name) + '\n');
      return 0;
    }
    if (positionals.length > 0 && name !== 'classify' && name !== 'models')
      throw new AgxError('bad_argument', `agx ${name}: unexpected argument "${positionals[0]}"`);
    const result = await cmd.run(values, positionals);
    process.stdout.write((values.json === true ? JSON.stringify(result, null, 2) : describe(result)) + '\n');
    return 0;
  } catch (err) {
    const data = toErrorData(err);
    process.stderr.write(`agx: error: ${data.message}\n`);
    if (!data.expected && process.env.AGX_DEBUG) process.stderr.write(`${(err as Error).stack}\n`);
    return exitCodeOf(data.code);
  }
}
