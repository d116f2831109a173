// Host-wide socket behaviour: the per-socket membership limit, and IP_MULTICAST_ALL (default on):
// a socket bound to 0.0.0.0:PORT receives every group that any socket on the host joined, on
// that port (PITFALLS.md). The option itself is per socket and not visible from outside, so the
// heuristic is the one PITFALLS.md gives: several wildcard sockets on one port while the host
// holds several routable groups.
import { makeFinding } from '../../findings/catalog.js';
import type { Finding } from '../../findings/model.js';
import type { DoctorCheck } from '../types.js';
import { joinAnyFindings } from './join-any.js';

const linkLocal = (g: string): boolean => g.startsWith('224.0.0.') || g.toLowerCase().startsWith('ff02:') || g.toLowerCase().startsWith('ff01:');

export const socketsCheck: DoctorCheck = {
  id: 'sockets',
  title: 'Sockets: membership limit, IP_MULTICAST_ALL, joins without an interface',
  linuxOnly: true,
  async run(ctx) {
    const findings: Finding[] = [];
    const p = ctx.deps.platform;
    const maxMemberships = Number((await p.sysctl('net.ipv4.igmp_max_memberships')) ?? 20);
    const maxMsf = Number((await p.sysctl('net.ipv4.igmp_max_msf')) ?? 10);
    const groups = ctx.inventory.interfaces.flatMap((i) => i.groups.filter((g) => !linkLocal(g.group)).map((g) => `${i.name} ${g.group}`));
    const sockets = await ctx.deps.udpSockets();
    const wildcardByPort = new Map<string, number>();
    for (const s of sockets) {
      if (s.localAddress !== '0.0.0.0' && s.localAddress !== '::') continue;
      const key = `${s.family}/${s.localPort}`;
      wildcardByPort.set(key, (wildcardByPort.get(key) ?? 0) + 1);
    }
    const distinctGroups = new Set(groups.map((g) => g.split(' ')[1]));
    for (const [key, count] of wildcardByPort) {
      const [fam, port] = key.split('/');
      if (count < 2 || distinctGroups.size < 2) continue;
      findings.push(makeFinding('MULTICAST_ALL_LEAK', {
        message: `${count} sockets are bound to ${fam === '4' ? '0.0.0.0' : '[::]'}:${port} while the host holds ${distinctGroups.size} groups: with IP_MULTICAST_ALL on (the default) each receives every group joined on that port, not only its own.`,
        fix: `In the receiving programs: setsockopt(IP_MULTICAST_ALL, 0) (IPV6_MULTICAST_ALL for IPv6), or bind each socket to its group address instead of ${fam === '4' ? '0.0.0.0' : '::'}.`,
        evidence: { port: Number(port), wildcardSockets: count, groups: [...distinctGroups] },
      }));
    }
    findings.push(...await joinAnyFindings(p, ctx.inventory.interfaces));
    return {
      findings,
      details: { igmpMaxMemberships: maxMemberships, igmpMaxMsf: maxMsf, routableGroupsJoined: groups, udpSockets: sockets.length },
    };
  },
};
