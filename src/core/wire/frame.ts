// A captured frame, decoded in two steps:
// - FrameScanner.scan(): the hot path. Fills one reusable object with numbers and offsets into
//   the buffer (link, IP, UDP); no allocation for a well-formed data packet.
// - decodeFrame(): the convenient form (addresses as text, IGMP/MLD decoded) for the rare
//   packets that need it and for other commands (querier-check).
import { ipv4At, macAt, scanLink, u16, type LinkScan } from './link.js';
import { ipv6Text as ipv6At } from '../kernel/ip.js';
import { IPPROTO, newIpScan, pseudoSum6, scanIp, type IpScan } from './network.js';
import { decodeIgmp, isMalformed, type IgmpMessage, type Malformed } from './igmp.js';
import { decodeMld, type MldMessage } from './mld.js';

export class FrameScanner {
  readonly link: LinkScan = { l3Off: -1, etherType: 0, srcMacOff: -1, vlan: -1, malformed: undefined };
  readonly ip: IpScan = newIpScan();
  /** UDP ports and payload, valid when ip.protocol is 17 and udpOff >= 0. */
  sport = 0;
  dport = 0;
  udpOff = -1;
  payloadOff = -1;
  payloadLen = 0;
  /** Why this frame is malformed, or undefined; the layers read before the problem stay filled. */
  malformed: string | undefined;
  buf: Uint8Array = new Uint8Array(0);
  caplen = 0;

  /**
   * Scans a frame of `caplen` captured bytes (`wireLen` on the wire, defaults to caplen).
   * Returns true when the frame is IP and well formed as far as it was read. Never throws.
   */
  scan(buf: Uint8Array, caplen: number, linkType: number, wireLen = caplen): boolean {
    this.buf = buf;
    this.caplen = Math.min(caplen, buf.length);
    this.udpOff = -1;
    this.payloadOff = -1;
    this.payloadLen = 0;
    this.sport = 0;
    this.dport = 0;
    this.malformed = undefined;
    this.ip.family = 0;
    scanLink(buf, this.caplen, linkType, this.link);
    if (this.link.malformed) { this.malformed = this.link.malformed; return false; }
    if (this.link.l3Off < 0) return false;
    const l3 = this.link.l3Off;
    scanIp(buf, l3, this.caplen, Math.max(wireLen, this.caplen), this.ip);
    if (this.ip.malformed) { this.malformed = this.ip.malformed; return false; }
    if (this.ip.protocol === IPPROTO.udp && this.ip.fragment !== 2) {
      const off = this.ip.l4Off;
      if (this.ip.l4Len < 8) { this.malformed = `UDP: ${this.ip.l4Len} bytes, shorter than its header`; return false; }
      if (off + 8 > this.caplen) return true; // cut by the snaplen: not malformed, ports unknown
      const ulen = u16(buf, off + 4);
      // A first fragment carries only part of the datagram: its UDP length covers all fragments.
      if (ulen < 8 || (this.ip.fragment === 0 && ulen > this.ip.l4Len)) {
        this.malformed = `UDP: length ${ulen} does not fit the IP payload (${this.ip.l4Len})`;
        return false;
      }
      this.udpOff = off;
      this.sport = u16(buf, off);
      this.dport = u16(buf, off + 2);
      this.payloadOff = off + 8;
      this.payloadLen = Math.min(ulen - 8, this.caplen - off - 8);
    }
    return true;
  }

  srcText(): string {
    return this.ip.family === 4 ? ipv4At(this.buf, this.ip.srcOff) : ipv6At(this.buf, this.ip.srcOff);
  }

  dstText(): string {
    return this.ip.family === 4 ? ipv4At(this.buf, this.ip.dstOff) : ipv6At(this.buf, this.ip.dstOff);
  }

  srcMac(): string | undefined {
    return this.link.srcMacOff >= 0 ? macAt(this.buf, this.link.srcMacOff) : undefined;
  }

  /** IGMP or MLD in the scanned frame: the message, a malformed marker, or undefined when neither. */
  control(): IgmpMessage | MldMessage | Malformed | undefined {
    const ip = this.ip;
    if (ip.l4Off < 0 || ip.fragment === 2) return undefined;
    const avail = Math.min(ip.l4Len, this.caplen - ip.l4Off);
    if (ip.family === 4 && ip.protocol === IPPROTO.igmp) {
      if (avail < ip.l4Len) return { malformed: `IGMP: cut short (${avail} of ${ip.l4Len} bytes captured)` };
      return decodeIgmp(this.buf, ip.l4Off, ip.l4Len);
    }
    if (ip.family === 6 && ip.protocol === IPPROTO.icmpv6) {
      if (avail < ip.l4Len) {
        const t = this.buf[ip.l4Off] ?? 0;
        return t >= 130 && t <= 143 ? { malformed: `ICMPv6: cut short (${avail} of ${ip.l4Len} bytes captured)` } : undefined;
      }
      return decodeMld(this.buf, ip.l4Off, ip.l4Len, pseudoSum6(this.buf, ip.srcOff, ip.dstOff, ip.l4Len, IPPROTO.icmpv6));
    }
    return undefined;
  }
}

export interface L3Info {
  family: 4 | 6;
  src: string;
  dst: string;
  /** TTL (IPv4) or hop limit (IPv6). */
  ttl: number;
  dscp: number;
  ecn: number;
  /** Upper-layer protocol (after IPv6 extension headers). */
  protocol: number;
  totalLength: number;
  headerLength: number;
  /** Router Alert option present (IPv4 option 148, RFC 2113; IPv6 Hop-by-Hop option 5, RFC 2711). */
  routerAlert: boolean;
  /** The Router Alert value (IPv6: 0 = MLD), -1 without the option. */
  routerAlertValue: number;
  fragment: boolean;
}

export interface UdpInfo {
  sport: number;
  dport: number;
  payloadOffset: number;
  payloadLength: number;
}

export interface DecodedFrame {
  linkType: number;
  srcMac?: string;
  vlan?: number;
  etherType?: number;
  l3?: L3Info;
  udp?: UdpInfo;
  igmp?: IgmpMessage;
  mld?: MldMessage;
  /** Set when some layer is malformed; the layers decoded before it are kept. */
  malformed?: string;
}

const shared = new FrameScanner();

/** Decodes one captured frame completely. Never throws; not for the per-packet hot path. */
export function decodeFrame(buf: Uint8Array, linkType: number, wireLen = buf.length): DecodedFrame {
  const s = shared;
  s.scan(buf, buf.length, linkType, wireLen);
  const out: DecodedFrame = { linkType };
  const mac = s.srcMac();
  if (mac) out.srcMac = mac;
  if (s.link.vlan >= 0) out.vlan = s.link.vlan;
  if (s.link.etherType) out.etherType = s.link.etherType;
  const ip = s.ip;
  if (ip.family !== 0 && ip.srcOff >= 0) {
    out.l3 = {
      family: ip.family, src: s.srcText(), dst: s.dstText(), ttl: ip.ttl, dscp: ip.dscp, ecn: ip.ecn,
      protocol: ip.protocol, totalLength: ip.totalLen, headerLength: ip.headerLen,
      routerAlert: ip.routerAlert, routerAlertValue: ip.routerAlertValue,
      fragment: ip.fragment !== 0,
    };
  }
  if (s.malformed) { out.malformed = s.malformed; return out; }
  if (s.udpOff >= 0) out.udp = { sport: s.sport, dport: s.dport, payloadOffset: s.payloadOff, payloadLength: s.payloadLen };
  const c = s.control();
  if (c !== undefined) {
    if (isMalformed(c)) out.malformed = c.malformed;
    else if (c.proto === 'igmp') out.igmp = c;
    else out.mld = c;
  }
  return out;
}
