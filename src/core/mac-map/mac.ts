// Group -> Ethernet destination address, and back. Pure arithmetic, no I/O.
//
// IPv4 (RFC 1112 section 6.4): 01:00:5e followed by a zero bit and the low 23 bits of the group.
// The top 4 bits are fixed (1110) and the next 5 are dropped, so 2^5 = 32 groups share each MAC.
// IPv6 (RFC 2464 section 7): 33:33 followed by the low 32 bits of the group.

/** The 23 bits of an IPv4 group that survive into its MAC. */
export const LOW23 = 0x7fffff;
/** Number of distinct IPv4 multicast MACs (01:00:5e:00:00:00 - 01:00:5e:7f:ff:ff). */
export const MAC4_SPACE = 1 << 23;
/** 224.0.0.0 as an unsigned number. */
export const MCAST4_BASE = 0xe0000000;
/** Groups per IPv4 MAC: the 5 bits between the fixed 1110 and the kept 23. */
export const GROUPS_PER_MAC4 = 32;

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export function formatMac(bytes: readonly number[]): string {
  return bytes.map(hex2).join(':');
}

/** The low 23 bits of an IPv4 group (unsigned 32-bit value). */
export function mac4Index(group: number): number {
  return group & LOW23;
}

/** 01:00:5e:XX:YY:ZZ from the 23-bit MAC index. */
export function mac4Text(index: number): string {
  return formatMac([0x01, 0x00, 0x5e, (index >>> 16) & 0x7f, (index >>> 8) & 0xff, index & 0xff]);
}

export function ipv4GroupToMac(group: number): string {
  return mac4Text(mac4Index(group));
}

/** The 32 IPv4 groups that map onto one MAC index, ascending (224.x, 224.128+x, 225.x, ...). */
export function ipv4GroupsOfMac(index: number): number[] {
  const out: number[] = [];
  for (let hi = 0; hi < GROUPS_PER_MAC4; hi++) out.push(groupOf(hi, index));
  return out;
}

/** The group with the 5 dropped bits `hi` and the 23 kept bits `index`. */
export function groupOf(hi: number, index: number): number {
  return (MCAST4_BASE | (hi << 23) | (index & LOW23)) >>> 0;
}

/** The low 32 bits of an IPv6 group (16 bytes). */
export function mac6Low32(bytes: Uint8Array): number {
  return (((bytes[12] ?? 0) << 24) | ((bytes[13] ?? 0) << 16) | ((bytes[14] ?? 0) << 8) | (bytes[15] ?? 0)) >>> 0;
}

export function mac6Text(low32: number): string {
  return formatMac([0x33, 0x33, low32 >>> 24, (low32 >>> 16) & 0xff, (low32 >>> 8) & 0xff, low32 & 0xff]);
}

export function ipv6GroupToMac(bytes: Uint8Array): string {
  return mac6Text(mac6Low32(bytes));
}

/** What a MAC carries: an IPv4 23-bit index, an IPv6 low-32-bit value, or nothing IP. */
export type MacTarget = { family: 4; index: number } | { family: 6; low32: number } | { family: undefined };

export function classifyMac(bytes: readonly number[]): MacTarget {
  const [a, b, c, d = 0, e = 0, f = 0] = bytes;
  // 01:00:5e:80:00:00 - 01:00:5e:ff:ff:ff is the other half of the IANA block, not used for IP.
  if (a === 0x01 && b === 0x00 && c === 0x5e && d < 0x80) return { family: 4, index: (d << 16) | (e << 8) | f };
  if (a === 0x33 && b === 0x33) return { family: 6, low32: (((c ?? 0) << 24) | (d << 16) | (e << 8) | f) >>> 0 };
  return { family: undefined };
}

/**
 * Parses 01:00:5e:01:02:03, 01-00-5e-01-02-03, 0100.5e01.0203 (Cisco) or 01005e010203.
 * Returns undefined when the text is not a MAC in any of these forms.
 */
export function parseMac(text: string): number[] | undefined {
  const t = text.trim();
  let digits: string | undefined;
  const sep = /^([0-9a-f]{1,2})([:-])([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})\2([0-9a-f]{1,2})$/i.exec(t);
  if (sep) digits = [sep[1], sep[3], sep[4], sep[5], sep[6], sep[7]].map((o) => (o ?? '').padStart(2, '0')).join('');
  else if (/^[0-9a-f]{4}\.[0-9a-f]{4}\.[0-9a-f]{4}$/i.test(t)) digits = t.replaceAll('.', '');
  else if (/^[0-9a-f]{12}$/i.test(t)) digits = t;
  if (digits === undefined) return undefined;
  const out: number[] = [];
  for (let i = 0; i < 12; i += 2) out.push(parseInt(digits.slice(i, i + 2), 16));
  return out;
}

/** Looks like an attempt at a colon- or hyphen-separated MAC (octets of 1-2 hex digits). */
export function looksLikeMac(text: string): boolean {
  return /^[0-9a-z]{1,2}([:-][0-9a-z]{0,2}){2,}$/i.test(text.trim()) || /^[0-9a-f]{4}\.[0-9a-f]{0,4}(\.[0-9a-f]{0,4})*$/i.test(text.trim());
}
