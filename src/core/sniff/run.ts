// sniff from flags to summary, in steps: check the arguments (./args.ts), choose the interfaces,
// open the captures and the file (refusing to overwrite), join the groups, capture until --count
// / --duration / a signal, then complete the file and hand out the summary and the findings.
// Every OS access comes through `deps`, a slice of the Host (src/core/deps.ts).
import type { SocketApi } from '../../platform/sockets/types.js';
import type { CaptureFactory } from '../../platform/capture/types.js';
import { UsageError } from '../errors.js';
import { exitFor } from '../exit.js';
import type { Finding } from '../findings/model.js';
import type { Interface, InterfaceInventory } from '../kernel/interfaces.js';
import { leftOf, loadAwaitingCarrier, waitedFor } from '../kernel/carrier-wait.js';
import { noEligibleInterface, whyIneligible } from '../kernel/eligibility.js';
import { linkKindFindings } from '../kernel/link-findings.js';
import type { GroupSpec } from '../group-args.js';
import { joinAll, type Membership } from '../membership/join.js';
import { CaptureFileWriter, type ByteSink } from './file-format.js';
import { trafficFindings } from './findings.js';
import { readRouterState, type RouterState } from '../kernel/mroute.js';
import { SniffSession, type IfaceCounts, type SniffEvent, type SniffSummary } from './session.js';
import type { FlowStats } from './flows.js';
import { stormFinding } from '../join-all/health.js';
import type { ChurnEvent, ChurnFollower } from '../membership/churn.js';
import { followSniffChurn } from './churn.js';
import { defined } from '../defined.js';
import type { Clock } from '../clock.js';
import type { Loads, Uses } from '../deps.js';
import { checkArgs, filterFor, type SniffArgs } from './args.js';

export type { SniffArgs } from './args.js';

/** The capture file the command opened: written to a temporary name, renamed into place by commit(). */
export type SniffFile = ByteSink & { path: string; commit(): number; abort(): void };

/** sniff's own doors, built by the command: the file, the stop signals, --user. */
export interface SniffIo {
  openFile: (path: string, force: boolean) => SniffFile;
  /**
   * Installs the stop signals (SIGINT, SIGTERM); returns the uninstaller. `saveNow` completes
   * the file synchronously, for a caller that is about to exit at once (stdout closed: EPIPE).
   */
  onSignal: (stop: () => void, saveNow: () => void) => () => void;
  /** --user: called once the captures, memberships and file are open (tcpdump -Z). */
  dropPrivileges?: () => void;
  /** --user: the name it runs as afterwards (why a capture cannot be re-opened after a flap). */
  runsAs?: string;
  /** A signal: ends the wait for a first carrier (the capture itself is stopped through onSignal). */
  abort?: AbortSignal;
  /** Before waiting for the first carrier on these interfaces (none selected has one yet). */
  waitingForCarrier?: (names: string[], maxMs: number | undefined) => void;
}

/**
 * libpcap and koffi load on first use (koffi only when sniff joins groups); `links`: interfaces
 * that go down and return are followed (./churn.ts), absent: not followed.
 */
export type SniffDeps = Uses<'platform' | 'clock'> & Loads<'capture' | 'sockets'> & Partial<Uses<'links'>> & SniffIo;

export interface SniffSink {
  readonly wantsPackets: boolean;
  readonly wantsMalformed: boolean;
  started(info: {
    interfaces: { iface: string; linkType: number; snaplen: number }[]; filter: string; libpcap: string;
    joined: { iface: string; group: string; source?: string; status: string; message?: string }[];
    file?: { path: string; format: string };
  }): void;
  event(e: SniffEvent): void;
  stats(elapsedMs: number, snap: { interfaces: IfaceCounts[]; flows: FlowStats[] }): void;
  /** iface_down / iface_up. */
  churn?(e: ChurnEvent): void;
  summary(
    sum: SniffSummary,
    findings: Finding[],
    libpcap: string,
    file?: { path: string; format: string; packets: number; bytes: number },
  ): void;
}

/** What a run holds open, released on every way out. */
interface Held {
  session?: SniffSession;
  membership?: Membership;
  churn?: ChurnFollower;
  file?: { writer: CaptureFileWriter; sink: SniffFile };
  uninstall: () => void;
}

export async function runSniff(deps: SniffDeps, a: SniffArgs, out: SniffSink): Promise<number> {
  const groups = checkArgs(a);
  const { inv, targets, left, none } = await chooseTargets(deps, a);
  if (none) {
    out.summary({ stoppedBy: 'error', durationMs: 0, interfaces: [], flows: [] }, [none], '');
    return exitFor([none]);
  }
  const filter = filterFor(a, groups);
  const factory = await deps.capture();
  // The multicast routing tables before the capture: their counters' rise is the kernel's own
  // account of what it forwarded (TTL_NOT_FORWARDED).
  const routerBefore = await readRouterState(deps.platform);
  // Loaded before the captures open: from start() to the joins nothing awaits I/O, so no packet
  // is delivered (and shown) before the start event.
  const sockets = a.join && groups.length ? await deps.sockets() : undefined;
  const sink = a.write !== undefined ? deps.openFile(a.write, a.force) : undefined;
  const held: Held = { uninstall: () => undefined };
  try {
    const opened = openSession(held, factory, targets, filter, left, out, deps.clock, sink);
    // Joined after the captures opened, so the membership reports are captured too.
    // The port does not matter for a membership (receive: false binds nothing).
    const joinGroups = groups.map((g) => ({ ...g, port: g.port || 9 }));
    if (sockets) {
      held.membership = await joinAll({ sockets, platform: deps.platform, clock: deps.clock },
        { groups: joinGroups, interfaces: targets, receive: false });
    }
    deps.dropPrivileges?.();
    const joinFindings = [...held.membership?.findings ?? [],
      ...linkKindFindings(targets, (held.membership?.results ?? []).filter((r) => r.status === 'joined'), 'join')];
    out.started({
      interfaces: opened, filter, libpcap: factory.version,
      joined: (held.membership?.results ?? []).map((r) => ({ iface: r.iface, group: r.group, status: r.status,
        ...defined({ source: r.source, message: r.message }) })),
      ...(sink ? { file: { path: sink.path, format: a.format } } : {}),
    });
    installStop(held, deps);
    if (deps.links) held.churn = followLinks(held, deps, sockets, targets, joinGroups, a, out);
    const summary = await captureUntilStopped(held, out, deps.clock, a.statsIntervalMs ?? 1000);
    const file = completeFile(held, summary, deps.clock, a);
    held.membership?.close();
    held.membership = undefined;
    const router = { before: routerBefore, after: await readRouterState(deps.platform) };
    const findings = [...joinFindings, ...held.churn?.findings() ?? [], ...sniffFindings(summary, inv.interfaces, router)];
    out.summary(summary, findings, factory.version, file);
    return exitFor(findings);
  } catch (e) {
    held.session?.abort();
    sink?.abort();
    throw e;
  } finally {
    held.uninstall();
    void held.churn?.close();
    held.membership?.close();
  }
}

/**
 * The interfaces to capture on: the selection's, after a wait for a first carrier when that is all
 * that is missing (kernel/carrier-wait.ts, the rule join-all and mesh follow too). `left`: the
 * arguments with what is left of --duration (the wait counts in it); `none`: NO_ELIGIBLE_INTERFACE.
 */
async function chooseTargets(deps: SniffDeps, a: SniffArgs): Promise<{
  inv: InterfaceInventory; targets: Interface[]; left: SniffArgs; none?: Finding;
}> {
  const carrier = await loadAwaitingCarrier(deps.platform, a, 'capture', {
    clock: deps.clock, durationMs: a.durationS !== undefined ? a.durationS * 1000 : undefined,
    abort: deps.abort, onWait: deps.waitingForCarrier,
  });
  const inv = carrier.inventory;
  const targets = captureTargets(inv, a);
  const left = a.durationS !== undefined ? { ...a, durationS: leftOf(a.durationS * 1000, carrier) / 1000 } : a;
  if (targets.length > 0) return { inv, targets, left };
  return { inv, targets, left, none: noEligibleInterface(inv.interfaces, 'capture', 'capture on', waitedFor(carrier)) };
}

/** The interfaces that can be captured on; --format pcap holds one of them. */
function captureTargets(inv: InterfaceInventory, a: SniffArgs): Interface[] {
  const targets = inv.interfaces.filter((i) => whyIneligible(i, 'capture') === undefined);
  if (a.format === 'pcap' && a.write !== undefined && targets.length > 1) {
    throw new UsageError('BAD_FORMAT', `--format pcap holds one interface, and ${targets.length} are selected `
      + `(${targets.map((t) => t.name).join(', ')}): use pcapng, or --iface one`);
  }
  return targets;
}

/** Opens every capture (all or none), then the file writer with their link types. */
function openSession(held: Held, factory: CaptureFactory, targets: readonly Interface[],
  filter: string, a: SniffArgs, out: SniffSink, clock: Clock, sink: SniffFile | undefined): ReturnType<SniffSession['start']> {
  const session = new SniffSession(factory, {
    targets: targets.map((t) => ({ iface: t.name })), filter, snaplen: a.snaplen,
    ...defined({ count: a.count }),
    ...(a.durationS !== undefined ? { durationMs: a.durationS * 1000 } : {}),
    packetEvents: out.wantsPackets, malformedEvents: out.wantsMalformed, clock,
  }, (e) => out.event(e));
  held.session = session;
  const opened = session.start();
  if (sink) {
    const writer = new CaptureFileWriter(sink, a.format, opened.map((o) => ({ name: o.iface, linkType: o.linkType, snaplen: o.snaplen })),
      a.appName ?? 'mcast-doctor sniff');
    session.attachWriter(writer);
    held.file = { writer, sink };
  }
  return opened;
}

/**
 * The signals stop the session; on the way out at once (second signal, EPIPE) the file is
 * completed now, or removed if it cannot be: never left half-written under its name.
 */
function installStop(held: Held, deps: SniffIo): void {
  const session = held.session;
  if (!session) return;
  held.uninstall = deps.onSignal(() => session.requestStop('signal'), () => {
    const f = held.file;
    if (!f) return;
    session.attachWriter(undefined);
    try { f.writer.flush(); f.sink.commit(); } catch { f.sink.abort(); }
    held.file = undefined;
  });
}

function followLinks(held: Held, deps: SniffDeps, sockets: SocketApi | undefined, targets: readonly Interface[],
  joinGroups: readonly GroupSpec[], a: SniffArgs, out: SniffSink): ChurnFollower | undefined {
  if (!deps.links || !held.session) return undefined;
  const churnDeps = { platform: deps.platform, links: deps.links, sockets, clock: deps.clock, ...defined({ runsAs: deps.runsAs }) };
  return followSniffChurn(churnDeps, held.session, targets.map((t) => ({ iface: t.name, ifindex: t.index })),
    held.membership, joinGroups, { selection: a.selection }, (e) => out.churn?.(e));
}

/** Stats every interval until a stop (count, duration, signal); then the session's summary, churn's included. */
async function captureUntilStopped(held: Held, out: SniffSink, clock: Clock, intervalMs: number): Promise<SniffSummary> {
  const session = held.session as SniffSession;
  const started = clock.now();
  const ticker = setInterval(() => out.stats(clock.now() - started, session.snapshot()), intervalMs);
  try {
    await session.stopped;
  } finally {
    clearInterval(ticker);
  }
  await held.churn?.close();
  const summary = await session.finish();
  held.session = undefined;
  if (held.churn) summary.churn = held.churn.summary();
  return summary;
}

/** libpcap's drop counters go into the file too (pcapng interface-statistics blocks); then it is renamed into place. */
function completeFile(held: Held, summary: SniffSummary, clock: Clock, a: SniffArgs): Parameters<SniffSink['summary']>[3] {
  const f = held.file;
  if (!f) {
    // Completed already on the way out (saveNow), or no --write.
    return undefined;
  }
  f.writer.statistics(summary.interfaces.map((c, id) => ({ id, ...c.kernel })), Math.round(clock.now() * 1000));
  f.writer.flush();
  const bytes = f.sink.commit();
  return { path: f.sink.path, format: a.format, packets: f.writer.packets, bytes };
}

/** What the traffic says (outgoing flows marked first: never described as arriving) and the storms. */
function sniffFindings(summary: SniffSummary, interfaces: readonly Interface[],
  router: { before: RouterState; after: RouterState }): Finding[] {
  const seconds = summary.durationMs / 1000;
  const storms = summary.interfaces.flatMap((c) => stormFinding(c.iface, { flows: c.distinctFlows }, c.distinctSenders, seconds) ?? []);
  markOutgoing(summary.flows, interfaces);
  return [...trafficFindings(summary.flows, { router }), ...storms];
}

/**
 * libpcap sees a host's outgoing frames too: a flow is this host's own (sent or forwarded out of
 * the interface) when its Ethernet source is the interface's MAC, or, on links without one, when
 * its source is one of the host's addresses. It is then never described as arriving.
 */
export function markOutgoing(flows: FlowStats[], interfaces: readonly Interface[]): void {
  const own = new Set(interfaces.flatMap((i) => i.addresses.map((a) => a.address)));
  const macs = new Map(interfaces.map((i) => [i.name, i.mac.toLowerCase()]));
  for (const f of flows) {
    const mac = macs.get(f.iface);
    f.outgoing = f.srcMac && mac ? f.srcMac.toLowerCase() === mac : own.has(f.source);
  }
}
