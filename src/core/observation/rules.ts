// The definitions every IGMP/MLD observer shares, in one place: which report is this host's own,
// which report answers which query, what the query interval and the membership interval are,
// which queries the kernel itself ignores, and who wins the querier election. Pure functions.
import { familyOf, ipv4ToInt, ipv6ToBytes, isLinkLocalUnicast6, type Family } from '../kernel/ip.js';
import type { HeardPacket } from './heard.js';

/** This host on one interface: its addresses there and its MAC. */
export interface OwnIdentity {
  addresses: readonly string[];
  mac?: string;
}

/**
 * A report is this host's own when it leaves from one of the host's addresses on the interface,
 * or from the interface's MAC: a report sent before an address was added leaves from 0.0.0.0
 * (PITFALLS.md), and the capture sees the host's outgoing frames with its own MAC.
 */
export function isOwn(p: Pick<HeardPacket, 'src' | 'srcMac'>, own: OwnIdentity): boolean {
  if (own.mac && p.srcMac && p.srcMac.toLowerCase() === own.mac.toLowerCase()) return true;
  return own.addresses.includes(p.src);
}

/** Slack on a query's max response time: the kernel's timer granularity and the capture's clock. */
export const RESPONSE_SLACK_MS = 1_000;

/**
 * A query at `queryMs` is answered by an answer-like report (heard.ts HeardReport.answerLike) of
 * this host sent within its max response time (+ slack): RFC 3376 5.2 / RFC 3810 6.2 make the
 * host answer at a random delay inside it. One rule for every version: for v3/MLDv2 the
 * current-state records already tell an answer from the join's own retransmissions; for v1/v2
 * the time alone does.
 */
export function answers(queryMs: number, maxRespMs: number, reportMs: number): boolean {
  return reportMs >= queryMs && reportMs <= queryMs + maxRespMs + RESPONSE_SLACK_MS;
}

/** Gaps between general queries kept per querier for the interval. */
export const INTERVAL_GAPS_KEPT = 8;

/**
 * The query interval measured from the gaps (ms) between one querier's general queries, in
 * seconds: the upper median of the last few. Not the mean (startup queries come at a quarter of
 * the interval, RFC 3376 8.6, and pull it down) nor the largest (one lost query doubles it).
 * With two gaps the upper median is the larger: the steady one after a startup query.
 */
export function queryIntervalS(gapsMs: readonly number[]): number | undefined {
  if (gapsMs.length === 0) return undefined;
  const sorted = gapsMs.slice(-INTERVAL_GAPS_KEPT).sort((a, b) => a - b);
  return Math.round((sorted[Math.floor(sorted.length / 2)] ?? 0) / 100) / 10;
}

export const DEFAULT_ROBUSTNESS = 2;
export const DEFAULT_QUERY_INTERVAL_S = 125;
export const DEFAULT_RESPONSE_MS = 10_000;
/** RFC 3376 8.4 with the defaults: 2 x 125 s + 10 s. */
export const DEFAULT_MEMBERSHIP_INTERVAL_S = 260;

/**
 * RFC 3376 8.4 / RFC 3810 9.4: robustness x query interval + query response interval. Robustness
 * and interval as a v3/MLDv2 query announces them (QRV, QQIC), else 2 and the measured interval;
 * undefined when neither is known (a v2 querier heard fewer than three times).
 */
export function membershipIntervalS(q: {
  qrv?: number;
  qqiSec?: number;
  maxRespMs: number;
  measuredIntervalS?: number;
}): number | undefined {
  const robustness = q.qrv && q.qrv > 0 ? q.qrv : DEFAULT_ROBUSTNESS;
  const qi = q.qqiSec && q.qqiSec > 0 ? q.qqiSec : q.measuredIntervalS;
  if (qi === undefined) return undefined;
  return Math.round((robustness * qi + q.maxRespMs / 1000) * 10) / 10;
}

/**
 * Why the kernel ignores an MLD query, or undefined when it accepts it: net/ipv6/mcast.c
 * (__mld_query_work) drops a query whose source is not link-local, whose hop limit is not 1,
 * or that lacks a Hop-by-Hop Router Alert with value 0 (MLD), as RFC 3810 5.1.14 and 6.2 ask.
 * IGMP queries have no such test: the kernel answers them without Router Alert and whatever
 * the TTL (PITFALLS.md); their source meets rp_filter instead (rpf-check.ts).
 */
export function mldQueryIgnored(p: Pick<HeardPacket, 'family' | 'src' | 'ttl' | 'routerAlert' | 'routerAlertValue'>): string[] {
  if (p.family !== 6) return [];
  const why: string[] = [];
  if (!isLinkLocalUnicast6(p.src)) why.push('source not link-local');
  if (p.ttl !== 1) why.push(`hop limit ${p.ttl}, not 1`);
  if (!p.routerAlert) why.push('no Router Alert option');
  else if (p.routerAlertValue !== 0) why.push(`Router Alert value ${p.routerAlertValue}, not 0 (MLD)`);
  return why;
}

/**
 * Can this address take part in an IPv4 querier election? A router address: not in 0.0.0.0/8
 * (RFC 1122 3.2.1.3: "this network", never a router's; 0.0.0.0 itself is a bridge's anonymous
 * querier, handled apart), not loopback, not multicast, not class E or broadcast. A spoofed
 * 0.0.0.1 is not a querier that wins.
 */
export function routerAddress4(a: string): boolean {
  const first = ipv4ToInt(a) >>> 24;
  return first !== 0 && first !== 127 && first < 224;
}

/** Numeric order of addresses of one family. */
export function compareAddresses(a: string, b: string): number {
  if (familyOf(a) === 4 && familyOf(b) === 4) return ipv4ToInt(a) - ipv4ToInt(b);
  const x = ipv6ToBytes(a);
  const y = ipv6ToBytes(b);
  for (let i = 0; i < 16; i++) if (x[i] !== y[i]) return (x[i] ?? 0) - (y[i] ?? 0);
  return 0;
}

/**
 * The querier election: the lowest address wins (IGMPv2 RFC 2236 section 3, IGMPv3 RFC 3376
 * section 6.6.2), among router addresses (routerAddress4). 0.0.0.0 is not a router address and
 * wins only when nobody else queries. MLD (RFC 3810 section 7.6.2): the lowest link-local
 * address; the caller passes only queriers whose queries the kernel accepts (mldQueryIgnored).
 */
export function electQuerier(family: Family, addresses: readonly string[]): string | undefined {
  const candidates =
    family === 4 ? addresses.filter((a) => a !== '0.0.0.0' && routerAddress4(a)) : addresses.filter((a) => isLinkLocalUnicast6(a));
  const pool = candidates.length > 0 ? candidates : family === 4 ? addresses.filter((a) => a === '0.0.0.0') : [];
  let best: string | undefined;
  for (const a of pool) if (best === undefined || compareAddresses(a, best) < 0) best = a;
  return best;
}

/**
 * RFC 3376 8.12 / RFC 3810 9.12 Older Version Querier Present Timeout: a host that heard a v1/v2
 * query speaks that version for robustness x query interval + response interval after the last
 * one. Linux (net/ipv4/igmp.c mr_v2_seen) uses the values learnt from v3 queries, else the
 * defaults: 260 s, as measured (PITFALLS.md).
 */
export function olderVersionTimeoutS(learnt?: { qrv?: number; qqiSec?: number; maxRespMs?: number }): number {
  return membershipIntervalS({
    qrv: learnt?.qrv ?? DEFAULT_ROBUSTNESS,
    qqiSec: learnt?.qqiSec && learnt.qqiSec > 0 ? learnt.qqiSec : DEFAULT_QUERY_INTERVAL_S,
    maxRespMs: learnt?.maxRespMs ?? DEFAULT_RESPONSE_MS,
  }) ?? DEFAULT_MEMBERSHIP_INTERVAL_S;
}
