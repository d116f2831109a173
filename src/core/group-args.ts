// Group arguments shared by join-all, send-all and sniff:
//   G            239.1.2.3, ff05::1
//   S,G          198.18.1.1,232.1.1.1 (source-specific; IPv6 fd00::1,ff3e::1)
//   G:PORT       239.1.2.3:5001, [ff05::1]:5001
//   S,G:PORT     198.18.1.1,232.1.1.1:5001, fd00::1,[ff3e::1]:5001
//   G+N          N consecutive groups from G (mcjoin's range form)
//   G/LEN        every group of the prefix (239.1.0.0/24)
// Bad input is a UsageError naming the argument (exit 2, one line).
import { UsageError } from './errors.js';
import { compressIpv6, familyOf, intToIpv4, ipv6Text, ipv4ToInt, ipv6ToBytes, isMulticast, networkOf, type Family } from './kernel/ip.js';

export interface GroupSpec {
  group: string;
  family: Family;
  port: number;
  /** Source-specific join (SSM). */
  source?: string;
}

export interface GroupArgOptions {
  defaultPort: number;
  /** --source: applies to groups given without their own S. */
  source?: string;
  /** Cap on the expanded total (ranges); beyond it, a UsageError. */
  maxGroups?: number;
  /** send-all takes no ranges. */
  allowRanges?: boolean;
}

export const MAX_GROUPS = 65536;

export function parsePort(text: string | number, what = 'port'): number {
  const n = typeof text === 'number' ? text : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535) throw new UsageError('BAD_PORT', `${what} '${text}' out of range (1-65535)`);
  return n;
}

export function parseTtl(value: number | string): number {
  const n = typeof value === 'number' ? value : /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 255) throw new UsageError('BAD_TTL', `TTL '${value}' out of range (0-255)`);
  return n;
}

function bad(arg: string, why: string): never {
  throw new UsageError('BAD_GROUP', `'${arg}': ${why}`, { group: arg });
}

const unbracket = (s: string): string => (s.startsWith('[') && s.endsWith(']') ? s.slice(1, -1) : s);

/** Splits "[addr]:port", "v4:port" or a bare address into address and optional port text. */
function splitPort(text: string): { addr: string; port?: string } {
  const br = /^\[([^\]]+)\](?::(.*))?$/.exec(text);
  if (br) return br[2] === undefined ? { addr: br[1] ?? '' } : { addr: br[1] ?? '', port: br[2] };
  const colons = text.split(':').length - 1;
  if (colons === 1) {
    const [addr = '', port = ''] = text.split(':');
    return { addr, port };
  }
  return { addr: text };
}

function addToV6(addr: string, k: number): string {
  const b = ipv6ToBytes(addr);
  let carry = k;
  for (let i = 15; i >= 0 && carry > 0; i--) {
    const v = (b[i] ?? 0) + carry;
    b[i] = v & 255;
    carry = Math.floor(v / 256);
  }
  return ipv6Text(b);
}

function expand(arg: string, base: string, family: Family, count: number, max: number): string[] {
  if (count > max) bad(arg, `expands to ${count} groups, more than the limit of ${max}`);
  const out: string[] = [];
  if (family === 4) {
    const start = ipv4ToInt(base);
    if (start + count - 1 > 0xefffffff) bad(arg, 'range runs past 239.255.255.255');
    for (let i = 0; i < count; i++) out.push(intToIpv4((start + i) >>> 0));
  } else {
    for (let i = 0; i < count; i++) out.push(addToV6(base, i));
    if (!isMulticast(out[out.length - 1] ?? '')) bad(arg, 'range runs out of ff00::/8');
  }
  return out;
}

/** One argument taken apart, before any check: the address, and the port and range texts if given. */
export interface GroupText {
  addr: string;
  port: string | undefined;
  /** "+N": N consecutive groups. */
  plus: string | undefined;
  /** "/LEN": every group of the prefix. */
  len: string | undefined;
}

/** Parses one argument into its groups (a range gives several). */
export function parseGroupArg(arg: string, opts: GroupArgOptions): GroupSpec[] {
  const rest = arg.trim();
  if (rest === '') bad(arg, 'empty group');
  const { source = opts.source, group } = splitSource(rest);
  const t = splitGroupText(group);
  const family = familyOf(t.addr);
  if (family === undefined) bad(arg, `'${t.addr}' is not an IP address`);
  if (!isMulticast(t.addr)) bad(arg, 'not a multicast address');
  if ((t.plus !== undefined || t.len !== undefined) && opts.allowRanges === false) bad(arg, 'a range is not allowed here');
  const port = t.port === undefined ? opts.defaultPort : parsePort(t.port, `port in '${arg}'`);
  if (source !== undefined) checkSource(arg, source, family);
  const groups = groupsOf(arg, t, family, opts.maxGroups ?? MAX_GROUPS);
  return groups.map((g) => (source !== undefined ? { group: g, family, port, source } : { group: g, family, port }));
}

/** "S,G": the source is everything before the first comma (undefined without one). */
export function splitSource(text: string): { source?: string; group: string } {
  const comma = text.indexOf(',');
  if (comma < 0) return { group: text };
  return { source: unbracket(text.slice(0, comma)), group: text.slice(comma + 1) };
}

/** The range suffix "+N" or "/LEN" after the address (and before a port, if any: G+N:PORT too). */
const RANGE_RE = /^(\[[^\]]+\]|[^+/[\]]+?)(?:\+(\d+)|\/(\d+))?(?::(\d+))?$/;

/**
 * Address, port and range texts of a group argument without its source. Nothing is checked here:
 * a text that is not an address comes back as `addr` for the caller to refuse by name.
 */
export function splitGroupText(text: string): GroupText {
  const m = /[+/]/.test(text) ? RANGE_RE.exec(text) : null;
  if (!m) {
    const sp = splitPort(text);
    return { addr: sp.addr, port: sp.port, plus: undefined, len: undefined };
  }
  const inner = m[1] ?? '';
  const out: GroupText = { addr: unbracket(inner), port: m[4], plus: m[2], len: m[3] };
  if (!inner.startsWith('[') && familyOf(out.addr) === undefined) {
    // An unbracketed IPv6 with a port cannot be told apart; require brackets.
    const sp = splitPort(inner);
    out.addr = sp.addr;
    out.port = sp.port ?? out.port;
  }
  return out;
}

/** A source must be a unicast address of the group's family (RFC 4607: S is a host). */
function checkSource(arg: string, source: string, family: Family): void {
  const sf = familyOf(source);
  if (sf === undefined) bad(arg, `source '${source}' is not an IP address`);
  if (sf !== family) bad(arg, `source '${source}' and group are of different families`);
  if (isMulticast(source)) bad(arg, `source '${source}' is a multicast address`);
}

/** The groups an argument names: one, G+N of them, or every group of G/LEN, capped at `max`. */
function groupsOf(arg: string, t: GroupText, family: Family, max: number): string[] {
  if (t.plus !== undefined) {
    const n = Number(t.plus);
    if (n < 1) bad(arg, 'a range needs at least one group (G+N with N >= 1)');
    return expand(arg, t.addr, family, n, max);
  }
  if (t.len !== undefined) {
    const bits = family === 4 ? 32 : 128;
    const l = Number(t.len);
    if (l > bits) bad(arg, `prefix length ${l} is longer than ${bits}`);
    const hostBits = bits - l;
    // Said as 2^N: the count itself (up to 2^128) would print as 3.402823669209385e+38.
    if (hostBits > 16) bad(arg, `expands to 2^${hostBits} groups, more than the limit of ${max}`);
    const net = networkOf(t.addr, l);
    if (!isMulticast(net)) bad(arg, 'not a multicast prefix');
    return expand(arg, net, family, 2 ** hostBits, max);
  }
  return [family === 6 ? compressIpv6(words(t.addr)) : t.addr];
}

function words(addr: string): string {
  const b = ipv6ToBytes(addr);
  const w: string[] = [];
  for (let i = 0; i < 16; i += 2) w.push((((b[i] ?? 0) << 8) | (b[i + 1] ?? 0)).toString(16));
  return w.join(':');
}

/** Parses every argument; duplicates (same group, source, port) are kept once; the total is capped. */
export function parseGroupArgs(args: readonly string[], opts: GroupArgOptions): GroupSpec[] {
  const max = opts.maxGroups ?? MAX_GROUPS;
  if (args.length === 0) throw new UsageError('BAD_GROUP', 'name at least one group');
  const seen = new Set<string>();
  const out: GroupSpec[] = [];
  for (const arg of args) {
    for (const g of parseGroupArg(String(arg), opts)) {
      const key = `${g.source ?? '*'},${g.group}:${g.port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(g);
      if (out.length > max) throw new UsageError('BAD_GROUP', `more than ${max} groups in total`);
    }
  }
  return out;
}

/** 224.0.0.0/24 and ff02::/16 (and ff01:: interface-local): never routed (RFC 5771, RFC 4291). */
export function isLinkLocalGroup(group: string): boolean {
  if (familyOf(group) === 4) return (ipv4ToInt(group) >>> 8) === 0xe00000;
  const b = ipv6ToBytes(group);
  return b[0] === 0xff && ((b[1] ?? 0) & 0x0f) <= 2;
}
