// One queue for every engine job: one runs at a time (the engine is one worker), the rest wait in
// order and stay visible; any job can be cancelled, and every change is announced. The wait is
// bounded: past MAX_WAITING a new job is refused with 'busy' instead of piling up without end.
import { randomUUID } from 'node:crypto';
import type { JobInfo, JobKind, JobResult } from '../common/api.js';
import { AgxError, toErrorData } from '../common/errors.js';

/** What a job does once it reaches the front of the queue. */
export type JobRunner = (progress: (fraction: number) => void, jobId: string) => Promise<JobResult>;

/** What enqueue needs. */
export interface JobSpec {
  kind: JobKind;
  sessionId: string;
  label: string;
  run: JobRunner;
  /** Called once when the job ends in any way (done, failed, cancelled, shut down): frees what it holds, such as a spooled file. */
  release?: (() => void) | undefined;
}

/**
 * Jobs that may wait behind the running one. A person queues a handful (a few generates, an explain);
 * 32 is hours of explain work or minutes of generates, far past what anyone watches in the jobs bar,
 * while a runaway script or client is stopped before it costs memory, disk (queued imports are spooled)
 * or a list the UI cannot show.
 */
export const MAX_WAITING = 32;

/** Finished jobs kept for listJobs. */
const KEEP_FINISHED = 50;
/** Progress announcements per second at most (partial masks have their own event). */
const PROGRESS_INTERVAL_MS = 100;

interface Entry {
  info: JobInfo;
  run: JobRunner;
  release: (() => void) | undefined;
  startedMs: number;
  lastEmitMs: number;
}

const now = () => new Date().toISOString();

/** The studio's job queue. */
export class JobQueue {
  private readonly queued: Entry[] = [];
  private running: Entry | undefined;
  private readonly finished: JobInfo[] = [];

  /**
   * @param emit called with a copy of a job whenever it changes
   * @param cancelRunning asks the engine to stop the running job at its next step
   */
  constructor(
    private readonly emit: (job: JobInfo) => void,
    private readonly cancelRunning: () => void,
  ) {}

  /** Adds a job; it starts when every job before it has ended. Throws AgxError 'busy' when MAX_WAITING jobs already wait. */
  enqueue(spec: JobSpec): JobInfo {
    if (this.queued.length >= MAX_WAITING) {
      throw new AgxError('busy', `${this.queued.length} jobs are already waiting; wait for some to finish or cancel them, then try again`);
    }
    const info: JobInfo = {
      id: randomUUID().replaceAll('-', ''),
      kind: spec.kind,
      sessionId: spec.sessionId,
      label: spec.label,
      state: 'queued',
      progress: 0,
      etaSec: null,
      queuedAt: now(),
      startedAt: null,
      finishedAt: null,
      error: null,
      result: null,
    };
    this.queued.push({ info, run: spec.run, release: spec.release, startedMs: 0, lastEmitMs: 0 });
    this.emit({ ...info });
    queueMicrotask(() => void this.pump());
    return { ...info };
  }

  /** Cancels a queued or running job; false when it had already ended or is unknown. */
  cancel(id: string): boolean {
    const i = this.queued.findIndex((e) => e.info.id === id);
    if (i >= 0) {
      const [entry] = this.queued.splice(i, 1);
      this.finish(entry!, 'cancelled', null, null);
      return true;
    }
    if (this.running?.info.id === id) {
      this.cancelRunning();
      return true;
    }
    return false;
  }

  /** Running, queued (in order), then recently finished jobs (newest first). */
  list(): JobInfo[] {
    return [...(this.running ? [this.running.info] : []), ...this.queued.map((e) => e.info), ...this.finished].map((j) => ({ ...j }));
  }

  /** Resolves when nothing is queued or running (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running !== undefined || this.queued.length > 0) await new Promise((r) => setTimeout(r, 20));
  }

  /** Cancels everything (shutdown). */
  cancelAll(): void {
    for (const e of [...this.queued]) this.cancel(e.info.id);
    if (this.running) this.cancel(this.running.info.id);
  }

  private async pump(): Promise<void> {
    if (this.running !== undefined) return;
    const entry = this.queued.shift();
    if (entry === undefined) return;
    this.running = entry;
    entry.startedMs = performance.now();
    entry.info = { ...entry.info, state: 'running', startedAt: now() };
    this.emit({ ...entry.info });
    try {
      const result = await entry.run((fraction) => this.progress(entry, fraction), entry.info.id);
      this.finish(entry, 'done', result, null);
    } catch (err) {
      const error = toErrorData(err);
      if (error.code === 'cancelled') this.finish(entry, 'cancelled', null, null);
      else this.finish(entry, 'failed', null, error);
    }
    this.running = undefined;
    void this.pump();
  }

  private progress(entry: Entry, fraction: number): void {
    const f = Math.min(1, Math.max(0, fraction));
    const t = performance.now();
    const elapsed = (t - entry.startedMs) / 1000;
    entry.info = { ...entry.info, progress: f, etaSec: f > 0.02 ? (elapsed * (1 - f)) / f : null };
    if (t - entry.lastEmitMs >= PROGRESS_INTERVAL_MS || f >= 1) {
      entry.lastEmitMs = t;
      this.emit({ ...entry.info });
    }
  }

  private finish(
    entry: Entry,
    state: 'done' | 'failed' | 'cancelled',
    result: JobResult | null,
    error: ReturnType<typeof toErrorData> | null,
  ): void {
    try {
      entry.release?.();
    } catch {
      // Freeing is best effort (a spooled file already gone); the job's outcome stands.
    }
    entry.release = undefined;
    entry.info = {
      ...entry.info,
      state,
      progress: state === 'done' ? 1 : entry.info.progress,
      etaSec: null,
      finishedAt: now(),
      result,
      error,
    };
    this.finished.unshift(entry.info);
    this.finished.length = Math.min(this.finished.length, KEEP_FINISHED);
    this.emit({ ...entry.info });
  }
}
