// `trace`: watch an application's group for a while without joining it (unless asked), then
// put the wire, the namespace's counters, the drop reasons, the memberships and the sockets
// side by side (diagnose.ts). Every resource opened here is released in the finally, so an
// error or a signal leaves no capture, membership or tracing instance behind.
import type { AccountingPlatform } from '../../platform/accounting/types.js';
import type { DropReasonCounts, DropReasonTrace } from '../../platform/accounting/tracefs.js';
import type { CaptureFactory } from '../../platform/capture/types.js';
import type { Platform } from '../../platform/types.js';
import type { Coverage } from '../coverage.js';
import type { Finding } from '../findings/model.js';
import { selectInterfaces, type IfaceSelection } from '../kernel/iface-filter.js';
import { loadInterfaces, type Interface } from '../kernel/interfaces.js';
import { whyIneligible } from '../kernel/eligibility.js';
import { compressIpv6, type Family } from '../kernel/ip.js';
import { checkReversePath } from '../kernel/rpf-check.js';
import { counterDeltas } from './counters.js';
import { diagnoseTrace } from './diagnose.js';
import type { IfacePath, RpfFact, SocketFact, TraceFacts } from './model.js';
import { WireCounter } from './wire.js';
import { defined } from '../defined.js';
import { systemClock, type Clock } from '../clock.js';

export interface TraceDeps {
  platform: Platform;
  accounting: AccountingPlatform;
  capture: () => Promise<CaptureFactory>;
  /** --join: holds memberships on these interfaces; returns the join findings and a release. */
  join?: (ifaces: Interface[]) => Promise<{ findings: Finding[]; close(): void }>;
  /** Names a packet-filter rule that drops multicast on these interfaces, when one exists. */
  firewallRule?: (ifaces: string[]) => Promise<string | undefined>;
  /** The wall clock the window is cut on: the capture's stamps are on the same one. Absent: the system's. */
  clock?: Clock;
}

export interface TraceOptions {
  group: string;
  family: Family;
  port?: number;
  seconds: number;
  selection: IfaceSelection;
  dropReasons: boolean;
  /** Called once the window is open (counters read, captures running). */
  onStart?: (ifaces: string[]) => void;
  /** Hands over a function that ends the window early (signals). */
  attachStop?: (stop: () => void) => void;
}

export interface TraceReport {
  group: string;
  family: Family;
  port: number | null;
  seconds: number;
  interrupted: boolean;
  joined: boolean;
  evidence: {
    level: 'counters' | 'counters+drop-reasons';
    dropReasons?: DropReasonCounts;
    dropReasonsUnavailable?: { why: string; fix?: string };
    socketOwnersComplete: boolean;
    rcvbufKnown: boolean;
  };
  counters: Record<string, number>;
  stages: ReturnType<typeof diagnoseTrace>['stages'];
  interfaces: Array<IfacePath & { ports: Array<{ port: number; packets: number }> }>;
  sockets: Array<SocketFact & { receives: boolean }>;
  membershipIfaces: string[];
  rmemMax: number | null;
  findings: Finding[];
  /** The drop reasons, asked for but refused by the environment (no tracefs, no root): a gap. */
  coverage: Coverage;
}

/** Sockets kept in the report: those on the port or bound to the group, bounded. */
const MAX_SOCKETS = 64;

export async function runTrace(deps: TraceDeps, o: TraceOptions): Promise<TraceReport> {
  const want = o.family === 6 ? compressIpv6(o.group) : o.group;
  const all = (await loadInterfaces(deps.platform, { family: o.family })).interfaces;
  const same = (g: { family: Family; group: string }): boolean =>
    g.family === o.family && (g.family === 6 ? compressIpv6(g.group) : g.group) === want;
  const holds = (i: Interface): boolean => i.groups.some(same);
  const membershipIfaces = all.filter(holds).map((i) => i.name);
  const selected = selectInterfaces(all, o.selection).filter((i) => whyIneligible(i, 'capture') === undefined);
  const own = new Set(all.flatMap((i) => i.addresses.map((a) => a.address)));
  let trace: DropReasonTrace | undefined;
  let unavailable: { why: string; fix?: string } | undefined;
  let wire: WireCounter | undefined;
  let joined: { findings: Finding[]; close(): void } | undefined;
  let reasons: DropReasonCounts | undefined;
  let interrupted = false;
  try {
    if (o.dropReasons) {
      const t = deps.accounting.openDropReasons();
      if (t.ok) trace = t.trace;
      else unavailable = t.fix ? { why: t.why, fix: t.fix } : { why: t.why };
    } else unavailable = { why: 'not asked (--no-drop-reasons)' };
    wire = new WireCounter(await deps.capture(), selected.map((i) => i.name), o.group, o.family, own, o.port);
    if (deps.join) joined = await deps.join(selected);
    const socketsBefore = new Map((await deps.accounting.udpSockets()).map((s) => [s.inode, s.drops]));
    const clock = deps.clock ?? systemClock;
    wire.open(clock.now());
    const before = await deps.accounting.counters();
    o.onStart?.(selected.map((i) => i.name));
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, o.seconds * 1000);
      o.attachStop?.(() => { interrupted = true; clearTimeout(timer); resolve(); });
    });
    const after = await deps.accounting.counters();
    wire.close(clock.now());
    const socketsAfter = await deps.accounting.udpSockets();
    const counts = await wire.stop();
    wire = undefined;
    if (trace) reasons = trace.stop();
    joined?.close();
    const port = o.port ?? dominantPort(counts);
    // On the port, bound to the group, or wildcard-bound above the well-known ports (the receiver
    // that may be listening on the wrong port: named when nobody listens on the right one).
    const wildcard = (a: string): boolean => a === '0.0.0.0' || a === '::';
    const ofInterest = [
      ...socketsAfter.filter((s) => (port !== undefined && s.localPort === port) || s.localAddress === o.group),
      ...socketsAfter.filter((s) => s.localPort !== port && s.localAddress !== o.group && wildcard(s.localAddress) && s.localPort >= 1024),
    ].slice(0, MAX_SOCKETS);
    const [owners, skmem, rmem] = await Promise.all([
      deps.accounting.owners(new Set(ofInterest.map((s) => s.inode))),
      deps.accounting.skmem(),
      deps.platform.sysctl('net.core.rmem_max'),
    ]);
    const sockets: SocketFact[] = ofInterest.map((s) => {
      const fact: SocketFact = {
        family: s.family, localAddress: s.localAddress, localPort: s.localPort, inode: s.inode,
        owners: (owners.owners.get(s.inode) ?? []).map((w) => ({ pid: w.pid, comm: w.comm })),
        rxQueue: s.rxQueue, drops: s.drops, dropsDuring: Math.max(0, s.drops - (socketsBefore.get(s.inode) ?? s.drops)),
      };
      const mem = skmem?.get(s.inode);
      if (mem) fact.rcvbuf = mem.rcvbuf;
      return fact;
    });
    const deltas = counterDeltas(before, after, o.family);
    const rmemMax = rmem !== undefined && /^\d+$/.test(rmem) ? Number(rmem) : undefined;
    // Source-specific memberships (INCLUDE mode: the sources with INC > 0). Read after the run:
    // only consulted when the counters already show a drop before IP.
    const sourceFilters: Record<string, string[]> = {};
    if (o.family === 4) {
      for (const e of await deps.platform.mcfilter()) {
        if (e.group !== o.group || e.include <= 0) continue;
        (sourceFilters[e.device] ??= []).push(e.source);
      }
    }
    const facts: TraceFacts = {
      group: o.group, family: o.family, port: port ?? 0, seconds: o.seconds, wire: counts,
      membershipIfaces, joinedByUs: joined !== undefined, deltas, sockets, sourceFilters,
      rpf: await rpfFacts(deps.platform, o.family, counts, deltas['TcpExt.IPReversePathFilter'] ?? 0),
      ...defined({ rmemMax }),
      ...(reasons ? { reasons: { reasons: reasons.reasons, locations: reasons.locations, overruns: reasons.overruns } } : {}),
    };
    let d = diagnoseTrace(facts);
    // The packet filter is read only when the counters point at it (it costs an nft run).
    if (deps.firewallRule && d.findings.some((f) => f.id === 'KERNEL_DROP' && f.evidence.reason !== 'IP_RPFILTER')) {
      const rule = await deps.firewallRule(counts.filter((c) => c.packets > 0).map((c) => c.iface));
      if (rule) d = diagnoseTrace({ ...facts, firewallRule: rule });
    }
    return {
      group: o.group, family: o.family, port: port ?? null, seconds: o.seconds, interrupted, joined: joined !== undefined,
      evidence: {
        level: reasons ? 'counters+drop-reasons' : 'counters',
        ...(reasons ? { dropReasons: reasons } : {}),
        ...(unavailable ? { dropReasonsUnavailable: unavailable } : {}),
        socketOwnersComplete: owners.complete,
        rcvbufKnown: skmem !== undefined,
      },
      counters: deltas, stages: d.stages,
      interfaces: d.paths.map((p) => ({ ...p, ports: counts.find((c) => c.iface === p.iface)?.ports ?? [] })),
      sockets: sockets.map((s) => ({ ...s, receives: d.receivers.includes(s) })),
      membershipIfaces, rmemMax: rmemMax ?? null,
      findings: [...(joined?.findings ?? []), ...d.findings],
      // --no-drop-reasons is the user's choice, not a gap; a refusal of the kernel or of privilege is.
      coverage: {
        notRun: o.dropReasons && unavailable ? [{ check: 'kernel drop reasons', reason: unavailable.why, remedy: unavailable.fix ?? 'run as root on a kernel with tracefs (skb:kfree_skb)' }] : [],
        interrupted: null,
      },
    };
  } finally {
    wire?.release();
    trace?.stop();
    joined?.close();
  }
}

function dominantPort(counts: ReturnType<WireCounter['stop']> extends Promise<infer T> ? T : never): number | undefined {
  const byPort = new Map<number, number>();
  for (const c of counts) for (const p of c.ports) byPort.set(p.port, (byPort.get(p.port) ?? 0) + p.packets);
  return [...byPort.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
}

/** The kernel's reverse-path verdict for each interface's busiest source, only when drops were counted. */
async function rpfFacts(p: Platform, family: Family, counts: Awaited<ReturnType<WireCounter['stop']>>, drops: number): Promise<Record<string, RpfFact>> {
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
