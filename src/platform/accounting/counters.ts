// The kernel's own packet counters of this network namespace, flattened to "Section.Name"
// (Ip.InDelivers, IpExt.InMcastPkts, Udp.IgnoredMulti, TcpExt.IPReversePathFilter) plus the
// IPv6 ones under "Ip6." (snmp6's Ip6InMcastPkts becomes Ip6.Ip6InMcastPkts: one namespace of
// keys for both files). /proc/net/snmp and /proc/net/netstat are per network namespace, so a
// run inside `ip netns exec NS` reads the counters of NS only.
import { readFile } from 'node:fs/promises';
import { parseNetstat, parseSnmp6 } from '../procfs/netstat.js';

export type FlatCounters = Record<string, number>;

/** Pure: the three files' texts to one flat map. */
export function flattenCounters(snmp: string, netstat: string, snmp6: string): FlatCounters {
  const out: FlatCounters = {};
  for (const text of [snmp, netstat]) {
    for (const [section, rec] of Object.entries(parseNetstat(text))) {
      for (const [name, v] of Object.entries(rec)) if (Number.isFinite(v)) out[`${section}.${name}`] = v;
    }
  }
  for (const [name, v] of Object.entries(parseSnmp6(snmp6))) if (Number.isFinite(v)) out[`Ip6.${name}`] = v;
  return out;
}

const read = (p: string): Promise<string> => readFile(p, 'utf8').catch(() => '');

export async function readKernelCounters(): Promise<FlatCounters> {
  const [snmp, netstat, snmp6] = await Promise.all([read('/proc/net/snmp'), read('/proc/net/netstat'), read('/proc/net/snmp6')]);
  return flattenCounters(snmp, netstat, snmp6);
}
