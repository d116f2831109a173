// The kernel's own counters across a querier listen: TcpExt IPReversePathFilter (queries the
// reverse-path filter dropped) and /proc/net/snmp6's MLD queries in and reports out.
import type { Platform } from '../../platform/types.js';
import type { QuerierReport } from './report.js';

/** One reading of the counters; snmp6 is empty where /proc/net/snmp6 cannot be read. */
export interface CounterReading {
  rpFilter: number;
  snmp6: Record<string, number>;
}

export async function readCounters(p: Platform): Promise<CounterReading> {
  const rpFilter = (await p.netstat()).TcpExt?.IPReversePathFilter ?? 0;
  const snmp6 = await p.snmp6().catch(() => ({}));
  return { rpFilter, snmp6 };
}

/** The report's counters from the readings before and after the listen. */
export function countersAcross(before: CounterReading, after: CounterReading): QuerierReport['counters'] {
  return {
    ipReversePathFilter: { before: before.rpFilter, after: after.rpFilter, delta: after.rpFilter - before.rpFilter },
    ...mldCounters(before.snmp6, after.snmp6),
  };
}

/**
 * /proc/net/snmp6 across the listen: MLD queries the kernel received (counted before it judges
 * them, icmpv6_rcv) and the reports it sent (MLDv2 and v1 together). Queries rising while reports
 * do not is the kernel's own evidence that it ignores them (RFC 3810 6.2 checks, net/ipv6/mcast.c).
 * Without the counters after the listen (no /proc/net/snmp6): no `mld`.
 */
export function mldCounters(before: Record<string, number>, after: Record<string, number>): Pick<QuerierReport['counters'], 'mld'> {
  const delta = (k: string): { before: number; after: number; delta: number } =>
    ({ before: before[k] ?? 0, after: after[k] ?? 0, delta: (after[k] ?? 0) - (before[k] ?? 0) });
  if (!('Icmp6InGroupMembQueries' in after)) return {};
  const v2 = delta('Icmp6OutMLDv2Reports');
  const v1 = delta('Icmp6OutGroupMembResponses');
  const reportsOut = { before: v2.before + v1.before, after: v2.after + v1.after, delta: v2.delta + v1.delta };
  return { mld: { queriesIn: delta('Icmp6InGroupMembQueries'), reportsOut } };
}
