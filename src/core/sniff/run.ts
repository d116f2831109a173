// sniff from flags to summary: check the arguments, choose interfaces, open the file (refusing
// to overwrite), join the groups, capture until --count / --duration / a signal, then write out
// the summary and the findings. Every OS access comes through `deps`.
import type { Platform } from '../../platform/types.js';
import type { CaptureFactory } from '../../platform/capture/types.js';
import type { SocketApi } from '../../platform/sockets/types.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { familyOf, type Family } from '../kernel/ip.js';
import { UsageError } from '../errors.js';
import { exitFor } from '../exit.js';
import type { Finding } from '../findings/model.js';
import { loadInterfaces } from '../kernel/interfaces.js';
import { noEligibleInterface, whyIneligible } from '../kernel/eligibility.js';
import { linkKindFindings } from '../kernel/link-findings.js';
import { parseGroupArgs, parsePort, type GroupSpec } from '../group-args.js';
import { joinAll, type Membership } from '../membership/join.js';
import { CaptureFileWriter, type ByteSink, type FileFormat } from './file-format.js';
import { buildFilter } from './filter.js';
import { trafficFindings } from './findings.js';
import { readRouterState } from '../kernel/mroute.js';
import type { Interface } from '../kernel/interfaces.js';
import { SniffSession, type IfaceCounts, type SniffEvent, type SniffSummary } from './session.js';
import type { FlowStats } from './flows.js';
import { stormFinding } from '../join-all/health.js';
import type { WatchLinks } from '../../platform/link-watch.js';
import type { ChurnEvent, ChurnFollower } from '../membership/churn.js';
import { followSniffChurn } from './churn.js';
import { defined } from '../defined.js';
import { systemClock, type Clock } from '../clock.js';

export interface SniffDeps {
  platform: Platform;
  captureFactory: () => Promise<CaptureFactory>;
  sockets: () => Promise<SocketApi>;
  openFile: (path: string, force: boolean) => ByteSink & { path: string; commit(): number; abort(): void };
  /**
   * Installs the stop signals (SIGINT, SIGTERM); returns the uninstaller. `saveNow` completes
   * the file synchronously, for a caller that is about to exit at once (stdout closed: EPIPE).
   */
  onSignal: (stop: () => void, saveNow: () => void) => () => void;
  /** --user: called once the captures, memberships and file are open (tcpdump -Z). */
  dropPrivileges?: () => void;
  /** --user: the name it runs as afterwards (why a capture cannot be re-opened after a flap). */
  runsAs?: string;
  /** Link state, to follow interfaces that go down and return (./churn.ts); absent: not followed. */
  watchLinks?: WatchLinks;
  /** The wall clock (the Host's); absent: the system's. */
  clock?: Clock;
}

export interface SniffArgs {
  groups: string[];
  join: boolean;
  ports: number[];
  source?: string;
  filter?: string;
  count?: number;
  durationS?: number;
  write?: string;
  format: FileFormat;
  force: boolean;
  snaplen: number;
  selection: IfaceSelection;
  family?: Family;
  statsIntervalMs?: number;
  /** The pcapng section header's shb_userappl: the tool and its version. */
  appName?: string;
}

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

function checkArgs(a: SniffArgs): GroupSpec[] {
  if (a.count !== undefined && (!Number.isInteger(a.count) || a.count < 1)) throw new UsageError('BAD_COUNT', `--count '${a.count}' must be a whole number of packets, 1 or more`);
  if (a.durationS !== undefined && (!Number.isFinite(a.durationS) || a.durationS <= 0)) throw new UsageError('BAD_DURATION', `--duration '${a.durationS}' must be a number of seconds above 0`);
  if (!Number.isInteger(a.snaplen) || a.snaplen < 64 || a.snaplen > 262144) throw new UsageError('BAD_SNAPLEN', `--snaplen '${a.snaplen}' out of range (64-262144)`);
  for (const p of a.ports) parsePort(p, '--port');
  if (a.source !== undefined && familyOf(a.source) === undefined) throw new UsageError('BAD_SOURCE', `--source '${a.source}' is not an IP address`);
  if (a.groups.length === 0) return [];
  // A port is a filter only when given (G:PORT or --port): parse twice with two defaults to tell.
  const base = defined({ source: a.source });
  const one = parseGroupArgs(a.groups, { defaultPort: 1, ...base });
  const two = parseGroupArgs(a.groups, { defaultPort: 2, ...base });
  return one.map((g, i) => (two[i]?.port === g.port ? g : { ...g, port: 0 }))
    .filter((g) => a.family === undefined || g.family === a.family);
}

export async function runSniff(deps: SniffDeps, a: SniffArgs, out: SniffSink): Promise<number> {
  const groups = checkArgs(a);
  const clock = deps.clock ?? systemClock;
  const inv = await loadInterfaces(deps.platform, { selection: a.selection, ...(a.family ? { family: a.family } : {}) });
  const targets = inv.interfaces.filter((i) => whyIneligible(i, 'capture') === undefined);
  if (targets.length === 0) {
    const f = noEligibleInterface(inv.interfaces, 'capture', 'capture on');
    out.summary({ stoppedBy: 'error', durationMs: 0, interfaces: [], flows: [] }, [f], '');
    return exitFor([f]);
  }
  if (a.format === 'pcap' && a.write !== undefined && targets.length > 1) {
    throw new UsageError('BAD_FORMAT', `--format pcap holds one interface, and ${targets.length} are selected (${targets.map((t) => t.name).join(', ')}): use pcapng, or --iface one`);
  }
  const ports = [...new Set([...a.ports, ...groups.map((g) => g.port).filter((p) => p > 0)])];
  const sources = a.source !== undefined ? [a.source] : [...new Set(groups.flatMap((g) => (g.source !== undefined ? [g.source] : [])))];
  const filter = a.filter ?? buildFilter({
    groups: [...new Set(groups.map((g) => g.group))],
    ports,
    sources,
    ...(a.family ? { family: a.family } : {}),
  });
  const factory = await deps.captureFactory();
  // The multicast routing tables before the capture: their counters' rise is the kernel's own
  // account of what it forwarded (TTL_NOT_FORWARDED).
  const routerBefore = await readRouterState(deps.platform);
  // Loaded before the captures open: from start() to the joins nothing awaits I/O, so no packet
  // is delivered (and shown) before the start event.
  const sockets = a.join && groups.length ? await deps.sockets() : undefined;
  const sink = a.write !== undefined ? deps.openFile(a.write, a.force) : undefined;
  let membership: Membership | undefined;
  let churn: ChurnFollower | undefined;
  let session: SniffSession | undefined;
  let uninstall = (): void => undefined;
  try {
    let fileWriter: CaptureFileWriter | undefined;
    session = new SniffSession(factory, {
      targets: targets.map((t) => ({ iface: t.name })), filter, snaplen: a.snaplen,
      ...defined({ count: a.count }),
      ...(a.durationS !== undefined ? { durationMs: a.durationS * 1000 } : {}),
      packetEvents: out.wantsPackets, malformedEvents: out.wantsMalformed, clock,
    }, (e) => out.event(e));
    const opened = session.start();
    const live = session;
    if (sink) {
      fileWriter = new CaptureFileWriter(sink, a.format, opened.map((o) => ({ name: o.iface, linkType: o.linkType, snaplen: o.snaplen })), a.appName ?? 'mcast-doctor sniff');
      session.attachWriter(fileWriter);
    }
    // Joined after the captures opened, so the membership reports are captured too.
    // The port does not matter for a membership (receive: false binds nothing).
    const joinGroups = groups.map((g) => ({ ...g, port: g.port || 9 }));
    if (sockets) membership = await joinAll(
      { sockets, platform: deps.platform },
      { groups: joinGroups, interfaces: targets, receive: false },
    );
    deps.dropPrivileges?.();
    const joinFindings = [...membership?.findings ?? [],
      ...linkKindFindings(targets, (membership?.results ?? []).filter((r) => r.status === 'joined'), 'join')];
    out.started({
      interfaces: opened, filter, libpcap: factory.version,
      joined: (membership?.results ?? []).map((r) => ({ iface: r.iface, group: r.group, status: r.status,
        ...defined({ source: r.source, message: r.message }) })),
      ...(sink ? { file: { path: sink.path, format: a.format } } : {}),
    });
    uninstall = deps.onSignal(() => live.requestStop('signal'), () => {
      if (!fileWriter || !sink) return;
      live.attachWriter(undefined);
      // On the way out (second signal, EPIPE): a file that cannot be completed is removed, not
      // left half-written under its name.
      try { fileWriter.flush(); sink.commit(); } catch { sink.abort(); }
      fileWriter = undefined;
    });
    if (deps.watchLinks) {
      const churnDeps = { platform: deps.platform, watchLinks: deps.watchLinks, sockets, clock, ...defined({ runsAs: deps.runsAs }) };
      churn = followSniffChurn(churnDeps, live, targets.map((t) => ({ iface: t.name, ifindex: t.index })),
        membership, joinGroups, { selection: a.selection }, (e) => out.churn?.(e));
    }
    const started = clock.now();
    const ticker = setInterval(() => out.stats(clock.now() - started, live.snapshot()), a.statsIntervalMs ?? 1000);
    await live.stopped;
    clearInterval(ticker);
    await churn?.close();
    const summary = await live.finish();
    // libpcap's drop counters go into the file too (pcapng interface-statistics blocks).
    if (fileWriter) {
      fileWriter.statistics(summary.interfaces.map((c, id) => ({ id, ...c.kernel })), Math.round(clock.now() * 1000));
      fileWriter.flush();
    }
    if (churn) summary.churn = churn.summary();
    session = undefined;
    membership?.close();
    membership = undefined;
    const bytes = sink?.commit();
    const storms = summary.interfaces.flatMap((c) => stormFinding(
      c.iface,
      { flows: c.distinctFlows },
      c.distinctSenders,
      summary.durationMs / 1000,
    ) ?? []);
    markOutgoing(summary.flows, inv.interfaces);
    const router = { before: routerBefore, after: await readRouterState(deps.platform) };
    const findings = [...joinFindings, ...churn?.findings() ?? [], ...trafficFindings(summary.flows, { router }), ...storms];
    out.summary(summary, findings, factory.version,
      sink && fileWriter ? { path: sink.path, format: a.format, packets: fileWriter.packets, bytes: bytes ?? 0 } : undefined);
    return exitFor(findings);
  } catch (e) {
    session?.abort();
    sink?.abort();
    throw e;
  } finally {
    uninstall();
    void churn?.close();
    membership?.close();
  }
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
