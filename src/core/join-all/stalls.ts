// join-all's stall diagnosis: which streams that were arriving stopped (stall/detect.ts), grouped
// per interface and time into events, each explained (stall/explain.ts) as SNOOPING_TIMEOUT or
// STREAM_STOPPED. join-all cannot know how long a sender meant to run (mesh can: its peers share
// --duration), so a plain STREAM_STOPPED is a warning there unless --fail-on-stop says that the
// stream should have lasted; SNOOPING_TIMEOUT stays an error: its evidence (the stop at the
// membership interval, no query answered) points at this host, not at the sender.
import type { Finding } from '../findings/model.js';
import type { NotRun } from '../coverage.js';
import { makeFinding } from '../findings/catalog.js';
import { checkStall, eventsPerIface, graceFor, type Stopped } from '../stall/detect.js';
import { listStreams, membershipView, type MembershipIntervalView } from '../stall/diagnose.js';
import { gatherCauses, type IfaceCauses } from '../stall/evidence.js';
import { explainStopEvents } from '../stall/explain.js';
import type { QuerySummary } from '../stall/queries.js';
import { startWireWatch, type WatchTarget } from '../stall/wire-watch.js';
import { hostnameOf } from '../probe/format.js';
import { UNKNOWN_GROUP, type ReceivedStream } from './stats.js';
import { defined } from '../defined.js';
import type { Loads, Uses } from '../deps.js';

export interface StopWindow {
  /** Date.now() of the join and of the end of the run. */
  joinedAtMs: number;
  endMs: number;
}

/** The stop events: streams of one interface that stopped within 2 s of each other. */
export function findStops(streams: readonly ReceivedStream[], w: StopWindow): Stopped<ReceivedStream>[][] {
  const graceMs = graceFor(w.endMs - w.joinedAtMs);
  const stops = streams.map((item) => ({ item, check: checkStall(item.times, { joinedAtMs: w.joinedAtMs, endMs: w.endMs, graceMs }) }))
    .filter((s) => s.check.stopped);
  return eventsPerIface(stops, (s) => s.iface);
}

export interface ExplainInputs {
  streams: readonly ReceivedStream[];
  membership: MembershipIntervalView;
  queries(iface: string): QuerySummary;
  causes: Map<string, IfaceCauses>;
  /** --fail-on-stop: the streams were meant to last the whole run. */
  failOnStop: boolean;
}

/** The group of an event whose streams share one the socket could tell; else undefined. */
function onlyGroup(items: readonly ReceivedStream[]): string | undefined {
  const groups = new Set(items.map((s) => s.group));
  const [only] = groups;
  return groups.size === 1 && only !== UNKNOWN_GROUP ? only : undefined;
}

export function describeStream(s: ReceivedStream): string {
  const group = s.group === UNKNOWN_GROUP ? 'a group of the socket' : s.group;
  return s.probe ? `probes from ${hostnameOf(s.probe.senderId)} (${s.probe.senderIface}) to ${group}`
    : `traffic to ${group}${s.source ? ` from ${s.source}` : ''}`;
}

export function explainJoinAllStops(events: readonly Stopped<ReceivedStream>[][], inp: ExplainInputs): Finding[] {
  const stopped = new Set(events.flat().map((s) => s.item));
  return explainStopEvents(events, {
    iface: (s) => s.iface,
    describe: describeStream,
    group: onlyGroup,
    stillArriving: (iface) => inp.streams.filter((s) => s.iface === iface && !stopped.has(s)).length,
    membership: inp.membership, queries: inp.queries, causes: inp.causes,
  }).map(({ finding: f, event }) => {
    f.evidence.stopped = event.map((s) => ({
      group: s.item.group, ...(s.item.probe ? {
        sender: s.item.probe.senderId,
        senderIface: s.item.probe.senderIface,
      } : { source: s.item.source }),
      stoppedAtS: s.check.stoppedAtS, gapS: Math.round(s.check.gapMs / 100) / 10,
    }));
    if (f.id === 'STREAM_STOPPED' && !inp.failOnStop) {
      f.severity = 'warning';
      f.message += ' join-all cannot tell a sender that finished from one that broke: --fail-on-stop makes this an error.';
    }
    return f;
  });
}

/**
 * `firewall`: its rules are read only when something stopped. `capture`: libpcap, loaded on first
 * use; absent or failing, the queries are not observed (a gap).
 */
export type StallWatchDeps = Uses<'platform'> & Partial<Uses<'firewall'> & Loads<'capture'>>;

export interface StallWatchOptions {
  /** --membership-interval: the switches' own, in seconds. */
  membershipIntervalS?: number;
  failOnStop: boolean;
}

/** An interface that went down during the run (join-all's churn follower), and whether it is still down. */
export interface LinkDown {
  iface: string;
  atMs: number;
  stillDown: boolean;
}

export interface StallWatch {
  /** The IGMP watch the environment stopped (no libpcap, no permission): a stop could not be explained. */
  notRun(): NotRun[];
  /** The interface is back after a down: re-open its IGMP capture. */
  linkBack(iface: string): void;
  /** Ends the capture and explains what stopped; `downs`: the interfaces that went down meanwhile. */
  finish(streams: readonly ReceivedStream[], w: StopWindow, downs?: readonly LinkDown[]): Promise<Finding[]>;
}

/** The down the stop lines up with: the last packet came at most 3 s before the down was seen (500 ms polling, a stream's own interval), or
 * just after. */
export function downBehind(ev: readonly Stopped<ReceivedStream>[], w: StopWindow, downs: readonly LinkDown[]): LinkDown | undefined {
  const first = ev[0];
  if (!first) return undefined;
  const lastAtMs = w.joinedAtMs + first.check.stoppedAtS * 1000;
  return downs.find((d) => d.iface === first.item.iface && lastAtMs >= d.atMs - 3_000 && lastAtMs <= d.atMs + 1_000);
}

/**
 * Stops explained by the link: the interface went down when they stopped. Still down at the end:
 * IFACE_DOWN says it all. Back, and the streams did not resume after the re-join: STREAM_STOPPED
 * saying so (the sender, or the path beyond the link, did not come back with it).
 */
export function explainLinkStops(
  events: readonly Stopped<ReceivedStream>[][],
  w: StopWindow,
  downs: readonly LinkDown[],
  failOnStop: boolean,
): { findings: Finding[]; rest: Stopped<ReceivedStream>[][] } {
  const findings: Finding[] = [];
  const rest: Stopped<ReceivedStream>[][] = [];
  for (const ev of events) {
    const d = downBehind(ev, w, downs);
    const first = ev[0];
    if (!d || !first) { rest.push(ev); continue; }
    if (d.stillDown) continue;
    const group = onlyGroup(ev.map((s) => s.item));
    findings.push(makeFinding('STREAM_STOPPED', {
      iface: d.iface, ...defined({ group }),
      severity: failOnStop ? 'error' : 'warning',
      message:
        `${listStreams(ev.map((s) => describeStream(s.item)))} stopped on ${d.iface} ${first.check.stoppedAtS} s after the join, ` +
        `when ${d.iface} went down, and did not resume after it came back and the groups were joined again.`,
      fix:
        `Check the sender and the path beyond ${d.iface} (did they come back with the link?), and the switch port: ` +
        `after a link flap a snooping switch needs the host's new reports (bridge -d mdb show on a Linux bridge).`,
      evidence: {
        reason: 'link-down', linkDownAtS: Math.round((d.atMs - w.joinedAtMs) / 100) / 10,
        stopped: ev.map((s) => ({ group: s.item.group, stoppedAtS: s.check.stoppedAtS, gapS: Math.round(s.check.gapMs / 100) / 10 })),
      },
    }));
  }
  return { findings, rest };
}

/** The coverage name of the IGMP watch (join-all and mesh): what a stream's stop is explained with. */
export const STALL_WATCH_CHECK = 'IGMP watch (why a stream stops)';

/** Starts watching IGMP on the IPv4 interfaces joined (the queries the diagnosis weighs). */
export async function startStallWatch(deps: StallWatchDeps, targets: readonly WatchTarget[], o: StallWatchOptions): Promise<StallWatch> {
  // No IPv4 interface joined: nothing to watch, and libpcap stays unloaded.
  const watch = await startWireWatch(targets.length ? deps.capture : undefined, targets, 4);
  return {
    notRun: () => watch.notRun(STALL_WATCH_CHECK),
    linkBack: (iface) => watch.reopen(iface),
    finish: async (streams, w, downs = []) => {
      watch.close();
      const link = explainLinkStops(findStops(streams, w), w, downs, o.failOnStop);
      const events = link.rest;
      if (events.length === 0) return link.findings;
      const summaries = (iface: string): QuerySummary => watch.queries.summary(iface);
      const membership = membershipView(o.membershipIntervalS, targets.map((t) => summaries(t.iface)));
      const ifaces = [...new Set(events.flatMap((ev) => ev.map((s) => s.item.iface)))];
      const causes = deps.firewall ? await gatherCauses(
        { platform: deps.platform, firewall: deps.firewall },
        ifaces,
        summaries,
      ) : new Map<string, IfaceCauses>();
      return [
        ...link.findings,
        ...explainJoinAllStops(events, { streams, membership, queries: summaries, causes, failOnStop: o.failOnStop }),
      ];
    },
  };
}
