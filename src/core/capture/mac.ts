// Group -> Ethernet MAC (RFC 1112 section 6.4: 01:00:5e + the low 23 bits; RFC 2464 section 7:
// 33:33 + the low 32 bits), for collision findings among the groups seen.
import { familyOf, ipv4ToInt, ipv6ToBytes } from '../ip.js';

const hex2 = (n: number): string => n.toString(16).padStart(2, '0');

export function groupMac(group: string): string | undefined {
  const fam = familyOf(group);
  if (fam === 4) {
    const n = ipv4ToInt(group);
    return ['01', '00', '5e', hex2((n >>> 16) & 0x7f), hex2((n >>> 8) & 255), hex2(n & 255)].join(':');
  }
  if (fam === 6) {
    const b = ipv6ToBytes(group);
    return ['33', '33', hex2(b[12] ?? 0), hex2(b[13] ?? 0), hex2(b[14] ?? 0), hex2(b[15] ?? 0)].join(':');
  }
  return undefined;
}
