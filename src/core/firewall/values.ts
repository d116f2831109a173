// Comparing a rule's values with what is known of a packet, in three-valued logic: a match is
// true, false, or unknown (a field this tool cannot know, such as an IGMP querier's address it
// has not heard). Names and numbers are the same value (igmp = 2, mld-listener-query = 130).
import { familyOf, ipv4ToInt, ipv6ToBytes } from '../kernel/ip.js';
import type { Value } from './model.js';

export type Tri = 'T' | 'F' | 'U';

/** What is known of one packet field: an exact value, or an address known only to lie in a prefix. */
export type Field = { exact: string | number } | { within: { addr: string; len: number } };

const PROTO: Record<string, number> = {
  hopopts: 0, icmp: 1, igmp: 2, tcp: 6, udp: 17, 'ipv6-icmp': 58, icmpv6: 58, pim: 103, sctp: 132, udplite: 136,
};
const ICMPV6_TYPE: Record<string, number> = {
  'mld-listener-query': 130, 'mld-listener-report': 131, 'mld-listener-done': 132, 'mld-listener-reduction': 132,
  'mld2-listener-report': 143, 'nd-router-solicit': 133, 'nd-router-advert': 134, 'nd-neighbor-solicit': 135, 'nd-neighbor-advert': 136,
};
const IGMP_TYPE: Record<string, number> = {
  'membership-query': 0x11, 'membership-report-v1': 0x12, 'membership-report-v2': 0x16, 'leave-group': 0x17, 'membership-report-v3': 0x22,
};

function numberish(key: string, v: string | number): string | number {
  if (typeof v === 'number') return v;
  const s = v.toLowerCase();
  const table = key.endsWith('l4proto') || key === 'ip.protocol' || key === 'ip6.nexthdr' ? PROTO
    : key === 'icmpv6.type' ? ICMPV6_TYPE : key === 'igmp.type' ? IGMP_TYPE : undefined;
  const n = table?.[s];
  if (n !== undefined) return n;
  return /^\d+$/.test(s) ? Number(s) : s;
}

/** An address as a bigint and its width, or undefined when the text is not an address. */
function addr(text: string): { n: bigint; bits: number } | undefined {
  const fam = familyOf(text);
  if (fam === 4) return { n: BigInt(ipv4ToInt(text)), bits: 32 };
  if (fam === 6) return { n: ipv6ToBytes(text).reduce((acc, b) => (acc << 8n) | BigInt(b), 0n), bits: 128 };
  return undefined;
}

function span(a: { n: bigint; bits: number }, len: number): [bigint, bigint] {
  const host = BigInt(a.bits - Math.max(0, Math.min(len, a.bits)));
  const lo = (a.n >> host) << host;
  return [lo, lo + (1n << host) - 1n];
}

/** The address interval a value covers, when it is an address, a prefix or a range of addresses. */
function interval(v: Value): { bits: number; lo: bigint; hi: bigint } | undefined {
  if (typeof v === 'string') {
    const a = addr(v);
    return a ? { bits: a.bits, lo: a.n, hi: a.n } : undefined;
  }
  if (typeof v === 'object' && 'prefix' in v) {
    const a = addr(v.prefix.addr);
    if (!a) return undefined;
    const [lo, hi] = span(a, v.prefix.len);
    return { bits: a.bits, lo, hi };
  }
  if (typeof v === 'object' && 'range' in v) {
    const lo = typeof v.range[0] === 'string' ? addr(v.range[0]) : undefined;
    const hi = typeof v.range[1] === 'string' ? addr(v.range[1]) : undefined;
    return lo && hi && lo.bits === hi.bits ? { bits: lo.bits, lo: lo.n, hi: hi.n } : undefined;
  }
  return undefined;
}

/** Interface names: nft writes a wildcard as `eth*`, iptables as `eth+`. */
function ifaceName(pattern: string, name: string): boolean {
  if (pattern.endsWith('*') || pattern.endsWith('+')) return name.startsWith(pattern.slice(0, -1));
  return pattern === name;
}

/** Does the field equal (or fall inside) one value of the rule? */
export function equals(key: string, field: Field, v: Value): Tri {
  if ('within' in field) {
    const f = interval({ prefix: field.within });
    const r = interval(v);
    if (!f || !r || f.bits !== r.bits) return 'F';
    if (f.lo >= r.lo && f.hi <= r.hi) return 'T';
    if (f.hi < r.lo || f.lo > r.hi) return 'F';
    return 'U';
  }
  const x = field.exact;
  if (key.endsWith('iifname') || key.endsWith('oifname') || key === 'meta.iif' || key === 'meta.oif') {
    return typeof v === 'string' && typeof x === 'string' && ifaceName(v, x) ? 'T' : 'F';
  }
  if (typeof x === 'string' && familyOf(x)) {
    const a = addr(x);
    const r = interval(v);
    if (!a || !r) return 'F';
    return a.bits === r.bits && a.n >= r.lo && a.n <= r.hi ? 'T' : 'F';
  }
  if (typeof v === 'object' && 'range' in v) {
    const n = numberish(key, x);
    const lo = numberish(key, v.range[0] as string | number);
    const hi = numberish(key, v.range[1] as string | number);
    if (typeof n === 'number' && typeof lo === 'number' && typeof hi === 'number') return n >= lo && n <= hi ? 'T' : 'F';
    return 'U';
  }
  if (typeof v === 'object') return 'U';
  return numberish(key, x) === numberish(key, v) ? 'T' : 'F';
}

export function compare(key: string, field: Field, op: '<' | '>' | '<=' | '>=', v: Value): Tri {
  if (!('exact' in field) || (typeof v !== 'number' && typeof v !== 'string')) return 'U';
  const a = numberish(key, field.exact);
  const b = numberish(key, v);
  if (typeof a !== 'number' || typeof b !== 'number') return 'U';
  const r = op === '<' ? a < b : op === '>' ? a > b : op === '<=' ? a <= b : a >= b;
  return r ? 'T' : 'F';
}

/** Any of the values. */
export function anyOf(key: string, field: Field, values: readonly Value[]): Tri {
  let out: Tri = 'F';
  for (const v of values) {
    const r = equals(key, field, v);
    if (r === 'T') return 'T';
    if (r === 'U') out = 'U';
  }
  return out;
}

export const not = (t: Tri): Tri => (t === 'T' ? 'F' : t === 'F' ? 'T' : 'U');

export function and(a: Tri, b: Tri): Tri {
  if (a === 'F' || b === 'F') return 'F';
  return a === 'U' || b === 'U' ? 'U' : 'T';
}
