// The renderer's state: the open session (with its timeline state), sessions, jobs, live partial
// masks, errors and the connection. Components read it through useStudio(); every change to the
// studio goes through one of the methods here, so saving, undo and error reporting have one home.
import { useSyncExternalStore } from 'react';
import {
  MAX_IMPORT_BYTES,
  type AudioData,
  type CallParams,
  CallResult,
  type JobInfo,
  type SessionState,
  type SessionSummary,
  type StudioEvent,
  type TimelineState,
} from '../../../electron/common/api';
import { base64ToFloat32, bytesToBase64 } from '../../../electron/common/base64';
import type { Mask } from '../../../electron/common/mask';
import type { ConnectionState, StudioClient } from '../api/client';
import { saveExport, type SaveOutcome } from '../api/files';
import { audioOut, type Clip } from '../audio/player';

/** getInfo's answer. */
export type StudioInfo = CallResult<'getInfo'>;
/** One rolling backup of the store, as listBackups gives it. */
export type BackupInfo = CallResult<'listBackups'>[number];

/** One visible error. */
export interface ShownError {
  id: number;
  message: string;
}

/** Everything components draw from. */
export interface StudioState {
  connection: ConnectionState;
  info: StudioInfo | null;
  sessions: SessionSummary[];
  session: SessionState | null;
  /** Jobs by id (this window's view of the queue). */
  jobs: Record<string, JobInfo>;
  /** Live masks of running explanations, by take id. */
  partial: Record<string, { jobId: string; mask: Mask }>;
  errors: ShownError[];
  /** Bumped when take audio arrives, so the timeline redraws. */
  audioVersion: number;
  /** True once the first session (or none) is open. */
  ready: boolean;
  /** A short note of what is happening ("Opening session"), for the status bar. */
  note: string | null;
  /** A WAV chosen or dropped for import, waiting for its caption in the import dialog. */
  pendingImport: File | null;
}

/** How a timeline change is saved. */
export type SaveMode =
  /** Local preview only (while a gesture is in progress). */
  | { kind: 'preview' }
  /** A view change: autosaved after a pause, not undoable. */
  | { kind: 'view' }
  /** An edit: saved now as one undoable step. */
  | { kind: 'edit'; undoLabel: string };

const VIEW_SAVE_DELAY_MS = 400;
// A change event waits this long for its job's end (or more changes), so a burst costs one reload.
const RELOAD_DELAY_MS = 80;
// A 'timeline' event this soon after our own save is our own echo, not another window's change.
const OWN_ECHO_MS = 1500;

function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

/** A Generate's preview that was played: its audio key, and where it stopped (null while it plays). */
interface Preview {
  key: string;
  stoppedAt: number | null;
  /** Settles once its playback has started (or failed to). */
  started: Promise<void>;
}

/** The store. One per window. */
export class StudioStore {
  private state: StudioState;
  private readonly listeners = new Set<() => void>();
  private readonly audio = new Map<string, Clip>();
  private readonly audioLoading = new Map<string, Promise<Clip | null>>();
  private saveTimer: number | null = null;
  private saveChain: Promise<void> = Promise.resolve();
  private savesInFlight = 0;
  private lastSaveAt = 0;
  private reloadTimer: number | null = null;
  /** The reload being read now. */
  private reloading: Promise<void> | null = null;
  private nextErrorId = 1;
  /** Jobs whose result this window acts on when they finish (e.g. play a render). */
  private readonly playWhenDone = new Set<string>();
  /** Generate jobs whose preview was played, until their take takes over. */
  private readonly previews = new Map<string, Preview>();
  /**
   * The prompt box's current text. Kept outside the state on purpose: it changes on every key press
   * and only the import dialog reads it (as the caption's default), so nothing needs to re-render.
   */
  promptDraft = '';

  constructor(readonly client: StudioClient) {
    this.state = {
      connection: { status: 'connecting', mode: 'browser', retryInMs: null, reason: null },
      info: null,
      sessions: [],
      session: null,
      jobs: {},
      partial: {},
      errors: [],
      audioVersion: 0,
      ready: false,
      note: null,
      pendingImport: null,
    };
  }

  get api() {
    return this.client.api;
  }

  /** Current state (immutable snapshot). */
  getState = (): StudioState => this.state;

  /** Subscribes to changes. */
  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private set(patch: Partial<StudioState>): void {
    this.state = { ...this.state, ...patch };
    for (const l of this.listeners) l();
  }

  /** Connects and opens the last session; call once. */
  start(): void {
    let wasOpen = false;
    this.client.onEvent((e) => this.onEvent(e));
    this.client.onConnection((c) => {
      // A live mask stops being live when its events can no longer arrive: the lane must not say so.
      this.set(c.status === 'open' ? { connection: c } : { connection: c, partial: {} });
      if (c.status === 'open') {
        // First connect, or back after a drop: everything may have changed meanwhile.
        void this.boot(wasOpen);
        wasOpen = true;
      }
    });
  }

  private async boot(reconnect: boolean): Promise<void> {
    await this.guard(async () => {
      const [info, jobs] = await Promise.all([this.api.getInfo({}), this.api.listJobs({})]);
      const byId: Record<string, JobInfo> = {};
      for (const j of jobs) byId[j.id] = j;
      this.set({ info, jobs: byId });
      // A damaged store answers every session call with the same error: show it once, in its own
      // panel (StoreErrorPanel, with the backups to restore), instead of failing the whole start.
      if (info.storeError !== null) {
        this.set({ sessions: [], session: null });
        return;
      }
      const list = await this.api.listSessions({});
      this.set({ sessions: list.sessions });
      const current = this.state.session?.session.id;
      const target = reconnect && current !== undefined ? current : (list.lastOpenedId ?? list.sessions[0]?.id ?? null);
      if (target !== null && list.sessions.some((s) => s.id === target)) await this.openSession(target);
    });
    this.set({ ready: true });
  }

  // ---- errors ------------------------------------------------------------------------------------

  /** Shows an error in the alert area. */
  error(message: string): void {
    this.set({ errors: [...this.state.errors, { id: this.nextErrorId++, message }] });
  }

  /** Dismisses one error. */
  dismissError(id: number): void {
    this.set({ errors: this.state.errors.filter((e) => e.id !== id) });
  }

  /** Runs an action; any failure becomes a visible error (never swallowed). Returns undefined on failure. */
  async guard<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (err) {
      this.error(errorMessage(err));
      return undefined;
    }
  }

  // ---- sessions ----------------------------------------------------------------------------------

  private setSession(s: SessionState | null): void {
    this.set({ session: s });
  }

  /** Refreshes the sessions list. */
  async refreshSessions(): Promise<void> {
    const list = await this.api.listSessions({});
    this.set({ sessions: list.sessions });
  }

  /** Opens a session (saving the current one's pending view changes first). */
  async openSession(sessionId: string): Promise<void> {
    await this.flushSaves();
    audioOut.stop();
    this.set({ note: 'Opening session' });
    try {
      const s = await this.api.openSession({ sessionId });
      this.setSession(s);
      await this.refreshSessions();
    } finally {
      this.set({ note: null });
    }
  }

  /** Creates and opens a new session. */
  async createSession(name?: string): Promise<SessionState> {
    await this.flushSaves();
    audioOut.stop();
    const s = await this.api.createSession(name === undefined ? {} : { name });
    this.setSession(s);
    await this.refreshSessions();
    return s;
  }

  /** Renames a session. */
  async renameSession(sessionId: string, name: string): Promise<void> {
    const summary = await this.api.renameSession({ sessionId, name });
    const s = this.state.session;
    if (s !== null && s.session.id === sessionId) this.setSession({ ...s, session: summary });
    await this.refreshSessions();
  }

  /** Duplicates a session (the copy is not opened). */
  async duplicateSession(sessionId: string): Promise<void> {
    await this.flushSaves();
    await this.api.duplicateSession({ sessionId });
    await this.refreshSessions();
  }

  /** Deletes a session; when it was open, opens the next one. */
  async deleteSession(sessionId: string): Promise<void> {
    await this.api.deleteSession({ sessionId });
    if (this.state.session?.session.id === sessionId) {
      audioOut.stop();
      this.setSession(null);
    }
    await this.refreshSessions();
    const next = this.state.sessions[0];
    if (this.state.session === null && next !== undefined) await this.openSession(next.id);
  }

  /**
   * Reloads the open session's takes and explanations, and its entry in the sessions list (name, take
   * count, last change); keeps local timeline edits not yet saved.
   */
  private async reload(): Promise<void> {
    const cur = this.state.session;
    if (cur === null) return;
    const fresh = await this.api.openSession({ sessionId: cur.session.id });
    const now = this.state.session;
    if (now === null || now.session.id !== fresh.session.id) return;
    const localPending = this.saveTimer !== null || this.savesInFlight > 0;
    this.setSession(localPending ? { ...fresh, timeline: now.timeline, canUndo: now.canUndo, canRedo: now.canRedo } : fresh);
    this.set({ sessions: this.state.sessions.map((s) => (s.id === fresh.session.id ? fresh.session : s)) });
  }

  /** Reloads after a pause, so a burst of change events costs one reload. */
  private scheduleReload(): void {
    if (this.reloadTimer !== null) window.clearTimeout(this.reloadTimer);
    this.reloadTimer = window.setTimeout(() => void this.guard(() => this.startReload()), RELOAD_DELAY_MS);
  }

  /** Starts the reload now (a scheduled one with it). */
  private startReload(): Promise<void> {
    if (this.reloadTimer !== null) window.clearTimeout(this.reloadTimer);
    this.reloadTimer = null;
    const run = this.reload().finally(() => {
      if (this.reloading === run) this.reloading = null;
    });
    this.reloading = run;
    return run;
  }

  /**
   * Brings the open session up to date with every change event received so far: starts the reload an
   * event scheduled, or waits for the one being read. The studio sends a job's change event before
   * its end, so a finished job costs one reload together with its event, not one each.
   */
  private async catchUp(): Promise<void> {
    if (this.reloadTimer !== null) await this.startReload();
    else if (this.reloading !== null) await this.reloading;
  }

  /** The store's rolling backups, newest first (also readable while the store is damaged). */
  listBackups(): Promise<BackupInfo[]> {
    return this.api.listBackups({});
  }

  /**
   * Replaces the store with a backup (the service keeps the replaced file aside), then loads
   * everything again as at start: the store error is gone and the sessions are back.
   */
  async restoreBackup(file: string): Promise<void> {
    await this.api.restoreBackup({ file });
    this.setSession(null);
    await this.boot(false);
  }

  // ---- timeline ----------------------------------------------------------------------------------

  /**
   * Changes the timeline state. Previews only redraw; view changes autosave after a pause; edits
   * save now as one undoable step (a gesture previews many times and commits once).
   */
  updateTimeline(change: Partial<TimelineState> | ((t: TimelineState) => TimelineState), mode: SaveMode): void {
    const s = this.state.session;
    if (s === null) return;
    const timeline = typeof change === 'function' ? change(s.timeline) : { ...s.timeline, ...change };
    this.setSession({ ...s, timeline });
    if (mode.kind === 'preview') return;
    if (this.saveTimer !== null) window.clearTimeout(this.saveTimer);
    this.saveTimer = null;
    if (mode.kind === 'edit') this.enqueueSave(mode.undoLabel);
    else
      this.saveTimer = window.setTimeout(() => {
        this.saveTimer = null;
        this.enqueueSave();
      }, VIEW_SAVE_DELAY_MS);
  }

  private enqueueSave(undoLabel?: string): void {
    const s = this.state.session;
    if (s === null) return;
    const sessionId = s.session.id;
    const state = s.timeline;
    this.savesInFlight++;
    this.saveChain = this.saveChain.then(async () => {
      try {
        const r = await this.api.saveTimeline(undoLabel === undefined ? { sessionId, state } : { sessionId, state, undoLabel });
        const cur = this.state.session;
        if (cur !== null && cur.session.id === sessionId) this.setSession({ ...cur, canUndo: r.canUndo, canRedo: r.canRedo });
      } catch (err) {
        this.error(`Could not save the timeline: ${errorMessage(err)}`);
      } finally {
        this.savesInFlight--;
        this.lastSaveAt = Date.now();
      }
    });
  }

  /** Saves any pending view change now and waits for every save to land. */
  async flushSaves(): Promise<void> {
    if (this.saveTimer !== null) {
      window.clearTimeout(this.saveTimer);
      this.saveTimer = null;
      this.enqueueSave();
    }
    await this.saveChain;
  }

  /** Undo one gesture. */
  async undo(): Promise<void> {
    const s = this.state.session;
    if (s === null) return;
    await this.flushSaves();
    this.setSession(await this.api.undo({ sessionId: s.session.id }));
  }

  /** Redo one gesture. */
  async redo(): Promise<void> {
    const s = this.state.session;
    if (s === null) return;
    await this.flushSaves();
    this.setSession(await this.api.redo({ sessionId: s.session.id }));
  }

  // ---- audio -------------------------------------------------------------------------------------

  /** A take's audio when loaded (starts loading it otherwise). */
  takeAudio(takeId: string): Clip | null {
    const clip = this.audio.get(takeId);
    if (clip !== undefined) return clip;
    void this.loadAudio(takeId);
    return null;
  }

  /** Loads a take's audio once (also into the audio output). */
  loadAudio(takeId: string): Promise<Clip | null> {
    const have = this.audio.get(takeId);
    if (have !== undefined) return Promise.resolve(have);
    let p = this.audioLoading.get(takeId);
    if (p === undefined) {
      p = this.guard(async () => {
        const data = await this.api.getTakeAudio({ takeId });
        const clip = { samples: base64ToFloat32(data.samplesBase64), sampleRate: data.sampleRate };
        this.audio.set(takeId, clip);
        audioOut.load(takeId, clip);
        performance.mark('agx:audio-loaded');
        this.set({ audioVersion: this.state.audioVersion + 1 });
        return clip;
      }).then((c) => {
        this.audioLoading.delete(takeId);
        return c ?? null;
      });
      this.audioLoading.set(takeId, p);
    }
    return p;
  }

  // ---- jobs --------------------------------------------------------------------------------------

  private async ensureSession(): Promise<SessionState> {
    return this.state.session ?? (await this.createSession());
  }

  /** Starts a generation in the open session (making a session first when none is open). */
  async generate(params: Omit<CallParams<'generate'>, 'sessionId'>): Promise<void> {
    performance.mark('agx:generate');
    const s = await this.ensureSession();
    const { jobId } = await this.api.generate({ ...params, sessionId: s.session.id });
    // Generate is a request to hear the result: its first take plays as soon as its audio is here.
    this.playWhenDone.add(jobId);
  }

  /** Starts a regeneration of a take. */
  async regenerate(params: CallParams<'regenerate'>): Promise<void> {
    await this.api.regenerate(params);
  }

  /** Opens the import dialog for a WAV file (the caption is asked for there). */
  requestImport(file: File): void {
    if (file.size > MAX_IMPORT_BYTES) {
      this.error(`${file.name} is too large to import (${Math.round(file.size / 1048576)} MB; at most ${MAX_IMPORT_BYTES / 1048576} MB)`);
      return;
    }
    this.set({ pendingImport: file });
  }

  /** Closes the import dialog without importing. */
  cancelImport(): void {
    this.set({ pendingImport: null });
  }

  /**
   * Imports a WAV as a take explained against the caption (making a session first when none is
   * open). The service decodes it; a file it cannot read fails the job, which shows as an alert.
   */
  async importWav(file: File, caption: string): Promise<void> {
    this.set({ pendingImport: null });
    const bytes = new Uint8Array(await file.arrayBuffer());
    const s = await this.ensureSession();
    await this.api.importAudio({
      sessionId: s.session.id,
      fileName: file.name.slice(0, 255),
      wavBase64: bytesToBase64(bytes),
      prompt: caption,
    });
  }

  /** Starts an explanation. */
  async explain(params: CallParams<'explain'>): Promise<void> {
    await this.api.explain(params);
  }

  /** Starts the faithfulness evaluation of an explanation. */
  async evaluate(explanationId: string): Promise<void> {
    await this.api.evaluateExplanation({ explanationId });
  }

  /** Plays an explanation's factual or counterfactual render (renders it first when needed). */
  async audition(explanationId: string, render: 'factual' | 'counterfactual'): Promise<void> {
    const key = `render:${explanationId}:${render}`;
    if (audioOut.has(key)) {
      await audioOut.play({ key, fromSec: 0 });
      return;
    }
    const { jobId } = await this.api.renderExplanation({ explanationId, render });
    this.playWhenDone.add(jobId);
  }

  /** Keeps an explanation's render as a new take (rendered again: same seed, weights and mask, so the same audio). */
  async keepRender(explanationId: string, render: 'factual' | 'counterfactual'): Promise<void> {
    await this.api.renderExplanation({ explanationId, render, keep: true });
  }

  /** Cancels a job. */
  async cancelJob(jobId: string): Promise<void> {
    await this.api.cancelJob({ jobId });
  }

  /** Exports a take (or a region of it) as WAV and saves the file. */
  async exportTake(params: CallParams<'exportTake'>): Promise<SaveOutcome> {
    return saveExport(await this.api.exportTake(params));
  }

  /** Exports an explanation (JSON, CSV, Audacity labels) and saves the file. */
  async exportExplanation(params: CallParams<'exportExplanation'>): Promise<SaveOutcome> {
    return saveExport(await this.api.exportExplanation(params));
  }

  private onEvent(e: StudioEvent): void {
    const current = this.state.session?.session.id;
    if (e.type === 'partial') {
      this.set({ partial: { ...this.state.partial, [e.takeId]: { jobId: e.jobId, mask: e.mask } } });
      return;
    }
    if (e.type === 'preview') {
      void this.guard(() => this.playPreview(e.jobId, e.sessionId, e.audio));
      return;
    }
    if (e.type === 'session') {
      // The open session's entry in the list comes with its reload; any other change needs the list.
      if (e.sessionId !== current || e.change === 'deleted') {
        void this.guard(() => this.refreshSessions());
        if (e.sessionId === current) this.setSession(null);
        return;
      }
      if (e.change === 'timeline' && (this.savesInFlight > 0 || this.saveTimer !== null || Date.now() - this.lastSaveAt < OWN_ECHO_MS))
        return;
      this.scheduleReload();
      return;
    }
    const job = e.job;
    this.set({ jobs: { ...this.state.jobs, [job.id]: job } });
    if (job.state === 'failed') {
      this.error(`${job.label} failed: ${job.error?.message ?? 'unknown error'}`);
      this.dropPartial(job.id);
      this.dropPreview(job.id);
    } else if (job.state === 'cancelled') {
      this.dropPartial(job.id);
      this.dropPreview(job.id);
    } else if (job.state === 'done') {
      void this.guard(() => this.onJobDone(job));
    }
  }

  /**
   * Time to first audio: a Generate's preview (its first take's opening, the same samples the take will
   * have) plays as soon as it arrives, unless something else is playing.
   */
  private async playPreview(jobId: string, sessionId: string, audio: AudioData): Promise<void> {
    if (!this.playWhenDone.has(jobId) || sessionId !== this.state.session?.session.id || audioOut.current() !== null) return;
    performance.mark('agx:preview');
    const key = `preview:${jobId}`;
    audioOut.load(key, { samples: base64ToFloat32(audio.samplesBase64), sampleRate: audio.sampleRate });
    const started = audioOut.play({ key, fromSec: 0 });
    const preview: Preview = { key, stoppedAt: null, started: started.catch(() => {}) };
    this.previews.set(jobId, preview);
    const off = audioOut.onStop((k, at) => {
      if (k !== key) return;
      preview.stoppedAt = at;
      off();
    });
    await started;
  }

  /**
   * The first take of a Generate is here: it plays from where its preview is (a hand-over mid-stream, same
   * samples), or from where the preview ran out; from the start when there was none. A preview stopped
   * before its end (the designer pressed stop, or played something else) is left stopped.
   */
  private async continueWithTake(takeId: string, preview: Preview | undefined): Promise<void> {
    if (preview === undefined) {
      if (audioOut.current() === null) await audioOut.play({ key: takeId, fromSec: 0 });
      return;
    }
    await preview.started;
    const end = audioOut.duration(preview.key);
    const playing = audioOut.current() === preview.key;
    const ranOut = audioOut.current() === null && preview.stoppedAt !== null && preview.stoppedAt >= end - 0.02;
    const at = playing ? (audioOut.position() ?? 0) : ranOut ? end : null;
    if (at !== null) await audioOut.play({ key: takeId, fromSec: at });
  }

  /** Forgets a job's preview (silencing it if it still plays: a job that ended without a take). */
  private dropPreview(jobId: string): void {
    const preview = this.previews.get(jobId);
    if (preview === undefined) return;
    this.previews.delete(jobId);
    audioOut.unload(preview.key);
  }

  private dropPartial(jobId: string): void {
    const partial = { ...this.state.partial };
    for (const [take, p] of Object.entries(partial)) if (p.jobId === jobId) delete partial[take];
    this.set({ partial });
  }

  private async onJobDone(job: JobInfo): Promise<void> {
    const r = job.result;
    if (r?.kind === 'render') {
      const key = `render:${r.explanationId}:${r.render}`;
      audioOut.load(key, { samples: base64ToFloat32(r.audio.samplesBase64), sampleRate: r.audio.sampleRate });
      if (this.playWhenDone.delete(job.id)) await audioOut.play({ key, fromSec: 0 });
      return;
    }
    const play = this.playWhenDone.delete(job.id);
    if (job.sessionId !== this.state.session?.session.id) {
      this.dropPreview(job.id);
      return;
    }
    const preview = this.previews.get(job.id);
    performance.mark('agx:job-done');
    // The first take's audio is fetched while the session reloads, not after: time to first audio.
    const first = r?.kind === 'takes' && r.takeIds.length > 0 ? this.loadAudio(r.takeIds[0]!) : null;
    await this.catchUp();
    this.dropPartial(job.id);
    if (r?.kind === 'takes' && r.takeIds.length > 0) {
      this.updateTimeline({ selectedTakeId: r.takeIds[0]! }, { kind: 'view' });
      for (const id of r.takeIds) void this.loadAudio(id);
      if (play && (await first) !== null) await this.continueWithTake(r.takeIds[0]!, preview);
      this.dropPreview(job.id);
    } else if (r?.kind === 'explanation') {
      const expl = this.state.session?.explanations.find((x) => x.id === r.explanationId);
      if (expl !== undefined)
        this.updateTimeline((t) => ({ ...t, shownExplanation: { ...t.shownExplanation, [expl.takeId]: expl.id } }), { kind: 'view' });
    }
  }
}

let store: StudioStore | null = null;

/** Installs the window's store (once, at start-up). */
export function installStore(s: StudioStore): void {
  store = s;
}

/** The window's store. */
export function getStore(): StudioStore {
  if (store === null) throw new Error('the studio store is not installed');
  return store;
}

/** Reads a slice of the state and re-renders when it changes. */
export function useStudio<T>(select: (s: StudioState) => T): T {
  const s = getStore();
  const get = () => select(s.getState());
  // The same snapshot on the server side, so components also render to markup in tests.
  return useSyncExternalStore(s.subscribe, get, get);
}
