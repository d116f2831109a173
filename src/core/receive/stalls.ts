// join-all's stall diagnosis: which streams that were arriving stopped (stall/detect.ts), grouped
// per interface and time into events, each explained (stall/explain.ts) as SNOOPING_TIMEOUT or
// STREAM_STOPPED. join-all cannot know how long a sender meant to run (mesh can: its peers share
// --duration), so a plain STREAM_STOPPED is a warning there unless --fail-on-stop says that the
// stream should have lasted; SNOOPING_TIMEOUT stays an error: its evidence (the stop at the
// membership interval, no query answered) points at this host, not at the sender.
import type { Platform } from '../../platform/types.js';
import type { FirewallReader } from '../../platform/firewall.js';
import type { CaptureFactory } from '../../platform/capture/types.js';
import type { Finding } from '../findings/model.js';
import { checkStall, clusterStops, graceFor, type Stopped } from '../stall/detect.js';
import type { MembershipIntervalView } from '../stall/diagnose.js';
import { gatherCauses, type IfaceCauses } from '../stall/evidence.js';
import { explainStopEvents } from '../stall/explain.js';
import { DEFAULT_MEMBERSHIP_INTERVAL_S, type QuerySummary } from '../stall/queries.js';
import { startWireWatch, type WatchTarget } from '../stall/wire-watch.js';
import { hostnameOf } from '../probe/format.js';
import { UNKNOWN_GROUP, type ReceivedStream } from './stats.js';

export interface StopWindow {
  /** Date.now() of the join and of the end of the run. */
  joinedAtMs: number;
  endMs: number;
}

/** The stop events: streams of one interface that stopped within 2 s of each other. */
export function findStops(streams: readonly ReceivedStream[], w: StopWindow): Stopped<ReceivedStream>[][] {
  const graceMs = graceFor(w.endMs - w.joinedAtMs);
  const perIface = new Map<string, Stopped<ReceivedStream>[]>();
  for (const s of streams) {
    const check = checkStall(s.times, { joinedAtMs: w.joinedAtMs, endMs: w.endMs, graceMs });
    if (!check.stopped) continue;
    const list = perIface.get(s.iface) ?? [];
    list.push({ item: s, check });
    perIface.set(s.iface, list);
  }
  return [...perIface.values()].flatMap((l) => clusterStops(l));
}

export interface ExplainInputs {
  streams: readonly ReceivedStream[];
  membership: MembershipIntervalView;
  queries(iface: string): QuerySummary;
  causes: Map<string, IfaceCauses>;
  /** --fail-on-stop: the streams were meant to last the whole run. */
  failOnStop: boolean;
}

export function describeStream(s: ReceivedStream): string {
  const group = s.group === UNKNOWN_GROUP ? 'a group of the socket' : s.group;
  return s.probe ? `probes from ${hostnameOf(s.probe.senderId)} (${s.probe.senderIface}) to ${group}` : `traffic to ${group}${s.source ? ` from ${s.source}` : ''}`;
}

export function explainJoinAllStops(events: readonly Stopped<ReceivedStream>[][], inp: ExplainInputs): Finding[] {
  const stopped = new Set(events.flat().map((s) => s.item));
  return explainStopEvents(events, {
    iface: (s) => s.iface,
    describe: describeStream,
    group: (items) => {
      const groups = new Set(items.map((s) => s.group));
      const [only] = groups;
      return groups.size === 1 && only !== UNKNOWN_GROUP ? only : undefined;
    },
    stillArriving: (iface) => inp.streams.filter((s) => s.iface === iface && !stopped.has(s)).length,
    membership: inp.membership, queries: inp.queries, causes: inp.causes,
  }).map(({ finding: f, event }) => {
    f.evidence.stopped = event.map((s) => ({
      group: s.item.group, ...(s.item.probe ? { sender: s.item.probe.senderId, senderIface: s.item.probe.senderIface } : { source: s.item.source }),
      stoppedAtS: s.check.stoppedAtS, gapS: Math.round(s.check.gapMs / 100) / 10,
    }));
    if (f.id === 'STREAM_STOPPED' && !inp.failOnStop) {
      f.severity = 'warning';
      f.message += ' join-all cannot tell a sender that finished from one that broke: --fail-on-stop makes this an error.';
    }
    return f;
  });
}

export interface StallWatchDeps {
  platform: Platform;
  /** Firewall rules, read only when something stopped. */
  firewall?: FirewallReader;
  /** libpcap, loaded lazily; absent or failing: queries are not observed. */
  capture?: () => Promise<CaptureFactory>;
}

export interface StallWatchOptions {
  /** --membership-interval: the switches' own, in seconds. */
  membershipIntervalS?: number;
  failOnStop: boolean;
}

export interface StallWatch {
  /** Ends the capture and explains what stopped. */
  finish(streams: readonly ReceivedStream[], w: StopWindow): Promise<Finding[]>;
}

/** Starts watching IGMP on the IPv4 interfaces joined (the queries the diagnosis weighs). */
export async function startStallWatch(deps: StallWatchDeps, targets: readonly WatchTarget[], o: StallWatchOptions): Promise<StallWatch> {
  const watch = await startWireWatch(deps.capture, targets, 4);
  return {
    finish: async (streams, w) => {
      watch.close();
      const events = findStops(streams, w);
      if (events.length === 0) return [];
      const summaries = (iface: string): QuerySummary => watch.queries.summary(iface);
      const observed = targets.map((t) => summaries(t.iface).membershipIntervalS).find((x) => x !== undefined);
      const membership: MembershipIntervalView = o.membershipIntervalS !== undefined ? { intervalS: o.membershipIntervalS, source: 'user' }
        : observed !== undefined ? { intervalS: observed, source: 'querier' } : { intervalS: DEFAULT_MEMBERSHIP_INTERVAL_S, source: 'default' };
      const ifaces = [...new Set(events.flatMap((ev) => ev.map((s) => s.item.iface)))];
      const causes = deps.firewall ? await gatherCauses({ platform: deps.platform, firewall: deps.firewall }, ifaces, summaries) : new Map<string, IfaceCauses>();
      return explainJoinAllStops(events, { streams, membership, queries: summaries, causes, failOnStop: o.failOnStop });
    },
  };
}
