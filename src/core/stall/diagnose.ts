// Why did a stream stop? A stop near the membership interval after the join, with no query
// answered, is a snooping switch ageing the membership out (SNOOPING_TIMEOUT): the host reported
// when it joined and never again. We name the reason found: IGMP dropped by a firewall rule,
// queries dropped by rp_filter, no querier at all. Any other stop is STREAM_STOPPED, with what
// was seen (which streams, when, whether queries were answered).
import { firstAndMore, type Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { DEFAULT_MEMBERSHIP_INTERVAL_S, type QuerySummary } from './queries.js';
import { defined } from '../defined.js';

export interface MembershipIntervalView {
  intervalS: number;
  source: 'default' | 'user' | 'querier';
}

export interface StallEvidence {
  iface: string;
  /** The group, when every stream of the event is of one group. */
  group?: string;
  /** Seconds after the join: the first and the last stream of the event to stop. */
  stoppedAtS: number;
  /** What stopped, in words ("probes from web-2 (eth0)"). */
  streams: string[];
  /** Streams still arriving on the interface after the stop. */
  stillArriving: number;
  membership: MembershipIntervalView;
  queries: QuerySummary;
  /** FIREWALL_DROPS_IGMP findings that touch this interface. */
  firewall: Finding[];
  /** Queriers heard on the interface whose queries the kernel drops (reverse path). */
  rpfDropped: { querier: string; routeBackDev?: string; kernelError?: string }[];
}

/** The interval to judge stops against: as given, else as the queries heard announce it, else 260 s. */
export function membershipView(givenS: number | undefined, heard: readonly QuerySummary[]): MembershipIntervalView {
  if (givenS !== undefined) return { intervalS: givenS, source: 'user' };
  const observed = heard.find((q) => q.membershipIntervalS !== undefined)?.membershipIntervalS;
  return observed !== undefined ? { intervalS: observed, source: 'querier' }
    : { intervalS: DEFAULT_MEMBERSHIP_INTERVAL_S, source: 'default' };
}

/** Streams in words for a message: the first three, and how many more. */
export function listStreams(streams: readonly string[]): string {
  return firstAndMore(streams, 3);
}

export type StallReason = 'firewall' | 'rp_filter' | 'no-querier' | 'not-answered' | 'unknown';

/**
 * A stop that a membership ageing out can explain: never much before the interval (the switch's
 * timer runs from the last report, up to a second after the join), and possibly well after it. On
 * this kernel's bridge, with a 6 s interval set, the port left the group 6.9 to 9.7 s after the
 * join (and 9.4-9.7 s with 3 s set): the bridge's own timers, not only the interval, decide. So:
 * from max(3 s, 10 %) before to max(6 s, 50 %) after.
 */
export function nearMembershipInterval(stoppedAtS: number, intervalS: number): boolean {
  return stoppedAtS >= intervalS - Math.max(3, intervalS * 0.1) && stoppedAtS <= intervalS + Math.max(6, intervalS * 0.5);
}

export function stallReason(e: StallEvidence): { reason: StallReason; words: string } {
  const fw = e.firewall[0];
  if (fw) return { reason: 'firewall', words: `a firewall rule drops IGMP (${String(fw.evidence.rule ?? fw.message)})` };
  const rpf = e.rpfDropped[0];
  if (rpf) {
    const back = rpf.routeBackDev ? ` (the route back leaves by ${rpf.routeBackDev})` : '';
    return { reason: 'rp_filter', words: `the querier ${rpf.querier} is dropped by rp_filter on ${e.iface}${back}` };
  }
  if (e.queries.captured && e.queries.queries === 0) return { reason: 'no-querier', words: `no IGMP querier was heard on ${e.iface}` };
  if (e.queries.captured) return { reason: 'not-answered',
    words: `queries from ${e.queries.queriers.join(', ')} were heard but this host sent no report after them` };
  return { reason: 'unknown', words: 'no firewall rule or rp_filter drop found; queries were not observed (no capture)' };
}

export function diagnoseStall(e: StallEvidence): Finding {
  const mi = e.membership;
  const near = nearMembershipInterval(e.stoppedAtS, mi.intervalS);
  const what = listStreams(e.streams);
  const miWords =
    `${mi.intervalS} s, ${mi.source === 'user' ? 'as given' : mi.source === 'querier' ? 'from the queries heard' : 'the default'}`;
  const evidence: Record<string, unknown> = {
    stoppedAtS: e.stoppedAtS, streams: e.streams, stillArriving: e.stillArriving,
    membershipIntervalS: mi.intervalS, membershipIntervalSource: mi.source,
    queriesCaptured: e.queries.captured, queriesHeard: e.queries.queries, queriers: e.queries.queriers,
    queriesAnswered: e.queries.answered, reportsSent: e.queries.reportsSent,
  };
  if (near && !e.queries.answered) {
    const r = stallReason(e);
    evidence.reason = r.reason;
    if (e.firewall.length) evidence.firewallRules = e.firewall.map((f) => f.evidence.rule ?? f.message);
    if (e.rpfDropped.length) evidence.rpfDropped = e.rpfDropped;
    return makeFinding('SNOOPING_TIMEOUT', {
      iface: e.iface, ...defined({ group: e.group }),
      message:
        `${what} stopped on ${e.iface} ${e.stoppedAtS} s after the join, at the snooping membership interval (${miWords}): ` +
        `a snooping switch aged this host's membership out because no report answered a query; reason: ${r.words}.`,
      fix: r.reason === 'firewall' ? `Allow IGMP through the firewall: ${fw(e.firewall)}`
        : r.reason === 'rp_filter'
          ? `Let the queries in: sysctl -w net.ipv4.conf.${e.iface}.rp_filter=2, ` +
            `or a route to the querier via ${e.iface}, or an on-subnet querier address.`
          : r.reason === 'no-querier'
            ? 'Enable an IGMP querier on this segment (switch or router; on a Linux bridge: ip link set BR type bridge mcast_querier 1).'
            : 'Find what stops the host answering queries: ' +
              'tcpdump -ni IFACE igmp (queries in, reports out?), nft list ruleset, sysctl net.ipv4.conf.IFACE.rp_filter.',
      evidence,
    });
  }
  const scope = e.stillArriving > 0
    ? `${e.stillArriving} other stream${e.stillArriving > 1 ? 's' : ''} kept arriving on ${e.iface}, so the sender or its path stopped`
    : `nothing else arrives on ${e.iface} either`;
  const why = near ? 'near the membership interval, but this host answered the queries' : `away from the membership interval (${miWords})`;
  return makeFinding('STREAM_STOPPED', {
    iface: e.iface, ...defined({ group: e.group }),
    message: `${what} stopped on ${e.iface} ${e.stoppedAtS} s after the join, ${why}; ${scope}.`,
    fix: e.stillArriving > 0
      ? 'Check the sender (is it still running, did its interface go down?) and the links between it and this host.'
      : `Check ${e.iface}'s link and the switch port (ip -s link show ${e.iface}; ` +
        'bridge -d mdb show on a Linux bridge), and whether the senders still run.',
    evidence,
  });
}

function fw(findings: readonly Finding[]): string {
  return findings[0]?.fix ?? 'nft insert rule inet filter input meta l4proto igmp accept';
}
