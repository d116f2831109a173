// Opening the sockets that hold memberships: one chain per (interface, family, port), a new link
// each time the kernel refuses another membership on the current one (smcroute's approach to
// net.ipv4.igmp_max_memberships, default 20 per socket).
import type { Family } from '../ip.js';
import type { Fd, SocketApi } from '../../platform/sockets/types.js';
import { isSocketError } from '../../platform/sockets/errno.js';

export interface HeldSocket {
  fd: Fd;
  ifname: string;
  ifindex: number;
  family: Family;
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
  port: number;
  /** Bind to the port and take traffic (join-all); false = memberships only (sniff). */
  receive: boolean;
}

const RCVBUF = 4 * 1024 * 1024;

/** A socket ready for memberships; throws SocketError (the fd is closed first). */
export function openMembershipSocket(api: SocketApi, o: OpenOptions): HeldSocket {
  const fd = api.udp(o.family);
  let boundToDevice = false;
  try {
    // IP_MULTICAST_ALL off: only the groups joined on this very socket arrive (PITFALLS.md).
    api.multicastAll(fd, o.family, false);
    if (o.receive) {
      api.reuse(fd);
      try {
        api.bindToDevice(fd, o.ifname);
        boundToDevice = true;
      } catch (e) {
        // Memberships are per ifindex, so with IP_MULTICAST_ALL off attribution still holds.
        if (!isSocketError(e) || (e.code !== 'EPERM' && e.code !== 'EACCES')) throw e;
      }
      if (o.family === 6) api.v6only(fd, true);
      try { api.receiveBuffer(fd, RCVBUF); } catch { /* capped by rmem_max: the default is fine */ }
      api.bind(fd, o.family, o.family === 4 ? '0.0.0.0' : '::', o.port);
    }
  } catch (e) {
    api.close(fd);
    throw e;
  }
  return { fd, ifname: o.ifname, ifindex: o.ifindex, family: o.family, port: o.port, groups: [], boundToDevice };
}
