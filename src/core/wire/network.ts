// IPv4 (RFC 791) and IPv6 (RFC 8200) headers read at fixed offsets into a reusable struct.
// Length rules follow what the kernel enforces in ip_rcv_core() / ipv6_rcv(): a header that
// claims more bytes than the frame carries is malformed; a frame cut by the snaplen is not.
import { u16 } from './link.js';

export const IPPROTO = { hopopts: 0, igmp: 2, udp: 17, routing: 43, fragment: 44, ah: 51, icmpv6: 58, none: 59, dstopts: 60 } as const;

/** IPv4 option type of Router Alert (RFC 2113); the IPv6 Hop-by-Hop option type is 5 (RFC 2711). */
const IPOPT_RA = 148;
const IP6OPT_RA = 5;
/** At most this many IPv6 extension headers are walked (a bound, not a protocol limit). */
const MAX_EXT_HEADERS = 8;

export interface IpScan {
  family: 0 | 4 | 6;
  /** IPv4 header length, or IPv6 fixed header plus the extension headers walked. */
  headerLen: number;
  /** TTL (IPv4) or hop limit (IPv6). */
  ttl: number;
  dscp: number;
  ecn: number;
  /** Upper-layer protocol after the extension headers (17 UDP, 2 IGMP, 58 ICMPv6...). */
  protocol: number;
  /** Bytes of the IP packet per its header (IPv4 total length; IPv6 40 + payload length). */
  totalLen: number;
  routerAlert: boolean;
  /**
   * The Router Alert value, -1 without the option: IPv6 0 = MLD (RFC 2711); the kernel ignores an
   * MLD query whose value is not 0 (net/ipv6/mcast.c, RFC 3810 6.2).
   */
  routerAlertValue: number;
  /** 0 not a fragment, 1 first fragment, 2 a later fragment (no upper-layer header in it). */
  fragment: 0 | 1 | 2;
  srcOff: number;
  dstOff: number;
  /** Upper-layer header offset in the frame and its length per the IP header. */
  l4Off: number;
  l4Len: number;
  /** The capture holds fewer bytes than the packet (snaplen); not an error. */
  snapped: boolean;
  malformed: string | undefined;
}

export function newIpScan(): IpScan {
  return {
    family: 0, headerLen: 0, ttl: 0, dscp: 0, ecn: 0, protocol: -1, totalLen: 0, routerAlert: false, routerAlertValue: -1,
    fragment: 0, srcOff: -1, dstOff: -1, l4Off: -1, l4Len: 0, snapped: false, malformed: undefined,
  };
}

function reset(s: IpScan): void {
  s.family = 0; s.headerLen = 0; s.ttl = 0; s.dscp = 0; s.ecn = 0; s.protocol = -1; s.totalLen = 0;
  s.routerAlert = false; s.routerAlertValue = -1; s.fragment = 0; s.srcOff = -1; s.dstOff = -1; s.l4Off = -1; s.l4Len = 0;
  s.snapped = false; s.malformed = undefined;
}

/**
 * Reads the IP header at `off` of a frame with `caplen` captured bytes out of `wireLen` on the wire.
 * Never throws: problems land in `s.malformed`, with whatever was read before them kept.
 */
export function scanIp(buf: Uint8Array, off: number, caplen: number, wireLen: number, s: IpScan): void {
  reset(s);
  if (off >= caplen) { s.malformed = 'IP: no bytes after the link header'; return; }
  const v = (buf[off] ?? 0) >> 4;
  if (v === 4) scanIpv4(buf, off, caplen, wireLen, s);
  else if (v === 6) scanIpv6(buf, off, caplen, wireLen, s);
  else s.malformed = `IP: version ${v} in an IP frame`;
}

function scanIpv4(buf: Uint8Array, off: number, caplen: number, wireLen: number, s: IpScan): void {
  s.family = 4;
  if (caplen - off < 20) { s.malformed = 'IPv4: header cut short (< 20 bytes)'; return; }
  const ihl = ((buf[off] ?? 0) & 0x0f) * 4;
  if (ihl < 20) { s.malformed = `IPv4: header length ${ihl} below 20`; return; }
  if (caplen - off < ihl) { s.malformed = 'IPv4: options cut short'; return; }
  const tos = buf[off + 1] ?? 0;
  s.dscp = tos >> 2;
  s.ecn = tos & 3;
  s.totalLen = u16(buf, off + 2);
  s.ttl = buf[off + 8] ?? 0;
  s.protocol = buf[off + 9] ?? 0;
  s.srcOff = off + 12;
  s.dstOff = off + 16;
  s.headerLen = ihl;
  if (s.totalLen < ihl) { s.malformed = `IPv4: total length ${s.totalLen} below header length ${ihl}`; return; }
  if (s.totalLen > wireLen - off) { s.malformed = `IPv4: total length ${s.totalLen} beyond the frame (${wireLen - off})`; return; }
  if (checksum(buf, off, ihl) !== 0) { s.malformed = 'IPv4: bad header checksum'; return; }
  const frag = u16(buf, off + 6);
  const fragOff = frag & 0x1fff;
  if (fragOff !== 0) s.fragment = 2;
  else if (frag & 0x2000) s.fragment = 1;
  // Options (RFC 791 section 3.1): EOL and NOP are one byte, the rest are type, length, data.
  for (let p = off + 20; p < off + ihl; ) {
    const t = buf[p] ?? 0;
    if (t === 0) break;
    if (t === 1) { p++; continue; }
    const olen = buf[p + 1] ?? 0;
    if (p + 1 >= off + ihl || olen < 2 || p + olen > off + ihl) { s.malformed = `IPv4: option ${t} has a bad length`; return; }
    if (t === IPOPT_RA && olen === 4) { s.routerAlert = true; s.routerAlertValue = u16(buf, p + 2); }
    p += olen;
  }
  s.l4Off = off + ihl;
  s.l4Len = s.totalLen - ihl;
  s.snapped = off + s.totalLen > caplen;
}

function scanIpv6(buf: Uint8Array, off: number, caplen: number, wireLen: number, s: IpScan): void {
  s.family = 6;
  if (caplen - off < 40) { s.malformed = 'IPv6: header cut short (< 40 bytes)'; return; }
  const tc = ((u16(buf, off) >> 4) & 0xff);
  s.dscp = tc >> 2;
  s.ecn = tc & 3;
  const payloadLen = u16(buf, off + 4);
  s.totalLen = 40 + payloadLen;
  s.ttl = buf[off + 7] ?? 0;
  s.srcOff = off + 8;
  s.dstOff = off + 24;
  // Jumbograms (payload length 0 with a Jumbo option, RFC 2675) do not occur on these links.
  if (s.totalLen > wireLen - off) { s.malformed = `IPv6: payload length ${payloadLen} beyond the frame (${wireLen - off - 40})`; return; }
  let next = buf[off + 6] ?? 0;
  let p = off + 40;
  const end = off + s.totalLen;
  for (let n = 0; n < MAX_EXT_HEADERS; n++) {
    if (next !== IPPROTO.hopopts && next !== IPPROTO.routing && next !== IPPROTO.dstopts
      && next !== IPPROTO.fragment && next !== IPPROTO.ah) break;
    if (p + 8 > end) { s.malformed = `IPv6: extension header ${next} beyond the payload`; return; }
    if (p + 8 > caplen) { s.snapped = true; s.protocol = next; s.headerLen = p - off; return; }
    const hdrNext = buf[p] ?? 0;
    let hlen: number;
    if (next === IPPROTO.fragment) {
      hlen = 8;
      const fo = u16(buf, p + 2);
      s.fragment = (fo & 0xfff8) !== 0 ? 2 : (fo & 1) ? 1 : s.fragment;
    } else if (next === IPPROTO.ah) {
      hlen = ((buf[p + 1] ?? 0) + 2) * 4;
    } else {
      hlen = ((buf[p + 1] ?? 0) + 1) * 8;
    }
    if (p + hlen > end) { s.malformed = `IPv6: extension header ${next} longer than the payload`; return; }
    if (next === IPPROTO.hopopts) {
      const bad = scanHopByHop(buf, p, Math.min(p + hlen, caplen), s);
      if (bad) { s.malformed = bad; return; }
    }
    next = hdrNext;
    p += hlen;
  }
  s.protocol = next;
  s.headerLen = p - off;
  s.l4Off = p;
  s.l4Len = end - p;
  s.snapped = end > caplen;
}

/** Walks Hop-by-Hop options (RFC 8200 section 4.2): Pad1, PadN, Router Alert (RFC 2711). */
function scanHopByHop(buf: Uint8Array, start: number, end: number, s: IpScan): string | undefined {
  for (let p = start + 2; p < end; ) {
    const t = buf[p] ?? 0;
    if (t === 0) { p++; continue; }
    if (p + 1 >= end) return 'IPv6: Hop-by-Hop option cut short';
    const olen = buf[p + 1] ?? 0;
    if (p + 2 + olen > end) return `IPv6: Hop-by-Hop option ${t} has a bad length`;
    if (t === IP6OPT_RA && olen === 2) { s.routerAlert = true; s.routerAlertValue = u16(buf, p + 2); }
    p += 2 + olen;
  }
  return undefined;
}

/** One's-complement sum (RFC 1071) over buf[off..off+len), folded; 0 when a stored checksum is right. */
export function checksum(buf: Uint8Array, off: number, len: number, initial = 0): number {
  let sum = initial;
  let i = off;
  const end = off + len;
  for (; i + 1 < end; i += 2) sum += ((buf[i] ?? 0) << 8) | (buf[i + 1] ?? 0);
  if (i < end) sum += (buf[i] ?? 0) << 8;
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return (~sum) & 0xffff;
}

/** The IPv6 pseudo-header sum (RFC 8200 section 8.1) for an upper-layer checksum, unfolded. */
export function pseudoSum6(buf: Uint8Array, srcOff: number, dstOff: number, upperLen: number, proto: number): number {
  let sum = 0;
  for (let i = 0; i < 16; i += 2) sum += u16(buf, srcOff + i) + u16(buf, dstOff + i);
  return sum + (upperLen >>> 16) + (upperLen & 0xffff) + proto;
}
