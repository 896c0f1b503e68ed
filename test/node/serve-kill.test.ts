// `agx serve` as a user runs it: a real process, killed with SIGKILL mid-session; everything it had
// acknowledged must be there when it starts again.
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { base64ToFloat32 } from '../../electron/common/base64.js';
import { embeddedModelsDir } from '../../electron/engine/manifest.js';
import { connectWs, tempDir } from './studio-helpers.js';

const AGX = join(embeddedModelsDir(), '..', 'bin', 'agx.js');
const running: ChildProcess[] = [];

/** Starts `agx serve --json` and resolves with its URL once it prints it. */
function serve(dataDir: string, extra: string[] = []): Promise<{ child: ChildProcess; url: string; port: number }> {
  const child = spawn(process.execPath, [AGX, 'serve', '--port', '0', '--data-dir', dataDir, '--threads', '2', '--json', ...extra], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) {
        const { url, port } = JSON.parse(line);
        resolve({ child, url, port });
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`agx serve exited with ${code}: ${err}`)));
  });
}

afterEach(() => {
  for (const c of running.splice(0)) c.kill('SIGKILL');
});

describe('agx serve process', () => {
  it('keeps a session through kill -9: takes, explanation, timeline and its undo step', async () => {
    const dataDir = tempDir();
    const first = await serve(dataDir);
    const token = new URL(first.url).searchParams.get('token');
    const c = await connectWs(`ws://127.0.0.1:${first.port}/api?token=${token}`);
    const { session } = await c.api.createSession({});
    const waitJob = async (jobId: string) => {
      for (let i = 0; i < 600; i++) {
        const j = (await c.api.listJobs({})).find((x) => x.id === jobId);
        if (j && ['done', 'failed', 'cancelled'].includes(j.state)) return j;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error('job did not end');
    };
    const gen = await waitJob(
      (await c.api.generate({ sessionId: session.id, prompt: 'a dog barks then a bell rings', seed: 11, durationSec: 2 })).jobId,
    );
    const takeId = gen.result?.kind === 'takes' ? gen.result.takeIds[0]! : '';
    const ex = await waitJob((await c.api.explain({ takeId, method: 'atman' })).jobId);
    expect(ex.state).toBe('done');
    const state = await c.api.openSession({ sessionId: session.id });
    await c.api.saveTimeline({
      sessionId: session.id,
      state: { ...state.timeline, markers: [{ id: 'm1', timeSec: 1.25, label: 'bark' }] },
      undoLabel: 'Add marker',
    });
    await c.api.saveTimeline({
      sessionId: session.id,
      state: { ...state.timeline, markers: [{ id: 'm1', timeSec: 1.25, label: 'bark' }], pxPerSec: 240 },
    });
    const audio = (await c.api.getTakeAudio({ takeId })).samplesBase64;
    // A long job is running when the process dies.
    await c.api.explain({ takeId, method: 'audiogenx', params: { epochs: 500 } });
    await new Promise((r) => setTimeout(r, 300));
    c.close();
    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));

    const second = await serve(dataDir);
    const token2 = new URL(second.url).searchParams.get('token');
    expect(token2).not.toBe(token);
    const c2 = await connectWs(`ws://127.0.0.1:${second.port}/api?token=${token2}`);
    const info = await c2.api.getInfo({});
    expect(info.storeError).toBeNull();
    const listed = await c2.api.listSessions({});
    expect(listed.lastOpenedId).toBe(session.id);
    const back = await c2.api.openSession({ sessionId: session.id });
    expect(back.session.name).toBe('a dog barks then a bell rings');
    expect(back.takes.map((t) => t.id)).toEqual([takeId]);
    expect(back.explanations.map((e) => e.method)).toEqual(['atman']);
    expect(back.timeline.markers).toEqual([{ id: 'm1', timeSec: 1.25, label: 'bark' }]);
    expect(back.timeline.pxPerSec).toBe(240);
    expect(back.canUndo).toBe(true);
    expect(base64ToFloat32((await c2.api.getTakeAudio({ takeId })).samplesBase64)).toEqual(base64ToFloat32(audio));
    // The job that was running died with the process; nothing half-made was stored.
    expect(await c2.api.listJobs({})).toEqual([]);
    c2.close();
  });

  it('stops cleanly on SIGINT at any moment, even while the engine is still warming up', async () => {
    for (const delayMs of [0, 0, 100, 300, 700]) {
      const { child } = await serve(tempDir());
      let err = '';
      child.stderr!.on('data', (d) => (err += d));
      await new Promise((r) => setTimeout(r, delayMs));
      child.kill('SIGINT');
      const code = await new Promise((r) => child.once('exit', (c) => r(c)));
      expect(err).not.toMatch(/terminate called|Napi/);
      expect(code, err).toBe(0);
    }
  });

  it('refuses a bad port with one line and exit code 2', async () => {
    const child = spawn(process.execPath, [AGX, 'serve', '--port', '70000'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => (err += d));
    const code = await new Promise((r) => child.on('exit', r));
    expect(code).toBe(2);
    expect(err.trim()).toBe('agx: error: --port must be a port from 0 to 65535 (got "70000")');
  });
});
