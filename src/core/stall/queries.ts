// What the stall diagnosis needs to know of IGMP on an interface: were queries heard, from whom,
// did this host answer them, and the membership interval they announce (RFC 3376 8.4: robustness
// x query interval + query response interval, 2 x 125 s + 10 s = 260 s by default). The
// observation itself is the shared one (observation/observer.ts): the same rules of "answered",
// of the interval and of the host's own report as querier-check, on the packets' own timestamps.
// libpcap sees queries before rp_filter or the firewall drop them, and the reports that really left.
import type { HeardPacket } from '../observation/heard.js';
import { ControlObserver } from '../observation/observer.js';
import type { OwnIdentity } from '../observation/rules.js';

export { DEFAULT_MEMBERSHIP_INTERVAL_S } from '../observation/rules.js';

export interface QuerySummary {
  iface: string;
  captured: boolean;
  queries: number;
  queriers: string[];
  /** A report of this host answered a query (observation/rules.ts answers). */
  answered: boolean;
  reportsSent: number;
  /** RFC 3376 8.4 from what was heard; undefined without enough queries. */
  membershipIntervalS?: number;
}

export class QueryWatch {
  private readonly ifaces = new Map<string, { captured: boolean; observer: ControlObserver }>();

  /** An interface watched (captured: false when no capture could be opened there); `own`: this host on it. */
  watch(iface: string, captured: boolean, own: OwnIdentity): void {
    if (!this.ifaces.has(iface)) this.ifaces.set(iface, { captured, observer: new ControlObserver(own) });
  }

  /** One IGMP packet heard on iface. */
  add(iface: string, p: HeardPacket): void {
    this.ifaces.get(iface)?.observer.add(p);
  }

  /** What was heard on iface, judged at endMs (the last packet heard when not given). */
  summary(iface: string, endMs?: number): QuerySummary {
    const w = this.ifaces.get(iface);
    if (!w) return { iface, captured: false, queries: 0, queriers: [], answered: false, reportsSent: 0 };
    const first = w.observer.result(4, endMs ?? Number.MAX_SAFE_INTEGER);
    const heard = first.queriers.reduce((n, q) => n + q.generalQueries + q.groupSpecificQueries, 0) + (first.queriersMore?.queries ?? 0);
    const out: QuerySummary = {
      iface,
      captured: w.captured,
      queries: heard,
      queriers: first.queriers.filter((q) => q.versions.length > 0).map((q) => q.address),
      answered: first.host.queriesAnswered > 0,
      reportsSent: first.host.count,
    };
    if (first.membershipIntervalS !== undefined) out.membershipIntervalS = first.membershipIntervalS;
    return out;
  }

  ifaceNames(): string[] {
    return [...this.ifaces.keys()];
  }
}
