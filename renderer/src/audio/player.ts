// The studio's one audio interface. Everything that makes sound goes through AudioOut, and only this
// file imports Tone.js, so the rest of the renderer never touches the Web Audio graph.
// Tone's package entry builds a default context (with a blob: Worker clock) as soon as it is
// imported; these module paths give the same classes without that side effect.
import { Context } from 'tone/build/esm/core/context/Context.js';
import { getContext, setContext } from 'tone/build/esm/core/context/GlobalContext.js';
import { ToneAudioBuffer } from 'tone/build/esm/core/context/ToneAudioBuffer.js';
import { Player } from 'tone/build/esm/source/buffer/Player.js';
import type { TimeSpan } from '../../../electron/common/domain';

/** Mono audio as the studio hands it out. */
export interface Clip {
  samples: Float32Array;
  sampleRate: number;
}

/** What to play. */
export interface PlayRequest {
  /** A clip loaded with load(). */
  key: string;
  /** Start position, seconds into the clip. */
  fromSec: number;
  /** Stop here (exclusive); default the clip's end. */
  toSec?: number;
  /** Loop [startSec, endSec) until stopped. */
  loop?: TimeSpan | null;
}

interface Playing {
  key: string;
  player: Player;
  startedAt: number;
  fromSec: number;
  toSec: number;
  loop: TimeSpan | null;
}

let contextReady = false;

/**
 * Tone's default clock runs in a Worker made from a blob: URL, which the studio's Content Security
 * Policy (script-src 'self') rightly forbids. Playback here needs no scheduled events, so a timeout
 * clock is enough; the context is made on first use so nothing touches audio before it is needed.
 */
function ensureContext(): void {
  if (contextReady) return;
  contextReady = true;
  setContext(new Context({ clockSource: 'timeout', latencyHint: 'interactive' }));
}

/** Plays clips through Tone.js and reports the position; one clip sounds at a time. */
export class AudioOut {
  private readonly buffers = new Map<string, ToneAudioBuffer>();
  private playing: Playing | null = null;
  private readonly stopListeners = new Set<(key: string, atSec: number) => void>();
  private readonly startListeners = new Set<(key: string) => void>();

  /** Registers a clip under a key (a take id, or a render's key); replaces an older one. */
  load(key: string, clip: Clip): void {
    ensureContext();
    // Keep the clip's own sample rate (16 kHz for the embedded model): the context resamples on
    // playback, so pitch and timing stay right whatever the output device runs at.
    const raw = getContext().createBuffer(1, Math.max(1, clip.samples.length), clip.sampleRate);
    raw.copyToChannel(clip.samples as Float32Array<ArrayBuffer>, 0);
    this.buffers.get(key)?.dispose();
    this.buffers.set(key, new ToneAudioBuffer(raw));
  }

  /** Forgets a loaded clip (stopping it first if it plays). */
  unload(key: string): void {
    if (this.playing?.key === key) this.stop();
    this.buffers.get(key)?.dispose();
    this.buffers.delete(key);
  }

  /** Whether a clip is loaded. */
  has(key: string): boolean {
    return this.buffers.has(key);
  }

  /** A loaded clip's samples and rate (to save a render as a file); null when not loaded. */
  clip(key: string): Clip | null {
    const b = this.buffers.get(key);
    return b === undefined ? null : { samples: b.getChannelData(0), sampleRate: b.sampleRate };
  }

  /** Length of a loaded clip in seconds (0 when unknown). */
  duration(key: string): number {
    return this.buffers.get(key)?.duration ?? 0;
  }

  /** Starts playback (stopping whatever played). Resolves once sound is scheduled. */
  async play(req: PlayRequest): Promise<void> {
    const buffer = this.buffers.get(req.key);
    if (buffer === undefined) throw new Error('that audio is not loaded yet');
    ensureContext();
    await getContext().resume();
    this.stop();
    const end = Math.min(buffer.duration, req.toSec ?? buffer.duration);
    const from = Math.max(0, Math.min(req.fromSec, Math.max(0, end - 0.001)));
    const player = new Player(buffer).toDestination();
    player.fadeIn = 0.005;
    player.fadeOut = 0.005;
    const now = getContext().now();
    if (req.loop) {
      player.loop = true;
      player.loopStart = req.loop.startSec;
      player.loopEnd = req.loop.endSec;
      player.start(now, from);
    } else {
      player.start(now, from, end - from);
    }
    const entry: Playing = { key: req.key, player, startedAt: now, fromSec: from, toSec: end, loop: req.loop ?? null };
    player.onstop = () => {
      // Tone calls onstop for both natural ends and stop(); only report the one still current.
      if (this.playing === entry) {
        const at = this.position() ?? end;
        this.playing = null;
        for (const l of this.stopListeners) l(entry.key, at);
      }
      player.dispose();
    };
    this.playing = entry;
    // read by the UI bench's time to first audio (test/bench/first-audio.test.ts) and the studio's e2e test
    performance.mark('agx:play', { detail: { key: req.key, fromSec: from } });
    for (const l of this.startListeners) l(req.key);
  }

  /** Stops playback; returns where it stopped (null when nothing played). */
  stop(): number | null {
    const p = this.playing;
    if (p === null) return null;
    const at = this.position();
    this.playing = null;
    p.player.stop();
    for (const l of this.stopListeners) l(p.key, at ?? p.fromSec);
    return at;
  }

  /** Switches to another clip at the same position (A/B), keeping loop settings. */
  async switchTo(key: string): Promise<void> {
    const p = this.playing;
    if (p === null || p.key === key) return;
    const at = this.position() ?? p.fromSec;
    await this.play({ key, fromSec: at, toSec: p.loop ? undefined : p.toSec, loop: p.loop });
  }

  /** The key of the clip playing now. */
  current(): string | null {
    return this.playing?.key ?? null;
  }

  /** The playback position in seconds into the clip, or null when stopped. */
  position(): number | null {
    const p = this.playing;
    if (p === null) return null;
    const t = p.fromSec + (getContext().now() - p.startedAt);
    if (p.loop !== null && t >= p.loop.endSec) {
      const len = p.loop.endSec - p.loop.startSec;
      return len > 0 ? p.loop.startSec + ((t - p.loop.startSec) % len) : p.loop.startSec;
    }
    return Math.min(t, p.toSec);
  }

  /** Called whenever playback starts; returns the unsubscribe function. */
  onStart(listener: (key: string) => void): () => void {
    this.startListeners.add(listener);
    return () => this.startListeners.delete(listener);
  }

  /** Called whenever playback stops (end of clip or stop()); returns the unsubscribe function. */
  onStop(listener: (key: string, atSec: number) => void): () => void {
    this.stopListeners.add(listener);
    return () => this.stopListeners.delete(listener);
  }
}

/** The window's audio output. */
export const audioOut = new AudioOut();
