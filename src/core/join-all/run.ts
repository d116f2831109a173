// join-all's run: join (membership/join.ts), check the kernel holds every membership, count
// what arrives until --duration, --count or stop(), then judge --expect pairs (NO_TRAFFIC).
import type { Platform } from '../../platform/types.js';
import type { SocketApi } from '../../platform/sockets/types.js';
import { UsageError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import type { Coverage, NotRun } from '../coverage.js';
import { captureRemedy } from '../capture-remedy.js';
import { makeFinding } from '../findings/catalog.js';
import { linkKindFindings } from '../kernel/link-findings.js';
import { ssmFindings } from '../querier-check/kernel-version.js';
import { parseGroupArg, type GroupSpec } from '../group-args.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { loadInterfaces } from '../kernel/interfaces.js';
import { noEligibleInterface } from '../kernel/eligibility.js';
import type { Family } from '../kernel/ip.js';
import { joinAll, type JoinResult, type Packet } from '../membership/join.js';
import { verifyMemberships } from '../membership/verify.js';
import { decodeProbe, type Probe } from '../probe/format.js';
import { ReceiveStats, type IfaceReceive, type RowStats } from './stats.js';
import { StatsFeed, type StatsChange } from './stats-feed.js';
import { receiveHealth, splitLoss, type LossSplit } from './health.js';
import type { OwnDrops } from '../membership/join.js';
import { startStallWatch, type StallWatchDeps } from './stalls.js';
import { addressesOf } from '../kernel/interfaces.js';
import type { WatchLinks } from '../../platform/link-watch.js';
import type { ChurnEvent, IfaceChurn, IfaceDownEvent } from '../membership/churn.js';
import { followJoinChurn } from './churn.js';
import { silenceFindings } from './silence.js';
import { openAccountingWindow, type WindowDeps } from '../accounting/window.js';
import { defined } from '../defined.js';
import { systemClock, type Clock } from '../clock.js';

export interface JoinAllOptions {
  groups: GroupSpec[];
  selection: IfaceSelection;
  family?: Family;
  /** IFACE:GROUP pairs that must receive something. */
  expect: readonly string[];
  assumeSynced: boolean;
  intervalMs: number;
  durationMs?: number;
  count?: number;
  /** --membership-interval (s): the switches' snooping membership interval, for the stall diagnosis. */
  membershipIntervalS?: number;
  /** --fail-on-stop: a stream that stops is an error, not a warning. */
  failOnStop?: boolean;
}

export interface JoinAllHooks {
  joined(results: JoinResult[], findings: Finding[]): void;
  packet?: ((p: Packet, probe: Probe | undefined) => void) | undefined;
  stats(tick: StatsTick): void;
  /** iface_down / iface_up (interface churn, ./churn.ts). */
  churn?: ((e: ChurnEvent) => void) | undefined;
}

/** One --interval tick: every row now (the live table) and what changed since the last (the event). */
export interface StatsTick {
  elapsedMs: number;
  totalPackets: number;
  rows: RowStats[];
  change: StatsChange;
}

export interface JoinAllOutcome {
  results: JoinResult[];
  rows: RowStats[];
  findings: Finding[];
  sockets: number;
  elapsedMs: number;
  totalPackets: number;
  /** Per interface joined: downs and returns during the run. */
  churn: IfaceChurn[];
  /** Per interface: unicast and other groups kept apart, distinct sources and senders. */
  ifaces: IfaceReceive[];
  /** Per receiving socket: datagrams the kernel dropped on it (ours, not the network's). */
  ownDrops: OwnDrops[];
  /** Per interface: sequence loss split into our own socket's drops and loss before the host. */
  loss: LossSplit[];
  /** Checks the environment stopped (the IGMP watch, --expect's accounting); the command adds a signal's cut. */
  coverage: Coverage;
}

export interface JoinAllRun {
  done: Promise<JoinAllOutcome>;
  stop(): void;
}

interface Expectation { iface: string; group: string }

function parseExpect(text: string, ifaces: readonly string[], groups: readonly GroupSpec[]): Expectation {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) throw new UsageError('USAGE', `--expect wants IFACE:GROUP, got '${text}'`);
  const iface = text.slice(0, i);
  if (!ifaces.includes(iface)) throw new UsageError('USAGE', `--expect '${text}': no selected interface named '${iface}'`, { iface });
  const g = parseGroupArg(text.slice(i + 1), { defaultPort: 0, allowRanges: false })[0];
  if (!g || !groups.some((x) => x.group === g.group)) throw new UsageError('USAGE', `--expect '${text}': ${text.slice(i + 1)} is not one of the groups joined`);
  return { iface, group: g.group };
}

/** Every --interval: every row for the live table, and what changed since the last tick for the event. */
function tickStats(
  stats: ReceiveStats, hooks: JoinAllHooks, o: { listeningAt: number; intervalMs: number; clock: Clock },
): ReturnType<typeof setInterval> {
  const feed = new StatsFeed();
  return setInterval(() => {
    const rows = stats.snapshot();
    hooks.stats({ elapsedMs: o.clock.now() - o.listeningAt, totalPackets: stats.total, rows, change: feed.next(rows) });
  }, o.intervalMs);
}

/** accounting: with --expect, the packet-accounting differential explains a pair that got nothing (../accounting/window.ts). */
export async function startJoinAll(deps: StallWatchDeps & { platform: Platform; sockets: SocketApi; watchLinks?: WatchLinks; accounting?: Omit<WindowDeps, 'platform'>; clock?: Clock }, o: JoinAllOptions, hooks: JoinAllHooks): Promise<JoinAllRun> {
  const clock = deps.clock ?? systemClock;
  const inv = await loadInterfaces(deps.platform, { selection: o.selection, ...(o.family ? { family: o.family } : {}) });
  const expectations = o.expect.map((e) => parseExpect(e, inv.interfaces.map((i) => i.name), o.groups));
  const m = await joinAll(deps, { groups: o.groups, interfaces: inv.interfaces, receive: true });
  const joinedAt = clock.now();
  const findings: Finding[] = [...inv.findings.filter((f) => m.results.some((r) => r.iface === f.iface && r.status === 'skipped')), ...m.findings];
  findings.push(...await verifyMemberships(deps.platform, m.results));
  // An S,G join on an interface where the kernel speaks IGMPv1/v2 is not signalled (querier/kernel-version.ts).
  findings.push(...ssmFindings(inv.interfaces, m.results.filter((r) => r.status === 'joined' && r.source !== undefined).map((r) => ({ iface: r.iface, group: r.group, source: r.source! }))));
  findings.push(...linkKindFindings(inv.interfaces, m.results.filter((r) => r.status === 'joined'), 'join'));
  // Opened before the joined events, so a sender started on them is counted from its first packet.
  // The expected pairs' wire and the namespace's counters, for NO_TRAFFIC's explanation; a
  // capture that cannot open (no libpcap, no permission) only leaves the explanation out.
  const expectedJoined = expectations.flatMap((e) => m.results.filter((r) => r.iface === e.iface && r.group === e.group && r.status === 'joined'));
  const notRun: NotRun[] = [];
  const window = deps.accounting && expectedJoined.length > 0
    ? await openAccountingWindow(
      { platform: deps.platform, ...deps.accounting },
      expectedJoined.map((r) => ({ iface: r.iface, group: r.group, family: r.family, port: r.port })),
    ).catch((e: unknown) => {
      notRun.push({ check: 'packet accounting (why an --expect pair got nothing)', reason: `could not start: ${(e as Error).message}`, remedy: captureRemedy(e) });
      return undefined;
    })
    : undefined;
  hooks.joined(m.results, findings);

  const stats = new ReceiveStats({ joinedAtMs: joinedAt, localHost: deps.platform.hostname(), assumeSynced: o.assumeSynced, clock });
  for (const r of m.results) if (r.status === 'joined') stats.expect(r.iface, r.group);
  const joinedAny = m.results.some((r) => r.status === 'joined');
  // IGMP on the IPv4 interfaces joined: were queries heard and answered, if a stream stops?
  const v4 = [...new Set(m.results.filter((r) => r.status === 'joined' && r.family === 4).map((r) => r.iface))];
  const stalls = await startStallWatch(deps, v4.map((iface) => {
    const i = inv.interfaces.find((x) => x.name === iface);
    return { iface, addresses: i ? addressesOf(i, 4).map((a) => a.address) : [], ...(i?.mac ? { mac: i.mac } : {}) };
  }), { failOnStop: o.failOnStop ?? false, ...defined({ membershipIntervalS: o.membershipIntervalS }) });

  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  const onPacket = (p: Packet): void => {
    stats.add(p);
    // Decoded again only for --verbose --json's packet events: the counting path does not decode.
    if (hooks.packet) hooks.packet(p, p.kind === 'group' ? decodeProbe(p.data) : undefined);
    if (o.count !== undefined && stats.total >= o.count) stop();
  };
  const receiveErrors: Finding[] = [];
  const onError = (e: Error, iface: string): void => {
    receiveErrors.push(makeFinding('JOIN_FAILED', { iface, message: `Receiving on ${iface} failed: ${e.message}.`, evidence: { error: e.message } }));
    stop();
  };
  m.onPacket(onPacket);
  m.onError(onError);
  const { watchLinks } = deps;
  const downs: IfaceDownEvent[] = [];
  const churn = watchLinks && joinedAny ? followJoinChurn({ ...deps, watchLinks }, m, { groups: o.groups, selection: o.selection },
    (mm) => { mm.onPacket(onPacket); mm.onError(onError); }, (e) => {
      if (e.type === 'iface_down') downs.push(e); else stalls.linkBack(e.iface);
      hooks.churn?.(e);
    }) : undefined;

  // The listening time starts once the joins are checked and reported.
  const listeningAt = clock.now();
  const done = (async (): Promise<JoinAllOutcome> => {
    if (joinedAny) {
      const tick = tickStats(stats, hooks, { listeningAt, intervalMs: o.intervalMs, clock });
      const timer = o.durationMs !== undefined ? setTimeout(stop, o.durationMs) : undefined;
      await stopped;
      clearInterval(tick);
      if (timer) clearTimeout(timer);
    }
    // What the kernel queued before the end counts (the timer that ended the run fired before the
    // poll that would read it); after --count, the count is what the user asked for.
    if (o.count === undefined || stats.total < o.count) m.drainAll();
    await churn?.close();
    // Read before the sockets close (close() reads them too, but churned sockets are gone).
    const ownDrops = m.ownDrops();
    m.close();
    await window?.finish().catch(() => window.close());
    const endMs = clock.now();
    const elapsedMs = endMs - listeningAt;
    const rows = stats.snapshot();
    const ifaces = stats.ifaces();
    findings.push(...receiveHealth(rows, ifaces, ownDrops));
    findings.push(...receiveErrors, ...churn?.findings() ?? [], ...await stalls.finish(stats.streams(), { joinedAtMs: joinedAt, endMs },
      // A down is still on at the end when it is the interface's last and the interface is down.
      downs.map((d) => ({ iface: d.iface, atMs: d.atMs,
        stillDown: d === downs.filter((x) => x.iface === d.iface).at(-1)
          && (churn?.summary().find((c) => c.iface === d.iface)?.down ?? false) }))));
    if (!m.results.some((r) => r.status !== 'skipped')) {
      findings.unshift(noEligibleInterface(inv.interfaces, [...new Set(o.groups.map((g) => g.family))], 'join these groups'));
    }
    for (const e of expectations) {
      if (stats.packetsOf(e.iface, e.group) > 0) continue;
      const res = m.results.find((r) => r.iface === e.iface && r.group === e.group);
      const why = await window?.explain(e.iface, e.group, elapsedMs / 1000).catch(() => undefined);
      findings.push(makeFinding('NO_TRAFFIC', {
        iface: e.iface, group: e.group,
        message: `Nothing arrived for ${e.group} on ${e.iface} in ${(elapsedMs / 1000).toFixed(1)} s${res && res.status !== 'joined' ? ` (the membership ${res.status === 'failed' ? 'failed' : `was skipped: ${res.skipReason}`})` : ''}.${why ? ` ${why.sentence}` : ''}`,
        evidence: { elapsedMs, membership: res?.status ?? 'none', ...(why ? { path: why } : {}) },
      }));
    }
    // Only a run that listened: one cut before it started listening says nothing by silence.
    if (joinedAny) {
      const held = m.results.filter((r) => r.status === 'joined').map((r) => ({ iface: r.iface, group: r.group, port: r.port }));
      findings.push(...silenceFindings(held, (i, g) => stats.packetsOf(i, g), new Set(expectations.map((e) => `${e.iface} ${e.group}`)), elapsedMs));
    }
    // A failed membership is a JOIN_FAILED error finding (membership/join.ts): exitFor sees it there.
    const coverage: Coverage = { notRun: [...stalls.notRun(), ...notRun], interrupted: null };
    return {
      results: m.results,
      rows,
      findings,
      sockets: m.socketCount,
      elapsedMs,
      totalPackets: stats.total,
      churn: churn?.summary() ?? [],
      ifaces,
      ownDrops,
      loss: splitLoss(rows, ownDrops),
      coverage,
    };
  })();
  return { done, stop: () => stop() };
}
