// The socket door the core depends on: what Node's dgram lacks (membership by ifindex,
// SO_BINDTODEVICE, IP_MULTICAST_ALL, IP_MULTICAST_IF by index, sendmmsg). src/platform/sockets/
// linux.ts implements it over libc with koffi; test/helpers/fake-sockets.ts fakes it.
// Every method throws SocketError on failure (errno as a Node-style code).
import type { Family } from '../../core/kernel/ip.js';

export type Fd = number;

export interface MembershipRequest {
  family: Family;
  group: string;
  ifindex: number;
  /** Source-specific (SSM) join: MCAST_JOIN_SOURCE_GROUP. */
  source?: string;
}

export interface RemoteInfo {
  address: string;
  port: number;
  size: number;
}

export interface Receiver {
  close(): void;
  /**
   * Reads now what the kernel has queued on the socket (bounded), and returns how many datagrams.
   * At the end of a run, before close: a timer that ends the run fires before the poll phase that
   * would read what arrived in time (always so after a stall: SIGSTOP, a loaded machine).
   */
  drain(): number;
  /** Datagrams the kernel dropped on this socket (receive buffer full): SO_MEMINFO / SO_RXQ_OVFL. */
  drops(): number;
}

/** One received datagram with the kernel's ancillary data. Reused: valid during the callback only. */
export interface Datagram {
  /** The payload (at most the receive slot: 2048 bytes; `size` is the datagram's real length). */
  data: Buffer;
  size: number;
  from: RemoteInfo;
  /** Destination address the kernel delivered it to (IP_PKTINFO / IPV6_PKTINFO); '' if absent. */
  dst: string;
  /** Arrival interface index (PKTINFO); 0 if absent. */
  ifindex: number;
  /** Received TTL / hop limit (IP_RECVTTL / IPV6_RECVHOPLIMIT); -1 if absent. */
  ttl: number;
}

export interface BatchSender {
  /** The payload slots: Buffers over native memory, `size` bytes each; fill and stamp, then send(n). */
  readonly slots: readonly Buffer[];
  /**
   * sendmmsg(2) of the first n slots with MSG_DONTWAIT. Returns how many the kernel took (0 when
   * the socket buffer is full: EAGAIN / ENOBUFS, try again later). Throws SocketError otherwise.
   */
  send(n: number): number;
  /** Releases the native memory (not the socket). */
  free(): void;
}

export interface BatchOptions {
  family: Family;
  dst: string;
  port: number;
  /** Messages per sendmmsg call (at most 1024, UIO_MAXIOV). */
  slots: number;
  /** Payload bytes of every message. */
  size: number;
}

export interface SocketApi {
  /** A UDP socket (SOCK_DGRAM | SOCK_CLOEXEC). */
  udp(family: Family): Fd;
  close(fd: Fd): void;
  /** SO_REUSEADDR and SO_REUSEPORT: several sockets (one per interface, per membership chunk) on one port. */
  reuse(fd: Fd): void;
  /** SO_BINDTODEVICE: only packets that arrived on ifname reach this socket. */
  bindToDevice(fd: Fd, ifname: string): void;
  bind(fd: Fd, family: Family, address: string, port: number): void;
  /** IPV6_V6ONLY. */
  v6only(fd: Fd, on: boolean): void;
  /** IP_MULTICAST_ALL / IPV6_MULTICAST_ALL: off = only groups joined on this socket arrive. */
  multicastAll(fd: Fd, family: Family, on: boolean): void;
  /** IP_ADD_MEMBERSHIP (ip_mreqn by index), IPV6_JOIN_GROUP, or MCAST_JOIN_SOURCE_GROUP. */
  join(fd: Fd, req: MembershipRequest): void;
  leave(fd: Fd, req: MembershipRequest): void;
  /** IP_MULTICAST_IF (ip_mreqn by index) / IPV6_MULTICAST_IF. */
  multicastIf(fd: Fd, family: Family, ifindex: number): void;
  /** IP_MULTICAST_TTL / IPV6_MULTICAST_HOPS. */
  multicastTtl(fd: Fd, family: Family, ttl: number): void;
  /** IP_MULTICAST_LOOP / IPV6_MULTICAST_LOOP. */
  multicastLoop(fd: Fd, family: Family, on: boolean): void;
  /** SO_SNDBUF (the kernel doubles it, capped by net.core.wmem_max). */
  sendBuffer(fd: Fd, bytes: number): void;
  /** SO_RCVBUF (capped by net.core.rmem_max). */
  receiveBuffer(fd: Fd, bytes: number): void;
  batchSender(fd: Fd, opts: BatchOptions): BatchSender;
  /**
   * Turns on PKTINFO, the received TTL and SO_RXQ_OVFL, and calls onDatagram for each datagram
   * (recvmmsg batches, src/platform/sockets/recv.ts). The receiver owns the fd: close() closes it.
   */
  receive(fd: Fd, family: Family, onDatagram: (d: Datagram) => void, onError: (e: Error) => void): Receiver;
}
