// `agx models`' view of --device: where it resolves on this machine and what each provider needs.
import { autoOrder, DEVICES, type Device, unavailableReason } from './providers.js';
import { ortPlatform, SessionFactory } from './session-factory.js';

/** One provider as this machine's onnxruntime-node offers it. */
export interface ProviderStatus {
  name: string;
  /** 'offered', or why it cannot run here. */
  status: string;
  /** Present when --device auto tries it. */
  auto?: true;
}

/** What a --device resolves to, and every provider's status. */
export interface DeviceReport {
  requested: Device;
  /** The provider the graph opened on (absent without a valid bundle to open). */
  provider?: string;
  /** Why auto settled for less than its first choice. */
  note?: string;
  providers: ProviderStatus[];
}

/**
 * Opens `graphPath` (a small graph, e.g. a text encoder) on `device` as generate's first graph would be,
 * so the provider reported is one that really started; an explicit device that cannot is the usual error.
 */
export async function deviceReport(device: Device, graphPath: string | undefined): Promise<DeviceReport> {
  const platform = ortPlatform();
  const providers = DEVICES.filter((d) => d !== 'auto').map((p) => ({
    name: p,
    status: unavailableReason(p, platform) ?? 'offered',
    ...(autoOrder(platform.os).includes(p) ? { auto: true as const } : {}),
  }));
  if (graphPath === undefined) return { requested: device, providers };
  const factory = new SessionFactory({ provider: device });
  await (await factory.create(graphPath)).release();
  return {
    requested: device,
    provider: factory.provider,
    ...(factory.providerNote !== null ? { note: factory.providerNote } : {}),
    providers,
  };
}
