// The mesh lab: five hosts on one snooping Linux bridge with a querier and short timers, one of
// them dual-homed onto a second bridge.
//
//            sw: br0 (198.18.20.0/24, snooping, querier, membership interval M)   br1 (198.18.21.0/24)
//             |      |      |      |      |                                          |
//           h1 eth0 h2 eth0 h3 eth0 h4 eth0 h5 eth0 ............................... h5 eth1
//
// Host i is 198.18.20.(10+i); h5's second leg is 198.18.21.15. Timers are in centiseconds, as
// the bridge takes them. The querier sends from 0.0.0.0, which every host accepts (PITFALLS.md).
import { Lab } from './lab.js';

export interface MeshLab {
  lab: Lab;
  hosts: string[];
  membershipIntervalS: number;
}

export interface MeshLabOptions {
  membershipIntervalCs: number;
  queryIntervalCs: number;
}

export async function buildMeshLab(o: MeshLabOptions): Promise<MeshLab> {
  const lab = await Lab.create();
  await lab.addNs('sw');
  await lab.ip('sw', 'link', 'add', 'br0', 'type', 'bridge',
    // IGMPv3 queries: hosts answer with v3 reports to 224.0.0.22, which no other host hears.
    // With v2 the bridge forwards each report to the group's other members, they suppress their
    // own (RFC 2236 3), and their port entries expire: seen here as ~2 s gaps every few seconds.
    'mcast_snooping', '1', 'mcast_querier', '1', 'mcast_igmp_version', '3',
    'mcast_membership_interval', String(o.membershipIntervalCs),
    'mcast_query_interval', String(o.queryIntervalCs),
    'mcast_query_response_interval', '50',
    'mcast_startup_query_interval', '50');
  await lab.ip('sw', 'link', 'add', 'br1', 'type', 'bridge', 'mcast_snooping', '1', 'mcast_querier', '0');
  await lab.ip('sw', 'link', 'set', 'br0', 'up');
  await lab.ip('sw', 'link', 'set', 'br1', 'up');
  const hosts: string[] = [];
  for (let i = 1; i <= 5; i++) {
    const h = `h${i}`;
    await lab.addNs(h);
    // Each namespace has its own UTS name so that sender ids tell the hosts apart.
    hosts.push(h);
    await lab.veth('sw', `p${i}`, h, 'eth0');
    await lab.ip('sw', 'link', 'set', `p${i}`, 'master', 'br0');
    await lab.addr(h, 'eth0', `198.18.20.${10 + i}/24`);
  }
  await lab.veth('sw', 'p5b', 'h5', 'eth1');
  await lab.ip('sw', 'link', 'set', 'p5b', 'master', 'br1');
  await lab.addr('h5', 'eth1', '198.18.21.15/24');
  return { lab, hosts, membershipIntervalS: o.membershipIntervalCs / 100 };
}
