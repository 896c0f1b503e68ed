// The studio's handle on the engine worker: starts it, runs one task at a time, cancels through a
// shared flag, and restarts the worker if it dies so one crash never takes the studio down.
import { existsSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { AgxError, type ErrorData } from '../common/errors.js';
import type { Mask } from '../common/mask.js';
import type { Device } from '../engine/onnx/providers.js';
import {
  CANCEL_SLOT,
  CLOSING_SLOT,
  type EngineInfo,
  type EngineResults,
  type EngineTask,
  type EngineWorkerData,
  type FromWorker,
  type ToWorker,
} from './engine-protocol.js';

/**
 * Where the compiled worker lives: beside this file (tsc's dist/ and the Vite-bundled app), or, when
 * this file runs as TypeScript source (vitest), in the tsc output that `npm run build` made.
 */
function workerUrl(): URL {
  const candidates = [new URL('./engine-worker.js', import.meta.url)];
  if (import.meta.url.endsWith('.ts')) candidates.push(new URL('../../dist/electron/studio/engine-worker.js', import.meta.url));
  const found = candidates.find((u) => existsSync(u));
  if (found) return found;
  throw new AgxError('internal', 'engine-worker.js is missing; run `npm run build` first', false);
}

interface Pending {
  jobNumber: number;
  resolve: (value: unknown) => void;
  reject: (error: AgxError) => void;
  onProgress: (fraction: number, partial?: Mask) => void;
  onPreview: (audio: Float32Array) => void;
}

/** Options of the engine. */
export interface EngineOptions {
  /** Bundle name or folder (default: the embedded model). */
  model?: string | undefined;
  /** onnxruntime intra-op threads. */
  threads?: number | undefined;
  /** Where the graphs run (--device; default auto). */
  device?: Device | undefined;
}

function errorFrom(data: ErrorData): AgxError {
  return new AgxError(data.code as AgxError['code'], data.message, data.expected);
}

/** One engine worker. */
export class EngineClient {
  private worker: Worker | undefined;
  private readyPromise: Promise<EngineInfo> | undefined;
  private readonly flagsBuffer = new SharedArrayBuffer(8);
  private readonly flags = new Int32Array(this.flagsBuffer);
  private pending: Pending | undefined;
  private nextJob = 1;
  private closed = false;

  constructor(private readonly options: EngineOptions = {}) {}

  /** Starts the worker (once) and resolves with the loaded model's description. */
  ready(): Promise<EngineInfo> {
    this.readyPromise ??= this.spawn();
    return this.readyPromise;
  }

  private spawn(): Promise<EngineInfo> {
    const data: EngineWorkerData = {
      model: this.options.model,
      threads: this.options.threads,
      device: this.options.device,
      flags: this.flagsBuffer,
    };
    const worker = new Worker(workerUrl(), { workerData: data });
    this.worker = worker;
    return new Promise<EngineInfo>((resolve, reject) => {
      worker.on('message', (msg: FromWorker) => {
        switch (msg.type) {
          case 'ready':
            resolve(msg.info);
            break;
          case 'init-failed':
            reject(errorFrom(msg.error));
            break;
          case 'progress':
            if (this.pending?.jobNumber === msg.jobNumber) this.pending.onProgress(msg.fraction, msg.partial);
            break;
          case 'preview':
            if (this.pending?.jobNumber === msg.jobNumber) this.pending.onPreview(msg.audio);
            break;
          case 'done':
          case 'failed': {
            const p = this.pending;
            if (p?.jobNumber !== msg.jobNumber) break;
            this.pending = undefined;
            if (msg.type === 'done') p.resolve(msg.result);
            else p.reject(errorFrom(msg.error));
            break;
          }
        }
      });
      worker.on('error', (err) => {
        reject(new AgxError('internal', `the engine failed to start: ${err.message}`, false));
        this.failPending(`the engine crashed: ${err.message}`);
      });
      worker.on('exit', (code) => {
        if (this.worker !== worker) return;
        this.worker = undefined;
        this.readyPromise = undefined;
        if (!this.closed) this.failPending(`the engine stopped unexpectedly (exit code ${code}); it restarts with the next job`);
        reject(new AgxError('internal', `the engine exited during start (code ${code})`, false));
      });
    });
  }

  private failPending(message: string): void {
    const p = this.pending;
    this.pending = undefined;
    p?.reject(new AgxError('internal', message, false));
  }

  /**
   * Runs one task; progress may carry a partial mask, and a generation sends its preview (its opening's
   * audio) while it runs. Rejects with AgxError ('cancelled' when cancelled).
   */
  async run<K extends EngineTask['kind']>(
    task: Extract<EngineTask, { kind: K }>,
    onProgress: (fraction: number, partial?: Mask) => void = () => {},
    onPreview: (audio: Float32Array) => void = () => {},
  ): Promise<EngineResults[K]> {
    if (this.closed) throw new AgxError('internal', 'the engine is closed', false);
    await this.ready();
    if (this.pending !== undefined) throw new AgxError('internal', 'the engine runs one job at a time', false);
    const jobNumber = this.nextJob++;
    return new Promise<EngineResults[K]>((resolve, reject) => {
      this.pending = { jobNumber, resolve: resolve as (v: unknown) => void, reject, onProgress, onPreview };
      const message: ToWorker = { type: 'run', jobNumber, task };
      try {
        this.worker!.postMessage(message);
      } catch (err) {
        // Cloning failed (uncloneable or too deep) so the worker never saw the job: free the slot for the next one.
        this.pending = undefined;
        reject(
          new AgxError('internal', `the engine could not be sent this job (${err instanceof Error ? err.message : String(err)})`, false),
        );
      }
    });
  }

  /** Cancels the running task (it stops at its next step). */
  cancelRunning(): void {
    if (this.pending !== undefined) Atomics.store(this.flags, CANCEL_SLOT, this.pending.jobNumber);
  }

  /**
   * Stops the worker: the running task stops at its next step, the worker releases its sessions and
   * exits. Terminating it mid-inference would abort the whole process, so that is only the fallback
   * for a worker that does not exit within 15 s.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.failPending('the studio is closing');
    const w = this.worker;
    this.worker = undefined;
    if (w === undefined) return;
    Atomics.store(this.flags, CLOSING_SLOT, 1);
    const exited = new Promise<void>((resolve) => w.once('exit', () => resolve()));
    const shutdown: ToWorker = { type: 'shutdown' };
    w.postMessage(shutdown);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      exited.then(() => false),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(true), 15_000))),
    ]);
    clearTimeout(timer);
    if (timedOut) await w.terminate();
  }
}
