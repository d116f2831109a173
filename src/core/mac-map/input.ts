// Parsing of what the user names: a group, a MAC, a prefix (239.1.0.0/16) or G+N (N groups
// from G). Anything else is bad input: a UsageError, one line, exit 2.
import { isIPv4, isIPv6 } from 'node:net';
import { UsageError } from '../errors.js';
import { intToIpv4, ipv4ToInt, ipv6ToBytes } from '../kernel/ip.js';
import { classifyMac, looksLikeMac, parseMac } from './mac.js';

/** The widest IPv6 range accepted: IPv6 groups are held one by one (there are 2^32 MACs). */
export const MAX_RANGE6 = 65536;

export type Item =
  | { kind: 'group4'; text: string; value: number }
  | { kind: 'group6'; text: string; bytes: Uint8Array }
  | { kind: 'mac'; text: string; bytes: number[] }
  /** count groups from first, IPv4 as unsigned 32-bit values. */
  | { kind: 'range4'; text: string; first: number; count: number }
  | { kind: 'range6'; text: string; first: bigint; count: number };

const V4_LAST = 0xefffffff; // 239.255.255.255

function notMulticast(text: string, where: string): UsageError {
  const fam = isIPv4(text) ? 'IPv4 multicast is 224.0.0.0/4' : 'IPv6 multicast is ff00::/8';
  return new UsageError('NOT_MULTICAST', `${text}${where} is not a multicast address (${fam})`, { group: text });
}

export function bytesToBigint(b: Uint8Array): bigint {
  let v = 0n;
  for (const x of b) v = (v << 8n) | BigInt(x);
  return v;
}

export function bigintToBytes(v: bigint): Uint8Array {
  const b = new Uint8Array(16);
  for (let i = 15; i >= 0; i--) { b[i] = Number(v & 0xffn); v >>= 8n; }
  return b;
}

function parseCount(text: string, n: string, max: number): number {
  if (!/^\d+$/.test(n)) throw new UsageError('BAD_RANGE', `${text}: the count after + must be a whole number`);
  const count = Number(n);
  if (count < 1 || count > max) throw new UsageError('BAD_RANGE', `${text}: the count must be between 1 and ${max}`);
  return count;
}

function parsePrefix(text: string, addr: string, lenText: string, where: string): Item {
  if (!/^\d{1,3}$/.test(lenText)) throw new UsageError('BAD_RANGE', `${text}${where}: prefix length '${lenText}' is not a number`);
  const len = Number(lenText);
  if (isIPv4(addr)) {
    // Shorter than /4 reaches outside 224.0.0.0/4.
    if (len < 4 || len > 32) throw new UsageError('BAD_RANGE', `${text}${where}: prefix length out of range (4-32 for IPv4 groups)`);
    const v = ipv4ToInt(addr);
    if (v >>> 28 !== 0xe) throw notMulticast(addr, where);
    const count = 2 ** (32 - len);
    const first = len === 32 ? v : (v & ~(count - 1)) >>> 0;
    return { kind: 'range4', text, first, count };
  }
  if (isIPv6(addr) && !addr.includes('%')) {
    const b = ipv6ToBytes(addr);
    if (b[0] !== 0xff) throw notMulticast(addr, where);
    if (len < 8 || len > 128) throw new UsageError('BAD_RANGE', `${text}${where}: prefix length out of range (8-128 for IPv6 groups)`);
    const count = 2 ** (128 - len);
    if (count > MAX_RANGE6) throw new UsageError('RANGE_TOO_LARGE',
      `${text}${where}: IPv6 ranges are limited to ${MAX_RANGE6} groups (/112 or longer)`);
    const mask = ~((1n << BigInt(128 - len)) - 1n);
    return { kind: 'range6', text, first: bytesToBigint(b) & mask, count };
  }
  throw new UsageError('BAD_ADDRESS', `${text}${where}: '${addr}' is not an IP address`);
}

function parsePlus(text: string, addr: string, n: string, where: string): Item {
  if (isIPv4(addr)) {
    const v = ipv4ToInt(addr);
    if (v >>> 28 !== 0xe) throw notMulticast(addr, where);
    const count = parseCount(text, n, 2 ** 28);
    if (v + count - 1 > V4_LAST) throw new UsageError('BAD_RANGE',
      `${text}${where}: runs past 239.255.255.255 (last would be ${intToIpv4((v + count - 1) >>> 0)})`);
    return { kind: 'range4', text, first: v, count };
  }
  if (isIPv6(addr) && !addr.includes('%')) {
    const b = ipv6ToBytes(addr);
    if (b[0] !== 0xff) throw notMulticast(addr, where);
    const count = parseCount(text, n, MAX_RANGE6);
    const first = bytesToBigint(b);
    if (first + BigInt(count - 1) >= 1n << 128n) throw new UsageError('BAD_RANGE',
      `${text}${where}: runs past ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff`);
    return { kind: 'range6', text, first, count };
  }
  throw new UsageError('BAD_ADDRESS', `${text}${where}: '${addr}' is not an IP address`);
}

/**
 * One token of the command line or one line of --file. `where` names the file and line
 * (" (groups.txt:3)") so that the one-line error points at it.
 */
export function parseItem(raw: string, where = ''): Item {
  const text = raw.trim();
  if (text === '') throw new UsageError('BAD_ADDRESS', `empty address${where}`);
  const slash = text.indexOf('/');
  if (slash >= 0) return parsePrefix(text, text.slice(0, slash), text.slice(slash + 1), where);
  const plus = /^(.+)\+(.*)$/.exec(text);
  if (plus) return parsePlus(text, plus[1] ?? '', plus[2] ?? '', where);
  if (isIPv4(text)) {
    const value = ipv4ToInt(text);
    if (value >>> 28 !== 0xe) throw notMulticast(text, where);
    return { kind: 'group4', text, value };
  }
  if (isIPv6(text)) {
    const bytes = ipv6ToBytes(text);
    if (bytes[0] !== 0xff) throw notMulticast(text, where);
    return { kind: 'group6', text, bytes };
  }
  const mac = parseMac(text);
  if (mac) {
    if (classifyMac(mac).family === undefined) {
      throw new UsageError('NOT_MULTICAST',
        `${text}${where} is not an IP multicast MAC (IPv4 uses 01:00:5e:00:00:00-01:00:5e:7f:ff:ff, IPv6 33:33:xx:xx:xx:xx)`);
    }
    return { kind: 'mac', text, bytes: mac };
  }
  if (looksLikeMac(text)) throw new UsageError('BAD_MAC', `${text}${where} is a malformed MAC (want six octets, e.g. 01:00:5e:01:02:03)`);
  if (/^[\d.]+$/.test(text)) throw new UsageError('BAD_ADDRESS', `${text}${where} is not an IPv4 address`);
  throw new UsageError('BAD_ADDRESS', `${text}${where} is not a multicast group, a range or a MAC`);
}

/** The lines of a --file: one item a line; blank lines and # comments are skipped. */
export function parseListFile(text: string, name: string): Item[] {
  const out: Item[] = [];
  text.split('\n').forEach((line, i) => {
    const body = (line.split('#')[0] ?? '').trim();
    if (body === '') return;
    const item = parseItem(body, ` (${name}:${i + 1})`);
    if (item.kind === 'mac') throw new UsageError('BAD_ADDRESS', `${body} (${name}:${i + 1}): a file lists groups or ranges, not MACs`);
    out.push(item);
  });
  return out;
}
