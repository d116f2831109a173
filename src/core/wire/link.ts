// Link-layer framing: where the IP header starts in a captured frame.
// Link types are the LINKTYPE_ values of https://www.tcpdump.org/linktypes.html (what pcap and
// pcapng files carry); DLT_RAW is 12 or 14 on some systems and means the same as LINKTYPE_RAW.

export const LINKTYPE = {
  null: 0,
  ethernet: 1,
  raw: 101,
  linuxSll: 113,
  ieee80211Radio: 127,
  linuxSll2: 276,
} as const;

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;
const ETHERTYPE_VLAN = 0x8100;
const ETHERTYPE_QINQ = 0x88a8;

/** Filled in place by scanLink (no allocation per packet). */
export interface LinkScan {
  /** Offset of the network header, or -1 when the frame is not IP or is cut short. */
  l3Off: number;
  etherType: number;
  /** Offset of the 6-byte source MAC, or -1 when the link has none. */
  srcMacOff: number;
  /** VLAN id of the (first) 802.1Q tag, or -1. */
  vlan: number;
  malformed: string | undefined;
}

/**
 * Finds the network header of a frame of `len` captured bytes.
 * Ethernet (IEEE 802.3) with at most one 802.1Q / 802.1ad tag; Linux cooked capture v1 (16 bytes:
 * pkttype, hatype, halen, 8 address bytes, protocol) and v2 (20 bytes: protocol first); raw IP.
 */
export function scanLink(buf: Uint8Array, len: number, linkType: number, out: LinkScan): void {
  out.l3Off = -1;
  out.etherType = 0;
  out.srcMacOff = -1;
  out.vlan = -1;
  out.malformed = undefined;
  switch (linkType) {
    case LINKTYPE.ethernet: {
      if (len < 14) { out.malformed = 'Ethernet: frame shorter than 14 bytes'; return; }
      out.srcMacOff = 6;
      let type = u16(buf, 12);
      let off = 14;
      if (type === ETHERTYPE_VLAN || type === ETHERTYPE_QINQ) {
        if (len < 18) { out.malformed = 'Ethernet: 802.1Q tag cut short'; return; }
        out.vlan = u16(buf, 14) & 0x0fff;
        type = u16(buf, 16);
        off = 18;
      }
      out.etherType = type;
      if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) out.l3Off = off;
      return;
    }
    case LINKTYPE.linuxSll: {
      if (len < 16) { out.malformed = 'SLL: header shorter than 16 bytes'; return; }
      // hatype 1 (ARPHRD_ETHER) with a 6-byte address: the address is the source MAC.
      if (u16(buf, 2) === 1 && u16(buf, 4) === 6) out.srcMacOff = 6;
      out.etherType = u16(buf, 14);
      if (out.etherType === ETHERTYPE_IPV4 || out.etherType === ETHERTYPE_IPV6) out.l3Off = 16;
      return;
    }
    case LINKTYPE.linuxSll2: {
      if (len < 20) { out.malformed = 'SLL2: header shorter than 20 bytes'; return; }
      if (u16(buf, 8) === 1 && buf[11] === 6) out.srcMacOff = 12;
      out.etherType = u16(buf, 0);
      if (out.etherType === ETHERTYPE_IPV4 || out.etherType === ETHERTYPE_IPV6) out.l3Off = 20;
      return;
    }
    case LINKTYPE.raw:
    case 12:
    case 14: {
      if (len < 1) { out.malformed = 'raw IP: empty packet'; return; }
      const v = (buf[0] ?? 0) >> 4;
      out.etherType = v === 4 ? ETHERTYPE_IPV4 : v === 6 ? ETHERTYPE_IPV6 : 0;
      if (out.etherType !== 0) out.l3Off = 0;
      return;
    }
    default:
      out.malformed = `unsupported link type ${linkType}`;
  }
}

/** Big-endian u16 at off; 0 past the end (callers check lengths first). */
export function u16(buf: Uint8Array, off: number): number {
  return ((buf[off] ?? 0) << 8) | (buf[off + 1] ?? 0);
}

export function u32(buf: Uint8Array, off: number): number {
  return (((buf[off] ?? 0) << 24) | ((buf[off + 1] ?? 0) << 16) | ((buf[off + 2] ?? 0) << 8) | (buf[off + 3] ?? 0)) >>> 0;
}

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** aa:bb:cc:dd:ee:ff from 6 bytes at off. */
export function macAt(buf: Uint8Array, off: number): string {
  let s = HEX[buf[off] ?? 0] ?? '00';
  for (let i = 1; i < 6; i++) s += `:${HEX[buf[off + i] ?? 0] ?? '00'}`;
  return s;
}

/** Dotted quad from 4 bytes at off. */
export function ipv4At(buf: Uint8Array, off: number): string {
  return `${buf[off] ?? 0}.${buf[off + 1] ?? 0}.${buf[off + 2] ?? 0}.${buf[off + 3] ?? 0}`;
}
