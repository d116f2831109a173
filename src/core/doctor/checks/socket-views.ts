// Gathers what the kernel shows of the UDP sockets that could leak (multicast-all.ts): the ports
// with a wildcard-bound socket beside another socket, their owners (/proc/PID/fd), their
// IP_MULTICAST_ALL (sock_diag, or getsockopt on a duplicate) and, where ptrace rights allow, their
// memberships of the groups the host holds. Bounded: a host with thousands of sockets is cut.
import type { AccountingPlatform } from '../../../platform/accounting/types.js';
import type { MembershipProbe } from '../../../platform/accounting/peek.js';
import type { UdpSocket } from '../../../platform/procfs/udp.js';
import type { Interface } from '../../kernel/interfaces.js';
import type { HeldGroup, SocketView } from './multicast-all.js';

/** Sockets examined at most (each may cost one pidfd_getfd and a getsockopt per held group). */
const MAX_SOCKETS = 128;

/** Groups the kernel joins by itself (all-hosts, all-nodes, solicited-node...): no program's stream. */
export function kernelOwnGroup(g: string): boolean {
  const x = g.toLowerCase();
  return g === '224.0.0.1' || x === 'ff01::1' || x === 'ff02::1' || x === 'ff02::2' || x.startsWith('ff02::1:ff');
}

export function heldGroups(interfaces: readonly Interface[]): HeldGroup[] {
  return interfaces.flatMap((i) => i.groups.filter((g) => !kernelOwnGroup(g.group))
    .map((g) => ({ family: g.family, group: g.group, iface: i.name, ifindex: i.index })));
}

/** Sockets on a port shared by a wildcard-bound socket and at least one other. */
export function candidates(all: readonly UdpSocket[]): UdpSocket[] {
  const byPort = new Map<number, UdpSocket[]>();
  for (const s of all) byPort.set(s.localPort, [...(byPort.get(s.localPort) ?? []), s]);
  const wild = (s: UdpSocket): boolean => s.localAddress === '0.0.0.0' || s.localAddress === '::';
  return [...byPort.values()].filter((l) => l.length >= 2 && l.some(wild)).flat().slice(0, MAX_SOCKETS);
}

export interface ViewsResult {
  views: SocketView[];
  /** Sockets whose memberships were read / could not be read (and the first reason). */
  peeked: number;
  notPeeked: number;
  peekWhy?: string;
}

export async function socketViews(
  all: readonly UdpSocket[], held: readonly HeldGroup[], acc: AccountingPlatform | undefined,
): Promise<ViewsResult> {
  const list = candidates(all);
  if (list.length === 0) return { views: [], peeked: 0, notPeeked: 0 };
  const [owners, opts] = await Promise.all([
    acc ? acc.owners(new Set(list.map((s) => s.inode))) : undefined,
    acc?.sockopts ? acc.sockopts().catch(() => undefined) : undefined,
  ]);
  let peeked = 0;
  let notPeeked = 0;
  let peekWhy: string | undefined;
  const views: SocketView[] = [];
  for (const s of list) {
    const own = owners?.owners.get(s.inode) ?? [];
    const o = opts?.get(s.inode);
    const v: SocketView = {
      family: s.family, localAddress: s.localAddress, localPort: s.localPort, inode: s.inode,
      owners: own.map((x) => ({ pid: x.pid, comm: x.comm })),
      mcAll: o ? { 4: o.mcAll } : {}, mcAllFrom: o ? 'sock_diag' : 'default',
      ...(o?.v6only !== undefined ? { v6only: o.v6only } : {}),
    };
    const first = own[0];
    if (!first || !acc?.peek) {
      // Without its owner there is no descriptor to duplicate: its memberships stay unseen.
      notPeeked++;
      peekWhy ??= !acc?.peek ? 'this platform cannot read another process\'s socket'
        : owners?.complete === false ? 'the owner scan ran out of its descriptor budget'
        : 'the owning process is not visible (another process\'s /proc/PID/fd needs ptrace rights: root or CAP_SYS_PTRACE; '
          + 'or it is in another PID namespace)';
    } else {
      const probes: MembershipProbe[] = held.filter((h) => h.family === s.family || (h.family === 4 && s.localAddress === '::'))
        .map((h) => ({ family: h.family, group: h.group, ifindex: h.ifindex }));
      const r = await acc.peek(first.pid, first.fd, s.inode, probes)
        .catch((e: Error) => ({ ok: false as const, errno: 0, why: e.message }));
      if (r.ok) {
        peeked++;
        v.mcAll = { 4: r.mcAll, ...(r.mcAll6 !== undefined ? { 6: r.mcAll6 } : {}) };
        v.mcAllFrom = 'getsockopt';
        v.joined = new Set(probes.filter((_, i) => r.joined[i] === true).map((p) => `${p.group}%${p.ifindex}`));
      } else {
        notPeeked++;
        peekWhy ??= r.why;
      }
    }
    views.push(v);
  }
  return { views, peeked, notPeeked, ...(peekWhy ? { peekWhy } : {}) };
}
