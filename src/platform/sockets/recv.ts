// The receive path (issue 18): recvmmsg(2) on the socket's own fd, with the kernel's ancillary
// data for every datagram: the destination address and arrival ifindex (IP_PKTINFO /
// IPV6_PKTINFO), the received TTL / hop limit, and SO_RXQ_OVFL (datagrams the kernel dropped on
// this socket so far). libuv's dgram gives none of these.
//
// Readiness: one epoll set for the process, waited on by ONE koffi async call at a time (a
// worker thread, 100 ms timeout so that a stop is seen); when it returns, every ready socket is
// drained on the main thread with non-blocking recvmmsg batches. Level-triggered: a socket left
// with data (MAX_ROUNDS reached, to keep the event loop responsive) is reported again at once.
// One preallocated native block per socket (recv-block.ts) holds the headers, names, control and
// payload slots: the hot path allocates nothing but the strings it hands out (cached per address).
import { SocketError } from './errno.js';
import { allocNative, freeNative, lastErrno, type Libc, type NativeBlock } from './libc.js';
import type { Datagram, Fd, Receiver } from './types.js';
import type { ControlInfo } from './cmsg.js';
import { BLOCK_SIZE, VLEN, linkHeaders, messageLength, readDatagram } from './recv-block.js';

const SOL_SOCKET = 1;
const SO_MEMINFO = 55;

const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
const EAGAIN = 11;
const EINTR = 4;
const EPOLLIN = 1;
const EPOLL_CTL_ADD = 1;
const EPOLL_CTL_DEL = 2;
const EPOLL_CLOEXEC = 0o2000000;
/** recvmmsg calls per socket per wake-up before the event loop gets a turn. */
const MAX_ROUNDS = 32;
const WAIT_MS = 100;
const MAX_EVENTS = 64;

interface Entry {
  fd: Fd;
  drain(): void;
}

/** The process-wide epoll set and its one waiting call. */
class Poller {
  private epfd = -1;
  private readonly entries = new Map<Fd, Entry>();
  private waiting = false;
  private events: NativeBlock | undefined;
  private readonly ev = Buffer.alloc(12);

  constructor(private readonly c: Libc) {}

  add(e: Entry): void {
    if (this.epfd < 0) {
      this.epfd = this.c.epoll_create1(EPOLL_CLOEXEC);
      if (this.epfd < 0) throw new SocketError('epoll_create1', lastErrno());
      this.events = allocNative(12 * MAX_EVENTS);
    }
    // struct epoll_event is packed on x86_64: u32 events, u64 data (here: the fd).
    this.ev.writeUInt32LE(EPOLLIN, 0);
    this.ev.writeBigUInt64LE(BigInt(e.fd), 4);
    if (this.c.epoll_ctl(this.epfd, EPOLL_CTL_ADD, e.fd, this.ev) < 0) throw new SocketError('epoll_ctl', lastErrno());
    this.entries.set(e.fd, e);
    this.arm();
  }

  remove(fd: Fd): void {
    if (!this.entries.delete(fd)) return;
    this.c.epoll_ctl(this.epfd, EPOLL_CTL_DEL, fd, this.ev);
  }

  private arm(): void {
    if (this.waiting || this.entries.size === 0 || !this.events) return;
    this.waiting = true;
    const events = this.events;
    this.c.epoll_wait.async(this.epfd, events.ptr, MAX_EVENTS, WAIT_MS, (_err: unknown, n: number) => {
      this.waiting = false;
      for (let i = 0; i < n; i++) {
        const fd = Number(events.buf.readBigUInt64LE(i * 12 + 4));
        this.entries.get(fd)?.drain();
      }
      this.arm();
    });
  }
}

let poller: Poller | undefined;

/**
 * Calls `drain` on the main thread whenever `fd` is readable, through the process's one epoll
 * wait (also used by the packet socket of platform/capture/packet-socket.ts). Returns the stop.
 */
export function watchReadable(c: Libc, fd: Fd, drain: () => void): () => void {
  poller ??= new Poller(c);
  poller.add({ fd, drain });
  return () => poller?.remove(fd);
}

/**
 * Starts receiving on a bound UDP socket whose PKTINFO/TTL/RXQ_OVFL options are set. onDatagram
 * gets one reused Datagram: its fields and data are valid during the call only.
 */
export function startReceiver(c: Libc, fd: Fd, family: 4 | 6, onDatagram: (d: Datagram) => void, onError: (e: Error) => void): Receiver {
  const block = allocNative(BLOCK_SIZE);
  linkHeaders(block.buf, block.base);
  const b = block.buf;
  const d: Datagram = { data: b.subarray(0, 0), size: 0, from: { address: '', port: 0, size: 0 }, dst: '', ifindex: 0, ttl: -1 };
  const ctl: ControlInfo = { dst: '', ifindex: 0, ttl: -1, overflow: -1 };
  let overflow = 0;
  let closed = false;

  /** Up to MAX_ROUNDS batches; how many datagrams, and whether the queue is empty now. */
  const drainRounds = (): { read: number; empty: boolean } => {
    let read = 0;
    for (let round = 0; round < MAX_ROUNDS && !closed; round++) {
      const n = c.recvmmsg(fd, block.ptr, VLEN, MSG_DONTWAIT | MSG_TRUNC, null);
      if (n < 0) {
        const errno = lastErrno();
        if (errno !== EAGAIN && errno !== EINTR) onError(new SocketError('recvmmsg', errno));
        return { read, empty: true };
      }
      for (let i = 0; i < n && !closed; i++) {
        readDatagram(b, i, messageLength(b, i), family, d, ctl);
        if (ctl.overflow > overflow) overflow = ctl.overflow;
        onDatagram(d);
      }
      read += n;
      if (n < VLEN) return { read, empty: true };
    }
    return { read, empty: closed };
  };
  const unwatch = watchReadable(c, fd, () => { drainRounds(); });
  const meminfo = Buffer.alloc(4 * 9);
  const mlen = Buffer.alloc(4);
  const readDrops = (): number => {
    const n = socketDrops(c, fd, meminfo, mlen);
    if (n > overflow) overflow = n;
    return overflow;
  };
  return {
    drain: () => drainAll(drainRounds, () => closed),
    close: () => {
      if (closed) return;
      readDrops();
      closed = true;
      unwatch();
      c.close(fd);
      // The block may still be read by a drain already running on this turn: free it after.
      setImmediate(() => freeNative(block));
    },
    drops: () => (closed ? overflow : readDrops()),
  };
}

/**
 * Reads until the queue is empty (before close, at the end of a run). A receive buffer holds at
 * most rmem_max bytes: a few hundred thousand small datagrams at the very most; 64 x MAX_ROUNDS x
 * VLEN bounds the final read even so.
 */
function drainAll(drainRounds: () => { read: number; empty: boolean }, closed: () => boolean): number {
  let read = 0;
  for (let i = 0; i < 64 && !closed(); i++) {
    const r = drainRounds();
    read += r.read;
    if (r.empty) break;
  }
  return read;
}

/**
 * SO_MEMINFO's SK_MEMINFO_DROPS (index 8): the socket's drops now, not as of the last datagram
 * (SO_RXQ_OVFL only arrives with a datagram). -1 when the kernel does not say.
 */
function socketDrops(c: Libc, fd: Fd, meminfo: Buffer, mlen: Buffer): number {
  mlen.writeUInt32LE(meminfo.length, 0);
  if (c.getsockopt(fd, SOL_SOCKET, SO_MEMINFO, meminfo, mlen) === 0 && mlen.readUInt32LE(0) >= 36) return meminfo.readUInt32LE(32);
  return -1;
}
