import { parseArgs } from 'node:util';
import { AgxError } from '../common/errors.js';

/** One option of a command: its type and a line of help. */
export interface OptionSpec {
  /** 'string' takes a value, 'boolean' is a flag. */
  type: 'string' | 'boolean';
  /** One line shown by --help. */
  help: string;
}

/** Parsed values and positionals of one command line. */
export interface ParsedArgs {
  /** Option values by name. */
  values: Record<string, string | boolean | undefined>;
  /** Arguments that are not options. */
  positionals: string[];
}

/**
 * A value option followed by one that starts with "-": a number (`--seed -1`) is taken as the value, so
 * the option's own check can say what is allowed; anything else is refused with how to write it.
 */
function joinDashValues(argv: string[], options: Record<string, OptionSpec>, command: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return [...out, ...argv.slice(i)];
    const next = argv[i + 1];
    const name = arg.startsWith('--') ? arg.slice(2) : '';
    if (options[name]?.type !== 'string' || next === undefined || !next.startsWith('-')) {
      out.push(arg);
      continue;
    }
    if (!/^-(\d|\.\d)/.test(next)) {
      const hint = next.startsWith('--') ? '' : `; write one that starts with "-" as --${name}=${next}`;
      throw new AgxError('bad_argument', `agx ${command}: --${name} needs a value${hint}`);
    }
    out.push(`${arg}=${next}`);
    i++;
  }
  return out;
}

/** Parses argv strictly; an unknown flag lists the valid ones. */
export function parseCommand(argv: string[], options: Record<string, OptionSpec>, command: string): ParsedArgs {
  const args = joinDashValues(argv, options, command);
  try {
    const { values, positionals } = parseArgs({
      args,
      options: Object.fromEntries(Object.entries(options).map(([k, v]) => [k, { type: v.type }])),
      strict: true,
      allowPositionals: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (err) {
    const msg = err instanceof Error ? err.message.split('\n')[0]! : String(err);
    const unknown = /Unknown option '([^']+)'/.exec(msg);
    const valid = Object.keys(options)
      .map((o) => `--${o}`)
      .join(', ');
    if (unknown) throw new AgxError('bad_argument', `agx ${command}: unknown option ${unknown[1]}; valid options: ${valid}`);
    throw new AgxError('bad_argument', `agx ${command}: ${msg.replace(/\. To specify.*$/, '')}`);
  }
}

/** A number option: absent gives the fallback; anything unparsable is a clear error. */
export function numberOption(
  values: ParsedArgs['values'],
  name: string,
  fallback: number,
  check?: (n: number) => boolean,
  rule?: string,
): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n) || (check !== undefined && !check(n))) {
    throw new AgxError('bad_argument', `--${name} must be ${rule ?? 'a number'} (got "${String(raw)}")`);
  }
  return n;
}

/** A string option that must be present. */
export function requiredString(values: ParsedArgs['values'], name: string, command: string): string {
  const v = values[name];
  if (typeof v !== 'string') throw new AgxError('bad_argument', `agx ${command}: --${name} is required`);
  return v;
}
