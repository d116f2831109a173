// The two kinds of socket join-all holds (issue 18):
// - membership sockets, one chain per (interface, family), never bound: they only hold
//   memberships, a new link each time the kernel refuses another (smcroute's approach to
//   net.ipv4.igmp_max_memberships, default 20 per socket);
// - one receiving socket per (interface, family, port): bound to the port and to its device, with
//   IP_MULTICAST_ALL on so that it takes every group held on the interface. The kernel's PKTINFO
//   says which group (destination) each datagram was sent to; groups that other programs joined
//   are then counted apart, not mixed in.
import type { Family } from '../kernel/ip.js';
import type { Fd, SocketApi } from '../../platform/sockets/types.js';
import { isSocketError } from '../kernel/socket-error.js';

export interface HeldSocket {
  fd: Fd;
  ifname: string;
  ifindex: number;
  family: Family;
  /** The port it is bound to (receiving sockets); 0 for membership sockets. */
  port: number;
  /** Groups (with their source, if any) joined on this socket, in join order. */
  groups: { group: string; source?: string }[];
  /** SO_BINDTODEVICE took (false when the kernel refused it: EPERM without CAP_NET_RAW on old kernels). */
  boundToDevice: boolean;
}

export interface OpenOptions {
  ifname: string;
  ifindex: number;
  family: Family;
}

const RCVBUF = 4 * 1024 * 1024;

/** A socket that only holds memberships; throws SocketError (the fd is closed first). */
export function openMembershipSocket(api: SocketApi, o: OpenOptions): HeldSocket {
  const fd = api.udp(o.family);
  try {
    // Never bound, so nothing is delivered to it; off anyway, should anything bind it later.
    api.multicastAll(fd, o.family, false);
  } catch (e) {
    api.close(fd);
    throw e;
  }
  return { fd, ifname: o.ifname, ifindex: o.ifindex, family: o.family, port: 0, groups: [], boundToDevice: false };
}

/** The receiving socket of (interface, family, port); throws SocketError (the fd is closed first). */
export function openReceiveSocket(api: SocketApi, o: OpenOptions & { port: number }): HeldSocket {
  const fd = api.udp(o.family);
  let boundToDevice = false;
  try {
    // On: the memberships are on other sockets. PKTINFO tells the groups apart (join.ts).
    api.multicastAll(fd, o.family, true);
    api.reuse(fd);
    try {
      api.bindToDevice(fd, o.ifname);
      boundToDevice = true;
    } catch (e) {
      // Without it every interface's socket gets every datagram: PKTINFO's ifindex filters them.
      if (!isSocketError(e) || (e.code !== 'EPERM' && e.code !== 'EACCES')) throw e;
    }
    if (o.family === 6) api.v6only(fd, true);
    try { api.receiveBuffer(fd, RCVBUF); } catch { /* capped by rmem_max: the default is fine */ }
    api.bind(fd, o.family, o.family === 4 ? '0.0.0.0' : '::', o.port);
  } catch (e) {
    api.close(fd);
    throw e;
  }
  return { fd, ifname: o.ifname, ifindex: o.ifindex, family: o.family, port: o.port, groups: [], boundToDevice };
}
