// The scope and registry block of a group, and its well-known name.
// IPv4 blocks: RFC 5771 (IANA guidelines), RFC 4607 (SSM), RFC 3180 (GLOP), RFC 6034
// (unicast-prefix-based), RFC 2365 (administratively scoped, section 6.2 sub-scopes).
// IPv6: RFC 4291 section 2.7 (flags, scope nibble), RFC 7346 (scope names), RFC 3306 / 3956
// (prefix-based / embedded-RP), RFC 4607 (ff3x::/96 SSM).
import { intToIpv4, ipv6Text } from '../kernel/ip.js';
import { ipv4GroupToMac, ipv6GroupToMac } from './mac.js';
import { WELL_KNOWN_4, WELL_KNOWN_6, WELL_KNOWN_6_ANY_SCOPE } from './well-known.js';

export type Scope =
  | 'interface-local' | 'link-local' | 'realm-local' | 'admin-local' | 'site-local' | 'organization-local'
  | 'global' | 'local' | 'admin' | 'ssm' | 'glop' | 'reserved' | 'unassigned';

export interface GroupInfo {
  group: string;
  family: 4 | 6;
  mac: string;
  scope: Scope;
  /** The registry block the group falls in, in words. */
  block: string;
  /** The block as a prefix or first-last range. */
  range: string;
  /** Where the block is defined. */
  reference: string;
  /** Well-known use of this exact group, from the IANA registries. */
  name?: string;
  nameRef?: string;
  /** A remark on what the scope means in practice. */
  note?: string;
}

interface Block4 { first: number; last: number; range: string; scope: Scope; block: string; reference: string; note?: string }

const ip4 = (s: string): number => s.split('.').reduce((a, p) => a * 256 + Number(p), 0);
const cidr = (base: string, len: number): [number, number, string] => {
  const first = ip4(base);
  return [first, first + 2 ** (32 - len) - 1, `${base}/${len}`];
};
const span = (a: string, b: string): [number, number, string] => [ip4(a), ip4(b), `${a}-${b}`];
const blk = ([first, last, range]: [number, number, string], scope: Scope, block: string, reference: string, note?: string): Block4 =>
  note === undefined ? { first, last, range, scope, block, reference } : { first, last, range, scope, block, reference, note };

const FLOODED = 'never forwarded by routers; snooping switches flood it to every port';

// Most specific first: the first block that contains the group wins.
const BLOCKS4: readonly Block4[] = [
  blk(cidr('224.0.0.0', 24), 'link-local', 'Local Network Control Block', 'RFC 5771 section 4', FLOODED),
  blk(cidr('224.0.1.0', 24), 'global', 'Internetwork Control Block', 'RFC 5771 section 5'),
  blk(span('224.0.2.0', '224.0.255.255'), 'global', 'AD-HOC block I', 'RFC 5771 section 6'),
  blk(cidr('224.1.0.0', 16), 'reserved', 'reserved (formerly ST multicast groups)', 'RFC 5771 section 10'),
  blk(cidr('224.2.0.0', 16), 'global', 'SDP/SAP block', 'RFC 5771 section 7'),
  blk(span('224.3.0.0', '224.4.255.255'), 'global', 'AD-HOC block II', 'RFC 5771 section 6'),
  blk(cidr('224.252.0.0', 14), 'global', 'DIS transient groups', 'RFC 5771'),
  blk(cidr('232.0.0.0', 8), 'ssm', 'Source-Specific Multicast block', 'RFC 4607', 'receivers must join with a source (IGMPv3 / MLDv2)'),
  blk(span('233.0.0.0', '233.251.255.255'), 'glop', 'GLOP block', 'RFC 3180'),
  blk(cidr('233.252.0.0', 14), 'global', 'AD-HOC block III', 'RFC 5771 section 6'),
  blk(cidr('234.0.0.0', 8), 'global', 'Unicast-prefix-based block', 'RFC 6034'),
  blk(cidr('239.255.0.0', 16), 'local', 'IPv4 Local Scope (administratively scoped)', 'RFC 2365 section 6.2',
    'kept inside the site by boundary routers'),
  blk(span('239.252.0.0', '239.254.255.255'), 'local', 'reserved to expand the IPv4 Local Scope', 'RFC 2365 section 6.2',
    'kept inside the site by boundary routers'),
  blk(cidr('239.192.0.0', 14), 'organization-local', 'IPv4 Organization Local Scope (administratively scoped)', 'RFC 2365 section 6.2',
    'kept inside the organisation by boundary routers'),
  blk(cidr('239.0.0.0', 8), 'admin', 'administratively scoped block (no sub-scope assigned)', 'RFC 2365',
    'private use; kept in by boundary routers configured for it'),
  blk(span('224.0.0.0', '239.255.255.255'), 'reserved', 'reserved', 'RFC 5771'),
];

/** Describes an IPv4 group given as an unsigned 32-bit value (the caller checked 224/4). */
export function describeGroup4(g: number): GroupInfo {
  const group = intToIpv4(g);
  const b = BLOCKS4.find((x) => g >= x.first && g <= x.last) ?? (BLOCKS4[BLOCKS4.length - 1] as Block4);
  const info: GroupInfo = {
    group,
    family: 4,
    mac: ipv4GroupToMac(g),
    scope: b.scope,
    block: b.block,
    range: b.range,
    reference: b.reference,
  };
  if (b.note !== undefined) info.note = b.note;
  // GLOP: 233.X.Y.0/24 belongs to the 16-bit AS number X*256+Y (RFC 3180 section 2).
  if (b.scope === 'glop') info.note = `static allocation of AS ${(g >>> 8) & 0xffff}`;
  const wk = WELL_KNOWN_4[group];
  if (wk) { info.name = wk.name; info.nameRef = wk.ref; }
  return info;
}

const SCOPES6: Readonly<Record<number, Scope>> = {
  0x0: 'reserved', 0x1: 'interface-local', 0x2: 'link-local', 0x3: 'realm-local', 0x4: 'admin-local',
  0x5: 'site-local', 0x8: 'organization-local', 0xe: 'global', 0xf: 'reserved',
};

const SCOPE_NOTES6: Partial<Record<Scope, string>> = {
  'interface-local': 'loopback only: never leaves the host',
  'link-local': 'never forwarded by routers',
};

/** The group with its scope nibble cleared: ff05::fb -> ff00::fb, the key of variable-scope names. */
function anyScopeKey(bytes: Uint8Array): string {
  const b = Uint8Array.from(bytes);
  b[1] = 0;
  return ipv6Text(b);
}

/** Describes an IPv6 group given as 16 bytes (the caller checked ff00::/8). */
export function describeGroup6(bytes: Uint8Array): GroupInfo {
  const group = ipv6Text(bytes);
  const flags = (bytes[1] ?? 0) >> 4;
  const scopeNibble = (bytes[1] ?? 0) & 0xf;
  const scope = SCOPES6[scopeNibble] ?? 'unassigned';
  const scopeHex = scopeNibble.toString(16);
  let block = 'permanently assigned (well-known)';
  let range = `ff0${scopeHex}::/16`;
  let reference = 'RFC 4291 section 2.7';
  const allZero = (from: number, to: number): boolean => bytes.slice(from, to).every((x) => x === 0);
  if (flags === 0x3 && allZero(2, 12)) {
    block = 'Source-Specific Multicast'; range = `ff3${scopeHex}::/96`; reference = 'RFC 4607';
  } else if ((flags & 0x4) !== 0) {
    block = 'embedded-RP (prefix-based, RP address inside)'; range = `ff7${scopeHex}::/16`; reference = 'RFC 3956';
  } else if ((flags & 0x2) !== 0) {
    block = 'unicast-prefix-based'; range = `ff3${scopeHex}::/16`; reference = 'RFC 3306';
  } else if ((flags & 0x1) !== 0) {
    block = 'transient (dynamically assigned)'; range = `ff1${scopeHex}::/16`;
  }
  const info: GroupInfo =
    { group, family: 6, mac: ipv6GroupToMac(bytes), scope: flags === 0x3 && allZero(2, 12) ? 'ssm' : scope, block, range, reference };
  const note = SCOPE_NOTES6[scope];
  if (note !== undefined) info.note = note;
  // Solicited-node groups, ff02::1:ffXX:XXXX (RFC 4291 section 2.7.1): Neighbor Discovery.
  if (bytes[1] === 0x02 && allZero(2, 10) && bytes[10] === 0 && bytes[11] === 1 && bytes[12] === 0xff) {
    info.name = 'solicited-node (Neighbor Discovery) of addresses ending in the same 24 bits';
    info.nameRef = 'RFC 4291 section 2.7.1';
    info.range = 'ff02::1:ff00:0/104';
    return info;
  }
  const wk = WELL_KNOWN_6[group] ?? (flags === 0 ? WELL_KNOWN_6_ANY_SCOPE[anyScopeKey(bytes)] : undefined);
  if (wk) { info.name = wk.name; info.nameRef = wk.ref; }
  return info;
}
