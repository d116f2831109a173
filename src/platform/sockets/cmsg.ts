// The ancillary data of one received datagram (recvmsg(2) msg_control), decoded: where the kernel
// delivered it (IP_PKTINFO / IPV6_PKTINFO: destination address and arrival ifindex), its TTL or
// hop limit, and SO_RXQ_OVFL. The group of a datagram is this destination, never what its
// payload claims (issue 17). Pure: it reads a Buffer the receiver (recv.ts) hands it, so a unit
// test can feed it the kernel's layouts and malformed ones (test/unit/cmsg.test.ts).
//
// Layouts (x86_64/arm64, include/uapi/linux/in.h, in6.h, socket.h; cmsg(3)):
//   struct cmsghdr      { u64 cmsg_len; i32 cmsg_level; i32 cmsg_type; } data at +16, each
//                       cmsg aligned to 8 (CMSG_ALIGN); cmsg_len counts the header and the data.
//   struct in_pktinfo   { i32 ipi_ifindex; in_addr ipi_spec_dst; in_addr ipi_addr; }   12 bytes:
//                       ipi_addr is the header's destination (the group), spec_dst a local address.
//   struct in6_pktinfo  { in6_addr ipi6_addr; i32 ipi6_ifindex; }                       20 bytes
//   IP_TTL, IPV6_HOPLIMIT, SO_RXQ_OVFL: one 32-bit int.

import { intToIpv4, ipv6Text } from '../../core/kernel/ip.js';

const SOL_SOCKET = 1;
const SO_RXQ_OVFL = 40;
const IPPROTO_IP = 0;
const IP_PKTINFO = 8;
const IP_TTL = 2;
const IPPROTO_IPV6 = 41;
const IPV6_PKTINFO = 50;
const IPV6_HOPLIMIT = 52;
const CMSG_HDR = 16;

/** What the control data said; dst '' / ifindex 0 / ttl -1 / overflow -1 when it did not say. */
export interface ControlInfo {
  dst: string;
  ifindex: number;
  ttl: number;
  /** SO_RXQ_OVFL: datagrams dropped on the socket so far (the kernel's running count). */
  overflow: number;
}

/** Address strings are cached: a flood of spoofed sources is bounded by clearing at the cap. */
const v4Names = new Map<number, string>();
export function v4Name(n: number): string {
  let s = v4Names.get(n);
  if (s === undefined) {
    if (v4Names.size >= 65536) v4Names.clear();
    s = intToIpv4(n);
    v4Names.set(n, s);
  }
  return s;
}

export function v6Name(b: Buffer, off: number): string {
  return ipv6Text(b, off);
}

/**
 * Walks the cmsgs in b[start, start + len) and fills `out` (reset first). A cmsg shorter than its
 * header, one running past the control length (a truncated buffer: MSG_CTRUNC), and one too
 * short for the data its type needs are skipped or end the walk: never read past what the kernel
 * wrote for this cmsg. Returns `out`.
 */
export function readControl(b: Buffer, start: number, len: number, out: ControlInfo): ControlInfo {
  out.dst = '';
  out.ifindex = 0;
  out.ttl = -1;
  out.overflow = -1;
  const end = Math.min(b.length, start + Math.max(0, len));
  let p = start;
  while (p + CMSG_HDR <= end) {
    // cmsg_len is a size_t; anything past the buffer ends the walk (a high word makes it huge).
    const clen = Number(b.readBigUInt64LE(p));
    if (clen < CMSG_HDR || clen > end - p) break;
    const level = b.readInt32LE(p + 8);
    const type = b.readInt32LE(p + 12);
    const data = p + CMSG_HDR;
    const dlen = clen - CMSG_HDR;
    if (level === IPPROTO_IP && type === IP_PKTINFO && dlen >= 12) {
      out.ifindex = b.readInt32LE(data);
      out.dst = v4Name(b.readUInt32BE(data + 8));
    } else if (level === IPPROTO_IPV6 && type === IPV6_PKTINFO && dlen >= 20) {
      out.dst = v6Name(b, data);
      out.ifindex = b.readInt32LE(data + 16);
    } else if (((level === IPPROTO_IP && type === IP_TTL) || (level === IPPROTO_IPV6 && type === IPV6_HOPLIMIT)) && dlen >= 4) {
      out.ttl = b.readInt32LE(data);
    } else if (level === SOL_SOCKET && type === SO_RXQ_OVFL && dlen >= 4) {
      out.overflow = b.readUInt32LE(data);
    }
    p += (clen + 7) & ~7;
  }
  return out;
}
