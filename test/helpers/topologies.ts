// Named lab topologies shared by the lab tests.
import { Lab } from './lab.js';

/**
 * "laptop": a host with two uplinks, each to a peer namespace.
 *
 *   peer-a [eth0 198.18.1.1/24] ── [wired0 198.18.1.2/24] host [wifi0 198.18.2.2/24] ── [eth0 198.18.2.1/24] peer-b
 *
 * The default route of host leaves by wired0 (via 198.18.1.1), as on a laptop docked to a lab
 * port. IPv6: fd00:198:18:1::/64 and fd00:198:18:2::/64 (plus link-local addresses).
 * Each peer routes back to the other uplink's subnet through host so that sources are reachable.
 */
export interface Laptop {
  lab: Lab;
  host: string;
  peerA: string;
  peerB: string;
  addr: {
    hostWired: string; hostWifi: string; peerA: string; peerB: string;
    hostWired6: string; hostWifi6: string; peerA6: string; peerB6: string;
  };
}

export async function buildLaptop(lab?: Lab): Promise<Laptop> {
  lab ??= await Lab.create();
  await lab.addNs('host');
  await lab.addNs('peer-a');
  await lab.addNs('peer-b');
  await lab.veth('host', 'wired0', 'peer-a', 'eth0');
  await lab.veth('host', 'wifi0', 'peer-b', 'eth0');
  const addr = {
    hostWired: '198.18.1.2', hostWifi: '198.18.2.2', peerA: '198.18.1.1', peerB: '198.18.2.1',
    hostWired6: 'fd00:198:18:1::2', hostWifi6: 'fd00:198:18:2::2', peerA6: 'fd00:198:18:1::1', peerB6: 'fd00:198:18:2::1',
  };
  await lab.addr('host', 'wired0', `${addr.hostWired}/24`);
  await lab.addr('host', 'wifi0', `${addr.hostWifi}/24`);
  await lab.addr('peer-a', 'eth0', `${addr.peerA}/24`);
  await lab.addr('peer-b', 'eth0', `${addr.peerB}/24`);
  await lab.addr('host', 'wired0', `${addr.hostWired6}/64`);
  await lab.addr('host', 'wifi0', `${addr.hostWifi6}/64`);
  await lab.addr('peer-a', 'eth0', `${addr.peerA6}/64`);
  await lab.addr('peer-b', 'eth0', `${addr.peerB6}/64`);
  await lab.ip('host', 'route', 'add', 'default', 'via', addr.peerA, 'dev', 'wired0');
  await lab.ip('host', '-6', 'route', 'add', 'default', 'via', addr.peerA6, 'dev', 'wired0');
  await lab.ip('peer-a', 'route', 'add', 'default', 'via', addr.hostWired, 'dev', 'eth0');
  await lab.ip('peer-b', 'route', 'add', 'default', 'via', addr.hostWifi, 'dev', 'eth0');
  // Multicast to 224.0.0.0/4 leaves each peer by its only link.
  for (const p of ['peer-a', 'peer-b']) await lab.ip(p, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
  return { lab, host: 'host', peerA: 'peer-a', peerB: 'peer-b', addr };
}

/**
 * "host and peer": two namespaces joined by one veth pair, each end addressed in one /24
 * (the host .2, the peer .1), as most single-link labs need.
 *
 *   peer [eth0 SUBNET.1/24] ── [lan0 SUBNET.2/24] host
 *
 * `subnet` is the /24's first three octets ('198.18.62'): give each lab file its own, so that a
 * failure message names the lab it came from. `subnet6` ('fd00:60::') adds ::2 and ::1 in that
 * /64 (nodad, as Lab.addr does); `peerMulticastRoute` sends the peer's 224.0.0.0/4 out of its
 * only link (a namespace without a default route otherwise has no route to a group: ENETUNREACH).
 */
export interface HostPeer {
  host: string;
  peer: string;
  hostIface: string;
  peerIface: string;
  addr: { host: string; peer: string; host6?: string; peer6?: string };
}

export interface HostPeerOptions {
  subnet6?: string;
  /** The host's end of the pair (default lan0). */
  hostIface?: string;
  peerMulticastRoute?: boolean;
}

export async function buildHostPeer(lab: Lab, subnet: string, opts: HostPeerOptions = {}): Promise<HostPeer> {
  const host = 'host';
  const peer = 'peer';
  const hostIface = opts.hostIface ?? 'lan0';
  const peerIface = 'eth0';
  const addr: HostPeer['addr'] = { host: `${subnet}.2`, peer: `${subnet}.1` };
  await lab.addNs(host);
  await lab.addNs(peer);
  await lab.veth(host, hostIface, peer, peerIface);
  await lab.addr(host, hostIface, `${addr.host}/24`);
  await lab.addr(peer, peerIface, `${addr.peer}/24`);
  if (opts.subnet6 !== undefined) {
    addr.host6 = `${opts.subnet6}2`;
    addr.peer6 = `${opts.subnet6}1`;
    await lab.addr(host, hostIface, `${addr.host6}/64`);
    await lab.addr(peer, peerIface, `${addr.peer6}/64`);
  }
  if (opts.peerMulticastRoute) await lab.ip(peer, 'route', 'add', '224.0.0.0/4', 'dev', peerIface);
  return { host, peer, hostIface, peerIface, addr };
}

/**
 * "snooping bridge": a switch namespace with a Linux bridge (IGMP snooping on, short timers),
 * and `members` namespaces each with one port on it, all in 198.18.10.0/24 (.1 is sw's br0
 * address, member i is .(10+i)). Timers are in centiseconds, as the bridge takes them.
 */
export interface SnoopingSegment {
  lab: Lab;
  switchNs: string;
  members: { role: string; iface: string; port: string; address: string }[];
}

export interface SnoopingOptions {
  members: number;
  membershipIntervalCs?: number;
  querier?: boolean;
  queryIntervalCs?: number;
  /** Give br0 an address and let the querier use it (mcast_query_use_ifaddr). */
  querierAddress?: string;
}

export async function buildSnoopingSegment(opts: SnoopingOptions, lab?: Lab): Promise<SnoopingSegment> {
  lab ??= await Lab.create();
  await lab.addNs('sw');
  await lab.ip('sw', 'link', 'add', 'br0', 'type', 'bridge',
    'mcast_snooping', '1',
    'mcast_querier', opts.querier ? '1' : '0',
    'mcast_membership_interval', String(opts.membershipIntervalCs ?? 400),
    'mcast_query_interval', String(opts.queryIntervalCs ?? 100),
    'mcast_query_response_interval', '50',
    'mcast_startup_query_interval', '50',
    ...(opts.querierAddress ? ['mcast_query_use_ifaddr', '1'] : []));
  if (opts.querierAddress) await lab.addr('sw', 'br0', opts.querierAddress);
  await lab.ip('sw', 'link', 'set', 'br0', 'up');
  const members: SnoopingSegment['members'] = [];
  for (let i = 1; i <= opts.members; i++) {
    const role = `m${i}`;
    await lab.addNs(role);
    const port = `p${i}`;
    await lab.veth('sw', port, role, 'eth0');
    await lab.ip('sw', 'link', 'set', port, 'master', 'br0');
    const address = `198.18.10.${10 + i}`;
    await lab.addr(role, 'eth0', `${address}/24`);
    await lab.ip(role, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
    members.push({ role, iface: 'eth0', port, address });
  }
  return { lab, switchNs: 'sw', members };
}
