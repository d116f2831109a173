// --host: the groups this host has joined, per interface, from /proc/net/igmp and
// /proc/net/igmp6 (through the Platform; the core reads no file itself).
import type { Platform } from '../../platform/types.js';
import { ipv4ToInt, ipv6ToBytes, type Family } from '../kernel/ip.js';
import { selectInterfaces, type IfaceSelection } from '../kernel/iface-filter.js';
import { bytesToBigint } from './input.js';
import type { GroupsInput } from './collisions.js';

export interface JoinedGroups {
  iface: string;
  /** Joined groups as the kernel lists them (IPv4 then IPv6). */
  joined: string[];
  groups: GroupsInput;
}

export async function joinedGroups(
  p: Pick<Platform, 'igmp' | 'igmp6'>,
  opts: { selection?: IfaceSelection; family?: Family } = {},
): Promise<JoinedGroups[]> {
  const want4 = opts.family !== 6;
  const want6 = opts.family !== 4;
  const [v4, v6] = await Promise.all([want4 ? p.igmp() : Promise.resolve([]), want6 ? p.igmp6() : Promise.resolve([])]);
  const byIface = new Map<string, JoinedGroups>();
  const entry = (name: string): JoinedGroups => {
    let e = byIface.get(name);
    if (!e) byIface.set(name, (e = { iface: name, joined: [], groups: { v4: [], v6: [] } }));
    return e;
  };
  for (const dev of v4) {
    const e = entry(dev.device);
    for (const g of dev.groups) {
      e.joined.push(g.group);
      e.groups.v4.push([ipv4ToInt(g.group), 1]);
    }
  }
  for (const g of v6) {
    const e = entry(g.device);
    e.joined.push(g.group);
    e.groups.v6.push(bytesToBigint(ipv6ToBytes(g.group)));
  }
  const all = [...byIface.values()];
  return selectInterfaces(
    all.map((e) => ({ ...e, name: e.iface })),
    opts.selection ?? {},
  ).map(({ iface, joined, groups }) => ({ iface, joined, groups }));
}
