// `trace`: watch an application's group for a while without joining it (unless asked), then
// put the wire, the namespace's counters, the drop reasons, the memberships and the sockets
// side by side (diagnose.ts). Every resource opened here is released in the finally, so an
// error or a signal leaves no capture, membership or tracing instance behind.
import type { AccountingPlatform } from '../../platform/accounting/types.js';
import type { FlatCounters } from '../../platform/accounting/counters.js';
import type { UdpSocket } from '../../platform/procfs/udp.js';
import type { DropReasonCounts, DropReasonTrace } from '../../platform/accounting/tracefs.js';
import type { Platform } from '../../platform/types.js';
import type { Coverage } from '../coverage.js';
import type { Finding } from '../findings/model.js';
import { selectInterfaces, type IfaceSelection } from '../kernel/iface-filter.js';
import { loadInterfaces, type Interface } from '../kernel/interfaces.js';
import { whyIneligible } from '../kernel/eligibility.js';
import { compressIpv6, type Family } from '../kernel/ip.js';
import { dominantPort, rpfFacts, socketFact, socketsOfInterest, sourceFilters, type WireCounts } from './facts.js';
import { counterDeltas } from './counters.js';
import { diagnoseTrace } from './diagnose.js';
import type { IfacePath, SocketFact, TraceFacts } from './model.js';
import { WireCounter } from './wire.js';
import { defined } from '../defined.js';
import type { Loads, Uses } from '../deps.js';

/** The window is cut on `clock` (the Host's): the capture's stamps are on the same wall clock. */
export interface TraceDeps extends Uses<'platform' | 'accounting' | 'clock'>, Loads<'capture'> {
  /** --join: holds memberships on these interfaces; returns the join findings and a release. */
  join?: (ifaces: Interface[]) => Promise<{ findings: Finding[]; close(): void }>;
  /** Names a packet-filter rule that drops multicast on these interfaces, when one exists. */
  firewallRule?: (ifaces: string[]) => Promise<string | undefined>;
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

/** What runTrace holds while the window is open: released in its finally, whatever happens. */
interface Held {
  trace?: DropReasonTrace | undefined;
  wire?: WireCounter | undefined;
  joined?: { findings: Finding[]; close(): void } | undefined;
}

/** What the window saw: the namespace's counters and the sockets' drops on either side, the wire's counts. */
interface Window {
  before: FlatCounters;
  after: FlatCounters;
  /** Drops per socket inode when the window opened. */
  socketsBefore: Map<number, number>;
  socketsAfter: UdpSocket[];
  counts: WireCounts;
  /** Ended early (a signal), not after --seconds. */
  interrupted: boolean;
}

/**
 * The steps: which interfaces hold the group and which are watched; open the drop-reason trace;
 * watch the window (wire, counters, sockets before and after); then the sockets of interest and
 * their owners, the source filters and the reverse-path verdicts; diagnose, with the packet
 * filter's rule when the counters point at it; the report.
 */
export async function runTrace(deps: TraceDeps, o: TraceOptions): Promise<TraceReport> {
  const { all, membershipIfaces, selected } = await traceScope(deps.platform, o);
  const held: Held = {};
  try {
    const drops = openDropReasons(deps.accounting, o.dropReasons);
    held.trace = drops.trace;
    const w = await watchWindow(deps, o, held, all, selected);
    const reasons = held.trace?.stop();
    held.joined?.close();
    const port = o.port ?? dominantPort(w.counts);
    const ofInterest = socketsOfInterest(w.socketsAfter, port, o.group);
    const [owners, skmem, rmem] = await Promise.all([
      deps.accounting.owners(new Set(ofInterest.map((s) => s.inode))),
      deps.accounting.skmem(),
      deps.platform.sysctl('net.core.rmem_max'),
    ]);
    const sockets = ofInterest.map((s) => socketFact(s, owners, skmem, w.socketsBefore));
    const deltas = counterDeltas(w.before, w.after, o.family);
    const rmemMax = rmem !== undefined && /^\d+$/.test(rmem) ? Number(rmem) : undefined;
    const facts: TraceFacts = {
      group: o.group, family: o.family, port: port ?? 0, seconds: o.seconds, wire: w.counts,
      membershipIfaces, joinedByUs: held.joined !== undefined, deltas, sockets,
      sourceFilters: await sourceFilters(deps.platform, o),
      rpf: await rpfFacts(deps.platform, o.family, w.counts, deltas['TcpExt.IPReversePathFilter'] ?? 0),
      ...defined({ rmemMax }),
      ...(reasons ? { reasons: { reasons: reasons.reasons, locations: reasons.locations, overruns: reasons.overruns } } : {}),
    };
    const d = await diagnoseWithFirewall(deps, facts);
    return {
      group: o.group, family: o.family, port: port ?? null, seconds: o.seconds,
      interrupted: w.interrupted, joined: held.joined !== undefined,
      evidence: {
        level: reasons ? 'counters+drop-reasons' : 'counters',
        ...(reasons ? { dropReasons: reasons } : {}),
        ...(drops.unavailable ? { dropReasonsUnavailable: drops.unavailable } : {}),
        socketOwnersComplete: owners.complete,
        rcvbufKnown: skmem !== undefined,
      },
      counters: deltas, stages: d.stages,
      interfaces: d.paths.map((p) => ({ ...p, ports: w.counts.find((c) => c.iface === p.iface)?.ports ?? [] })),
      sockets: sockets.map((s) => ({ ...s, receives: d.receivers.includes(s) })),
      membershipIfaces, rmemMax: rmemMax ?? null,
      findings: [...(held.joined?.findings ?? []), ...d.findings],
      coverage: traceCoverage(o.dropReasons, drops.unavailable),
    };
  } finally {
    held.wire?.release();
    held.trace?.stop();
    held.joined?.close();
  }
}

/** Every interface of the family, those that hold the group now, and the selected ones a capture can watch. */
async function traceScope(
  platform: Platform, o: TraceOptions,
): Promise<{ all: Interface[]; membershipIfaces: string[]; selected: Interface[] }> {
  const want = o.family === 6 ? compressIpv6(o.group) : o.group;
  const all = (await loadInterfaces(platform, { family: o.family })).interfaces;
  const same = (g: { family: Family; group: string }): boolean =>
    g.family === o.family && (g.family === 6 ? compressIpv6(g.group) : g.group) === want;
  const holds = (i: Interface): boolean => i.groups.some(same);
  const membershipIfaces = all.filter(holds).map((i) => i.name);
  const selected = selectInterfaces(all, o.selection).filter((i) => whyIneligible(i, 'capture') === undefined);
  return { all, membershipIfaces, selected };
}

/** The kernel's drop-reason trace when asked for and allowed; otherwise why not. */
function openDropReasons(
  accounting: AccountingPlatform, asked: boolean,
): { trace?: DropReasonTrace; unavailable?: { why: string; fix?: string } } {
  if (!asked) return { unavailable: { why: 'not asked (--no-drop-reasons)' } };
  const t = accounting.openDropReasons();
  if (t.ok) return { trace: t.trace };
  return { unavailable: t.fix ? { why: t.why, fix: t.fix } : { why: t.why } };
}

/**
 * The window: captures open, memberships held (--join), then counters and sockets read on either
 * side of --seconds (or until stopped), the wire counted over the same span. Sets held.wire and
 * held.joined as it opens them; the wire is stopped (and unset) here.
 */
async function watchWindow(
  deps: TraceDeps, o: TraceOptions, held: Held, all: readonly Interface[], selected: Interface[],
): Promise<Window> {
  const own = new Set(all.flatMap((i) => i.addresses.map((a) => a.address)));
  const wire = new WireCounter(await deps.capture(), selected.map((i) => i.name), o.group, o.family, own, o.port);
  held.wire = wire;
  if (deps.join) held.joined = await deps.join(selected);
  const socketsBefore = new Map((await deps.accounting.udpSockets()).map((s) => [s.inode, s.drops]));
  const { clock } = deps;
  wire.open(clock.now());
  const before = await deps.accounting.counters();
  o.onStart?.(selected.map((i) => i.name));
  let interrupted = false;
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, o.seconds * 1000);
    o.attachStop?.(() => { interrupted = true; clearTimeout(timer); resolve(); });
  });
  const after = await deps.accounting.counters();
  wire.close(clock.now());
  const socketsAfter = await deps.accounting.udpSockets();
  const counts = await wire.stop();
  held.wire = undefined;
  return { before, after, socketsBefore, socketsAfter, counts, interrupted };
}

/** The diagnosis; the packet filter is read only when the counters point at it (it costs an nft run). */
async function diagnoseWithFirewall(deps: TraceDeps, facts: TraceFacts): Promise<ReturnType<typeof diagnoseTrace>> {
  const d = diagnoseTrace(facts);
  if (!deps.firewallRule || !d.findings.some((f) => f.id === 'KERNEL_DROP' && f.evidence.reason !== 'IP_RPFILTER')) return d;
  const rule = await deps.firewallRule(facts.wire.filter((c) => c.packets > 0).map((c) => c.iface));
  return rule ? diagnoseTrace({ ...facts, firewallRule: rule }) : d;
}

/** --no-drop-reasons is the user's choice, not a gap; a refusal of the kernel or of privilege is. */
function traceCoverage(asked: boolean, unavailable: { why: string; fix?: string } | undefined): Coverage {
  return {
    notRun: asked && unavailable
      ? [{
        check: 'kernel drop reasons',
        reason: unavailable.why,
        remedy: unavailable.fix ?? 'run as root on a kernel with tracefs (skb:kfree_skb)',
      }]
      : [],
    interrupted: null,
  };
}

