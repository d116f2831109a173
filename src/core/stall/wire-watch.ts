// What mesh and join-all capture on each interface they joined on (libpcap, when available):
// IGMP, to know whether queries were heard and answered (the stall diagnosis), and for mesh the
// probes themselves, to report the TTL they arrived with (the kernel does not hand the received
// TTL to libuv). Without libpcap (or its privilege) both still run; queries then show as not
// captured and the diagnosis says so.
import type { CaptureFactory } from '../../platform/capture/types.js';
import { CaptureSet } from '../observation/capture-set.js';
import { decodeControl } from '../observation/control-capture.js';
import { decodeProbe } from '../probe/format.js';
import { QueryWatch } from './queries.js';
import type { Family } from '../kernel/ip.js';
import { defined } from '../defined.js';
import type { NotRun } from '../coverage.js';
import { captureRemedy } from '../capture-remedy.js';

export interface WatchTarget {
  iface: string;
  /** This host's addresses and MAC on iface: IGMP from them is our own report (observation/rules.ts isOwn). */
  addresses: string[];
  mac?: string;
}

export interface WireWatch {
  queries: QueryWatch;
  /** TTL seen on the wire for (local iface, sender id, sender iface). */
  ttl(iface: string, senderId: string, senderIface: string): number | undefined;
  /** Why capture is off, when it is. */
  unavailable?: string;
  /**
   * The watch the environment stopped (no libpcap, no CAP_NET_RAW, an interface it could not
   * open), as a coverage gap named `check`; empty when every target is captured or none was asked.
   */
  notRun(check: string): NotRun[];
  /** The interface came back from a down or a re-create: capture it anew (what was heard stays). */
  reopen(iface: string): void;
  close(): void;
}

/** The probes whose TTL is wanted (mesh); without, IGMP only (join-all). */
export interface ProbeTarget {
  group: string;
  port: number;
}

export function filterFor(family: Family, probes?: ProbeTarget): string {
  // IGMP only for IPv4: MLD hides behind the Hop-by-Hop header (sniff filters it in userspace).
  if (!probes) return 'igmp';
  return family === 4 ? `igmp or (udp and dst host ${probes.group} and dst port ${probes.port})` : `ip6 and udp and dst host ${probes.group} and dst port ${probes.port}`;
}

export async function startWireWatch(
  load: (() => Promise<CaptureFactory>) | undefined,
  targets: readonly WatchTarget[],
  family: Family,
  probes?: ProbeTarget,
): Promise<WireWatch> {
  const queries = new QueryWatch();
  const ttls = new Map<string, number>();
  let factory: CaptureFactory | undefined;
  let unavailable: string | undefined;
  let loadError: unknown;
  // IPv4 only (MLD hides behind the Hop-by-Hop header); no target: libpcap stays unloaded.
  const wanted = load !== undefined && family === 4 && targets.length > 0;
  try {
    if (!wanted) throw new Error('capture not requested');
    factory = await load();
  } catch (e) {
    unavailable = (e as Error).message;
    // Not asked for is a choice of the caller, not a gap.
    if (wanted) loadError = e;
  }
  // IGMP and a few probes a second: 2 MB, not the 32 MB ring sniff asks for (the 10-minute
  // soak showed join-all's RSS 38 MB higher with the default).
  const set = factory && family === 4 ? new CaptureSet(factory, {
    filter: filterFor(family, probes),
    snaplen: 512,
    bufferBytes: 2 << 20,
    timeoutMs: 0,
  }, decodeControl({
    heard: (iface, p) => queries.add(iface, p),
    other: (iface, f, buf, caplen) => {
      if (!f.udp || !f.l3 || !probes) return;
      const p = decodeProbe(buf, f.udp.payloadOffset, Math.min(f.udp.payloadLength, caplen - f.udp.payloadOffset));
      if (p) ttls.set(`${iface}\u0000${p.senderId}\u0000${p.ifname}`, f.l3.ttl);
    },
  })) : undefined;
  for (const t of targets) {
    const open = set?.open(t.iface) ?? false;
    if (!open) unavailable ??= set?.failures.get(t.iface);
    queries.watch(t.iface, open, { addresses: t.addresses, ...(t.mac ? { mac: t.mac } : {}) });
  }
  const notRun = (check: string): NotRun[] => {
    if (loadError !== undefined) return [{ check, reason: `no capture: ${(loadError as Error).message}`, remedy: captureRemedy(loadError) }];
    const failed = set ? targets.filter((t) => set.failures.has(t.iface)) : [];
    const [first] = failed;
    if (!first) return [];
    return [{
      check: `${check} on ${failed.map((t) => t.iface).join(', ')}`,
      reason: `the capture could not open: ${set?.failures.get(first.iface) ?? 'unknown error'}`,
      remedy: captureRemedy(set?.errors.get(first.iface)),
    }];
  };
  return {
    queries,
    notRun,
    ttl: (iface, senderId, senderIface) => ttls.get(`${iface}\u0000${senderId}\u0000${senderIface}`),
    ...defined({ unavailable }),
    reopen: (iface) => {
      // After a link flap libpcap's socket delivers nothing more (sniff's churn notes): a new one.
      if (set?.has(iface)) set.reopen(iface);
    },
    close: () => set?.closeNow(),
  };
}
