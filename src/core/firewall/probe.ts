// The packets whose fate the firewall check decides: what the kernel's IGMP/MLD code and a
// multicast receiver need to pass the filter. Each is described by the fields known for certain;
// a field left out (the querier's address when none was heard, a stream's port) is unknown, and
// a rule that depends on it may or may not match (values.ts).
import type { Field } from './values.js';

export type ProbeKind = 'igmp-query' | 'mld-query' | 'igmp-report' | 'mld-report' | 'data4' | 'data6';

export interface Probe {
  kind: ProbeKind;
  family: 4 | 6;
  direction: 'in' | 'out';
  iface: string;
  /** Headers the packet has: a payload match on another known header is false (nft's implicit dependency). */
  headers: readonly string[];
  fields: Readonly<Record<string, Field>>;
}

const HEADERS = new Set(['ip', 'ip6', 'igmp', 'icmpv6', 'icmp', 'udp', 'tcp', 'sctp', 'dccp', 'udplite', 'ah', 'esp', 'comp', 'arp', 'th']);

/** What the packet holds for `key`: a field, 'absent' (the header is not there), or undefined (unknown). */
export function fieldOf(p: Probe, key: string): Field | 'absent' | undefined {
  const dot = key.indexOf('.');
  const proto = key.slice(0, dot);
  if (proto !== 'meta' && proto !== 'ct' && HEADERS.has(proto) && !p.headers.includes(proto)) return 'absent';
  return p.fields[key];
}

const ex = (v: string | number): Field => ({ exact: v });

function common(fam: 4 | 6, dir: 'in' | 'out', iface: string, l4: number): Record<string, Field> {
  return {
    'meta.nfproto': ex(fam === 4 ? 'ipv4' : 'ipv6'),
    'meta.protocol': ex(fam === 4 ? 'ip' : 'ip6'),
    'meta.l4proto': ex(l4),
    'meta.pkttype': ex('multicast'),
    // Input has no output interface and output no input interface: nft compares an empty name.
    'meta.iifname': ex(dir === 'in' ? iface : ''),
    'meta.iif': ex(dir === 'in' ? iface : ''),
    'meta.oifname': ex(dir === 'out' ? iface : ''),
    'meta.oif': ex(dir === 'out' ? iface : ''),
    // A fresh flow in one direction, never NAT-ed.
    'ct.status': ex('none'),
  };
}

/** IGMP general query arriving on iface, from `querier` when one was heard. */
export function igmpQuery(iface: string, querier?: string): Probe {
  return {
    kind: 'igmp-query', family: 4, direction: 'in', iface, headers: ['ip', 'igmp'],
    fields: {
      ...common(4, 'in', iface, 2),
      'ip.protocol': ex(2), 'ip.daddr': ex('224.0.0.1'), 'ip.ttl': ex(1), 'igmp.type': ex(0x11),
      'ip.saddr': querier ? ex(querier) : { within: { addr: '0.0.0.0', len: 0 } },
      // Conntrack's generic tracker: every one-way flow is new.
      'ct.state': ex('new'),
    },
  };
}

/** MLD query arriving on iface: from a link-local source, hop limit 1, behind a hop-by-hop header (RFC 3810 §5). */
export function mldQuery(iface: string, querier?: string): Probe {
  return {
    kind: 'mld-query', family: 6, direction: 'in', iface, headers: ['ip6', 'icmpv6'],
    fields: {
      ...common(6, 'in', iface, 58),
      'ip6.nexthdr': ex(0), 'ip6.daddr': ex('ff02::1'), 'ip6.hoplimit': ex(1), 'icmpv6.type': ex(130),
      'ip6.saddr': querier ? ex(querier) : { within: { addr: 'fe80::', len: 10 } },
      // nf_conntrack_proto_icmpv6 leaves MLD untracked (noct_valid_new).
      'ct.state': ex('untracked'),
    },
  };
}

/** The host's IGMPv3 report leaving iface. */
export function igmpReport(iface: string): Probe {
  return {
    kind: 'igmp-report', family: 4, direction: 'out', iface, headers: ['ip', 'igmp'],
    fields: {
      ...common(4, 'out', iface, 2),
      'ip.protocol': ex(2), 'ip.daddr': ex('224.0.0.22'), 'ip.ttl': ex(1), 'igmp.type': ex(0x22), 'ct.state': ex('new'),
    },
  };
}

/** The host's MLDv2 report leaving iface. */
export function mldReport(iface: string): Probe {
  return {
    kind: 'mld-report', family: 6, direction: 'out', iface, headers: ['ip6', 'icmpv6'],
    fields: {
      ...common(6, 'out', iface, 58),
      'ip6.nexthdr': ex(0), 'ip6.daddr': ex('ff02::16'), 'ip6.hoplimit': ex(1), 'icmpv6.type': ex(143), 'ct.state': ex('untracked'),
      'ip6.saddr': { within: { addr: 'fe80::', len: 10 } },
    },
  };
}

/** A multicast UDP datagram arriving on iface, to `group` and `port` when known (else any). */
export function dataIn(iface: string, family: 4 | 6, group?: string, port?: number): Probe {
  const daddr: Field = group ? ex(group) : { within: family === 4 ? { addr: '224.0.0.0', len: 4 } : { addr: 'ff00::', len: 8 } };
  return {
    kind: family === 4 ? 'data4' : 'data6', family, direction: 'in', iface, headers: [family === 4 ? 'ip' : 'ip6', 'udp', 'th'],
    fields: {
      ...common(family, 'in', iface, 17),
      ...(family === 4 ? { 'ip.protocol': ex(17), 'ip.daddr': daddr } : { 'ip6.nexthdr': ex(17), 'ip6.daddr': daddr }),
      'ct.state': ex('new'),
      ...(port !== undefined ? { 'udp.dport': ex(port), 'th.dport': ex(port) } : {}),
    },
  };
}
