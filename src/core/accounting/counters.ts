// Kernel accounting for one run: the counters that tell where a multicast datagram went inside
// the host, and their deltas. Measured on 6.18 in namespaces (docs/commands/trace.md):
//   not joined on the arrival interface  Ip.InReceives +N, IpExt.InMcastPkts +0 (dropped at route input)
//   strict rp_filter drop                TcpExt.IPReversePathFilter +N, InMcastPkts +0
//   nftables drop at input               InMcastPkts +N, Ip.InDelivers +0
//   no socket on the port                InDelivers +N, Udp.IgnoredMulti +N (multicast never counts NoPorts)
//   socket full                          Udp.RcvbufErrors +N, Udp.InErrors +N, the socket's drops +N
//   read by the application             Udp.InDatagrams +N (counted when read, not when queued)
// IPv6 differs in one place: Ip6InMcastPkts counts before the membership check and before
// netfilter's prerouting hook, so "accepted" means "seen by IPv6" there.
import type { Family } from '../kernel/ip.js';

export type Counters = Readonly<Record<string, number>>;

export interface StageKeys {
  received: string;
  ipAccepted: string;
  ipAcceptedOctets: string;
  delivered: string;
  addrErrors: string;
  udpRead: string;
  noPorts: string;
  noSocketMulticast: string;
  rcvbufErrors: string;
  udpInErrors: string;
  udpCsumErrors: string;
  rpfDrops?: string;
}

export const STAGE_KEYS: Record<Family, StageKeys> = {
  4: {
    received: 'Ip.InReceives',
    ipAccepted: 'IpExt.InMcastPkts',
    ipAcceptedOctets: 'IpExt.InMcastOctets',
    delivered: 'Ip.InDelivers',
    addrErrors: 'Ip.InAddrErrors',
    udpRead: 'Udp.InDatagrams',
    noPorts: 'Udp.NoPorts',
    noSocketMulticast: 'Udp.IgnoredMulti',
    rcvbufErrors: 'Udp.RcvbufErrors',
    udpInErrors: 'Udp.InErrors',
    udpCsumErrors: 'Udp.InCsumErrors',
    rpfDrops: 'TcpExt.IPReversePathFilter',
  },
  6: {
    received: 'Ip6.Ip6InReceives',
    ipAccepted: 'Ip6.Ip6InMcastPkts',
    ipAcceptedOctets: 'Ip6.Ip6InMcastOctets',
    delivered: 'Ip6.Ip6InDelivers',
    addrErrors: 'Ip6.Ip6InAddrErrors',
    udpRead: 'Ip6.Udp6InDatagrams',
    noPorts: 'Ip6.Udp6NoPorts',
    noSocketMulticast: 'Ip6.Udp6IgnoredMulti',
    rcvbufErrors: 'Ip6.Udp6RcvbufErrors',
    udpInErrors: 'Ip6.Udp6InErrors',
    udpCsumErrors: 'Ip6.Udp6InCsumErrors',
  },
};

export type Stages = { [K in keyof StageKeys]-?: number | null };

/** Every counter of interest: after - before; a counter missing on either side is left out. */
export function counterDeltas(before: Counters, after: Counters, family: Family): Record<string, number> {
  const out: Record<string, number> = {};
  for (const key of Object.values(STAGE_KEYS[family])) {
    const a = after[key];
    const b = before[key];
    // A counter that went backwards wrapped or the namespace changed: not a measurement.
    if (a !== undefined && b !== undefined && a >= b) out[key] = a - b;
  }
  return out;
}

/** The deltas under stage names (null where this kernel lacks the counter). */
export function stagesOf(deltas: Readonly<Record<string, number>>, family: Family): Stages {
  const keys = STAGE_KEYS[family];
  const pick = (k: string | undefined): number | null => (k === undefined ? null : deltas[k] ?? null);
  return {
    received: pick(keys.received),
    ipAccepted: pick(keys.ipAccepted),
    ipAcceptedOctets: pick(keys.ipAcceptedOctets),
    delivered: pick(keys.delivered),
    addrErrors: pick(keys.addrErrors),
    udpRead: pick(keys.udpRead),
    noPorts: pick(keys.noPorts),
    noSocketMulticast: pick(keys.noSocketMulticast),
    rcvbufErrors: pick(keys.rcvbufErrors),
    udpInErrors: pick(keys.udpInErrors),
    udpCsumErrors: pick(keys.udpCsumErrors),
    rpfDrops: pick(keys.rpfDrops),
  };
}

/** A shortfall worth naming: at least 2 packets and 10 % of what was expected (counters also count other traffic). */
export function shortfall(expected: number, seen: number | null): number {
  if (seen === null) return 0;
  const missing = expected - seen;
  return missing >= 2 && missing >= expected * 0.1 ? missing : 0;
}
