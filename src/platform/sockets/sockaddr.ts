// Encoders for the structs the socket options take. Pure: Buffers in, no I/O, so unit tests
// can check every byte against the layouts in <netinet/in.h> and <linux/in6.h>.
import { ipv4ToInt, ipv6ToBytes } from '../../core/kernel/ip.js';
import {
  AF_INET, AF_INET6, SIZEOF_GROUP_SOURCE_REQ, SIZEOF_IP_MREQN, SIZEOF_IPV6_MREQ,
  SIZEOF_SOCKADDR_IN, SIZEOF_SOCKADDR_IN6, SIZEOF_SOCKADDR_STORAGE,
} from './constants.js';

/** Writes sockaddr_in / sockaddr_in6 at buf[off]; returns its length. Port and address in network order. */
export function writeSockaddr(buf: Buffer, off: number, family: 4 | 6, address: string, port: number, scopeId = 0): number {
  if (family === 4) {
    buf.fill(0, off, off + SIZEOF_SOCKADDR_IN);
    buf.writeUInt16LE(AF_INET, off); // sa_family_t is host order (little-endian on our targets)
    buf.writeUInt16BE(port, off + 2);
    buf.writeUInt32BE(ipv4ToInt(address), off + 4);
    return SIZEOF_SOCKADDR_IN;
  }
  buf.fill(0, off, off + SIZEOF_SOCKADDR_IN6);
  buf.writeUInt16LE(AF_INET6, off);
  buf.writeUInt16BE(port, off + 2);
  // sin6_flowinfo = 0 at off + 4
  buf.set(ipv6ToBytes(address), off + 8);
  buf.writeUInt32LE(scopeId, off + 24);
  return SIZEOF_SOCKADDR_IN6;
}

export function sockaddr(family: 4 | 6, address: string, port: number): Buffer {
  const b = Buffer.alloc(family === 4 ? SIZEOF_SOCKADDR_IN : SIZEOF_SOCKADDR_IN6);
  writeSockaddr(b, 0, family, address, port);
  return b;
}

/** struct ip_mreqn: join/leave by interface index (IP_ADD_MEMBERSHIP) or pick IP_MULTICAST_IF by index. */
export function ipMreqn(group: string, ifindex: number, ifaddr = '0.0.0.0'): Buffer {
  const b = Buffer.alloc(SIZEOF_IP_MREQN);
  b.writeUInt32BE(ipv4ToInt(group), 0);
  if (ifaddr !== '0.0.0.0') b.writeUInt32BE(ipv4ToInt(ifaddr), 4);
  b.writeInt32LE(ifindex, 8);
  return b;
}

/** struct ipv6_mreq (IPV6_JOIN_GROUP / IPV6_LEAVE_GROUP). */
export function ipv6Mreq(group: string, ifindex: number): Buffer {
  const b = Buffer.alloc(SIZEOF_IPV6_MREQ);
  b.set(ipv6ToBytes(group), 0);
  b.writeInt32LE(ifindex, 16);
  return b;
}

/** struct group_source_req (MCAST_JOIN_SOURCE_GROUP): by ifindex, for either family. */
export function groupSourceReq(family: 4 | 6, group: string, source: string, ifindex: number): Buffer {
  const b = Buffer.alloc(SIZEOF_GROUP_SOURCE_REQ);
  b.writeUInt32LE(ifindex, 0);
  writeSockaddr(b, 8, family, group, 0);
  writeSockaddr(b, 8 + SIZEOF_SOCKADDR_STORAGE, family, source, 0);
  return b;
}

export function int32(v: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v, 0);
  return b;
}
