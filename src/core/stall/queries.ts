// What the stall diagnosis needs to know of IGMP on an interface: were queries heard, from whom,
// at what interval, and did this host answer them? Fed with decoded IGMP messages from a capture
// (libpcap sees queries before rp_filter or the firewall drop them, and sees the reports that
// really left). The membership interval follows RFC 3376 8.4: robustness x query interval +
// query response interval (2 x 125 s + 10 s = 260 s by default).
//
// "Answered" must not be fooled by the join's own unsolicited reports, which the kernel repeats
// (robustness times, up to 1 s apart for v3, 10 s for v2) and which often leave just after a
// query: seen in the mesh lab, where a 2 s query interval made an unsolicited retransmission look
// like an answer. An IGMPv3 answer carries current-state records (MODE_IS_INCLUDE/EXCLUDE, RFC 3376
// 4.2.12 and 5.2); an unsolicited report carries only state-change records. v1/v2 reports look the
// same either way, so there an answer is a report within the query's max response time.
import type { IgmpMessage, IgmpReport, IgmpV3Report } from '../wire/igmp.js';
import { hasCurrentState } from '../wire/group-records.js';

export const DEFAULT_MEMBERSHIP_INTERVAL_S = 260;
const DEFAULT_ROBUSTNESS = 2;

interface IfaceQueries {
  captured: boolean;
  queries: { atMs: number; src: string; qrv?: number; qqiSec?: number; maxRespMs: number; general: boolean }[];
  /** Reports this host sent: when, and whether it can be an answer to a query. */
  reports: { atMs: number; answerLike: boolean }[];
}

/** Slack on a v1/v2 query's max response time: the capture's clock and the kernel's timer. */
const RESPONSE_SLACK_MS = 1_000;

export interface QuerySummary {
  iface: string;
  captured: boolean;
  queries: number;
  queriers: string[];
  /** A report that answers a query left after the first query was heard. */
  answered: boolean;
  reportsSent: number;
  /** RFC 3376 8.4 from what was heard; undefined without enough queries. */
  membershipIntervalS?: number;
}

export class QueryWatch {
  private readonly ifaces = new Map<string, IfaceQueries>();

  /** An interface watched (captured: false when no capture could be opened there). */
  watch(iface: string, captured: boolean): void {
    if (!this.ifaces.has(iface)) this.ifaces.set(iface, { captured, queries: [], reports: [] });
  }

  /** One IGMP message on iface; `ours` when its source is one of this host's addresses. */
  add(iface: string, msg: IgmpMessage, src: string, ours: boolean, atMs: number): void {
    const q = this.ifaces.get(iface);
    if (!q || !msg.checksumOk) return;
    if (msg.kind === 'query' && !ours) {
      q.queries.push({
        atMs, src, maxRespMs: msg.maxRespMs, general: msg.general,
        ...(msg.qrv !== undefined ? { qrv: msg.qrv } : {}), ...(msg.qqiSec !== undefined ? { qqiSec: msg.qqiSec } : {}),
      });
    } else if (msg.kind === 'report' && ours) {
      q.reports.push({ atMs, answerLike: answerLike(msg, q.queries, atMs) });
    }
  }

  summary(iface: string): QuerySummary {
    const q = this.ifaces.get(iface) ?? { captured: false, queries: [], reports: [] };
    const first = q.queries[0];
    const out: QuerySummary = {
      iface,
      captured: q.captured,
      queries: q.queries.length,
      queriers: [...new Set(q.queries.map((x) => x.src))],
      answered: first !== undefined && q.reports.some((r) => r.answerLike && r.atMs >= first.atMs),
      reportsSent: q.reports.length,
    };
    const mi = membershipInterval(q.queries.filter((x) => x.general));
    if (mi !== undefined) out.membershipIntervalS = mi;
    return out;
  }

  ifaceNames(): string[] {
    return [...this.ifaces.keys()];
  }
}

/** Can this report of ours be an answer to a query heard before it (see the head of the file)? */
function answerLike(msg: IgmpReport | IgmpV3Report, queries: IfaceQueries['queries'], atMs: number): boolean {
  if (msg.version === 3) return hasCurrentState(msg.records);
  return queries.some((q) => atMs >= q.atMs && atMs <= q.atMs + q.maxRespMs + RESPONSE_SLACK_MS);
}

/** RFC 3376 8.4 from the queries heard: QRV and QQI when a v3 query says them, else the measured interval. */
export function membershipInterval(qs: readonly { atMs: number; qrv?: number; qqiSec?: number; maxRespMs: number }[]): number | undefined {
  const last = qs[qs.length - 1];
  if (!last) return undefined;
  const robustness = last.qrv && last.qrv > 0 ? last.qrv : DEFAULT_ROBUSTNESS;
  let qi = last.qqiSec;
  if (qi === undefined || qi === 0) {
    if (qs.length < 3) return undefined;
    // The largest gap of the last few: startup queries come faster than the steady interval.
    const gaps = qs.slice(-4).map((x, i, a) => (i === 0 ? 0 : x.atMs - (a[i - 1]?.atMs ?? x.atMs))).slice(1);
    qi = Math.max(...gaps) / 1000;
  }
  return Math.round((robustness * qi + last.maxRespMs / 1000) * 10) / 10;
}
