// The job queue is bounded (issue 15, hostile input 3): past 32 waiting jobs a new one is refused
// with the typed 'busy' error, and whatever a job holds is released however it ends.
import { describe, expect, it } from 'vitest';
import type { JobInfo, JobResult } from '../../electron/common/api.js';
import { AgxError } from '../../electron/common/errors.js';
import { JobQueue } from '../../electron/studio/jobs.js';

const RESULT: JobResult = { kind: 'takes', takeIds: [] };

/** A queue whose running job ends only when told to, like a long generate. */
function blockedQueue() {
  const events: JobInfo[] = [];
  let endRunning: (() => void) | undefined;
  let failRunning: ((err: Error) => void) | undefined;
  const queue = new JobQueue(
    (j) => events.push(j),
    () => failRunning?.(new AgxError('cancelled', 'cancelled')),
  );
  const run = () =>
    new Promise<JobResult>((resolve, reject) => {
      endRunning = () => resolve(RESULT);
      failRunning = reject;
    });
  const add = (release?: () => void) => queue.enqueue({ kind: 'generate', sessionId: 's', label: 'job', run, release });
  const settle = () => new Promise((r) => setTimeout(r, 5));
  return { queue, events, add, settle, end: () => endRunning!(), fail: (e: Error) => failRunning!(e) };
}

describe('JobQueue bound', () => {
  it("refuses the 34th job (1 running + 32 waiting) with 'busy', and accepts again once one leaves", async () => {
    const q = blockedQueue();
    q.add();
    await q.settle();
    for (let i = 0; i < 32; i++) q.add();
    let err: unknown;
    try {
      q.add();
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(AgxError);
    expect(err).toMatchObject({
      code: 'busy',
      expected: true,
      message: '32 jobs are already waiting; wait for some to finish or cancel them, then try again',
    });
    // The refused job was never announced or listed.
    expect(q.queue.list()).toHaveLength(33);
    expect(q.events.filter((e) => e.state === 'queued')).toHaveLength(33);
    // Cancelling a waiting job makes room.
    const waiting = q.queue.list().filter((j) => j.state === 'queued');
    expect(q.queue.cancel(waiting[5]!.id)).toBe(true);
    expect(() => q.add()).not.toThrow();
    expect(() => q.add()).toThrow(expect.objectContaining({ code: 'busy' }));
    q.queue.cancelAll();
  });

  it('2,000 enqueues leave 32 waiting, not 2,000', async () => {
    const q = blockedQueue();
    q.add();
    await q.settle();
    let refused = 0;
    for (let i = 0; i < 2000; i++) {
      try {
        q.add();
      } catch {
        refused++;
      }
    }
    expect(refused).toBe(2000 - 32);
    q.queue.cancelAll();
  });
});

describe('JobQueue release', () => {
  it('releases exactly once when a job is done, fails, is cancelled while waiting or running, or is shut down', async () => {
    const q = blockedQueue();
    const released: string[] = [];
    const tag = (name: string) => () => released.push(name);
    q.add(tag('done'));
    q.add(tag('failed'));
    q.add(tag('cancelled-running'));
    const waiting = q.add(tag('cancelled-waiting'));
    q.add(tag('shutdown'));
    await q.settle();
    q.queue.cancel(waiting.id);
    expect(released).toEqual(['cancelled-waiting']);
    q.end();
    await q.settle();
    expect(released).toEqual(['cancelled-waiting', 'done']);
    q.fail(new AgxError('bad_audio', 'junk'));
    await q.settle();
    expect(released).toEqual(['cancelled-waiting', 'done', 'failed']);
    q.queue.cancelAll();
    await q.queue.idle();
    expect(released.sort()).toEqual(['cancelled-running', 'cancelled-waiting', 'done', 'failed', 'shutdown']);
    expect(
      q.queue
        .list()
        .map((j) => j.state)
        .sort(),
    ).toEqual(['cancelled', 'cancelled', 'cancelled', 'done', 'failed']);
  });
});
