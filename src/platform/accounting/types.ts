// The accounting door the trace core receives: the namespace's counters, its UDP sockets with
// their owners and buffers, and the kernel's drop reasons. linux.ts implements it; unit tests fake it.
import type { UdpSocket } from '../procfs/udp.js';
import type { FlatCounters } from './counters.js';
import type { SkMem } from './skmem.js';
import type { OwnerScan } from './socket-owners.js';
import type { DropTraceOpen } from './tracefs.js';
import type { SockOpts } from './sockopt.js';
import type { MembershipProbe, PeekResult } from './peek.js';

export interface AccountingPlatform {
  counters(): Promise<FlatCounters>;
  udpSockets(): Promise<UdpSocket[]>;
  /** Owners of these socket inodes (/proc/PID/fd). */
  owners(inodes: ReadonlySet<number>): Promise<OwnerScan>;
  /** SO_RCVBUF and friends by inode (sock_diag through ss), undefined when unavailable. */
  skmem(): Promise<Map<number, SkMem> | undefined>;
  /** IP_MULTICAST_ALL by inode (sock_diag through ss --inet-sockopt), undefined when unavailable. */
  sockopts?(): Promise<Map<number, SockOpts> | undefined>;
  /** One socket of another process read through a duplicate (pidfd_getfd): IP_MULTICAST_ALL and memberships. */
  peek?(pid: number, fd: number, inode: number, probes: readonly MembershipProbe[]): Promise<PeekResult>;
  /** Starts the drop-reason trace, or says why not. */
  openDropReasons(): DropTraceOpen;
}
