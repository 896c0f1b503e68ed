// The Generate form's rules, pure so they are unit-tested: which seed the next Generate uses (kept
// across reloads, advanced after each Generate unless locked), how a typed duration is read against
// the model's longest clip, and why Generate is disabled when it is.
import { MAX_PROMPT_CHARS, type ModelInfo, SeedSchema } from '../../../electron/common/domain';

/** The seed field: the seed the next Generate uses, and whether it stays after a Generate. */
export interface SeedField {
  seed: number;
  locked: boolean;
}

/** Where the seed field is kept (window.localStorage), so a reload shows the same seed. */
export const SEED_STORAGE_KEY = 'agx.seed';

/** A fresh seed; short enough to read aloud and type. */
export function randomSeed(): number {
  return Math.floor(Math.random() * 1_000_000);
}

/** After a Generate: a locked seed stays; otherwise a new one, never the seed just used. */
export function seedAfterGenerate(field: SeedField, random: () => number = randomSeed): SeedField {
  if (field.locked) return field;
  let seed = random();
  while (seed === field.seed) seed = random();
  return { seed, locked: false };
}

/** The kept seed field, or a fresh unlocked seed when nothing (valid) is kept. */
export function loadSeedField(storage: Pick<Storage, 'getItem'> | null, random: () => number = randomSeed): SeedField {
  try {
    const kept = JSON.parse(storage?.getItem(SEED_STORAGE_KEY) ?? 'null') as Partial<SeedField> | null;
    const seed = SeedSchema.safeParse(kept?.seed);
    if (seed.success) return { seed: seed.data, locked: kept?.locked === true };
  } catch {
    // Unreadable (another version's value, or storage refused): start afresh.
  }
  return { seed: random(), locked: false };
}

/** Keeps the seed field; storage that refuses (private mode, quota) only loses the reload memory. */
export function saveSeedField(storage: Pick<Storage, 'setItem'> | null, field: SeedField): void {
  try {
    storage?.setItem(SEED_STORAGE_KEY, JSON.stringify(field));
  } catch {
    // Nothing to tell the user: the seed still works for this page.
  }
}

/** A typed duration as Generate will use it: the seconds (null when unusable) and what to tell the user. */
export interface DurationReading {
  sec: number | null;
  note: string | null;
}

/** Reads the duration field: more than 0, and clamped to the model's longest clip with a message. */
export function readDuration(text: string, model: Pick<ModelInfo, 'id' | 'maxDurationSec'>): DurationReading {
  const v = text.trim() === '' ? NaN : Number(text);
  if (!Number.isFinite(v)) return { sec: null, note: 'Enter a duration in seconds' };
  if (v <= 0) return { sec: null, note: 'The duration must be more than 0 s' };
  if (v > model.maxDurationSec)
    return { sec: model.maxDurationSec, note: `${model.id} makes at most ${model.maxDurationSec} s: clamped to ${model.maxDurationSec} s` };
  return { sec: v, note: null };
}

/** What Generate needs to know to say why it cannot run. */
export interface GenerateCheck {
  prompt: string;
  /** The prompt's token count, when known. */
  tokens: number | null;
  model: Pick<ModelInfo, 'id' | 'maxTextTokens'> | null;
  duration: DurationReading;
  /** Why the studio cannot be reached (api/client's offlineReason), or null. */
  offline: string | null;
  busy: boolean;
}

/** Why Generate is disabled (its tooltip), or null when it can run. */
export function generateBlocker(c: GenerateCheck): string | null {
  if (c.offline !== null) return c.offline;
  if (c.busy) return 'Sending the request…';
  if (c.prompt.trim() === '') return 'Type a prompt first';
  if (c.prompt.length > MAX_PROMPT_CHARS) return `The prompt is ${c.prompt.length} characters; at most ${MAX_PROMPT_CHARS}`;
  if (c.model !== null && c.tokens !== null && c.tokens > c.model.maxTextTokens) {
    return `The prompt has ${c.tokens} tokens; ${c.model.id} reads at most ${c.model.maxTextTokens}`;
  }
  if (c.duration.sec === null) return c.duration.note;
  return null;
}
