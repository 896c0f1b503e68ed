// Which onnxruntime execution provider runs the graphs (--device). Pure logic: the session factory
// hands in what onnxruntime-node reports and a way to create a session, so this file never loads it.
import { AgxError } from '../../common/errors.js';

/** What --device accepts. */
export const DEVICES = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
/** A --device value. */
export type Device = (typeof DEVICES)[number];
/** An execution provider the engine can run on. */
export type Provider = Exclude<Device, 'auto'>;

/** One entry of onnxruntime-node's listSupportedBackends(). */
export interface Backend {
  name: string;
  /** False when the provider's library is a separate download (CUDA: ONNXRUNTIME_NODE_INSTALL=cuda12). */
  bundled: boolean;
}

/** What the platform offers, as onnxruntime-node reports it. */
export interface Platform {
  /** process.platform. */
  os: string;
  /** listSupportedBackends() of the loaded onnxruntime-node. */
  backends: readonly Backend[];
  /** Whether a non-bundled provider's library is present next to the binding. */
  installed(name: string): boolean;
}

/**
 * The GPU providers auto tries, best first; CPU is always the last resort. WebGPU is left to an
 * explicit --device: on a machine without an adapter Dawn writes Vulkan warnings to stderr that
 * onnxruntime cannot silence, and its speed for these graphs is unmeasured (docs/decisions.md).
 */
const AUTO_ORDER: Readonly<Record<string, readonly Provider[]>> = {
  linux: ['cuda'],
  win32: ['cuda', 'dml'],
  darwin: ['coreml'],
};

/** Parses --device (absent: auto); anything else is one clear error listing the choices. */
export function parseDevice(value: unknown): Device {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (DEVICES as readonly string[]).includes(value)) return value as Device;
  throw new AgxError('bad_argument', `--device must be one of ${DEVICES.join(', ')} (got "${String(value)}")`);
}

/** Why `provider` cannot run on this platform, or null when onnxruntime-node can try it. */
export function unavailableReason(provider: Provider, platform: Platform): string | null {
  if (provider === 'cpu') return null;
  const backend = platform.backends.find((b) => b.name === provider);
  if (backend === undefined) {
    const offered = platform.backends.map((b) => b.name).join(', ');
    return `this onnxruntime-node has no ${provider} provider on ${platform.os} (it offers ${offered})`;
  }
  if (!backend.bundled && !platform.installed(provider)) {
    return provider === 'cuda'
      ? 'the CUDA provider library is not installed (README: "Running on a GPU")'
      : `the ${provider} provider library is not installed`;
  }
  return null;
}

/** The providers auto tries on `os`, in order, before CPU. */
export function autoOrder(os: string): readonly Provider[] {
  return AUTO_ORDER[os] ?? [];
}

/** A session, as far as choosing its provider needs. */
export interface Releasable {
  release(): Promise<void>;
}

/** onnxruntime's message without its source location and failed assertion, which say nothing to a user. */
function firstLine(err: unknown): string {
  const line = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
  const said = / was false\. (.+)$/.exec(line)?.[1] ?? line;
  return said.length > 240 ? `${said.slice(0, 239)}…` : said;
}

/**
 * Resolves a --device once, on the first session, and opens every later session on the same provider.
 * `open(tryCreate)` calls tryCreate with onnxruntime's executionProviders list (a GPU provider with CPU
 * behind it for the operators it lacks). An explicit device that cannot start is one clear error; auto
 * falls back to CPU and keeps the reason in `note`.
 */
export class ProviderChoice {
  private chosen: Provider | undefined;
  private choosing: Promise<unknown> | undefined;
  /** Why auto runs on less than its first choice (null when nothing was given up). */
  note: string | null = null;

  constructor(
    readonly device: Device,
    private readonly platform: Platform,
    private readonly onNote: (note: string) => void = () => {},
  ) {}

  /** The provider sessions run on ('cpu' until the first session resolved it). */
  get provider(): Provider {
    return this.chosen ?? (this.device === 'auto' ? 'cpu' : this.device);
  }

  /** Opens one session on the chosen provider, choosing it on the first call. */
  async open<T extends Releasable>(tryCreate: (providers: string[]) => Promise<T>): Promise<T> {
    // Sessions are created in parallel (warm-up): the first one chooses, the others wait for its choice.
    if (this.chosen === undefined && this.choosing !== undefined) await this.choosing.catch(() => {});
    if (this.chosen === 'cpu') return tryCreate(['cpu']);
    if (this.chosen !== undefined) return this.openOn(this.chosen, tryCreate);
    const first = this.choose(tryCreate);
    this.choosing = first;
    return first;
  }

  private async choose<T extends Releasable>(tryCreate: (providers: string[]) => Promise<T>): Promise<T> {
    if (this.device !== 'auto') {
      const session = await this.openOn(this.device, tryCreate);
      this.chosen = this.device;
      return session;
    }
    const reasons: string[] = [];
    for (const p of autoOrder(this.platform.os)) {
      const why = unavailableReason(p, this.platform);
      if (why !== null) {
        reasons.push(`${p}: ${why}`);
        continue;
      }
      try {
        const session = await tryCreate([p, 'cpu']);
        this.chosen = p;
        return session;
      } catch (err) {
        reasons.push(`${p}: ${firstLine(err)}`);
      }
    }
    const session = await tryCreate(['cpu']);
    this.chosen = 'cpu';
    if (reasons.length > 0) this.giveNote(`--device auto runs on cpu: ${reasons.join('; ')}`);
    return session;
  }

  /**
   * A GPU session whose creation fails is retried on CPU alone to tell a provider that cannot start
   * (the device's fault: a clear error) from a graph onnxruntime rejects (the model's: rethrown).
   * Under auto a later graph the provider rejects runs on CPU, and the note says so.
   */
  private async openOn<T extends Releasable>(provider: Provider, tryCreate: (providers: string[]) => Promise<T>): Promise<T> {
    if (provider === 'cpu') return tryCreate(['cpu']);
    const why = unavailableReason(provider, this.platform);
    if (why !== null) throw new AgxError('bad_argument', `--device ${provider} is unavailable here: ${why}`);
    try {
      return await tryCreate([provider, 'cpu']);
    } catch (err) {
      const onCpu = await tryCreate(['cpu']);
      if (this.device !== 'auto') {
        await onCpu.release();
        throw new AgxError(
          'bad_argument',
          `--device ${provider} could not start: ${firstLine(err)} (--device cpu or auto runs on the CPU)`,
        );
      }
      this.giveNote(`a graph runs on cpu instead of ${provider} (${firstLine(err)})`);
      return onCpu;
    }
  }

  private giveNote(note: string): void {
    this.note = this.note === null ? note : `${this.note}; ${note}`;
    this.onNote(note);
  }
}

/** Extra session settings a provider needs (DirectML runs without memory patterns). */
export function providerSessionOptions(provider: Provider): { enableMemPattern?: boolean } {
  return provider === 'dml' ? { enableMemPattern: false } : {};
}
