// SocketApi over libc (koffi). Each call is one syscall; a failure throws SocketError with the
// errno read right after it. Receiving is recvmmsg on the fd itself (recv.ts).
import type { Family } from '../../core/kernel/ip.js';
import * as C from './constants.js';
import { check, loadLibc, type Libc } from './libc.js';
import { makeBatchSender } from './batch.js';
import { groupSourceReq, int32, ipMreqn, ipv6Mreq, sockaddr } from './sockaddr.js';
import { ipv4ToInt } from '../../core/kernel/ip.js';
import type { BatchOptions, Datagram, Fd, MembershipRequest, Receiver, SocketApi } from './types.js';
import { startReceiver } from './recv.js';

const v4 = (f: Family): boolean => f === 4;

export class LinuxSockets implements SocketApi {
  private readonly c: Libc;
  /**
   * One ip_mreqn for every IPv4 join and leave: setsockopt copies it before returning, and
   * join-all makes thousands of these calls, where a Buffer each was garbage to collect (issue 9).
   */
  private readonly mreqn = Buffer.alloc(C.SIZEOF_IP_MREQN);

  constructor(libc: Libc = loadLibc()) {
    this.c = libc;
  }

  private opt(fd: Fd, level: number, name: number, value: Buffer, op: string): void {
    // The op text is built only on failure: join-all makes thousands of these calls (issue 9).
    const rc = this.c.setsockopt(fd, level, name, value, value.length);
    if (rc < 0) check(`setsockopt(${op})`, rc);
  }

  udp(family: Family): Fd {
    return check('socket', this.c.socket(v4(family) ? C.AF_INET : C.AF_INET6, C.SOCK_DGRAM | C.SOCK_CLOEXEC, C.IPPROTO_UDP));
  }

  close(fd: Fd): void {
    this.c.close(fd);
  }

  reuse(fd: Fd): void {
    this.opt(fd, C.SOL_SOCKET, C.SO_REUSEADDR, int32(1), 'SO_REUSEADDR');
    this.opt(fd, C.SOL_SOCKET, C.SO_REUSEPORT, int32(1), 'SO_REUSEPORT');
  }

  bindToDevice(fd: Fd, ifname: string): void {
    this.opt(fd, C.SOL_SOCKET, C.SO_BINDTODEVICE, Buffer.from(`${ifname}\0`), 'SO_BINDTODEVICE');
  }

  bind(fd: Fd, family: Family, address: string, port: number): void {
    const sa = sockaddr(family, address, port);
    check('bind', this.c.bind(fd, sa, sa.length));
  }

  v6only(fd: Fd, on: boolean): void {
    this.opt(fd, C.IPPROTO_IPV6, C.IPV6_V6ONLY, int32(on ? 1 : 0), 'IPV6_V6ONLY');
  }

  multicastAll(fd: Fd, family: Family, on: boolean): void {
    if (v4(family)) this.opt(fd, C.IPPROTO_IP, C.IP_MULTICAST_ALL, int32(on ? 1 : 0), 'IP_MULTICAST_ALL');
    else this.opt(fd, C.IPPROTO_IPV6, C.IPV6_MULTICAST_ALL, int32(on ? 1 : 0), 'IPV6_MULTICAST_ALL');
  }

  join(fd: Fd, r: MembershipRequest): void {
    this.membership(fd, r, true);
  }

  leave(fd: Fd, r: MembershipRequest): void {
    this.membership(fd, r, false);
  }

  private membership(fd: Fd, r: MembershipRequest, add: boolean): void {
    if (r.source !== undefined) {
      // RFC 3678 protocol-independent API: by ifindex for both families.
      const level = v4(r.family) ? C.IPPROTO_IP : C.IPPROTO_IPV6;
      const name = add ? C.MCAST_JOIN_SOURCE_GROUP : C.MCAST_LEAVE_SOURCE_GROUP;
      this.opt(fd, level, name, groupSourceReq(r.family, r.group, r.source, r.ifindex),
        add ? 'MCAST_JOIN_SOURCE_GROUP' : 'MCAST_LEAVE_SOURCE_GROUP');
    } else if (v4(r.family)) {
      const m = this.mreqn;
      m.writeUInt32BE(ipv4ToInt(r.group), 0);
      m.writeUInt32BE(0, 4); // imr_address: none, the index decides
      m.writeInt32LE(r.ifindex, 8);
      this.opt(fd, C.IPPROTO_IP, add ? C.IP_ADD_MEMBERSHIP : C.IP_DROP_MEMBERSHIP, m, add ? 'IP_ADD_MEMBERSHIP' : 'IP_DROP_MEMBERSHIP');
    } else {
      this.opt(fd, C.IPPROTO_IPV6, add ? C.IPV6_JOIN_GROUP : C.IPV6_LEAVE_GROUP, ipv6Mreq(r.group, r.ifindex),
        add ? 'IPV6_JOIN_GROUP' : 'IPV6_LEAVE_GROUP');
    }
  }

  multicastIf(fd: Fd, family: Family, ifindex: number): void {
    if (v4(family)) this.opt(fd, C.IPPROTO_IP, C.IP_MULTICAST_IF, ipMreqn('0.0.0.0', ifindex), 'IP_MULTICAST_IF');
    else this.opt(fd, C.IPPROTO_IPV6, C.IPV6_MULTICAST_IF, int32(ifindex), 'IPV6_MULTICAST_IF');
  }

  multicastTtl(fd: Fd, family: Family, ttl: number): void {
    if (v4(family)) this.opt(fd, C.IPPROTO_IP, C.IP_MULTICAST_TTL, int32(ttl), 'IP_MULTICAST_TTL');
    else this.opt(fd, C.IPPROTO_IPV6, C.IPV6_MULTICAST_HOPS, int32(ttl), 'IPV6_MULTICAST_HOPS');
  }

  multicastLoop(fd: Fd, family: Family, on: boolean): void {
    if (v4(family)) this.opt(fd, C.IPPROTO_IP, C.IP_MULTICAST_LOOP, int32(on ? 1 : 0), 'IP_MULTICAST_LOOP');
    else this.opt(fd, C.IPPROTO_IPV6, C.IPV6_MULTICAST_LOOP, int32(on ? 1 : 0), 'IPV6_MULTICAST_LOOP');
  }

  sendBuffer(fd: Fd, bytes: number): void {
    this.opt(fd, C.SOL_SOCKET, C.SO_SNDBUF, int32(bytes), 'SO_SNDBUF');
  }

  receiveBuffer(fd: Fd, bytes: number): void {
    this.opt(fd, C.SOL_SOCKET, C.SO_RCVBUF, int32(bytes), 'SO_RCVBUF');
  }

  batchSender(fd: Fd, o: BatchOptions) {
    return makeBatchSender(this.c, fd, o);
  }

  receive(fd: Fd, family: Family, onDatagram: (d: Datagram) => void, onError: (e: Error) => void): Receiver {
    if (v4(family)) {
      this.opt(fd, C.IPPROTO_IP, C.IP_PKTINFO, int32(1), 'IP_PKTINFO');
      this.opt(fd, C.IPPROTO_IP, C.IP_RECVTTL, int32(1), 'IP_RECVTTL');
    } else {
      this.opt(fd, C.IPPROTO_IPV6, C.IPV6_RECVPKTINFO, int32(1), 'IPV6_RECVPKTINFO');
      this.opt(fd, C.IPPROTO_IPV6, C.IPV6_RECVHOPLIMIT, int32(1), 'IPV6_RECVHOPLIMIT');
    }
    this.opt(fd, C.SOL_SOCKET, C.SO_RXQ_OVFL, int32(1), 'SO_RXQ_OVFL');
    return startReceiver(this.c, fd, family, onDatagram, onError);
  }
}

let instance: SocketApi | undefined;
/** The process-wide socket API; the core receives it (tests pass fakes). */
export function linuxSockets(): SocketApi {
  instance ??= new LinuxSockets();
  return instance;
}
