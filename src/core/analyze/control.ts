// IGMP and MLD in a capture file, per interface: who queried (version, interval, election), who
// reported which groups, and whether reports answered the queries. Unlike querier-check, a file
// has no "this host": every reporter counts. Bounded: an attacker's file with a million query
// sources or groups keeps the first ones and counts the rest. The rules (what answers a query,
// the query and membership intervals, the election) are the shared ones of src/core/observation.
import { familyOf, ipv4ToInt, type Family } from '../kernel/ip.js';
import { answers, compareAddresses, electQuerier, INTERVAL_GAPS_KEPT, membershipIntervalS, queryIntervalS } from '../observation/rules.js';
import { hasCurrentState } from '../wire/group-records.js';
import type { IgmpMessage } from '../wire/igmp.js';
import type { MldMessage } from '../wire/mld.js';
import { defined } from '../defined.js';

const MAX_QUERIERS = 64;
const MAX_REPORTERS = 1024;
const MAX_GROUPS = 4096;

export type ControlKind = 'query' | 'report' | 'leave';

export interface ControlEvent {
  tUs: number;
  iface: string;
  kind: ControlKind;
  family: Family;
  src: string;
  version: number;
  /** The group a specific query, a v1/v2 report or a leave names; the first record's group in a v3 report. */
  group?: string;
  /** Groups a v3 / MLDv2 report names. */
  groups?: number;
}

export interface QuerierStats {
  address: string;
  family: Family;
  versions: number[];
  generalQueries: number;
  specificQueries: number;
  firstUs: number;
  lastUs: number;
  /** Mean gap between its general queries, seconds. */
  intervalS?: number;
  maxRespMs: number;
  qrv?: number;
  qqiSec?: number;
  ttl: number;
  routerAlert: boolean;
  /** General queries whose answer window closed inside the capture, and those a report answered. */
  due: number;
  answered: number;
}

interface QuerierState extends QuerierStats { lastGeneralUs?: number; gapsMs: number[] }

interface Pending { tUs: number; maxRespMs: number; q: QuerierState; answered: boolean }

export interface GroupReports {
  /** Last report naming the group (join, answer or v1/v2 report), and last leave. */
  lastReportUs?: number;
  lastLeaveUs?: number;
  reporters: number;
}

export interface ControlResult {
  iface: string;
  queriers: QuerierStats[];
  queriersNotTracked: number;
  elected: { 4?: string; 6?: string };
  /** Addresses that sent reports (IPv4 and IPv6), bounded. */
  reporters: string[];
  reportersNotTracked: number;
  reportVersions: { 4: number[]; 6: number[] };
  reports: number;
  leaves: number;
  /** RFC 3376 8.4 membership interval from the elected IPv4 querier's queries, when they say enough. */
  membershipIntervalS?: number;
}

export class ControlLog {
  private readonly queriers = new Map<string, QuerierState>();
  private queriersDropped = 0;
  private readonly reporters = new Set<string>();
  private reportersDropped = 0;
  private readonly groups = new Map<string, GroupReports & { hosts: Set<string> }>();
  private readonly versions: { 4: Set<number>; 6: Set<number> } = { 4: new Set(), 6: new Set() };
  private reports = 0;
  private leaves = 0;
  private pending: Record<Family, Pending | undefined> = { 4: undefined, 6: undefined };

  constructor(readonly iface: string, private readonly onEvent: (e: ControlEvent) => void) {}

  add(m: IgmpMessage | MldMessage, family: Family, src: string, ttl: number, routerAlert: boolean, tUs: number): void {
    if (m.kind === 'query') return this.query(m, family, src, ttl, routerAlert, tUs);
    const leave = m.kind === 'leave' || m.kind === 'done' ||
      (m.version >= (family === 4 ? 3 : 2) && 'records' in m && m.records.every((r) => r.recordType === 3 && r.sources.length === 0));
    const names = 'records' in m ? m.records.map((r) => r.group) : [m.group];
    const ev: ControlEvent = { tUs, iface: this.iface, kind: leave ? 'leave' : 'report', family, src, version: m.version };
    if (names[0] !== undefined) ev.group = names[0];
    if ('records' in m) ev.groups = names.length;
    this.onEvent(ev);
    if (leave) this.leaves++; else this.reports++;
    this.versions[family].add(m.version);
    if (this.reporters.has(src) || this.reporters.size < MAX_REPORTERS) this.reporters.add(src);
    else this.reportersDropped++;
    for (const g of names) this.groupSeen(g, src, tUs, leave);
    // A report answers the pending query when it can (current-state records in v3/MLDv2; any
    // v1/v2 report inside the window), as the live stall diagnosis decides (stall/queries.ts).
    const p = this.pending[family];
    if (!leave && p && answers(p.tUs / 1000, p.maxRespMs, tUs / 1000)) {
      const currentState = 'records' in m ? hasCurrentState(m.records) : true;
      if (currentState) p.answered = true;
    }
  }

  private groupSeen(g: string, src: string, tUs: number, leave: boolean): void {
    let r = this.groups.get(g);
    if (!r) {
      if (this.groups.size >= MAX_GROUPS) return;
      r = { reporters: 0, hosts: new Set() };
      this.groups.set(g, r);
    }
    if (leave) r.lastLeaveUs = tUs;
    else {
      r.lastReportUs = tUs;
      if (r.hosts.size < 64) r.hosts.add(src);
      r.reporters = r.hosts.size;
    }
  }

  private query(m: Extract<IgmpMessage | MldMessage, { kind: 'query' }>, family: Family, src: string, ttl: number, routerAlert: boolean,
    tUs: number): void {
    const ev: ControlEvent = { tUs, iface: this.iface, kind: 'query', family, src, version: m.version };
    if (!m.general) ev.group = m.group;
    this.onEvent(ev);
    const key = `${family} ${src}`;
    let q = this.queriers.get(key);
    if (!q) {
      if (this.queriers.size >= MAX_QUERIERS) { this.queriersDropped++; return; }
      q = { address: src, family, versions: [], generalQueries: 0, specificQueries: 0, firstUs: tUs, lastUs: tUs, maxRespMs: m.maxRespMs,
        ttl, routerAlert, due: 0, answered: 0, gapsMs: [] };
      this.queriers.set(key, q);
    }
    if (!q.versions.includes(m.version)) q.versions.push(m.version);
    q.lastUs = tUs;
    q.maxRespMs = m.maxRespMs;
    q.ttl = ttl;
    q.routerAlert = routerAlert;
    if (m.qrv !== undefined) q.qrv = m.qrv;
    if (m.qqiSec !== undefined) q.qqiSec = m.qqiSec;
    if (!m.general) { q.specificQueries++; return; }
    q.generalQueries++;
    if (q.lastGeneralUs !== undefined) {
      q.gapsMs.push((tUs - q.lastGeneralUs) / 1000);
      if (q.gapsMs.length > INTERVAL_GAPS_KEPT) q.gapsMs.shift();
    }
    q.lastGeneralUs = tUs;
    this.close(family, tUs);
    this.pending[family] = { tUs, maxRespMs: m.maxRespMs, q, answered: false };
  }

  /**
   * Settles the pending query of a family: at the next query (its answer had the time until
   * then), or at the end of the capture, where one whose window is still open is not due.
   */
  private close(family: Family, nowUs: number, atEnd = false): void {
    const p = this.pending[family];
    if (!p) return;
    this.pending[family] = undefined;
    if (atEnd && answers(p.tUs / 1000, p.maxRespMs, nowUs / 1000) && !p.answered) return;
    p.q.due++;
    if (p.answered) p.q.answered++;
  }

  group(g: string): GroupReports | undefined {
    return this.groups.get(g);
  }

  /** What was heard, at the end of the capture (endUs). */
  result(endUs: number): ControlResult {
    this.close(4, endUs, true);
    this.close(6, endUs, true);
    const queriers: QuerierStats[] = [...this.queriers.values()].map(({ lastGeneralUs: _l, gapsMs, ...q }) => {
      const intervalS = queryIntervalS(gapsMs);
      return { ...q, ...defined({ intervalS }) };
    }).sort((a, b) => a.family - b.family || compareAddresses(a.address, b.address));
    const elected: ControlResult['elected'] = {};
    for (const fam of [4, 6] as const) {
      const e = electQuerier(fam, queriers.filter((q) => q.family === fam).map((q) => q.address));
      if (e) elected[fam] = e;
    }
    const out: ControlResult = {
      iface: this.iface, queriers, queriersNotTracked: this.queriersDropped, elected,
      reporters: [...this.reporters].sort((a, b) => (familyOf(a) ?? 4) - (familyOf(b) ?? 4) || compareAddresses(a, b)),
      reportersNotTracked: this.reportersDropped,
      reportVersions: { 4: [...this.versions[4]].sort(), 6: [...this.versions[6]].sort() },
      reports: this.reports, leaves: this.leaves,
    };
    const q4 = queriers.find((q) => q.family === 4 && q.address === elected[4]);
    const mi = q4 ? membershipIntervalS({
      maxRespMs: q4.maxRespMs,
      ...defined({ qrv: q4.qrv, qqiSec: q4.qqiSec, measuredIntervalS: q4.intervalS }),
    }) : undefined;
    if (mi !== undefined) out.membershipIntervalS = mi;
    return out;
  }

  /** IPv4 reporters other than 0.0.0.0, as numbers (for the subnet inference). */
  ipv4Reporters(): number[] {
    return [...this.reporters].filter((a) => familyOf(a) === 4 && a !== '0.0.0.0').map(ipv4ToInt);
  }
}
