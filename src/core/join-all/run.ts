// join-all's run: join (membership/join.ts), check the kernel holds every membership, count
// what arrives until --duration, --count or stop(), then judge --expect pairs (NO_TRAFFIC).
import { UsageError } from '../errors.js';
import type { Finding } from '../findings/model.js';
import type { NotRun } from '../coverage.js';
import { captureRemedy } from '../capture-remedy.js';
import { makeFinding } from '../findings/catalog.js';
import { linkKindFindings } from '../kernel/link-findings.js';
import { ssmFindings } from '../querier-check/kernel-version.js';
import { parseGroupArg, type GroupSpec } from '../group-args.js';
import { addressesOf, type InterfaceInventory } from '../kernel/interfaces.js';
import { leftOf, loadAwaitingCarrier } from '../kernel/carrier-wait.js';
import { joinAll, type JoinDeps, type JoinResult, type Membership, type Packet } from '../membership/join.js';
import type { IfaceDownEvent } from '../membership/churn.js';
import { verifyMemberships } from '../membership/verify.js';
import { decodeProbe } from '../probe/format.js';
import { openAccountingWindow, type AccountingWindow, type WindowDeps } from '../accounting/window.js';
import { defined } from '../defined.js';
import type { Clock } from '../clock.js';
import { ReceiveStats } from './stats.js';
import { StatsFeed } from './stats-feed.js';
import { startStallWatch, type StallWatch } from './stalls.js';
import { followJoinChurn } from './churn.js';
import { endRun } from './end.js';
import type { Expectation, JoinAllDeps, JoinAllHooks, JoinAllOptions, JoinAllOutcome, JoinAllRun, Running } from './types.js';

export type { JoinAllDeps, JoinAllHooks, JoinAllOptions, JoinAllOutcome, JoinAllRun, StatsTick } from './types.js';

function parseExpect(text: string, ifaces: readonly string[], groups: readonly GroupSpec[]): Expectation {
  const i = text.indexOf(':');
  if (i <= 0 || i === text.length - 1) throw new UsageError('USAGE', `--expect wants IFACE:GROUP, got '${text}'`);
  const iface = text.slice(0, i);
  if (!ifaces.includes(iface)) throw new UsageError('USAGE', `--expect '${text}': no selected interface named '${iface}'`, { iface });
  const g = parseGroupArg(text.slice(i + 1), { defaultPort: 0, allowRanges: false })[0];
  if (!g || !groups.some((x) => x.group === g.group)) {
    throw new UsageError('USAGE', `--expect '${text}': ${text.slice(i + 1)} is not one of the groups joined`);
  }
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

/**
 * The steps: join and check the memberships; open the --expect accounting window; report the
 * joins; start counting, the IGMP stall watch and the churn follower; listen until --duration,
 * --count or stop(); then close and judge.
 * accounting: with --expect, the packet-accounting differential explains a pair that got nothing (../accounting/window.ts).
 */
export async function startJoinAll(deps: JoinAllDeps, o: JoinAllOptions, hooks: JoinAllHooks): Promise<JoinAllRun> {
  const { clock, platform, accounting, capture } = deps;
  const { inv, expectations, m, joinedAt, findings, carrier } = await joinChecked(deps, o, hooks);
  const joinedAny = m.results.some((r) => r.status === 'joined');
  const notRun: NotRun[] = [];
  // Opened before the joined events, so a sender started on them is counted from its first packet.
  const window = accounting && capture
    ? await openExpectWindow({ platform, accounting, capture, clock }, expectations, m.results, notRun)
    : undefined;
  hooks.joined(m.results, findings);

  const stats = new ReceiveStats({ joinedAtMs: joinedAt, localHost: platform.hostname(), assumeSynced: o.assumeSynced, clock });
  for (const r of m.results) if (r.status === 'joined') stats.expect(r.iface, r.group);
  // Without the IGMP watch (doctor's --expect-receive only counts), no capture is opened for it.
  const stalls = await watchStalls(o.stallWatch === false ? { platform } : deps, inv, m.results, o);

  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => { stop = resolve; });
  const onPacket = countPacket(stats, hooks, o.count, stop);
  const receiveErrors: Finding[] = [];
  const onError = (e: Error, iface: string): void => {
    receiveErrors.push(makeFinding('JOIN_FAILED', {
      iface, message: `Receiving on ${iface} failed: ${e.message}.`, evidence: { error: e.message },
    }));
    stop();
  };
  m.onPacket(onPacket);
  m.onError(onError);
  const { links } = deps;
  const downs: IfaceDownEvent[] = [];
  const churn = links && joinedAny
    ? followJoinChurn({ ...deps, links }, m, { groups: o.groups, selection: o.selection },
      (mm) => { mm.onPacket(onPacket); mm.onError(onError); }, (e) => {
        if (e.type === 'iface_down') downs.push(e); else stalls.linkBack(e.iface);
        hooks.churn?.(e);
      })
    : undefined;

  // The listening time starts once the joins are checked and reported.
  const listeningAt = clock.now();
  const run: Running = {
    o, clock, inv, expectations, m, findings, joinedAt, listeningAt, joinedAny, stats, stalls, window, churn, downs, receiveErrors, notRun,
    carrier,
  };
  const done = (async (): Promise<JoinAllOutcome> => {
    // The time waited for a carrier counts in --duration.
    const listenFor = o.durationMs !== undefined ? { ...o, durationMs: leftOf(o.durationMs, carrier) } : o;
    if (joinedAny) await listen(stats, hooks, listenFor, stopped, stop, listeningAt, clock);
    return endRun(run);
  })();
  return { done, stop: () => stop() };
}

/**
 * Loads the selected interfaces (waiting for a first carrier when all are up without one:
 * kernel/carrier-wait.ts, bounded by --duration, ended by a signal), checks --expect against
 * them, joins, and checks what the kernel holds: skipped interfaces' reasons, /proc's
 * memberships, SSM under IGMPv1/v2, link kinds.
 */
async function joinChecked(deps: JoinDeps & { clock: Clock }, o: JoinAllOptions, hooks: JoinAllHooks): Promise<{
  inv: InterfaceInventory; expectations: Expectation[]; m: Membership; joinedAt: number; findings: Finding[];
  carrier: { waitedMs: number; awaited: string[] };
}> {
  const { clock } = deps;
  const carrier = await loadAwaitingCarrier(deps.platform, o, [...new Set(o.groups.map((g) => g.family))], {
    clock, durationMs: o.durationMs, abort: o.abort, onWait: hooks.waitingForCarrier,
  });
  const inv = carrier.inventory;
  const expectations = o.expect.map((e) => parseExpect(e, inv.interfaces.map((i) => i.name), o.groups));
  const m = await joinAll(deps, { groups: o.groups, interfaces: inv.interfaces, receive: true });
  const joinedAt = clock.now();
  const joined = m.results.filter((r) => r.status === 'joined');
  // The inventory's findings about an interface matter when its joins were skipped.
  const skippedOn = (iface: string | undefined): boolean => m.results.some((r) => r.iface === iface && r.status === 'skipped');
  const findings: Finding[] = [...inv.findings.filter((f) => skippedOn(f.iface)), ...m.findings];
  findings.push(...await verifyMemberships(deps.platform, m.results));
  // An S,G join on an interface where the kernel speaks IGMPv1/v2 is not signalled (querier/kernel-version.ts).
  const ssm = joined.flatMap((r) => (r.source !== undefined ? [{ iface: r.iface, group: r.group, source: r.source }] : []));
  findings.push(...ssmFindings(inv.interfaces, ssm));
  findings.push(...linkKindFindings(inv.interfaces, joined, 'join'));
  return { inv, expectations, m, joinedAt, findings, carrier: { waitedMs: carrier.waitedMs, awaited: carrier.awaited } };
}

/**
 * The expected pairs' wire and the namespace's counters, for NO_TRAFFIC's explanation; a capture
 * that cannot open (no libpcap, no permission) only leaves the explanation out (a NotRun).
 */
async function openExpectWindow(
  deps: WindowDeps, expectations: readonly Expectation[], results: readonly JoinResult[], notRun: NotRun[],
): Promise<AccountingWindow | undefined> {
  const expectedJoined = expectations.flatMap((e) =>
    results.filter((r) => r.iface === e.iface && r.group === e.group && r.status === 'joined'));
  if (expectedJoined.length === 0) return undefined;
  return openAccountingWindow(deps, expectedJoined.map((r) => ({ iface: r.iface, group: r.group, family: r.family, port: r.port })))
    .catch((e: unknown) => {
      notRun.push({
        check: 'packet accounting (why an --expect pair got nothing)',
        reason: `could not start: ${(e as Error).message}`,
        remedy: captureRemedy(e),
      });
      return undefined;
    });
}

/** IGMP on the IPv4 interfaces joined: were queries heard and answered, if a stream stops? */
function watchStalls(
  deps: Parameters<typeof startStallWatch>[0], inv: InterfaceInventory, results: readonly JoinResult[], o: JoinAllOptions,
): Promise<StallWatch> {
  const v4 = [...new Set(results.filter((r) => r.status === 'joined' && r.family === 4).map((r) => r.iface))];
  return startStallWatch(deps, v4.map((iface) => {
    const i = inv.interfaces.find((x) => x.name === iface);
    return { iface, addresses: i ? addressesOf(i, 4).map((a) => a.address) : [], ...(i?.mac ? { mac: i.mac } : {}) };
  }), { failOnStop: o.failOnStop ?? false, ...defined({ membershipIntervalS: o.membershipIntervalS }) });
}

/** The per-datagram path: counted in O(1), nothing allocated; --count ends the run. */
function countPacket(stats: ReceiveStats, hooks: JoinAllHooks, count: number | undefined, stop: () => void): (p: Packet) => void {
  return (p) => {
    stats.add(p);
    // Decoded again only for --verbose --json's packet events: the counting path does not decode.
    if (hooks.packet) hooks.packet(p, p.kind === 'group' ? decodeProbe(p.data) : undefined);
    if (count !== undefined && stats.total >= count) stop();
  };
}

/** Ticks the stats every --interval until stop() (--count, an error, the caller) or --duration. */
async function listen(
  stats: ReceiveStats, hooks: JoinAllHooks, o: JoinAllOptions, stopped: Promise<void>, stop: () => void, listeningAt: number, clock: Clock,
): Promise<void> {
  const tick = tickStats(stats, hooks, { listeningAt, intervalMs: o.intervalMs, clock });
  const timer = o.durationMs !== undefined ? setTimeout(stop, o.durationMs) : undefined;
  await stopped;
  clearInterval(tick);
  if (timer) clearTimeout(timer);
}
