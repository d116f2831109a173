// One AF_PACKET socket for every interface (issue 19 item 8): doctor's self-test used to open a
// libpcap capture per interface, and each one cost the kernel RCU grace periods (synchronize_net
// in packet_set_ring when the ring is set up, in packet_release when it is closed): ~49 ms a
// socket, 15 s of setsockopt(PACKET_RX_RING) and ~10 s of exit at 300 interfaces. Here:
//
// - one socket, SOCK_DGRAM (packets start at the IP header whatever the link type), bound with
//   ifindex 0 (every interface) and ETH_P_IP: sockaddr_ll names each packet's arrival interface
//   and direction;
// - created with protocol 0, so that nothing is queued before the filter is attached; the bind
//   then hooks it into the receive path (no grace period: there was no hook to remove);
// - a classic BPF filter (bpf.ts) so that only UDP to the one group:port is queued at all;
// - no mmap ring: the probes are 20 per interface, read with recvmmsg(2) as they come through
//   the process's one epoll wait (sockets/recv.ts watchReadable), never blocking the event loop.
import { EnvironmentError } from '../../core/errors.js';
import { PRIVILEGE_FIX } from '../../core/privilege-hint.js';
import { ipv4ToInt } from '../../core/kernel/ip.js';
import { SocketError } from '../sockets/errno.js';
import { allocNative, freeNative, lastErrno, loadLibc, type Libc } from '../sockets/libc.js';
import { watchReadable } from '../sockets/recv.js';
import { BLOCK_SIZE, CTL, NAME, NAME_OFF, PAY_OFF, SLOT, VLEN, linkHeaders, messageLength } from '../sockets/recv-block.js';
import { SIZEOF_MMSGHDR, SOCK_CLOEXEC, SOCK_DGRAM, SOL_SOCKET, SO_RCVBUF } from '../sockets/constants.js';
import { encodeProgram, udpDestinationFilter } from './bpf.js';
import { AF_PACKET, ETH_P_IP, decodeSockaddrLl, encodeSockaddrLl, type LinkAddress } from './sockaddr-ll.js';
import type { ArrivalListener, ArrivalStats, IpArrival, PacketSockets, UdpArrivalFilter } from './packet-types.js';

const SO_ATTACH_FILTER = 26;
/** SO_RCVBUF past net.core.rmem_max (CAP_NET_ADMIN); plain SO_RCVBUF when refused. */
const SO_RCVBUFFORCE = 33;
const SOL_PACKET = 263;
const PACKET_STATISTICS = 6;
const MSG_DONTWAIT = 0x40;
const MSG_TRUNC = 0x20;
const EAGAIN = 11;
const EINTR = 4;
const EPERM = 1;
const EACCES = 13;
/** Room for a burst from every interface at once (~1 KiB of kernel memory a small packet). */
const RCVBUF = 8 << 20;
/** recvmmsg calls per wake-up before the event loop gets a turn. */
const MAX_ROUNDS = 16;

/** socket(2) refused for want of CAP_NET_RAW: the typed error every capture gives. */
function openError(e: SocketError): Error {
  if (e.errno === EPERM || e.errno === EACCES) {
    return new EnvironmentError('PERMISSION', `capturing on every interface needs CAP_NET_RAW (${e.message})`,
      { errno: e.code, hint: PRIVILEGE_FIX }, { cause: e });
  }
  return new EnvironmentError('CAPTURE_OPEN', `cannot open the packet socket: ${e.message}`, { errno: e.code }, { cause: e });
}

function setopt(c: Libc, fd: number, level: number, name: number, value: Buffer, op: string): void {
  if (c.setsockopt(fd, level, name, value, value.length) < 0) throw new SocketError(`setsockopt(${op})`, lastErrno());
}

/** SO_ATTACH_FILTER: struct sock_fprog { u16 len; (pad) struct sock_filter *filter; }; the kernel copies it. */
function attachFilter(c: Libc, fd: number, program: Buffer): void {
  const native = allocNative(program.length);
  try {
    program.copy(native.buf);
    const fprog = Buffer.alloc(16);
    fprog.writeUInt16LE(program.length / 8, 0);
    fprog.writeBigUInt64LE(native.base, 8);
    setopt(c, fd, SOL_SOCKET, SO_ATTACH_FILTER, fprog, 'SO_ATTACH_FILTER');
  } finally {
    freeNative(native);
  }
}

function receiveBuffer(c: Libc, fd: number): void {
  const v = Buffer.alloc(4);
  v.writeInt32LE(RCVBUF);
  if (c.setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, v, 4) < 0) c.setsockopt(fd, SOL_SOCKET, SO_RCVBUF, v, 4);
}

/** The socket, filtered and bound; closed again if any step fails. */
function openSocket(c: Libc, f: UdpArrivalFilter, snaplen: number): number {
  const fd = c.socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw openError(new SocketError('socket(AF_PACKET)', lastErrno()));
  try {
    attachFilter(c, fd, encodeProgram(udpDestinationFilter(ipv4ToInt(f.group), f.port, snaplen)));
    receiveBuffer(c, fd);
    const sll = encodeSockaddrLl(ETH_P_IP, 0);
    if (c.bind(fd, sll, sll.length) < 0) throw new SocketError('bind(AF_PACKET)', lastErrno());
    return fd;
  } catch (e) {
    c.close(fd);
    throw e instanceof SocketError ? openError(e) : e;
  }
}

class UdpArrivals implements ArrivalListener {
  private readonly block = allocNative(BLOCK_SIZE);
  private readonly link: LinkAddress = { ifindex: 0, pktType: 0, protocol: 0, ownSend: false };
  private readonly arrival: IpArrival = { ifindex: 0, data: Buffer.alloc(0) };
  private readonly unwatch: () => void;
  private readonly counted: ArrivalStats = { received: 0, dropped: 0 };
  private readonly statsBuf = Buffer.alloc(8);
  private readonly statsLen = Buffer.alloc(4);
  private closed = false;

  constructor(private readonly c: Libc, private readonly fd: number, private readonly snaplen: number,
    private readonly onArrival: (p: IpArrival) => void, private readonly onError: (e: Error) => void) {
    linkHeaders(this.block.buf, this.block.base);
    this.unwatch = watchReadable(c, fd, () => { this.rounds(MAX_ROUNDS); });
  }

  /** Up to `max` recvmmsg batches; how many packets were read. */
  private rounds(max: number): number {
    let read = 0;
    for (let round = 0; round < max && !this.closed; round++) {
      const n = this.c.recvmmsg(this.fd, this.block.ptr, VLEN, MSG_DONTWAIT | MSG_TRUNC, null);
      if (n < 0) {
        const errno = lastErrno();
        if (errno !== EAGAIN && errno !== EINTR) this.onError(new SocketError('recvmmsg(AF_PACKET)', errno));
        return read;
      }
      for (let i = 0; i < n && !this.closed; i++) this.deliver(i);
      read += n;
      if (n < VLEN) break;
    }
    return read;
  }

  private deliver(i: number): void {
    const b = this.block.buf;
    const m = i * SIZEOF_MMSGHDR;
    const known = decodeSockaddrLl(b, NAME_OFF + i * NAME, b.readUInt32LE(m + 8), this.link);
    // The kernel rewrote these: reset for the next call (no control data is asked for).
    b.writeUInt32LE(NAME, m + 8);
    b.writeBigUInt64LE(BigInt(CTL), m + 40);
    if (!known || this.link.ownSend) return;
    // msg_len: the bytes the kernel kept (the filter cut the packet at snaplen).
    const pay = PAY_OFF + i * SLOT;
    this.arrival.ifindex = this.link.ifindex;
    this.arrival.data = b.subarray(pay, pay + Math.min(messageLength(b, i), this.snaplen, SLOT));
    this.onArrival(this.arrival);
  }

  drain(): number {
    // Bounded: the receive buffer holds at most RCVBUF bytes of packets.
    return this.rounds(256);
  }

  /** PACKET_STATISTICS resets the kernel's counters on every read: they are summed here. */
  stats(): ArrivalStats {
    if (this.closed) return { ...this.counted };
    this.statsLen.writeUInt32LE(8, 0);
    if (this.c.getsockopt(this.fd, SOL_PACKET, PACKET_STATISTICS, this.statsBuf, this.statsLen) === 0) {
      this.counted.received += this.statsBuf.readUInt32LE(0);
      this.counted.dropped += this.statsBuf.readUInt32LE(4);
    }
    return { ...this.counted };
  }

  close(): void {
    if (this.closed) return;
    this.stats();
    this.closed = true;
    this.unwatch();
    this.c.close(this.fd);
    // A drain already running on this turn may still read the block: free it after.
    const block = this.block;
    setImmediate(() => freeNative(block));
  }
}

export class LinuxPacketSockets implements PacketSockets {
  constructor(private readonly c: Libc = loadLibc()) {}

  listenUdp(f: UdpArrivalFilter, onArrival: (p: IpArrival) => void, onError: (e: Error) => void): ArrivalListener {
    const snaplen = Math.min(f.snaplen ?? 512, SLOT);
    return new UdpArrivals(this.c, openSocket(this.c, f, snaplen), snaplen, onArrival, onError);
  }
}

/** The process's packet sockets (koffi loads on first use: reached only by a dynamic import). */
export function packetSockets(): PacketSockets {
  return new LinuxPacketSockets();
}
