// Host-wide socket behaviour: the per-socket membership limit, IP_MULTICAST_ALL leaks (default on:
// a socket bound to 0.0.0.0:PORT receives every group any socket on the host joined, on that
// port; multicast-all.ts says which process receives which group, from what the kernel shows of
// each socket), and joins without an interface (join-any.ts).
import type { Finding } from '../../findings/model.js';
import type { DoctorCheck } from '../types.js';
import { joinAnyFindings } from './join-any.js';
import { guessFindings, multicastAllFindings, undecidedPorts } from './multicast-all.js';
import type { NotRun } from '../../coverage.js';
import { heldGroups, socketViews } from './socket-views.js';

export const socketsCheck: DoctorCheck = {
  id: 'sockets',
  title: 'Sockets: membership limit, IP_MULTICAST_ALL, joins without an interface',
  linuxOnly: true,
  async run(ctx) {
    const findings: Finding[] = [];
    const p = ctx.deps.platform;
    const maxMemberships = Number((await p.sysctl('net.ipv4.igmp_max_memberships')) ?? 20);
    const maxMsf = Number((await p.sysctl('net.ipv4.igmp_max_msf')) ?? 10);
    const held = heldGroups(ctx.inventory.interfaces);
    const sockets = await ctx.deps.udpSockets();
    const seen = held.length > 0 ? await socketViews(sockets, held, ctx.deps.accounting) : { views: [], peeked: 0, notPeeked: 0 };
    const leaks = multicastAllFindings(seen.views, held);
    const said = [...leaks, ...guessFindings(seen.views, held, leaks)];
    findings.push(...said);
    const open = undecidedPorts(seen.views, held, said);
    findings.push(...await joinAnyFindings(p, ctx.inventory.interfaces));
    return {
      findings,
      ...(open.length > 0 ? { gaps: [leakGap(open, seen.notPeeked, seen.peekWhy)] } : {}),
      details: {
        igmpMaxMemberships: maxMemberships, igmpMaxMsf: maxMsf,
        routableGroupsJoined: held.map((h) => `${h.iface} ${h.group}`), udpSockets: sockets.length,
        multicastAll: {
          ...(open.length > 0 ? { undecidedPorts: open } : {}),
          socketsExamined: seen.views.length, membershipsRead: seen.peeked, membershipsNotRead: seen.notPeeked,
          ...(seen.peekWhy ? { why: seen.peekWhy } : {}),
        },
      },
    };
  },
};

/** The leak question left open on these ports (multicast-all.ts undecidedPorts), as a coverage gap. */
function leakGap(ports: readonly number[], unread: number, why: string | undefined): NotRun {
  const list = ports.slice(0, 8).join(', ') + (ports.length > 8 ? ` and ${ports.length - 8} more` : '');
  return {
    check: 'sockets: IP_MULTICAST_ALL leaks',
    reason: `on UDP port${ports.length > 1 ? 's' : ''} ${list} a socket bound to the wildcard address may receive groups `
      + 'another socket there joined, '
      + `but the memberships of ${unread} socket${unread === 1 ? '' : 's'} could not be read: ${why ?? 'not visible'}`,
    remedy: 'run doctor as root (CAP_SYS_PTRACE: each socket\'s memberships are read with getsockopt on a pidfd_getfd duplicate)',
  };
}
