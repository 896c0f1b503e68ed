// The one service behind every front door (Electron IPC, the WebSocket server, tests): sessions in the
// store, engine work through one job queue, results persisted the moment a job finishes.
import { join } from 'node:path';
import type { Explanation, JobKind, JobResult, SessionState, StudioEvent, StudioHandlers, Take } from '../common/api.js';
import { base64ToBytes, bytesToBase64, float32ToBase64 } from '../common/base64.js';
import { checkDuration, toToken } from '../common/domain.js';
import { AgxError, type ErrorData, toErrorData } from '../common/errors.js';
import { complementMask } from '../common/mask.js';
import { type MethodName, methodInfos, methodSpec, parseMethodParams } from '../common/methods.js';
import { checkRegions } from '../common/regions.js';
import { audioFileKind, encodeAudioFile } from '../engine/audio/encode.js';
import { requireBundleMethod } from '../engine/manifest.js';
import type { Device } from '../engine/onnx/providers.js';
import { PromptTokenizer } from '../engine/tokenizer.js';
import { resolveDataDir, storePaths } from '../store/data-dir.js';
import { listBackupsIn, Store } from '../store/store.js';
import { EngineClient } from './engine-client.js';
import type { EngineInfo } from './engine-protocol.js';
import { estimateExplainSeconds, explainWork, loadCostBook, saveCostBook } from './estimate.js';
import { explanationExport } from './exports.js';
import { JobQueue } from './jobs.js';
import { Spool } from './spool.js';
import { tokenizerEntries, vocabularyGroups, type VocabularyGroup } from './vocabulary.js';

/** What the studio needs to start. */
export interface StudioOptions {
  /** Folder of the database and its backups. */
  dataDir: string;
  /** Bundle name or folder (default: the embedded model). */
  model?: string | undefined;
  /** onnxruntime intra-op threads. */
  threads?: number | undefined;
  /** Where the graphs run (--device; default auto). */
  device?: Device | undefined;
  /** Application version shown by getInfo. */
  version?: string | undefined;
  /** Only reads (the CLI's sessions and export): the store is opened read-only, and opening a session is not recorded. */
  readOnly?: boolean | undefined;
}

/** A running studio. */
export interface Studio {
  /** The StudioApi's handlers (params already validated by protocol.dispatch). */
  handlers: StudioHandlers;
  /** Subscribes to events; returns the unsubscribe function. */
  onEvent(listener: (event: StudioEvent) => void): () => void;
  /** Cancels jobs, stops the engine, closes the store. */
  close(): Promise<void>;
}

/** Backups are taken at open and then at most this often while the studio runs. */
const BACKUP_INTERVAL_MS = 10 * 60 * 1000;

function shortLabel(prompt: string): string {
  const oneLine = prompt.replace(/\s+/g, ' ').trim();
  return oneLine.length > 40 ? `${oneLine.slice(0, 39)}…` : oneLine;
}

/** A safe file-name stem. */
function fileStem(text: string): string {
  return (
    text
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'audiogenx'
  );
}

/** Starts the engine worker and opens the store; a damaged store leaves sessions unavailable, not the studio. */
export async function createStudio(options: StudioOptions): Promise<Studio> {
  const dataDir = resolveDataDir(options.dataDir);
  const paths = storePaths(dataDir);
  let store: Store | undefined;
  let storeError: ErrorData | null = null;
  try {
    store = Store.open({ ...paths, readOnly: options.readOnly });
  } catch (err) {
    storeError = toErrorData(err);
  }
  const engine = new EngineClient({ model: options.model, threads: options.threads, device: options.device });
  let info: EngineInfo;
  try {
    info = await engine.ready();
  } catch (err) {
    store?.close();
    await engine.close();
    throw err;
  }
  const model = info.model;
  // The tokenizer (no ONNX) also lives here, so counting a prompt's tokens never waits for a job.
  const tokenizer = PromptTokenizer.fromFile(info.tokenizer.file, { maxTokens: model.maxTextTokens, unkId: info.tokenizer.unkId });
  const listeners = new Set<(event: StudioEvent) => void>();
  const emit = (event: StudioEvent) => {
    for (const l of listeners) {
      try {
        l(event);
      } catch {
        // A broken listener (a closed socket) must not stop the others.
      }
    }
  };
  const jobs = new JobQueue(
    (job) => emit({ type: 'job', job }),
    () => engine.cancelRunning(),
  );
  const spool = new Spool(dataDir);
  const costFile = join(dataDir, 'explain-speed.json');
  const costs = loadCostBook(costFile);
  let vocabulary: Promise<VocabularyGroup[]> | null = null;
  let lastBackupMs = Date.now();

  const db = (): Store => {
    if (store === undefined) throw new AgxError('store_corrupt', storeError?.message ?? 'the session store is not open');
    return store;
  };

  const maybeBackup = async () => {
    if (store === undefined || Date.now() - lastBackupMs < BACKUP_INTERVAL_MS) return;
    lastBackupMs = Date.now();
    // A failed backup (disk full) must not fail the job that triggered it; the next one retries.
    await store.backup().catch(() => undefined);
  };

  const sessionState = (sessionId: string): SessionState => {
    const s = db();
    const undo = s.undoStatus(sessionId);
    return {
      session: s.getSession(sessionId),
      takes: s.listTakes(sessionId),
      explanations: s.listExplanations(sessionId),
      timeline: s.getTimeline(sessionId),
      canUndo: undo.canUndo,
      canRedo: undo.canRedo,
    };
  };

  const enqueue = (
    kind: JobKind,
    sessionId: string,
    label: string,
    run: (progress: (f: number) => void, jobId: string) => Promise<JobResult>,
    release?: () => void,
  ) => {
    try {
      db().getSession(sessionId);
      return { jobId: jobs.enqueue({ kind, sessionId, label, run, release }).id };
    } catch (err) {
      release?.();
      throw err;
    }
  };

  /** What distinguishes one batch of takes; the model's fields are filled in here. */
  type TakeOrigin = Pick<Take, 'parentTakeId' | 'source' | 'prompt' | 'tokens' | 'weights' | 'sampling' | 'keptBeforeSec'>;

  /** The origin of a take regenerated from `parent` (whole, region-replaced or continued from its kept start). */
  const regeneratedFrom = (
    parent: Take,
    r: Pick<Take, 'tokens' | 'sampling'>,
    weights: Take['weights'],
    keptBeforeSec: number | null,
  ): TakeOrigin => ({
    parentTakeId: parent.id,
    source: 'regenerated',
    prompt: parent.prompt,
    tokens: r.tokens,
    weights,
    sampling: r.sampling,
    keptBeforeSec,
  });

  /** Stores clips as takes of a session (clip v gets seedOf(v)), and names the session after its first prompt. */
  const storeTakes = (
    sessionId: string,
    origin: TakeOrigin,
    clips: { codes: Int32Array; audio: Float32Array; frames: number }[],
    seedOf: (v: number) => number,
  ): JobResult => {
    const s = db();
    const firstTakes = s.getSession(sessionId).takeCount === 0;
    const takeIds = clips.map(
      (clip, v) =>
        s.addTake({
          ...origin,
          sessionId,
          seed: seedOf(v),
          modelId: model.id,
          modelSha256: model.identity,
          provider: info.provider,
          durationSec: clip.audio.length / model.sampleRate,
          sampleRate: model.sampleRate,
          ...clip,
        }).id,
    );
    // A session is named after its first prompt (until the user renames it), not its latest.
    if (firstTakes) s.autoName(sessionId, origin.prompt);
    emit({ type: 'session', sessionId, change: 'takes' });
    void maybeBackup();
    return { kind: 'takes', takeIds };
  };

  const takeLabel = (take: Take) => `Take ${take.number}`;

  /** A take's codes mean sounds only to the codec and LM that made them: another model would explain or continue noise. */
  const requireTakeModel = (take: Take, action: string) => {
    if (take.modelSha256 === model.identity) return;
    throw new AgxError(
      'model_mismatch',
      `${takeLabel(take)} was made by another model (${take.modelId}, identity ${take.modelSha256.slice(0, 12)}) than the loaded ${model.id} ${model.version} ` +
        `(identity ${model.identity.slice(0, 12)}), so it cannot be ${action} here: start the studio with --model naming the bundle that made it, ` +
        'or regenerate it without keeping audio to make a take of the loaded model',
    );
  };

  const explanationOf = (id: string): { explanation: Explanation; take: Take } => {
    const explanation = db().getExplanation(id);
    return { explanation, take: db().getTake(explanation.takeId) };
  };

  /** The work of explaining a take, for the cost model (buckets from the bundle's manifest). */
  const workOf = (take: Take) => explainWork(take.frames, take.tokens.length, info.codebooks, info.explainBuckets, info.modelScale);

  const handlers: StudioHandlers = {
    getInfo: () => ({
      version: options.version ?? '0.0.0',
      provider: info.provider,
      ...(info.providerNote !== undefined ? { providerNote: info.providerNote } : {}),
      model,
      methods: methodInfos().filter((mi) => info.methods.includes(mi.name as MethodName)),
      dataDir,
      storeError,
    }),
    listModels: () => [model],
    listSessions: () => ({ sessions: db().listSessions(), lastOpenedId: db().lastOpenedSessionId() }),
    createSession: (p) => {
      const created = db().createSession(p.name);
      db().markOpened(created.id);
      return sessionState(created.id);
    },
    openSession: (p) => {
      if (options.readOnly !== true) db().markOpened(p.sessionId);
      return sessionState(p.sessionId);
    },
    renameSession: (p) => {
      const s = db().renameSession(p.sessionId, p.name);
      emit({ type: 'session', sessionId: p.sessionId, change: 'renamed' });
      return s;
    },
    duplicateSession: (p) => db().duplicateSession(p.sessionId, p.name),
    deleteSession: (p) => {
      for (const j of jobs.list()) if (j.sessionId === p.sessionId && (j.state === 'queued' || j.state === 'running')) jobs.cancel(j.id);
      db().deleteSession(p.sessionId);
      emit({ type: 'session', sessionId: p.sessionId, change: 'deleted' });
      return { deleted: true as const };
    },
    saveTimeline: (p) => {
      db().getSession(p.sessionId);
      return db().saveTimeline(p.sessionId, p.state, p.undoLabel);
    },
    undo: (p) => {
      db().undo(p.sessionId);
      return sessionState(p.sessionId);
    },
    redo: (p) => {
      db().redo(p.sessionId);
      return sessionState(p.sessionId);
    },

    generate: (p) => {
      checkDuration(p.durationSec, model);
      return enqueue('generate', p.sessionId, `Generate "${shortLabel(p.prompt)}"`, async (progress, jobId) => {
        const r = await engine.run(
          {
            kind: 'generate',
            prompt: p.prompt,
            seed: p.seed,
            durationSec: p.durationSec,
            variations: p.variations,
            weights: p.weights,
            sampling: p.sampling,
            preview: true,
          },
          progress,
          (audio) =>
            emit({
              type: 'preview',
              jobId,
              sessionId: p.sessionId,
              audio: { sampleRate: model.sampleRate, samplesBase64: float32ToBase64(audio) },
            }),
        );
        const clips = r.codes.map((codes, v) => ({ codes, audio: r.audio[v]!, frames: r.frames }));
        const origin: TakeOrigin = {
          parentTakeId: null,
          source: 'generated',
          prompt: p.prompt,
          tokens: r.tokens,
          weights: p.weights,
          sampling: r.sampling,
          keptBeforeSec: null,
        };
        return storeTakes(p.sessionId, origin, clips, (v) => (p.seed + v) >>> 0);
      });
    },

    regenerate: (p) => {
      const parent = db().getTake(p.takeId);
      const seed = p.seed ?? parent.seed;
      if (p.regions !== undefined) {
        if (p.keepBeforeSec !== undefined) throw new AgxError('bad_argument', 'replace regions or keep the audio before a time, not both');
        requireTakeModel(parent, 'regenerated in regions');
        const regions = checkRegions(p.regions, parent.durationSec);
        const spans = regions.map((r) => `${r.startSec.toFixed(2)}-${r.endSec.toFixed(2)} s`).join(', ');
        return enqueue('regenerate', parent.sessionId, `Replace ${spans} of ${takeLabel(parent)}`, async (progress) => {
          const { codes, audio } = db().getTakeData(parent.id);
          const r = await engine.run(
            {
              kind: 'inpaint',
              prompt: parent.prompt,
              seed,
              weights: p.weights,
              sampling: parent.sampling,
              audio,
              codes,
              frames: parent.frames,
              regions,
            },
            progress,
          );
          return storeTakes(
            parent.sessionId,
            regeneratedFrom(parent, r, p.weights, null),
            [{ codes: r.codes, audio: r.audio, frames: r.frames }],
            () => seed,
          );
        });
      }
      let prefix: { codes: Int32Array; frames: number } | undefined;
      if (p.keepBeforeSec !== undefined && p.keepBeforeSec > 0) {
        requireTakeModel(parent, 'continued from its kept audio');
        const keep = Math.min(parent.frames - 1, Math.round(p.keepBeforeSec * model.frameRate));
        if (keep < 1)
          throw new AgxError(
            'bad_argument',
            `the kept part must be at least one frame (${Math.round(1000 / model.frameRate)} ms) and shorter than the take`,
          );
        const codes = db().getTakeData(parent.id).codes;
        const kept = new Int32Array(info.codebooks * keep);
        for (let k = 0; k < info.codebooks; k++) kept.set(codes.subarray(k * parent.frames, k * parent.frames + keep), k * keep);
        prefix = { codes: kept, frames: keep };
      }
      const label = `Regenerate ${takeLabel(parent)}${prefix ? ` from ${(prefix.frames / model.frameRate).toFixed(2)} s` : ''}`;
      return enqueue('regenerate', parent.sessionId, label, async (progress) => {
        const r = await engine.run(
          {
            kind: 'generate',
            prompt: parent.prompt,
            seed,
            durationSec: parent.durationSec,
            variations: 1,
            weights: p.weights,
            sampling: parent.sampling,
            ...(prefix ? { prefix } : {}),
          },
          progress,
        );
        const origin = regeneratedFrom(parent, r, p.weights, prefix ? prefix.frames / model.frameRate : null);
        return storeTakes(parent.sessionId, origin, [{ codes: r.codes[0]!, audio: r.audio[0]!, frames: r.frames }], () => seed);
      });
    },

    explain: (p) => {
      // Parameters are checked against the catalog now, so a bad one is a rejected call, not a failed job.
      const take = db().getTake(p.takeId);
      const params = parseMethodParams(p.method, p.params);
      requireTakeModel(take, 'explained');
      requireBundleMethod(model.id, p.method as MethodName, info.methods);
      return enqueue(
        'explain',
        take.sessionId,
        `Explain ${takeLabel(take)} with ${methodSpec(p.method).label}`,
        async (progress, jobId) => {
          const { codes } = db().getTakeData(take.id);
          const t0 = performance.now();
          const r = await engine.run(
            { kind: 'explain', prompt: take.prompt, codes, frames: take.frames, weights: take.weights, method: p.method, params },
            (f, partial) => {
              progress(f);
              if (partial !== undefined) emit({ type: 'partial', jobId, takeId: take.id, mask: partial });
            },
          );
          const elapsedMs = performance.now() - t0;
          costs.set(p.method, { seconds: elapsedMs / 1000, work: workOf(take), params: r.params });
          if (options.readOnly !== true) saveCostBook(costFile, costs);
          const stored = db().addExplanation({ takeId: take.id, ...r, metrics: null, elapsedMs });
          emit({ type: 'session', sessionId: take.sessionId, change: 'explanations' });
          return { kind: 'explanation', explanationId: stored.id };
        },
      );
    },

    tokenize: async (p) => ({ tokens: (await tokenizer.tokenize(p.prompt)).map(toToken), maxTokens: model.maxTextTokens }),
    getVocabulary: async () => {
      // Read once: every word is tokenised to check the tokenizer reads it as itself.
      vocabulary ??= vocabularyGroups(tokenizerEntries(info.tokenizer.file), model.labels, async (w) => {
        const t = (await tokenizer.tokenize(w)).filter((x) => x.special !== true);
        return t.length === 1 && t[0]!.unknown !== true && t[0]!.text === w;
      });
      const groups = await vocabulary;
      return { groups, count: groups.reduce((n, g) => n + g.words.length, 0), open: tokenizer.subword };
    },
    estimateExplain: (p) => {
      const take = db().getTake(p.takeId);
      const params = parseMethodParams(p.method, p.params);
      requireTakeModel(take, 'explained');
      requireBundleMethod(model.id, p.method as MethodName, info.methods);
      return estimateExplainSeconds(p.method, params, workOf(take), costs);
    },

    evaluateExplanation: (p) => {
      const { explanation, take } = explanationOf(p.explanationId);
      requireTakeModel(take, 'evaluated');
      const seed = p.seed ?? take.seed;
      return enqueue('evaluate', take.sessionId, `Faithfulness of ${explanation.method} on ${takeLabel(take)}`, async (progress) => {
        progress(0.05);
        const { codes } = db().getTakeData(take.id);
        const r = await engine.run({
          kind: 'evaluate',
          prompt: take.prompt,
          codes,
          frames: take.frames,
          weights: take.weights,
          mask: explanation.mask,
          seed,
        });
        const metrics = { label: r.label, fidF: r.fid_f, fidCF: r.fid_cf, klF: r.kl_f, klCF: r.kl_cf, size: r.size, seed: r.seed };
        db().setExplanationMetrics(explanation.id, metrics);
        emit({ type: 'session', sessionId: take.sessionId, change: 'explanations' });
        return { kind: 'metrics', explanationId: explanation.id, metrics };
      });
    },

    renderExplanation: (p) => {
      const { explanation, take } = explanationOf(p.explanationId);
      requireTakeModel(take, 'rendered from its explanation');
      const maskWeights = p.render === 'factual' ? explanation.mask : complementMask(explanation.mask);
      const what = `${p.render === 'factual' ? 'Factual' : 'Counterfactual'} render of ${takeLabel(take)}`;
      return enqueue(
        'render',
        take.sessionId,
        p.keep ? `Keep ${p.render} render of ${takeLabel(take)} as a take` : what,
        async (progress) => {
          const r = await engine.run(
            {
              kind: 'generate',
              prompt: take.prompt,
              seed: take.seed,
              durationSec: take.durationSec,
              variations: 1,
              weights: take.weights,
              maskWeights,
              sampling: take.sampling,
            },
            progress,
          );
          if (p.keep) {
            // The same generation again (same seed, weights and mask): the kept take is the render that was heard, with codes to explain.
            const origin: TakeOrigin = {
              parentTakeId: take.id,
              source: 'regenerated',
              prompt: take.prompt,
              tokens: r.tokens,
              weights: take.weights,
              sampling: r.sampling,
              keptBeforeSec: null,
            };
            return storeTakes(take.sessionId, origin, [{ codes: r.codes[0]!, audio: r.audio[0]!, frames: r.frames }], () => take.seed);
          }
          return {
            kind: 'render',
            explanationId: explanation.id,
            render: p.render,
            audio: { sampleRate: model.sampleRate, samplesBase64: float32ToBase64(r.audio[0]!) },
          };
        },
      );
    },

    importAudio: (p) => {
      let wav: Uint8Array;
      try {
        wav = base64ToBytes(p.wavBase64);
      } catch {
        throw new AgxError('bad_audio', `${p.fileName}: the file's data is not valid base64`);
      }
      // While queued the bytes wait on disk (spool.ts), and the job does not capture p, whose
      // wavBase64 is the file again; the spool file goes when the job ends, however it ends.
      const spooled = spool.put(wav);
      const { sessionId, prompt } = p;
      return enqueue(
        'import',
        sessionId,
        `Import ${p.fileName}`,
        async (progress) => {
          const r = await engine.run({ kind: 'import', wav: spooled.read(), prompt }, progress);
          const origin: TakeOrigin = {
            parentTakeId: null,
            source: 'imported',
            prompt,
            tokens: r.tokens,
            weights: [],
            sampling: info.sampling,
            keptBeforeSec: null,
          };
          return storeTakes(sessionId, origin, [r], () => 0);
        },
        spooled.remove,
      );
    },

    getTakeAudio: (p) => {
      const take = db().getTake(p.takeId);
      return { sampleRate: take.sampleRate, samplesBase64: float32ToBase64(db().getTakeData(take.id).audio) };
    },

    exportTake: async (p) => {
      const take = db().getTake(p.takeId);
      const { audio } = db().getTakeData(take.id);
      const start = p.startSec ?? 0;
      const end = p.endSec ?? take.durationSec;
      if (!(start < end) || start >= take.durationSec)
        throw new AgxError(
          'bad_argument',
          `the region must lie within the take (0 to ${take.durationSec.toFixed(2)} s) and start before it ends`,
        );
      const region = audio.subarray(Math.floor(start * take.sampleRate), Math.min(audio.length, Math.ceil(end * take.sampleRate)));
      const session = db().getSession(take.sessionId);
      const suffix = p.startSec !== undefined || p.endSec !== undefined ? `-${start.toFixed(2)}-${end.toFixed(2)}s` : '';
      return {
        fileName: `${fileStem(session.name)}-take${take.number}${suffix}${audioFileKind(p.format).ext}`,
        mimeType: audioFileKind(p.format).mimeType,
        dataBase64: bytesToBase64(await encodeAudioFile(region, take.sampleRate, p.format)),
      };
    },

    exportExplanation: (p) => {
      const { explanation, take } = explanationOf(p.explanationId);
      const session = db().getSession(take.sessionId);
      return explanationExport(explanation, take, `${fileStem(session.name)}-take${take.number}-${explanation.method}`, p);
    },

    listJobs: () => jobs.list(),
    cancelJob: (p) => ({ cancelled: jobs.cancel(p.jobId) }),
    listBackups: () => (store ? store.listBackups() : listBackupsIn(paths.backupsDir)),
    restoreBackup: async (p) => {
      if (store) {
        await store.restoreBackup(p.file);
      } else {
        Store.restoreInto(paths.file, paths.backupsDir, p.file);
        store = Store.open(paths);
        storeError = null;
      }
      return { restored: true as const };
    },
  };

  return {
    handlers,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      jobs.cancelAll();
      await engine.close();
      await jobs.idle();
      if (store) {
        if (options.readOnly !== true) await store.backup().catch(() => undefined);
        store.close();
      }
      listeners.clear();
    },
  };
}
