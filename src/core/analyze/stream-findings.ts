// What the streams of a file say: TTL_ONE and MAC_COLLISION (as sniff), probe loss
// (RECEIVE_LOSS), RTP sequence loss, MPEG-TS continuity errors, and the snooping-timeout
// signature: a stream that stops one membership interval after the last report for its group,
// while the capture goes on (the switch aged the membership out because nobody refreshed it).
import { trafficFindings } from '../sniff/findings.js';
import { firstAndMore, type Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { nearMembershipInterval } from '../stall/diagnose.js';
import { DEFAULT_MEMBERSHIP_INTERVAL_S } from '../observation/rules.js';
import type { ControlEvent, ControlLog, ControlResult } from './control.js';
import type { IfaceSummary } from './engine.js';
import type { StreamResult } from './stream.js';

export interface StreamContext {
  interfaces: readonly IfaceSummary[];
  control: readonly ControlResult[];
  events: readonly ControlEvent[];
  controlOf: (iface: string) => ControlLog | undefined;
  /** --membership-interval, seconds. */
  membershipIntervalS?: number;
  /** Queriers found off-subnet, per interface (to name the likely reason of a timeout). */
  offSubnet: ReadonlyMap<string, string[]>;
}

export function streamFindings(streams: readonly StreamResult[], ctx: StreamContext): Finding[] {
  const out: Finding[] = trafficFindings(streams);
  for (const s of streams) {
    const where = { iface: s.iface, group: s.group, source: s.source };
    for (const p of s.probes) {
      if (p.lost === 0) continue;
      const expected = p.highestSeq - p.firstSeq + 1;
      out.push(makeFinding('RECEIVE_LOSS', {
        ...where,
        message:
          `Probes from ${p.senderId} (${p.senderIface}) to ${s.group} lost ${p.lost} of ${expected} (${pct(p.lost, expected)}) on ` +
          `${s.iface}${p.duplicates ? `, ${p.duplicates} duplicated` : ''}${p.reordered ? `, ${p.reordered} reordered` : ''}.`,
        evidence: {
          lost: p.lost,
          expected,
          duplicates: p.duplicates,
          reordered: p.reordered,
          sender: p.senderId,
          senderIface: p.senderIface,
        },
      }));
    }
    for (const r of s.rtp ?? []) {
      if (r.lost <= 0) continue;
      out.push(makeFinding('RTP_LOSS', {
        ...where,
        severity: r.lost / r.expected >= 0.01 ? 'error' : 'warning',
        message:
          `RTP stream ${r.ssrc} (payload type ${r.payloadType}) to ${s.group} from ${s.source} on ${s.iface} lost ${r.lost} of ` +
          `${r.expected} packets (${pct(r.lost, r.expected)}); jitter ${r.jitterMs} ms (max ${r.maxJitterMs} ms).`,
        evidence: { ...r },
      }));
    }
    const ts = s.mpegts;
    if (ts && ts.ccErrors > 0) {
      out.push(makeFinding('MPEGTS_CC_ERRORS', {
        ...where,
        message:
          `MPEG-TS in ${s.group} from ${s.source} on ${s.iface}: ${ts.ccErrors} continuity-counter errors in ${ts.packets} TS packets ` +
          `(PIDs ${firstAndMore(ts.worstPids.map((p) => `${p.pid} (${p.ccErrors})`), 3)}): TS packets were lost on the way.`,
        evidence: { ...ts },
      }));
    }
    const stop = snoopingStop(s, ctx);
    if (stop) out.push(stop);
  }
  return out;
}

function snoopingStop(s: StreamResult, ctx: StreamContext): Finding | undefined {
  const iface = ctx.interfaces.find((i) => i.iface === s.iface);
  const g = ctx.controlOf(s.iface)?.group(s.group);
  if (!iface || iface.lastUs === null || !g || g.lastReportUs === undefined || s.packets < 3) return undefined;
  const meanUs = (s.lastUs - s.firstUs) / (s.packets - 1);
  const tailUs = iface.lastUs - s.lastUs;
  // It stopped while the capture went on (not the end of the file), after the last report,
  // and not because its members left.
  if (tailUs < Math.max(2e6, 4 * meanUs) || g.lastReportUs > s.lastUs) return undefined;
  if (g.lastLeaveUs !== undefined && g.lastLeaveUs >= g.lastReportUs && g.lastLeaveUs <= s.lastUs) return undefined;
  const ctl = ctx.control.find((c) => c.iface === s.iface);
  const mi = ctx.membershipIntervalS !== undefined ? { s: ctx.membershipIntervalS, source: 'given' }
    : ctl?.membershipIntervalS !== undefined ? { s: ctl.membershipIntervalS, source: 'queries' }
      : { s: DEFAULT_MEMBERSHIP_INTERVAL_S, source: 'default' };
  const sinceS = (s.lastUs - g.lastReportUs) / 1e6;
  if (!nearMembershipInterval(sinceS, mi.s)) return undefined;
  const queries = ctx.events.filter((e) => e.iface === s.iface && e.kind === 'query' && e.tUs > g.lastReportUs! && e.tUs <= s.lastUs);
  const queriers = [...new Set(queries.map((q) => q.src))];
  const off = ctx.offSubnet.get(s.iface) ?? [];
  const offHeard = queriers.filter((q) => off.includes(q));
  const reason = queries.length === 0 ? `no query was heard on ${s.iface} after that report (no querier)`
    : `${queries.length} queries from ${firstAndMore(queriers, 3)} were heard after it and no report answered ` +
      `them${offHeard.length ? ` (${firstAndMore(offHeard, 3)} is off-subnet: hosts with strict rp_filter drop its queries)` : ''}`;
  const miWords = `${mi.s} s, ${mi.source === 'given' ? 'as given' : mi.source === 'queries' ? 'from the queries heard' : 'the default'}`;
  return makeFinding('SNOOPING_TIMEOUT', {
    iface: s.iface, group: s.group, source: s.source,
    message:
      `${s.group} from ${s.source} stopped on ${s.iface} ${round1(sinceS)} s after the last membership report for it, ` +
      `at the snooping membership interval (${miWords}), while the capture went on ${round1(tailUs / 1e6)} s: ${reason}.`,
    fix: queries.length === 0
      ? 'Enable an IGMP querier on this segment (switch or router; on a Linux bridge: ip link set BR type bridge mcast_querier 1).'
      : offHeard.length
        ? 'Let the hosts accept the queries: an on-subnet querier address, ' +
          `or on the receiving host sysctl -w net.ipv4.conf.IFACE.rp_filter=2 (or a route to ${offHeard[0]} via that interface).`
        : 'Find what stops the hosts answering queries: ' +
          'firewall rules for IGMP (nft list ruleset), rp_filter against the querier address (mcast-doctor querier-check on the receiver).',
    evidence: {
      lastReportUs: g.lastReportUs, stoppedUs: s.lastUs, sinceLastReportS: round1(sinceS), captureGoesOnS: round1(tailUs / 1e6),
      membershipIntervalS: mi.s, membershipIntervalSource: mi.source, queriesAfterReport: queries.length,
      queriers, offSubnetQueriers: offHeard,
    },
  });
}

function pct(a: number, b: number): string {
  return `${b > 0 ? Math.round((a / b) * 1000) / 10 : 0} %`;
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
