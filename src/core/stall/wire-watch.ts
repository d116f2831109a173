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
  const probe = `udp and dst host ${probes.group} and dst port ${probes.port}`;
  return family === 4 ? `igmp or (${probe})` : `ip6 and ${probe}`;
}

export async function startWireWatch(
  load: (() => Promise<CaptureFactory>) | undefined,
  targets: readonly WatchTarget[],
  family: Family,
  probes?: ProbeTarget,
): Promise<WireWatch> {
  const queries = new QueryWatch();
  const ttls = new Map<string, number>();
  // IPv4 only (MLD hides behind the Hop-by-Hop header); no target: libpcap stays unloaded.
  const loaded = await loadFactory(load !== undefined && family === 4 && targets.length > 0 ? load : undefined);
  let unavailable = loaded.unavailable;
  const set = loaded.factory && family === 4 ? captureSet(loaded.factory, family, probes, queries, ttls) : undefined;
  for (const t of targets) {
    const open = set?.open(t.iface) ?? false;
    if (!open) unavailable ??= set?.failures.get(t.iface);
    queries.watch(t.iface, open, { addresses: t.addresses, ...(t.mac ? { mac: t.mac } : {}) });
  }
  return {
    queries,
    notRun: (check) => gaps(check, loaded.error, set, targets),
    ttl: (iface, senderId, senderIface) => ttls.get(ttlKey(iface, senderId, senderIface)),
    ...defined({ unavailable }),
    reopen: (iface) => {
      // After a link flap libpcap's socket delivers nothing more (sniff's churn notes): a new one.
      if (set?.has(iface)) set.reopen(iface);
    },
    close: () => set?.closeNow(),
  };
}

const ttlKey = (iface: string, senderId: string, senderIface: string): string => `${iface}\u0000${senderId}\u0000${senderIface}`;

/**
 * libpcap, when the watch is wanted (`load` given). Not wanted is a choice of the caller: it says
 * why capture is off (`unavailable`) but is no gap; a load that failed is one (`error`).
 */
async function loadFactory(
  load: (() => Promise<CaptureFactory>) | undefined,
): Promise<{ factory?: CaptureFactory; unavailable?: string; error?: unknown }> {
  if (!load) return { unavailable: 'capture not requested' };
  try {
    return { factory: await load() };
  } catch (e) {
    return { unavailable: (e as Error).message, error: e };
  }
}

/** One capture set for the watch: IGMP into the query watch, and (mesh) the probes' TTLs. */
function captureSet(
  factory: CaptureFactory,
  family: Family,
  probes: ProbeTarget | undefined,
  queries: QueryWatch,
  ttls: Map<string, number>,
): CaptureSet {
  // IGMP and a few probes a second: 2 MB, not the 32 MB ring sniff asks for (the 10-minute
  // soak showed join-all's RSS 38 MB higher with the default).
  return new CaptureSet(factory, {
    filter: filterFor(family, probes),
    snaplen: 512,
    bufferBytes: 2 << 20,
    timeoutMs: 0,
  }, decodeControl({
    heard: (iface, p) => queries.add(iface, p),
    other: (iface, f, buf, caplen) => {
      if (!f.udp || !f.l3 || !probes) return;
      const p = decodeProbe(buf, f.udp.payloadOffset, Math.min(f.udp.payloadLength, caplen - f.udp.payloadOffset));
      if (p) ttls.set(ttlKey(iface, p.senderId, p.ifname), f.l3.ttl);
    },
  }));
}

/** The watch the environment stopped, as a coverage gap named `check` (WireWatch.notRun). */
function gaps(check: string, loadError: unknown, set: CaptureSet | undefined, targets: readonly WatchTarget[]): NotRun[] {
  if (loadError !== undefined) return [{ check, reason: `no capture: ${(loadError as Error).message}`, remedy: captureRemedy(loadError) }];
  const failed = set ? targets.filter((t) => set.failures.has(t.iface)) : [];
  const [first] = failed;
  if (!first) return [];
  return [{
    check: `${check} on ${failed.map((t) => t.iface).join(', ')}`,
    reason: `the capture could not open: ${set?.failures.get(first.iface) ?? 'unknown error'}`,
    remedy: captureRemedy(set?.errors.get(first.iface)),
  }];
}
