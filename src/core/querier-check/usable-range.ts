// The addresses a querier on a segment may take: the interface's prefixes, minus the network
// and broadcast addresses (IPv4, prefixes up to /30) and minus this host's own addresses.
// IPv6: an MLD querier must use a link-local source (RFC 3810 section 6.2), so the range is
// fe80::/64 minus this host's link-local address(es) on the interface.
import { intToIpv4, ipv4ToInt, networkOf, type Family } from '../kernel/ip.js';

export interface UsableRange {
  family: Family;
  /** network/len of the interface prefix. */
  prefix: string;
  /** Runs of free addresses: "a" or "a-b". */
  ranges: string[];
  /** Host addresses inside the prefix that a querier must not take (this host's own). */
  excluded: string[];
  /** How many addresses the ranges hold (IPv6: a rounded count, as a string, it is huge). */
  size: string;
}

export interface PrefixIn {
  family: Family;
  address: string;
  prefixLen: number;
}

/** IPv4: the usable hosts of prefix, minus `own` (addresses of this host). */
export function usableRange4(p: PrefixIn, own: readonly string[]): UsableRange {
  const len = p.prefixLen;
  const net = ipv4ToInt(networkOf(p.address, len));
  const span = 2 ** (32 - len);
  // RFC 3021: /31 has no network or broadcast address; /32 is the single address.
  const first = len >= 31 ? net : net + 1;
  const last = len >= 31 ? net + span - 1 : net + span - 2;
  const excluded = [...new Set(own)]
    .map(ipv4ToInt)
    .filter((n) => n >= first && n <= last)
    .sort((a, b) => a - b);
  const ranges: string[] = [];
  let start = first;
  let size = 0;
  for (const x of [...excluded, last + 1]) {
    if (x > start) {
      const end = x - 1;
      ranges.push(start === end ? intToIpv4(start) : `${intToIpv4(start)}-${intToIpv4(end)}`);
      size += end - start + 1;
    }
    start = x + 1;
  }
  return { family: 4, prefix: `${intToIpv4(net)}/${len}`, ranges, excluded: excluded.map(intToIpv4), size: String(size) };
}

/**
 * IPv6 (MLD): link-local fe80::/64 minus this host's link-local addresses. The 2^64 range is
 * given whole; the excluded addresses are listed beside it rather than carved out.
 */
export function usableRange6(ownLinkLocal: readonly string[]): UsableRange {
  const excluded = [...new Set(ownLinkLocal)];
  return {
    family: 6,
    prefix: 'fe80::/64',
    ranges: ['fe80::1-fe80::ffff:ffff:ffff:ffff'],
    excluded,
    size: `2^64 - ${excluded.length + 1}`,
  };
}

/** The lowest free address of a range list: it would win an IGMP election (RFC 2236 section 3). */
export function lowestOf(r: UsableRange): string | undefined {
  const first = r.ranges[0]?.split('-')[0];
  return first !== undefined && !r.excluded.includes(first) ? first : undefined;
}
