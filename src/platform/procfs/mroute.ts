// Parsers for the kernel's multicast routing tables: /proc/net/ip_mr_vif, ip_mr_cache (net/ipv4/
// ipmr.c) and ip6_mr_vif, ip6_mr_cache (net/ipv6/ip6mr.c). They exist only with CONFIG_IP_MROUTE
// / CONFIG_IPV6_MROUTE and hold entries only while a routing daemon (smcroute, pimd) holds the
// mroute socket. Formats recorded from this kernel with smcroute in fixtures/proc/mroute/.
import { hex32ToIpv6, igmpHexToAddress } from './igmp.js';

/** One VIF (IPv6: MIF): the interface the router routes on, and its counters since it was added. */
export interface MrouteVif {
  vif: number;
  /** The device; "pimreg" / tunnel names for register VIFs. */
  device: string;
  bytesIn: number;
  pktsIn: number;
  bytesOut: number;
  pktsOut: number;
  flags: number;
}

/** One forwarding cache entry (S,G or *,G): where it must arrive and where it goes. */
export interface MrouteEntry {
  group: string;
  /** 0.0.0.0 / :: for a (*,G) entry. */
  origin: string;
  /** VIF the stream must arrive on (-1 unknown). */
  iif: number;
  pkts: number;
  bytes: number;
  /** Packets that arrived on another VIF than iif. */
  wrongIf: number;
  /**
   * Outgoing VIFs with their TTL threshold: the kernel forwards a packet out of one only when
   * its TTL (hop limit) is greater than the threshold (ipmr.c ip_mr_forward, ttls[]).
   */
  oifs: Array<{ vif: number; threshold: number }>;
}

const vifLine = /^\s*(\d+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+([0-9A-Fa-f]+)/;

/** ip_mr_vif / ip6_mr_vif: "Idx Interface BytesIn PktsIn BytesOut PktsOut Flags [Local Remote]". */
export function parseMrouteVifs(text: string): MrouteVif[] {
  const out: MrouteVif[] = [];
  for (const line of text.split('\n')) {
    const m = vifLine.exec(line);
    if (!m) continue;
    out.push({
      vif: Number(m[1]), device: m[2] ?? '', bytesIn: Number(m[3]), pktsIn: Number(m[4]),
      bytesOut: Number(m[5]), pktsOut: Number(m[6]), flags: parseInt(m[7] ?? '0', 16),
    });
  }
  return out;
}

/** ip6_mr_cache prints %pI6: eight groups of four hex digits. */
function ipv6Full(text: string): string | undefined {
  return /^[0-9a-f]{4}(:[0-9a-f]{4}){7}$/i.test(text) ? hex32ToIpv6(text.replaceAll(':', '')) : undefined;
}

/**
 * ip_mr_cache: "Group Origin Iif Pkts Bytes Wrong Oifs", group and origin as %08X of the
 * network-order u32 (as /proc/net/igmp: byte order of the host), oifs as "VIF:TTL" pairs.
 * ip6_mr_cache: the same columns with full IPv6 addresses. Unresolved entries print zero counts.
 */
export function parseMrouteCache(text: string, family: 4 | 6, littleEndian = true): MrouteEntry[] {
  const out: MrouteEntry[] = [];
  for (const line of text.split('\n')) {
    const w = line.trim().split(/\s+/);
    if (w.length < 6 || w[0] === 'Group') continue;
    const [g, o] = [w[0] ?? '', w[1] ?? ''];
    const group = family === 4 ? (/^[0-9A-Fa-f]{8}$/.test(g) ? igmpHexToAddress(g, littleEndian) : undefined) : ipv6Full(g);
    const origin = family === 4 ? (/^[0-9A-Fa-f]{8}$/.test(o) ? igmpHexToAddress(o, littleEndian) : undefined) : ipv6Full(o);
    const nums = w.slice(2, 6).map(Number);
    if (!group || !origin || nums.some((n) => !Number.isFinite(n))) continue;
    const oifs = w.slice(6).flatMap((p) => {
      const m = /^(\d+):(\d+)$/.exec(p);
      return m ? [{ vif: Number(m[1]), threshold: Number(m[2]) }] : [];
    });
    out.push({ group, origin, iif: nums[0] ?? -1, pkts: nums[1] ?? 0, bytes: nums[2] ?? 0, wrongIf: nums[3] ?? 0, oifs });
  }
  return out;
}
