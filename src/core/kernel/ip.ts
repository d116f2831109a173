// Address arithmetic shared by every command. Pure functions; no I/O.
import { isIPv4, isIPv6 } from 'node:net';

export type Family = 4 | 6;

export function familyOf(addr: string): Family | undefined {
  if (isIPv4(addr)) return 4;
  if (isIPv6(addr)) return 6;
  return undefined;
}

/** Dotted quad to an unsigned 32-bit number; the caller has checked isIPv4. */
export function ipv4ToInt(addr: string): number {
  // Digit by digit, no split/map arrays: join-all converts one group per membership (issue 9).
  let n = 0;
  let part = 0;
  for (let k = 0; k < addr.length; k++) {
    const c = addr.charCodeAt(k);
    if (c === 46) { n = (n << 8) | part; part = 0; } else part = part * 10 + (c - 48);
  }
  return ((n << 8) | part) >>> 0;
}

export function intToIpv4(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

/** IPv6 text (with optional %zone and embedded IPv4) to 16 bytes; the caller has checked isIPv6. */
export function ipv6ToBytes(addr: string): Uint8Array {
  const bare = addr.split('%')[0] ?? '';
  const bytes = new Uint8Array(16);
  let text = bare;
  const tailV4: number[] = [];
  const lastColon = text.lastIndexOf(':');
  const last = text.slice(lastColon + 1);
  if (last.includes('.')) {
    const n = ipv4ToInt(last);
    tailV4.push(n >>> 16, n & 0xffff);
    text = `${text.slice(0, lastColon + 1)}0:0`;
  }
  const [head = '', tail] = text.split('::');
  const h = head === '' ? [] : head.split(':');
  const t = tail === undefined || tail === '' ? [] : tail.split(':');
  const words = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const nums = words.map((w) => parseInt(w, 16));
  if (tailV4.length) nums.splice(6, 2, ...tailV4);
  nums.forEach((w, i) => {
    bytes[i * 2] = (w >> 8) & 255;
    bytes[i * 2 + 1] = w & 255;
  });
  return bytes;
}

export function isMulticast(addr: string): boolean {
  const fam = familyOf(addr);
  if (fam === 4) return ipv4ToInt(addr) >>> 28 === 0xe;
  if (fam === 6) return ipv6ToBytes(addr)[0] === 0xff;
  return false;
}

/** True when addr lies inside prefix/len (same family). */
export function inPrefix(addr: string, prefix: string, len: number): boolean {
  const fam = familyOf(addr);
  if (fam !== familyOf(prefix)) return false;
  if (fam === 4) {
    if (len === 0) return true;
    const mask = len >= 32 ? 0xffffffff : ~((1 << (32 - len)) - 1) >>> 0;
    return ((ipv4ToInt(addr) & mask) >>> 0) === ((ipv4ToInt(prefix) & mask) >>> 0);
  }
  const a = ipv6ToBytes(addr);
  const b = ipv6ToBytes(prefix);
  for (let bit = 0; bit < len; bit += 8) {
    const take = Math.min(8, len - bit);
    const mask = (0xff << (8 - take)) & 0xff;
    const i = bit / 8;
    if (((a[i] ?? 0) & mask) !== ((b[i] ?? 0) & mask)) return false;
  }
  return true;
}

/** The network address of addr/len, as text. */
export function networkOf(addr: string, len: number): string {
  if (familyOf(addr) === 4) {
    const mask = len === 0 ? 0 : len >= 32 ? 0xffffffff : ~((1 << (32 - len)) - 1) >>> 0;
    return intToIpv4((ipv4ToInt(addr) & mask) >>> 0);
  }
  const b = ipv6ToBytes(addr);
  for (let bit = 0; bit < 128; bit++) {
    if (bit >= len) b[bit >> 3] = (b[bit >> 3] ?? 0) & ~(0x80 >> (bit & 7));
  }
  return ipv6Text(b);
}

// Scratch for ipv6Text: it is synchronous, and packet decoding calls it per address (no array per call).
const WORDS = new Uint16Array(8);

/**
 * The one IPv6 formatter: RFC 5952 text of the 16 bytes at `off`. Lowercase hex without leading
 * zeros (4.1, 4.3); the longest run of two or more zero groups becomes "::", the first one on a
 * tie, never a single group (4.2). An IPv4-mapped address (::ffff:0:0/96) keeps its IPv4 tail
 * dotted (section 5), as inet_ntop(3) and ip(8) print it; the deprecated IPv4-compatible form
 * (::a.b.c.d, RFC 4291 2.5.5.1) is printed in hex like any other address.
 */
export function ipv6Text(b: Uint8Array, off = 0): string {
  for (let k = 0; k < 8; k++) WORDS[k] = ((b[off + 2 * k] ?? 0) << 8) | (b[off + 2 * k + 1] ?? 0);
  if (WORDS[0] === 0 && WORDS[1] === 0 && WORDS[2] === 0 && WORDS[3] === 0 && WORDS[4] === 0 && WORDS[5] === 0xffff) {
    return `::ffff:${b[off + 12] ?? 0}.${b[off + 13] ?? 0}.${b[off + 14] ?? 0}.${b[off + 15] ?? 0}`;
  }
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (WORDS[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && WORDS[j] === 0) j++;
    if (j - i > bestLen) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  let out = '';
  for (let k = 0; k < 8; k++) {
    if (k === bestStart) {
      out += '::';
      k += bestLen - 1;
      continue;
    }
    if (out !== '' && !out.endsWith(':')) out += ':';
    out += (WORDS[k] ?? 0).toString(16);
  }
  return out;
}

/** Any IPv6 text (full, compressed, upper case, dotted tail) in its RFC 5952 form (ipv6Text). */
export function compressIpv6(text: string): string {
  return ipv6Text(ipv6ToBytes(text));
}

export function isLinkLocalUnicast6(addr: string): boolean {
  const b = ipv6ToBytes(addr);
  return b[0] === 0xfe && ((b[1] ?? 0) & 0xc0) === 0x80;
}
