// `mac-map ADDR...` without --collisions: each group with its MAC, scope and name; each MAC
// with the groups that map onto it.
import { intToIpv4 } from '../kernel/ip.js';
import { classifyMac, formatMac, ipv4GroupsOfMac, mac6Low32 } from './mac.js';
import type { Item } from './input.js';
import { describeGroup4, describeGroup6, type GroupInfo } from './scope.js';
import { WELL_KNOWN_6, WELL_KNOWN_6_ANY_SCOPE } from './well-known.js';
import { ipv6ToBytes } from '../kernel/ip.js';

export interface GroupLookup extends GroupInfo {
  input: string;
  kind: 'group';
  /** IPv4: the 32 groups on this MAC (this one included). */
  sameMac?: string[];
}

export interface MacLookup {
  input: string;
  kind: 'mac';
  mac: string;
  family: 4 | 6;
  /** IPv4: the 32 groups on this MAC, described. */
  groups?: GroupInfo[];
  /** IPv6: every ff00::/8 group whose low 32 bits are these. */
  pattern?: string;
  /** IPv6: well-known groups with these low 32 bits (common scopes of variable-scope names). */
  wellKnown?: GroupInfo[];
}

export type Lookup = GroupLookup | MacLookup;

const COMMON_SCOPES = [0x1, 0x2, 0x5, 0x8, 0xe];

/** Well-known IPv6 groups (fixed ones and the common scopes of variable-scope ones) by low 32 bits. */
function wellKnown6(low32: number): GroupInfo[] {
  const out: GroupInfo[] = [];
  for (const g of Object.keys(WELL_KNOWN_6)) {
    const b = ipv6ToBytes(g);
    if (mac6Low32(b) === low32) out.push(describeGroup6(b));
  }
  for (const g of Object.keys(WELL_KNOWN_6_ANY_SCOPE)) {
    const b = ipv6ToBytes(g);
    if (mac6Low32(b) !== low32) continue;
    for (const s of COMMON_SCOPES) {
      b[1] = s;
      const d = describeGroup6(b);
      if (!out.some((o) => o.group === d.group)) out.push(d);
    }
  }
  // Solicited-node groups carry 0xff in the top byte of the low 32 bits (RFC 4291 2.7.1).
  if (low32 >>> 24 === 0xff) {
    const b = ipv6ToBytes('ff02::1:ff00:0');
    b[13] = (low32 >>> 16) & 0xff; b[14] = (low32 >>> 8) & 0xff; b[15] = low32 & 0xff;
    out.push(describeGroup6(b));
  }
  return out;
}

const hex4 = (n: number): string => n.toString(16).padStart(4, '0');

export function lookup(item: Item): Lookup {
  if (item.kind === 'group4') {
    const info = describeGroup4(item.value);
    return { input: item.text, kind: 'group', ...info, sameMac: ipv4GroupsOfMac(item.value).map(intToIpv4) };
  }
  if (item.kind === 'group6') return { input: item.text, kind: 'group', ...describeGroup6(item.bytes) };
  if (item.kind === 'mac') {
    const t = classifyMac(item.bytes);
    const mac = formatMac(item.bytes);
    if (t.family === 4) return { input: item.text, kind: 'mac', mac, family: 4, groups: ipv4GroupsOfMac(t.index).map(describeGroup4) };
    if (t.family === 6) {
      return {
        input: item.text, kind: 'mac', mac, family: 6,
        pattern: `ffXX:XXXX:XXXX:XXXX:XXXX:XXXX:${hex4(t.low32 >>> 16)}:${hex4(t.low32 & 0xffff)}`,
        wellKnown: wellKnown6(t.low32),
      };
    }
  }
  // input.ts turns anything else into a UsageError before it gets here.
  throw new Error(`lookup: unexpected item ${item.kind} ${item.text}`);
}
