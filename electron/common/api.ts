// The StudioApi contract: every call, result and event any front door (Electron IPC, WebSocket, CLI)
// exchanges with the studio service. Pure TypeScript + zod, so the renderer imports it too.
import { z } from 'zod';
import {
  ExplanationResultSchema,
  MAX_PROMPT_CHARS,
  MAX_TOKEN_WEIGHTS,
  MAX_VARIATIONS,
  ModelInfoSchema,
  SecondsSchema,
  SeedSchema,
  TimeSpanFieldsSchema,
  TokenSchema,
  TokenWeightSchema,
  timeSpanSchema,
} from './domain.js';
import { MaskSchema } from './mask.js';
import { MethodInfoSchema } from './methods.js';
import { MAX_REGIONS } from './regions.js';

// The domain types the contract carries, re-exported so a front end imports its whole vocabulary here.
export {
  MAX_PROMPT_CHARS,
  ModelInfoSchema,
  SeedSchema,
  TokenSchema,
  TokenWeightSchema,
  type ModelInfo,
  type Token,
  type TokenWeight,
} from './domain.js';
export { MaskSchema, type Mask } from './mask.js';
export { MethodInfoSchema, type MethodInfo } from './methods.js';

/** Largest WAV an import accepts, in bytes (10 minutes of 48 kHz stereo 24-bit). */
export const MAX_IMPORT_BYTES = 200 * 1024 * 1024;

const finite = z.number().refine(Number.isFinite, 'must be a finite number');
const seconds = SecondsSchema;

/** Opaque row id (server-made; a safe charset so ids can appear in file names and URLs). */
export const IdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'not a valid id');

/** Sampling overrides; missing fields take the model's defaults. */
export const SamplingSchema = z.object({
  /** Classifier-free guidance scale. */
  cfg: finite.refine((v) => v >= 0 && v <= 20, 'cfg must be from 0 to 20').optional(),
  /** Sample from the k most likely codes. */
  topK: z.number().int().min(1).max(4096).optional(),
  /** Nucleus mass; 0 = off. */
  topP: finite.refine((v) => v >= 0 && v <= 1, 'topP must be from 0 to 1').optional(),
  /** Temperature; 0 = greedy. */
  temperature: finite.refine((v) => v >= 0 && v <= 10, 'temperature must be from 0 to 10').optional(),
});
export type Sampling = z.infer<typeof SamplingSchema>;

/** A session as listed. */
export const SessionSummarySchema = z.object({
  /** Row id. */
  id: IdSchema,
  /** Display name. */
  name: z.string(),
  /** True while the name is still the automatic one (taken from the first prompt). */
  nameIsAuto: z.boolean(),
  /** ISO time of creation. */
  createdAt: z.string(),
  /** ISO time of the last change. */
  updatedAt: z.string(),
  /** ISO time it was last opened. */
  openedAt: z.string(),
  /** Number of takes. */
  takeCount: z.number().int(),
});
export type SessionSummary = z.infer<typeof SessionSummarySchema>;

/** Where a take came from. */
export const TakeSourceSchema = z.enum(['generated', 'regenerated', 'imported']);

/** A take's metadata (its audio comes from getTakeAudio). */
export const TakeSchema = z.object({
  /** Row id. */
  id: IdSchema,
  /** Owning session. */
  sessionId: IdSchema,
  /** 1-based number shown as "Take N". */
  number: z.number().int(),
  /** The take it was regenerated from. */
  parentTakeId: IdSchema.nullable(),
  /** How it was made. */
  source: TakeSourceSchema,
  /** Prompt it was generated from (or explained against, for imports). */
  prompt: z.string(),
  /** The prompt's tokens. */
  tokens: z.array(TokenSchema),
  /** Token weights it was generated with. */
  weights: z.array(TokenWeightSchema),
  /** Seed (imports: 0). */
  seed: SeedSchema,
  /** Sampling parameters used. */
  sampling: z.object({ cfg: z.number(), topK: z.number(), topP: z.number(), temperature: z.number() }),
  /** Regeneration kept the audio before this time (seconds), else null. */
  keptBeforeSec: z.number().nullable(),
  /** Bundle id and the sha256 of its manifest, so a take records exactly which model made it. */
  modelId: z.string(),
  modelSha256: z.string(),
  /** Execution provider it was computed on (cpu, cuda, ...); null for takes stored before the studio recorded it. */
  provider: z.string().nullable(),
  /** Clip length. */
  durationSec: z.number(),
  /** Audio sample rate. */
  sampleRate: z.number(),
  /** Code frames (= LM steps). */
  frames: z.number().int(),
  /** ISO creation time. */
  createdAt: z.string(),
});
export type Take = z.infer<typeof TakeSchema>;

/** The paper's faithfulness figures for one explanation (docs/method.md, 'Faithfulness'), one regeneration seed. */
export const FaithfulnessSchema = z.object({
  /** Label the original take is classified as. */
  label: z.string(),
  /** q(orig)_y - q(factual)_y: lower is better. */
  fidF: z.number(),
  /** q(orig)_y - q(counterfactual)_y: higher is better. */
  fidCF: z.number(),
  /** KL(q(factual) || q(orig)): lower is better. */
  klF: z.number(),
  /** KL(q(counterfactual) || q(orig)): higher is better. */
  klCF: z.number(),
  /** Mean mask value. */
  size: z.number(),
  /** Regeneration seed. */
  seed: SeedSchema,
});
export type Faithfulness = z.infer<typeof FaithfulnessSchema>;

/** A stored explanation of one take: what the method computed, with its row, take and figures. */
export const ExplanationSchema = z.object({
  /** Row id. */
  id: IdSchema,
  /** The explained take. */
  takeId: IdSchema,
  ...ExplanationResultSchema.shape,
  /** Faithfulness, once evaluated. */
  metrics: FaithfulnessSchema.nullable(),
  /** Milliseconds the job took. */
  elapsedMs: z.number(),
  /** ISO creation time. */
  createdAt: z.string(),
});
export type Explanation = z.infer<typeof ExplanationSchema>;

/** A marker on the timeline. */
export const MarkerSchema = z.object({ id: z.string().max(64), timeSec: seconds, label: z.string().max(200) });
/** A named region on the timeline: a time span with a label. */
export const RegionSchema = z
  .object({ id: z.string().max(64), ...TimeSpanFieldsSchema.shape, label: z.string().max(200) })
  .refine((r) => r.startSec < r.endSec, 'a region must start before it ends');
/** The selected time span. */
export const SelectionSchema = timeSpanSchema('a selection');

/**
 * Everything about a session's view and edits that is not a take or an explanation. Saved on every
 * change (autosave); a save with an undo label is one undoable step.
 */
export const TimelineStateSchema = z.object({
  /** Horizontal zoom, pixels per second. */
  pxPerSec: finite.refine((v) => v >= 1 && v <= 5000, 'zoom out of range').default(160),
  /** Left edge of the view, seconds. */
  scrollSec: seconds.default(0),
  /** Playhead, seconds. */
  playheadSec: seconds.default(0),
  /** Selected time range. */
  selection: SelectionSchema.nullable().default(null),
  /** Loop the selection during playback. */
  loop: z.boolean().default(false),
  /** The take the prompt bar and inspector follow. */
  selectedTakeId: IdSchema.nullable().default(null),
  /** Per take, the explanation shown in its token lanes. */
  shownExplanation: z.record(IdSchema, IdSchema).default({}),
  /** Per take, the token weights being edited for the next regeneration. */
  draftWeights: z.record(IdSchema, z.array(TokenWeightSchema).max(MAX_TOKEN_WEIGHTS)).default({}),
  /** Takes removed from the timeline (kept in the store; undo brings them back). */
  hiddenTakeIds: z.array(IdSchema).max(10000).default([]),
  /** Solo: only this take sounds. */
  soloTakeId: IdSchema.nullable().default(null),
  /** Show spectrograms under waveforms. */
  showSpectrogram: z.boolean().default(false),
  /** Markers. */
  markers: z.array(MarkerSchema).max(1000).default([]),
  /** Named regions. */
  regions: z.array(RegionSchema).max(1000).default([]),
  /** Sessions panel collapsed. */
  sessionsCollapsed: z.boolean().default(false),
});
export type TimelineState = z.output<typeof TimelineStateSchema>;

/** A session with everything needed to draw it. */
export const SessionStateSchema = z.object({
  session: SessionSummarySchema,
  takes: z.array(TakeSchema),
  explanations: z.array(ExplanationSchema),
  timeline: TimelineStateSchema,
  /** Whether undo / redo have a step. */
  canUndo: z.boolean(),
  canRedo: z.boolean(),
});
export type SessionState = z.infer<typeof SessionStateSchema>;

/** Kinds of engine job. */
export const JobKindSchema = z.enum(['generate', 'regenerate', 'explain', 'evaluate', 'render', 'import']);
export type JobKind = z.infer<typeof JobKindSchema>;
/** Life of a job. */
export const JobStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);
export type JobState = z.infer<typeof JobStateSchema>;

/** Errors as data: they cross every boundary intact. */
export const ErrorDataSchema = z.object({
  code: z.string(),
  message: z.string(),
  expected: z.boolean(),
});

/** Mono float32 audio, little-endian, base64 (JSON carries it over every transport). */
export const AudioDataSchema = z.object({ sampleRate: z.number(), samplesBase64: z.string() });
export type AudioData = z.infer<typeof AudioDataSchema>;

/** What a finished job produced. */
export const JobResultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('takes'), takeIds: z.array(IdSchema) }),
  z.object({ kind: z.literal('explanation'), explanationId: IdSchema }),
  z.object({ kind: z.literal('metrics'), explanationId: IdSchema, metrics: FaithfulnessSchema }),
  z.object({ kind: z.literal('render'), explanationId: IdSchema, render: z.enum(['factual', 'counterfactual']), audio: AudioDataSchema }),
]);
export type JobResult = z.infer<typeof JobResultSchema>;

/** A job as the jobs bar shows it. */
export const JobInfoSchema = z.object({
  id: IdSchema,
  kind: JobKindSchema,
  /** Session it belongs to. */
  sessionId: IdSchema,
  /** What it does, in words ("Explain Take 2 with AudioGenX"). */
  label: z.string(),
  state: JobStateSchema,
  /** 0..1. */
  progress: z.number(),
  /** Estimated seconds left while running, else null. */
  etaSec: z.number().nullable(),
  queuedAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  /** Set when failed. */
  error: ErrorDataSchema.nullable(),
  /** Set when done. */
  result: JobResultSchema.nullable(),
});
export type JobInfo = z.infer<typeof JobInfoSchema>;

/** Everything the service pushes to its clients. */
export const StudioEventSchema = z.discriminatedUnion('type', [
  /** A job was queued, progressed, or ended. */
  z.object({ type: z.literal('job'), job: JobInfoSchema }),
  /** The current mask of a running explanation (every few epochs), so lanes fill in live. */
  z.object({ type: z.literal('partial'), jobId: IdSchema, takeId: IdSchema, mask: MaskSchema }),
  /**
   * A running Generate's opening (its first take's first second or so, the same samples the take will
   * have), sent before the take exists so playback can start while the rest is made.
   */
  z.object({ type: z.literal('preview'), jobId: IdSchema, sessionId: IdSchema, audio: AudioDataSchema }),
  /** A session's stored content changed (another window or job); reload it. */
  z.object({
    type: z.literal('session'),
    sessionId: IdSchema,
    change: z.enum(['takes', 'explanations', 'timeline', 'renamed', 'deleted']),
  }),
]);
export type StudioEvent = z.infer<typeof StudioEventSchema>;

/** A file for the user to save (download in browser mode, save dialog in Electron). */
export const ExportFileSchema = z.object({ fileName: z.string(), mimeType: z.string(), dataBase64: z.string() });
export type ExportFile = z.infer<typeof ExportFileSchema>;

/** WAV sample formats, or FLAC (24-bit). */
export const WavFormatSchema = z.enum(['pcm16', 'pcm24', 'float32', 'flac']);

/** A rolling backup of the store. */
export const BackupSchema = z.object({ file: z.string(), createdAt: z.string(), bytes: z.number() });

const none = z.object({}).strict();
const sessionRef = z.object({ sessionId: IdSchema }).strict();
const takeRef = z.object({ takeId: IdSchema }).strict();
const jobRef = z.object({ jobId: IdSchema }).strict();
const started = z.object({ jobId: IdSchema });
const undoStatus = z.object({ canUndo: z.boolean(), canRedo: z.boolean() });
const promptText = z
  .string()
  .max(MAX_PROMPT_CHARS, `the prompt is longer than ${MAX_PROMPT_CHARS} characters`)
  .refine((s) => s.trim().length > 0, 'the prompt is empty');
const methodParams = z.record(z.string().max(64), z.unknown()).default({});

function call<P extends z.ZodType, R extends z.ZodType>(params: P, result: R, doc: string) {
  return { params, result, doc };
}

/** Every StudioApi call: name -> params schema, result schema and one line of what it does. */
export const CALLS = {
  getInfo: call(
    none,
    z.object({
      version: z.string(),
      /** Execution provider in use (cpu, cuda, ...). */
      provider: z.string(),
      /** Why --device auto runs on less than its first choice (absent when nothing was given up). */
      providerNote: z.string().optional(),
      model: ModelInfoSchema,
      methods: z.array(MethodInfoSchema),
      dataDir: z.string(),
      /** Set when the store could not be opened (corrupt or foreign file); sessions are then unavailable. */
      storeError: ErrorDataSchema.nullable(),
    }),
    'The studio: version, model, methods, execution provider, data folder, store health.',
  ),
  listModels: call(none, z.array(ModelInfoSchema), 'Bundles found in the model folders.'),
  listSessions: call(
    none,
    z.object({ sessions: z.array(SessionSummarySchema), lastOpenedId: IdSchema.nullable() }),
    'Every session, most recently opened first.',
  ),
  createSession: call(z.object({ name: z.string().max(200).optional() }).strict(), SessionStateSchema, 'A new empty session, opened.'),
  openSession: call(sessionRef, SessionStateSchema, 'Opens a session (it becomes the one reopened at start).'),
  renameSession: call(
    z.object({ sessionId: IdSchema, name: z.string().trim().min(1, 'a name is needed').max(200) }).strict(),
    SessionSummarySchema,
    'Renames a session.',
  ),
  duplicateSession: call(
    z.object({ sessionId: IdSchema, name: z.string().trim().min(1).max(200).optional() }).strict(),
    SessionSummarySchema,
    'Copies a session with its takes, explanations and timeline.',
  ),
  deleteSession: call(sessionRef, z.object({ deleted: z.literal(true) }), 'Deletes a session and everything in it.'),
  saveTimeline: call(
    z.object({ sessionId: IdSchema, state: TimelineStateSchema, undoLabel: z.string().max(200).optional() }).strict(),
    undoStatus,
    'Autosaves the timeline state; with undoLabel the change is one undoable step.',
  ),
  undo: call(sessionRef, SessionStateSchema, 'Steps the timeline back one gesture.'),
  redo: call(sessionRef, SessionStateSchema, 'Steps the timeline forward one gesture.'),
  generate: call(
    z
      .object({
        sessionId: IdSchema,
        prompt: promptText,
        seed: SeedSchema,
        durationSec: finite.refine((v) => v > 0 && v <= 600, 'duration must be more than 0 s'),
        variations: z.number().int().min(1).max(MAX_VARIATIONS).default(1),
        weights: z.array(TokenWeightSchema).max(MAX_TOKEN_WEIGHTS).default([]),
        sampling: SamplingSchema.strict().default({}),
      })
      .strict(),
    started,
    'Queues a generation; each variation becomes a take.',
  ),
  regenerate: call(
    z
      .object({
        takeId: IdSchema,
        weights: z.array(TokenWeightSchema).max(MAX_TOKEN_WEIGHTS),
        /** Default: the parent's seed. */
        seed: SeedSchema.optional(),
        /** Keep the parent's audio before this time and generate only after it. */
        keepBeforeSec: seconds.optional(),
        /** Replace only these spans; the rest stays the parent's audio sample for sample (not with keepBeforeSec). */
        regions: z.array(timeSpanSchema('a region')).min(1).max(MAX_REGIONS).optional(),
      })
      .strict(),
    started,
    "Queues a new take from a take's prompt with edited weights, linked to it.",
  ),
  explain: call(
    z.object({ takeId: IdSchema, method: z.string().max(64).default('audiogenx'), params: methodParams }).strict(),
    started,
    'Queues an explanation of a take.',
  ),
  tokenize: call(
    z.object({ prompt: z.string().max(MAX_PROMPT_CHARS, `the prompt is longer than ${MAX_PROMPT_CHARS} characters`) }).strict(),
    z.object({ tokens: z.array(TokenSchema), maxTokens: z.number() }),
    "A prompt's tokens as the model reads them, over its limit too, with the model's most (no job: the prompt bar counts as you type).",
  ),
  getVocabulary: call(
    none,
    z.object({
      /** The words in groups, in the order they are shown: the classifier's event words first. */
      groups: z.array(z.object({ title: z.string(), words: z.array(z.string()) })),
      /** Distinct words the model reads as themselves (every other word becomes its unknown token, unless the vocabulary is open). */
      count: z.number().int(),
      /** A sub-word tokenizer (T5's SentencePiece): any other word is read as pieces, and only a piece it lacks becomes the unknown token. */
      open: z.boolean(),
    }),
    "The words the model knows, from its bundle's tokenizer and manifest (the prompt bar's vocabulary panel).",
  ),
  estimateExplain: call(
    z.object({ takeId: IdSchema, method: z.string().max(64).default('audiogenx'), params: methodParams }).strict(),
    z.object({
      seconds: z.number(),
      basis: z.string(),
      /** True when the figure comes from a run measured on this machine, false for the catalog's fitted default. */
      measured: z.boolean(),
    }),
    'Estimated cost of an explanation before it starts.',
  ),
  evaluateExplanation: call(
    z.object({ explanationId: IdSchema, seed: SeedSchema.optional() }).strict(),
    started,
    "Queues the paper's faithfulness metrics for one explanation.",
  ),
  renderExplanation: call(
    z
      .object({
        explanationId: IdSchema,
        render: z.enum(['factual', 'counterfactual']),
        /** Store the render as a new take from the explained take (the job ends with its id) instead of only returning its audio. */
        keep: z.boolean().default(false),
      })
      .strict(),
    started,
    'Queues the audible render of an explanation: regenerated with M (factual) or 1 - M (counterfactual); with keep, as a new take.',
  ),
  importAudio: call(
    z
      .object({
        sessionId: IdSchema,
        fileName: z.string().max(255),
        /** The WAV file's bytes, base64. */
        wavBase64: z.string().max(Math.ceil((MAX_IMPORT_BYTES * 4) / 3) + 4, 'the file is too large to import'),
        /** Caption to explain the audio against. */
        prompt: promptText,
      })
      .strict(),
    started,
    'Queues an import: the WAV is encoded into codes so it can be explained.',
  ),
  getTakeAudio: call(takeRef, AudioDataSchema, "A take's audio."),
  exportTake: call(
    z
      .object({ takeId: IdSchema, format: WavFormatSchema.default('pcm16'), startSec: seconds.optional(), endSec: seconds.optional() })
      .strict(),
    ExportFileSchema,
    'A take, or the region [startSec, endSec) of it, as a WAV file.',
  ),
  exportExplanation: call(
    z
      .object({
        explanationId: IdSchema,
        format: z.enum(['json', 'csv', 'audacity']),
        /** Audacity labels: length of each labelled interval. */
        intervalSec: finite.refine((v) => v >= 0.04 && v <= 60, 'intervalSec must be from 0.04 to 60').default(0.5),
        /** Audacity labels: tokens named per interval. */
        topK: z.number().int().min(1).max(32).default(2),
      })
      .strict(),
    ExportFileSchema,
    'An explanation as JSON, CSV (one row per step) or an Audacity label track.',
  ),
  listJobs: call(none, z.array(JobInfoSchema), 'Queued, running and recently finished jobs.'),
  cancelJob: call(jobRef, z.object({ cancelled: z.boolean() }), 'Cancels a queued or running job (false when it had already ended).'),
  listBackups: call(none, z.array(BackupSchema), 'Rolling backups of the store, newest first.'),
  restoreBackup: call(
    z.object({ file: z.string().max(255) }).strict(),
    z.object({ restored: z.literal(true) }),
    'Replaces the store with a backup (the current file is kept aside, never deleted).',
  ),
} as const;

/** The name of a call. */
export type CallName = keyof typeof CALLS;
/** What a caller passes (defaults may be left out). */
export type CallParams<K extends CallName> = z.input<(typeof CALLS)[K]['params']>;
/** What the service receives after validation (defaults filled in). */
export type ParsedParams<K extends CallName> = z.output<(typeof CALLS)[K]['params']>;
/** What a call resolves to. */
export type CallResult<K extends CallName> = z.output<(typeof CALLS)[K]['result']>;

/** The typed API every front end sees; derived from CALLS so transports cannot drift from it. */
export type StudioApi = { [K in CallName]: (params: CallParams<K>) => Promise<CallResult<K>> };
/** What the service implements: validated params in, results out. */
export type StudioHandlers = { [K in CallName]: (params: ParsedParams<K>) => Promise<CallResult<K>> | CallResult<K> };

/** All call names, for listing in errors. */
export const CALL_NAMES = Object.keys(CALLS) as CallName[];
