// Crash safety: a child process saves the timeline over and over and acknowledges each save; the parent
// SIGKILLs it at random moments. Afterwards the file must open cleanly and hold every acknowledged save.
// The child runs the store as compiled JavaScript: dist/ when `npm test` has just built it, else a
// private build of electron/store (and what it imports) under node_modules/.cache.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Store, UNDO_CAP } from '../../electron/store/store.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CHILD = path.join(ROOT, 'test', 'node', 'store-kill-child.mjs');
const SAVES = 200;
let storeJs: string;
let dir: string;

function newestSource(): number {
  const files = [
    ...fs.readdirSync(path.join(ROOT, 'electron', 'store')).map((f) => path.join(ROOT, 'electron', 'store', f)),
    path.join(ROOT, 'electron', 'common', 'api.ts'),
    path.join(ROOT, 'electron', 'common', 'errors.ts'),
  ];
  return Math.max(...files.map((f) => fs.statSync(f).mtimeMs));
}

/** Compiled store.js no older than its sources. */
function compiledStore(): string {
  const dist = path.join(ROOT, 'dist', 'electron', 'store', 'store.js');
  if (fs.existsSync(dist) && fs.statSync(dist).mtimeMs >= newestSource()) return dist;
  const out = path.join(ROOT, 'node_modules', '.cache', 'agx-store-kill');
  const built = path.join(out, 'electron', 'store', 'store.js');
  if (fs.existsSync(built) && fs.statSync(built).mtimeMs >= newestSource()) return built;
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  const args = ['--outDir', out, '--rootDir', ROOT, '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022'];
  const r = spawnSync(
    process.execPath,
    [tsc, ...args, '--strict', '--skipLibCheck', '--types', 'node', path.join(ROOT, 'electron', 'store', 'store.ts')],
    {
      encoding: 'utf8',
    },
  );
  if (r.status !== 0) throw new Error(`compiling electron/store failed:\n${r.stdout}${r.stderr}`);
  // Inside node_modules Node looks for no package scope, so say these files are ES modules.
  fs.writeFileSync(path.join(out, 'package.json'), '{ "type": "module" }\n');
  return built;
}

/** When to kill: after n acks, n ms after spawn (startup included), or n ms after the session exists. */
interface Kill {
  acks?: number;
  ms?: number;
  msAfterSession?: number;
}

interface Run {
  acked: number;
  sessionSeen: boolean;
  finished: boolean;
}

/** Runs the child and SIGKILLs it once `killAfterAcks` saves are acknowledged (or after `killAfterMs`). */
function runChild(file: string, mode: 'edit' | 'view', kill: Kill): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CHILD, storeJs, file, path.join(path.dirname(file), 'backups'), mode, String(SAVES)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const run: Run = { acked: 0, sessionSeen: false, finished: false };
    let buffered = '';
    let stderr = '';
    const killNow = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    const timer = kill.ms === undefined ? undefined : setTimeout(killNow, kill.ms);
    let later: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let nl: number;
      while ((nl = buffered.indexOf('\n')) >= 0) {
        const line = buffered.slice(0, nl);
        buffered = buffered.slice(nl + 1);
        if (line.startsWith('ack ')) {
          const n = Number(line.slice(4));
          if (n !== run.acked + 1) reject(new Error(`ack ${n} after ack ${run.acked}`));
          run.acked = n;
        } else if (line.startsWith('session ')) {
          run.sessionSeen = true;
          if (kill.msAfterSession !== undefined) later = setTimeout(killNow, kill.msAfterSession);
        } else if (line === 'done') run.finished = true;
        if (kill.acks !== undefined && (run.acked >= kill.acks || (kill.acks === 0 && run.sessionSeen))) killNow();
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (later) clearTimeout(later);
      if (signal !== 'SIGKILL' && code !== 0) reject(new Error(`child exited with ${code}: ${stderr}`));
      else resolve(run);
    });
  });
}

/** Opens what the killed child left and checks it against what it acknowledged. */
function check(file: string, mode: 'edit' | 'view', run: Run): { current: number } {
  const store = Store.open({ file, backupsDir: path.join(path.dirname(file), 'backups') });
  try {
    expect(store.integrityCheck()).toBe('ok');
    const sessions = store.listSessions();
    if (sessions.length === 0) {
      // Killed before its session was committed: then nothing can have been acknowledged.
      expect(run.acked).toBe(0);
      return { current: 0 };
    }
    const id = sessions[0]!.id;
    const state = store.getTimeline(id);
    const current = mode === 'edit' ? (state.markers[0]?.timeSec ?? 0) : state.scrollSec;
    expect(current).toBeGreaterThanOrEqual(run.acked);
    expect(current).toBeLessThanOrEqual(run.finished ? SAVES : run.acked + 1);
    if (mode === 'edit') {
      // The undo stack holds every earlier save, newest first, down to the empty start (within the cap).
      const seen: number[] = [];
      for (let s = store.undo(id); s !== null; s = store.undo(id)) seen.push(s.markers[0]?.timeSec ?? 0);
      const expected = Array.from({ length: Math.min(current, UNDO_CAP) }, (_, i) => current - 1 - i);
      expect(seen).toEqual(expected);
    }
    return { current };
  } finally {
    store.close();
  }
}

beforeAll(() => {
  storeJs = compiledStore();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agx-store-kill-'));
});
afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe('Store: SIGKILL during autosaves', () => {
  it('every acknowledged save survives, at random kill points, for edits and view autosaves', async () => {
    // Fixed points (right after open, mid-way, near the end) plus random ones; timed kills that are not
    // in step with the acks: one from spawn (can land in opening and migrating), one among the saves.
    const plans: { mode: 'edit' | 'view'; kill: Kill }[] = [
      { mode: 'edit', kill: { acks: 0 } },
      { mode: 'edit', kill: { acks: 100 } },
      { mode: 'edit', kill: { acks: 199 } },
      { mode: 'edit', kill: { acks: 1 + Math.floor(Math.random() * (SAVES - 1)) } },
      { mode: 'edit', kill: { acks: 1 + Math.floor(Math.random() * (SAVES - 1)) } },
      { mode: 'edit', kill: { ms: Math.floor(Math.random() * 600) } },
      { mode: 'edit', kill: { msAfterSession: Math.floor(Math.random() * 150) } },
      { mode: 'view', kill: { acks: 1 + Math.floor(Math.random() * (SAVES - 1)) } },
      { mode: 'view', kill: { acks: 150 } },
    ];
    const report: string[] = [];
    for (const [i, plan] of plans.entries()) {
      const file = path.join(dir, `run${i}`, 'studio.sqlite');
      const run = await runChild(file, plan.mode, plan.kill);
      const { current } = check(file, plan.mode, run);
      const at = plan.kill.acks ?? (plan.kill.ms !== undefined ? `${plan.kill.ms}ms` : `session+${plan.kill.msAfterSession}ms`);
      report.push(`${plan.mode} kill@${at}: acked ${run.acked}, stored ${current}${run.finished ? ' (finished)' : ''}`);
    }
    // Shown with --reporter=verbose; the numbers belong in the run's log.
    console.log(`kill runs:\n  ${report.join('\n  ')}`);
    expect(report).toHaveLength(plans.length);
  });

  it('a killed store reopens, then takes further saves normally', async () => {
    const file = path.join(dir, 'again', 'studio.sqlite');
    const first = await runChild(file, 'edit', { acks: 50 });
    const { current } = check(file, 'edit', first);
    expect(current).toBeGreaterThanOrEqual(50);
    // check() undid everything; a second child continues from the start state and saves SAVES more.
    const second = await runChild(file, 'edit', {});
    expect(second.finished).toBe(true);
    expect(check(file, 'edit', second).current).toBe(SAVES);
  });
});
