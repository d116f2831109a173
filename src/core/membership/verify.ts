// After joining: does the kernel really hold each membership? /proc/net/igmp and igmp6 list
// every (device, group) the host is a member of (net/ipv4/igmp.c, net/ipv6/mcast.c).
import type { Platform } from '../../platform/types.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { ipv6ToBytes } from '../kernel/ip.js';
import type { JoinResult } from './join.js';

const key6 = (g: string): string => Array.from(ipv6ToBytes(g)).join('.');

export async function verifyMemberships(platform: Platform, results: readonly JoinResult[]): Promise<Finding[]> {
  const joined = results.filter((r) => r.status === 'joined');
  if (joined.length === 0) return [];
  const held = new Set<string>();
  if (joined.some((r) => r.family === 4)) {
    for (const d of await platform.igmp()) for (const g of d.groups) held.add(`${d.index} ${g.group}`);
  }
  if (joined.some((r) => r.family === 6)) {
    for (const e of await platform.igmp6()) held.add(`${e.index} ${key6(e.group)}`);
  }
  const out: Finding[] = [];
  const seen = new Set<string>();
  for (const r of joined) {
    const k = `${r.ifindex} ${r.family === 4 ? r.group : key6(r.group)}`;
    if (held.has(k) || seen.has(k)) continue;
    seen.add(k);
    out.push(makeFinding('MEMBERSHIP_MISSING', {
      iface: r.iface, group: r.group,
      message:
        `The join of ${r.group} on ${r.iface} returned success, ` +
        `but ${r.family === 4 ? '/proc/net/igmp' : '/proc/net/igmp6'} does not list it: the kernel holds no membership there.`,
      fix: `Check that ${r.iface} is up and still exists (ip link show ${r.iface}), and that nothing left the group.`,
      evidence: { file: r.family === 4 ? '/proc/net/igmp' : '/proc/net/igmp6', ifindex: r.ifindex },
    }));
  }
  return out;
}
