// Group text -> Ethernet MAC, through mac-map's arithmetic (RFC 1112 section 6.4, RFC 2464 section 7).
import { familyOf, ipv4ToInt, ipv6ToBytes } from '../kernel/ip.js';
import { ipv4GroupToMac, ipv6GroupToMac } from '../mac-map/mac.js';

export function groupMac(group: string): string | undefined {
  const fam = familyOf(group);
  if (fam === 4) return ipv4GroupToMac(ipv4ToInt(group));
  if (fam === 6) return ipv6GroupToMac(ipv6ToBytes(group));
  return undefined;
}
