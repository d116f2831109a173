// Another process's socket, read through a duplicate of its descriptor: pidfd_open(2) +
// pidfd_getfd(2) (Linux 5.6+; needs ptrace rights over the process: root or CAP_SYS_PTRACE, and
// Yama's ptrace_scope below 3). Only getsockopt is called on the duplicate, then it is closed: the
// owner's socket is untouched. This is how the memberships of one socket become visible, which
// no /proc file shows (/proc/net/igmp counts users per interface): getsockopt(MCAST_MSFILTER)
// for a group and interface answers the filter mode when THIS socket joined it there, and
// EADDRNOTAVAIL when it did not (net/ipv4/igmp.c ip_mc_gsfget "must have a prior join";
// net/ipv6/mcast.c ip6_mc_msfget the same).
import { readlinkSync } from 'node:fs';
import type { Family } from '../../core/kernel/ip.js';
import { ipv4ToInt, ipv6ToBytes } from '../../core/kernel/ip.js';

export interface MembershipProbe {
  family: Family;
  group: string;
  ifindex: number;
}

export type PeekResult =
  | {
    ok: true;
    /** IP_MULTICAST_ALL (and IPV6_MULTICAST_ALL on an IPv6 socket). */
    mcAll: boolean;
    mcAll6?: boolean;
    /** Per probe: true joined, false not joined, undefined the kernel would not say. */
    joined: Array<boolean | undefined>;
  }
  | { ok: false; errno: number; why: string };

const SYS_PIDFD_OPEN = 434;
const SYS_PIDFD_GETFD = 438;
const IPPROTO_IP = 0;
const IPPROTO_IPV6 = 41;
const IP_MULTICAST_ALL = 49;
const IPV6_MULTICAST_ALL = 29;
const MCAST_MSFILTER = 48;
const EADDRNOTAVAIL = 99;
/** struct group_filter with room for one source: gf_interface, gf_group (sockaddr_storage at 8), fmode, numsrc, slist. */
const GROUP_FILTER_BYTES = 272;
/** Probes per socket at most (groups x interfaces held on the host). */
const MAX_PROBES = 512;

const WHY: Record<number, string> = {
  1: 'not permitted (ptrace rights over the process are needed: root or CAP_SYS_PTRACE)',
  3: 'the process is gone',
  9: 'the descriptor is closed',
  38: 'the kernel has no pidfd_getfd (Linux 5.6+)',
};

export async function peekSocket(pid: number, fd: number, inode: number, probes: readonly MembershipProbe[]): Promise<PeekResult> {
  const { loadLibc, lastErrno } = await import('../sockets/libc.js');
  const c = loadLibc();
  const fail = (): PeekResult => { const e = lastErrno(); return { ok: false, errno: e, why: WHY[e] ?? `errno ${e}` }; };
  const pidfd = Number(c.syscall(SYS_PIDFD_OPEN, 'int', pid, 'unsigned int', 0));
  if (pidfd < 0) return fail();
  try {
    const dup = Number(c.syscall(SYS_PIDFD_GETFD, 'int', pidfd, 'int', fd, 'unsigned int', 0));
    if (dup < 0) return fail();
    try {
      // The descriptor may have been closed and reused since /proc/PID/fd was read.
      if (readlinkSync(`/proc/self/fd/${dup}`) !== `socket:[${inode}]`) return { ok: false, errno: 9,
        why: 'the descriptor now holds another file' };
      const int = Buffer.alloc(4);
      const len = Buffer.alloc(4);
      const getInt = (level: number, name: number): number | undefined => {
        len.writeUInt32LE(4, 0);
        return c.getsockopt(dup, level, name, int, len) === 0 ? int.readInt32LE(0) : undefined;
      };
      const mcAll = getInt(IPPROTO_IP, IP_MULTICAST_ALL);
      if (mcAll === undefined) return fail();
      const mcAll6 = getInt(IPPROTO_IPV6, IPV6_MULTICAST_ALL);
      const gf = Buffer.alloc(GROUP_FILTER_BYTES);
      const joined = probes.slice(0, MAX_PROBES).map((p): boolean | undefined => {
        gf.fill(0);
        gf.writeUInt32LE(p.ifindex, 0);
        if (p.family === 4) {
          gf.writeUInt16LE(2, 8); // AF_INET
          gf.writeUInt32BE(ipv4ToInt(p.group), 12);
        } else {
          gf.writeUInt16LE(10, 8); // AF_INET6
          Buffer.from(ipv6ToBytes(p.group)).copy(gf, 16);
        }
        len.writeUInt32LE(GROUP_FILTER_BYTES, 0);
        if (c.getsockopt(dup, p.family === 4 ? IPPROTO_IP : IPPROTO_IPV6, MCAST_MSFILTER, gf, len) === 0) return true;
        return lastErrno() === EADDRNOTAVAIL ? false : undefined;
      });
      return { ok: true, mcAll: mcAll !== 0, ...(mcAll6 !== undefined ? { mcAll6: mcAll6 !== 0 } : {}), joined };
    } finally {
      c.close(dup);
    }
  } finally {
    c.close(pidfd);
  }
}
