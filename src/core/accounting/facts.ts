// The facts `trace` reads after its window (run.ts): the sockets of interest and what is known of
// them, the source filters, the busiest port, the reverse-path verdicts. Kept apart from the window
// so that each reading is a named step.
import type { SkMem } from '../../platform/accounting/skmem.js';
import type { OwnerScan } from '../../platform/accounting/socket-owners.js';
import type { UdpSocket } from '../../platform/procfs/udp.js';
import type { Platform } from '../../platform/types.js';
import type { Family } from '../kernel/ip.js';
import { checkReversePath } from '../kernel/rpf-check.js';
import type { RpfFact, SocketFact } from './model.js';
import type { WireCounter } from './wire.js';

/** Sockets kept in the report: those on the port or bound to the group, bounded. */
const MAX_SOCKETS = 64;

export type WireCounts = Awaited<ReturnType<WireCounter['stop']>>;

/**
 * On the port, bound to the group, or wildcard-bound above the well-known ports (the receiver
 * that may be listening on the wrong port: named when nobody listens on the right one); bounded.
 */
export function socketsOfInterest(after: readonly UdpSocket[], port: number | undefined, group: string): UdpSocket[] {
  const wildcard = (a: string): boolean => a === '0.0.0.0' || a === '::';
  return [
    ...after.filter((s) => (port !== undefined && s.localPort === port) || s.localAddress === group),
    ...after.filter((s) => s.localPort !== port && s.localAddress !== group && wildcard(s.localAddress) && s.localPort >= 1024),
  ].slice(0, MAX_SOCKETS);
}

/** One socket as the diagnosis sees it: owners, queue, drops during the window, receive buffer when known. */
export function socketFact(
  s: UdpSocket, owners: OwnerScan, skmem: Map<number, SkMem> | undefined, dropsBefore: ReadonlyMap<number, number>,
): SocketFact {
  const fact: SocketFact = {
    family: s.family, localAddress: s.localAddress, localPort: s.localPort, inode: s.inode,
    owners: (owners.owners.get(s.inode) ?? []).map((w) => ({ pid: w.pid, comm: w.comm })),
    rxQueue: s.rxQueue, drops: s.drops, dropsDuring: Math.max(0, s.drops - (dropsBefore.get(s.inode) ?? s.drops)),
  };
  const mem = skmem?.get(s.inode);
  if (mem) fact.rcvbuf = mem.rcvbuf;
  return fact;
}

/**
 * Source-specific memberships (INCLUDE mode: the sources with INC > 0) per device. Read after the
 * run: only consulted when the counters already show a drop before IP.
 */
export async function sourceFilters(platform: Platform, o: { group: string; family: Family }): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {};
  if (o.family !== 4) return out;
  for (const e of await platform.mcfilter()) {
    if (e.group !== o.group || e.include <= 0) continue;
    (out[e.device] ??= []).push(e.source);
  }
  return out;
}

export function dominantPort(counts: WireCounts): number | undefined {
  const byPort = new Map<number, number>();
  for (const c of counts) for (const p of c.ports) byPort.set(p.port, (byPort.get(p.port) ?? 0) + p.packets);
  return [...byPort.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The kernel's reverse-path verdict for each interface's busiest source, only when drops were counted. */
export async function rpfFacts(p: Platform, family: Family, counts: WireCounts, drops: number): Promise<Record<string, RpfFact>> {
  const out: Record<string, RpfFact> = {};
  if (family !== 4 || drops === 0) return out;
  for (const c of counts) {
    const src = c.sources[0]?.source;
    if (!src || c.packets === 0) continue;
    const v = await checkReversePath(p, src, c.iface);
    out[c.iface] = {
      source: src,
      accepted: v.accepted,
      ...(v.routeBackDev ? { routeBackDev: v.routeBackDev } : {}),
      ...(v.kernelError ? { kernelError: v.kernelError } : {}),
    };
  }
  return out;
}
