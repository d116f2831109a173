// The one IGMP/MLD observation of an interface, shared by querier-check, the stall diagnosis
// (join-all, mesh), doctor and `analyze` of capture files: every querier heard (bounded), the
// queries' parameters, which queries the kernel ignores, this host's own reports and which
// queries they answered. A pure function of the packets fed in and their own timestamps: no
// clock, no OS, so a live capture, a file and a unit test get the same answers (rules.ts holds
// the definitions). Hostile input is bounded: the querier table keeps MAX_QUERIERS sources
// (evicting one-off sources first, as a flood of spoofed queriers is), and every packet costs
// O(1) work.
import type { Family } from '../kernel/ip.js';
import type { HeardPacket, QueryFields } from './heard.js';
import { BoundedList, Deque } from './bounded.js';
import {
  answers, compareAddresses, electQuerier, INTERVAL_GAPS_KEPT, isOwn, membershipIntervalS, mldQueryIgnored,
  queryIntervalS, RESPONSE_SLACK_MS, type OwnIdentity,
} from './rules.js';

export interface QuerierSeen {
  address: string;
  family: Family;
  /** Versions heard from this source (normally one). */
  versions: number[];
  generalQueries: number;
  groupSpecificQueries: number;
  /** Groups named by group(-and-source)-specific queries (the first GROUPS_KEPT). */
  groups: string[];
  /** Further groups not listed. */
  groupsMore?: number;
  firstSeenMs: number;
  lastSeenMs: number;
  /** Query interval measured between general queries (rules.ts queryIntervalS). */
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
  /** MLD: queries the kernel ignores (rules.ts mldQueryIgnored) and why; absent when none. */
  ignored?: { queries: number; reasons: string[] };
}

export interface HostReports {
  /** Reports (and leaves) this host sent, as seen on the wire. */
  count: number;
  versions: number[];
  groups: string[];
  groupsMore?: number;
  /** General queries answered by a report of this host (rules.ts answers). */
  queriesAnswered: number;
  /** General queries that were due an answer (answered, or whose window closed before the end). */
  queriesDue: number;
}

export interface FamilyObservation {
  family: Family;
  /** Sorted by address; at most MAX_QUERIERS (see queriersMore). */
  queriers: QuerierSeen[];
  /** Distinct sources heard but not kept in `queriers` (a flood); absent when none. */
  queriersMore?: { sources: number; queries: number; atLeast: boolean };
  /** The elected querier (rules.ts electQuerier) among the kept ones whose queries the kernel accepts. */
  elected?: string;
  host: HostReports;
  /** RFC 3376 8.4 from the elected (else the latest) querier's queries; undefined when unknown. */
  membershipIntervalS?: number;
  /** The last general query of each older version heard (IGMP v1/v2, MLD v1) that the kernel accepts: it drops the host to that version. */
  olderVersionLastMs?: Partial<Record<1 | 2, number>>;
  /** The first and last packet timestamps of this family. */
  firstMs?: number;
  lastMs?: number;
}

/** Queriers kept per family: real segments have one to three. */
export const MAX_QUERIERS = 64;
const GROUPS_KEPT = 32;
const HOST_GROUPS_KEPT = 256;
/** Distinct sources counted exactly up to this many; beyond, "at least". */
const DISTINCT_COUNTED = 1 << 17;
/** General queries waiting for an answer; older ones are judged unanswered or dropped. */
const PENDING_KEPT = 4096;

interface QuerierState extends QuerierSeen {
  gaps: number[];
  lastGeneralMs?: number;
  accepted: number;
  /** Made on first use: a flood of one-off queriers allocates as little as possible. */
  groupList?: BoundedList<string>;
  reasons?: Set<string>;
}

interface Pending { t: number; windowMs: number }

class FamilyState {
  readonly queriers = new Map<string, QuerierState>();
  /** Keys of queriers heard once, oldest first: evicted first when the table is full. */
  readonly singletons = new Map<string, true>();
  readonly distinct = new Set<string>();
  distinctSaturated = false;
  overflowQueries = 0;
  readonly pending = new Deque<Pending>();
  answered = 0;
  expired = 0;
  readonly host = { count: 0, versions: [] as number[], groups: new BoundedList<string>(HOST_GROUPS_KEPT) };
  readonly older: Partial<Record<1 | 2, number>> = {};
  latest?: QuerierState;
  firstMs?: number;
  lastMs?: number;
}

export class ControlObserver {
  private readonly fam: Record<Family, FamilyState> = { 4: new FamilyState(), 6: new FamilyState() };
  private malformedCount = 0;
  private readonly malformedReasons = new Map<string, number>();

  /** `own`: this host on the interface; without it no report counts as the host's. */
  constructor(private readonly own: OwnIdentity = { addresses: [] }) {}

  add(p: HeardPacket): void {
    const s = this.fam[p.family];
    s.firstMs ??= p.timeMs;
    s.lastMs = p.timeMs;
    if (p.query) this.addQuery(s, p, p.query);
    else if (p.report && isOwn(p, this.own)) this.addOwnReport(s, p, p.report);
  }

  /** A frame the decoders refused (cut short, a length past the end, a bad option). */
  addMalformed(reason: string): void {
    this.malformedCount++;
    // The reason without its numbers: "IGMP: message cut short (4 bytes)" and "(6 bytes)" are one.
    const key = reason.replace(/\d+/g, 'N');
    if (this.malformedReasons.has(key) || this.malformedReasons.size < 64) this.malformedReasons.set(
      key,
      (this.malformedReasons.get(key) ?? 0) + 1,
    );
  }

  /** Refused frames: how many, and the five commonest reasons. */
  malformed(): { count: number; reasons: { reason: string; count: number }[] } {
    const reasons = [...this.malformedReasons].map(([reason, count]) => ({ reason, count })).sort((a, b) => b.count - a.count).slice(0, 5);
    return { count: this.malformedCount, reasons };
  }

  /** For a progress line: sources kept so far and how many queries they sent. */
  summary(): { queriers: string[]; queries: number } {
    const all = [...this.fam[4].queriers.values(), ...this.fam[6].queriers.values()];
    return {
      queriers: all.slice(0, 8).map((q) => q.address),
      queries: all.reduce((n, q) => n + q.generalQueries + q.groupSpecificQueries, 0),
    };
  }

  private addOwnReport(s: FamilyState, p: HeardPacket, r: NonNullable<HeardPacket['report']>): void {
    s.host.count++;
    if (!s.host.versions.includes(r.version)) s.host.versions.push(r.version);
    for (const g of r.groups) s.host.groups.add(g);
    if (!r.answerLike) return;
    // Queries whose window closed before this report: unanswered. Those left and already begun: answered by it.
    while (s.pending.size > 0) {
      const q = s.pending.peek()!;
      if (q.t > p.timeMs) break;
      s.pending.shift();
      if (answers(q.t, q.windowMs, p.timeMs)) s.answered++;
      else s.expired++;
    }
  }

  private querier(s: FamilyState, p: HeardPacket, q: QueryFields): QuerierState | undefined {
    const key = p.src;
    const known = s.queriers.get(key);
    if (known) {
      s.singletons.delete(key);
      return known;
    }
    if (s.distinct.size < DISTINCT_COUNTED) s.distinct.add(key);
    else if (!s.distinct.has(key)) s.distinctSaturated = true;
    if (s.queriers.size >= MAX_QUERIERS) {
      const victim = s.singletons.keys().next();
      if (victim.done) { s.overflowQueries++; return undefined; }
      const gone = s.queriers.get(victim.value);
      s.queriers.delete(victim.value);
      s.singletons.delete(victim.value);
      s.overflowQueries += gone ? gone.generalQueries + gone.groupSpecificQueries + gone.badChecksums : 0;
    }
    const fresh: QuerierState = {
      address: p.src, family: p.family, versions: [], generalQueries: 0, groupSpecificQueries: 0, groups: [],
      firstSeenMs: p.timeMs, lastSeenMs: p.timeMs, maxRespMs: q.maxRespMs, routerAlert: p.routerAlert, ttl: p.ttl,
      badChecksums: 0, gaps: [], accepted: 0,
    };
    s.queriers.set(key, fresh);
    s.singletons.set(key, true);
    return fresh;
  }

  private addQuery(s: FamilyState, p: HeardPacket, q: QueryFields): void {
    const e = this.querier(s, p, q);
    if (!e) return;
    if (!p.checksumOk) { e.badChecksums++; return; }
    if (!e.versions.includes(q.version)) e.versions.push(q.version);
    Object.assign(e, { lastSeenMs: p.timeMs, maxRespMs: q.maxRespMs, routerAlert: p.routerAlert, ttl: p.ttl });
    if (p.srcMac) e.srcMac = p.srcMac;
    if (q.qrv !== undefined) e.qrv = q.qrv;
    if (q.qqic !== undefined) e.qqic = q.qqic;
    if (q.qqiSec !== undefined) e.qqiSec = q.qqiSec;
    if (q.suppress !== undefined) e.suppress = q.suppress;
    const ignored = mldQueryIgnored(p);
    if (ignored.length > 0) {
      e.reasons ??= new Set();
      for (const r of ignored) e.reasons.add(r);
    }
    if (ignored.length === 0) e.accepted++;
    s.latest = e;
    if (!q.general) {
      e.groupSpecificQueries++;
      (e.groupList ??= new BoundedList<string>(GROUPS_KEPT)).add(q.group);
      return;
    }
    e.generalQueries++;
    if (e.lastGeneralMs !== undefined) {
      e.gaps.push(p.timeMs - e.lastGeneralMs);
      if (e.gaps.length > INTERVAL_GAPS_KEPT) e.gaps.shift();
    }
    e.lastGeneralMs = p.timeMs;
    // Only a query the kernel takes in asks for an answer and moves the host's version.
    if (ignored.length > 0) return;
    const oldest = p.family === 4 ? 3 : 2;
    if (q.version < oldest) s.older[q.version as 1 | 2] = p.timeMs;
    if (s.pending.size >= PENDING_KEPT) s.pending.shift();
    s.pending.push({ t: p.timeMs, windowMs: q.maxRespMs });
  }

  /** The observation of one family at `endMs` (the end of the listen, or the last packet of a file). */
  result(family: Family, endMs: number): FamilyObservation {
    const s = this.fam[family];
    const queriers = [...s.queriers.values()].map(publicView).sort((a, b) => compareAddresses(a.address, b.address));
    let expired = s.expired;
    for (const q of s.pending) if (q.t + q.windowMs + RESPONSE_SLACK_MS <= endMs) expired++;
    const host: HostReports = {
      count: s.host.count, versions: [...s.host.versions], groups: s.host.groups.items(),
      queriesAnswered: s.answered, queriesDue: s.answered + expired,
    };
    if (s.host.groups.more > 0) host.groupsMore = s.host.groups.more;
    const out: FamilyObservation = { family, queriers, host };
    const more = s.distinct.size - s.queriers.size;
    if (more > 0 || s.distinctSaturated) out.queriersMore = {
      sources: Math.max(0, more),
      queries: s.overflowQueries,
      atLeast: s.distinctSaturated,
    };
    const states = [...s.queriers.values()];
    const elected = electQuerier(family, states.filter((q) => q.accepted > 0).map((q) => q.address));
    if (elected) out.elected = elected;
    const basis = (elected !== undefined ? s.queriers.get(elected) : undefined) ?? s.latest;
    if (basis) {
      const interval = queryIntervalS(basis.gaps.length >= 2 ? basis.gaps : []);
      const mi = membershipIntervalS({ ...basis, ...(interval !== undefined ? { measuredIntervalS: interval } : {}) });
      if (mi !== undefined) out.membershipIntervalS = mi;
    }
    if (s.older[1] !== undefined || s.older[2] !== undefined) out.olderVersionLastMs = { ...s.older };
    if (s.firstMs !== undefined) out.firstMs = s.firstMs;
    if (s.lastMs !== undefined) out.lastMs = s.lastMs;
    return out;
  }
}

function publicView(st: QuerierState): QuerierSeen {
  const { gaps, lastGeneralMs: _l, accepted, groupList, reasons, ...rest } = st;
  const out: QuerierSeen = { ...rest, groups: groupList?.items() ?? [] };
  if (groupList && groupList.more > 0) out.groupsMore = groupList.more;
  const interval = queryIntervalS(gaps);
  if (interval !== undefined) out.observedIntervalS = interval;
  const total = st.generalQueries + st.groupSpecificQueries;
  if (total > accepted && reasons && reasons.size > 0) out.ignored = { queries: total - accepted, reasons: [...reasons] };
  return out;
}
