// What was heard on one interface during the listen: every querier (by source address and
// family), the queries' parameters, and this host's own reports. Pure: fed decoded packets,
// never reads the OS, so unit tests drive it with recorded values.
import { familyOf, ipv4ToInt, ipv6ToBytes, isLinkLocalUnicast6, type Family } from '../ip.js';
import type { IgmpQuery } from '../wire/igmp.js';
import type { MldQuery } from '../wire/mld.js';

/** The fields of a decoded IGMP or MLD query that matter here: the wire decoders' own. */
export type QueryFields = Pick<IgmpQuery | MldQuery, 'version' | 'group' | 'general' | 'maxRespMs' | 'suppress' | 'qrv' | 'qqic' | 'qqiSec' | 'sources'>;

/** One IGMP/MLD control packet seen on an interface. */
export interface HeardPacket {
  timeMs: number;
  family: Family;
  src: string;
  dst: string;
  srcMac?: string;
  ttl: number;
  routerAlert: boolean;
  checksumOk: boolean;
  query?: QueryFields;
  /** A membership report (any version) or leave/done: its version and the groups it names. */
  report?: { version: number; groups: string[]; leave: boolean; stateChangeOnly?: boolean };
}

export interface QuerierSeen {
  address: string;
  family: Family;
  /** Versions heard from this source (normally one). */
  versions: number[];
  generalQueries: number;
  groupSpecificQueries: number;
  /** Groups named by group(-and-source)-specific queries. */
  groups: string[];
  firstSeenMs: number;
  lastSeenMs: number;
  /** Mean gap between general queries in seconds (undefined with fewer than two). */
  observedIntervalS?: number;
  /** Of the last query: max response time in ms, and the v3/MLDv2 fields. */
  maxRespMs: number;
  qrv?: number;
  qqic?: number;
  qqiSec?: number;
  suppress?: boolean;
  routerAlert: boolean;
  ttl: number;
  srcMac?: string;
  badChecksums: number;
}

export interface HostReports {
  /** Reports (and leaves) this host sent, as seen on the wire. */
  count: number;
  versions: number[];
  groups: string[];
  /** Queries followed by a report from this host within max response time + 1 s. */
  queriesAnswered: number;
  /** General queries that were due an answer (whose window closed inside the listen). */
  queriesDue: number;
}

/** Control frames the decoders refused on an interface: how many, and the commonest reasons. */
export interface MalformedCount {
  count: number;
  /** Up to five reasons, commonest first, with their counts. */
  reasons: { reason: string; count: number }[];
}

const MAX_REASONS_KEPT = 64;

export interface FamilyObservation {
  family: Family;
  queriers: QuerierSeen[];
  /** The elected querier: lowest address (IPv4, RFC 3376 6.6.2; 0.0.0.0 only when alone); MLD: lowest link-local (RFC 3810 7.6.2). */
  elected?: string;
  host: HostReports;
}

interface QueryTime { t: number; windowMs: number }

export class InterfaceObserver {
  private readonly queriers = new Map<string, QuerierSeen & { gaps: number[]; lastGeneralMs?: number }>();
  private readonly queryTimes: Record<Family, QueryTime[]> = { 4: [], 6: [] };
  private readonly reportTimes: Record<Family, number[]> = { 4: [], 6: [] };
  private readonly hosts: Record<Family, HostReports> = { 4: emptyHost(), 6: emptyHost() };
  private malformedCount = 0;
  /** Per reason; bounded so that a flood of distinct reasons cannot grow it. */
  private readonly malformedReasons = new Map<string, number>();

  constructor(
    readonly iface: string,
    /** This host's addresses and MAC on the interface: its own reports are told by them. */
    private readonly own: { addresses: readonly string[]; mac?: string },
  ) {}

  add(p: HeardPacket): void {
    if (p.query) this.addQuery(p, p.query);
    else if (p.report && this.isOwn(p)) {
      const h = this.hosts[p.family];
      h.count++;
      if (!h.versions.includes(p.report.version)) h.versions.push(p.report.version);
      for (const g of p.report.groups) if (!h.groups.includes(g)) h.groups.push(g);
      // An unsolicited v3/MLDv2 report can leave just after a query by chance: it is no answer.
      if (!p.report.stateChangeOnly) this.reportTimes[p.family].push(p.timeMs);
    }
  }

  /** A frame the decoders refused (cut short, a length past the end, a bad option). */
  addMalformed(reason: string): void {
    this.malformedCount++;
    // The reason without its numbers: "IGMP: message cut short (4 bytes)" and "(6 bytes)" are one.
    const key = reason.replace(/\d+/g, 'N');
    if (this.malformedReasons.has(key) || this.malformedReasons.size < MAX_REASONS_KEPT) this.malformedReasons.set(key, (this.malformedReasons.get(key) ?? 0) + 1);
  }

  malformed(): MalformedCount {
    const reasons = [...this.malformedReasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count).slice(0, 5);
    return { count: this.malformedCount, reasons };
  }

  private isOwn(p: HeardPacket): boolean {
    if (this.own.mac && p.srcMac && p.srcMac.toLowerCase() === this.own.mac.toLowerCase()) return true;
    return this.own.addresses.includes(p.src);
  }

  private addQuery(p: HeardPacket, q: QueryFields): void {
    const key = `${p.family} ${p.src}`;
    let s = this.queriers.get(key);
    if (!s) {
      s = {
        address: p.src, family: p.family, versions: [], generalQueries: 0, groupSpecificQueries: 0, groups: [],
        firstSeenMs: p.timeMs, lastSeenMs: p.timeMs, maxRespMs: q.maxRespMs, routerAlert: p.routerAlert, ttl: p.ttl,
        badChecksums: 0, gaps: [],
      };
      this.queriers.set(key, s);
    }
    if (!p.checksumOk) { s.badChecksums++; return; }
    if (!s.versions.includes(q.version)) s.versions.push(q.version);
    s.lastSeenMs = p.timeMs;
    s.maxRespMs = q.maxRespMs;
    s.routerAlert = p.routerAlert;
    s.ttl = p.ttl;
    if (p.srcMac) s.srcMac = p.srcMac;
    if (q.qrv !== undefined) s.qrv = q.qrv;
    if (q.qqic !== undefined) s.qqic = q.qqic;
    if (q.qqiSec !== undefined) s.qqiSec = q.qqiSec;
    if (q.suppress !== undefined) s.suppress = q.suppress;
    if (q.general) {
      s.generalQueries++;
      if (s.lastGeneralMs !== undefined) s.gaps.push(p.timeMs - s.lastGeneralMs);
      s.lastGeneralMs = p.timeMs;
      this.queryTimes[p.family].push({ t: p.timeMs, windowMs: q.maxRespMs + 1000 });
    } else {
      s.groupSpecificQueries++;
      if (!s.groups.includes(q.group)) s.groups.push(q.group);
    }
  }

  /** For the progress line: sources heard so far and how many queries. */
  summary(): { queriers: string[]; queries: number } {
    const all = [...this.queriers.values()];
    return { queriers: all.map((q) => q.address), queries: all.reduce((n, q) => n + q.generalQueries + q.groupSpecificQueries, 0) };
  }

  /** The observation at the end of the listen (endMs: when it ended). */
  result(family: Family, endMs: number): FamilyObservation {
    const queriers: QuerierSeen[] = [...this.queriers.values()]
      .filter((s) => s.family === family)
      .map(({ gaps, lastGeneralMs: _l, ...s }) => {
        const out: QuerierSeen = { ...s };
        if (gaps.length > 0) out.observedIntervalS = Math.round(gaps.reduce((a, b) => a + b, 0) / gaps.length / 100) / 10;
        return out;
      })
      .sort((a, b) => compareAddresses(a.address, b.address));
    const host = { ...this.hosts[family] };
    const reports = this.reportTimes[family];
    const due = this.queryTimes[family].filter((q) => q.t + q.windowMs <= endMs);
    host.queriesDue = due.length;
    host.queriesAnswered = this.queryTimes[family].filter((q) => reports.some((r) => r >= q.t && r <= q.t + q.windowMs)).length;
    const out: FamilyObservation = { family, queriers, host };
    const winner = electQuerier(family, queriers.filter((q) => q.versions.length > 0).map((q) => q.address));
    if (winner) out.elected = winner;
    return out;
  }
}

function emptyHost(): HostReports {
  return { count: 0, versions: [], groups: [], queriesAnswered: 0, queriesDue: 0 };
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
 * section 6.6.2). 0.0.0.0 is not a router address and wins only when nobody else queries.
 * MLD (RFC 3810 section 7.6.2): the lowest link-local address; hosts ignore the others.
 */
export function electQuerier(family: Family, addresses: readonly string[]): string | undefined {
  const candidates = family === 4
    ? addresses.filter((a) => a !== '0.0.0.0')
    : addresses.filter((a) => isLinkLocalUnicast6(a));
  const pool = candidates.length > 0 ? candidates : family === 4 ? addresses.filter((a) => a === '0.0.0.0') : [];
  return [...pool].sort(compareAddresses)[0];
}
