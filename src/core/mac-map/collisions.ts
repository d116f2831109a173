// --collisions: which MACs the given groups share, and which groups land on the MAC of a
// 224.0.0.x link-local group. IPv4 is counted per MAC over interval sets (count4.ts); IPv6
// groups are held one by one (ranges are capped, input.ts MAX_RANGE6).
import { intToIpv4, ipv6Text } from '../kernel/ip.js';
import { GroupSet4 } from './group-set.js';
import { countPerMac4 } from './count4.js';
import { bigintToBytes, bytesToBigint, type Item } from './input.js';
import { GROUPS_PER_MAC4, groupOf, mac4Text, mac6Text } from './mac.js';
import { WELL_KNOWN_4 } from './well-known.js';

export interface GroupsInput {
  /** IPv4 [first, count] ranges, overlaps allowed. */
  v4: Array<readonly [number, number]>;
  /** IPv6 groups as 128-bit values, duplicates allowed. */
  v6: bigint[];
}

export interface SharedMac {
  mac: string;
  family: 4 | 6;
  /** Groups on this MAC. */
  count: number;
  groups: string[];
}

export interface FloodedGroup {
  group: string;
  mac: string;
  /** The 224.0.0.x group with the same MAC (and its well-known name). */
  sharesWith: string;
  sharesWithName?: string;
}

export interface CollisionReport {
  groups: { total: number; ipv4: number; ipv6: number };
  macs: { used: number; shared: number; groupsOnShared: number };
  /** The first `limit` shared MACs, IPv4 then IPv6, each by MAC. */
  collisions: SharedMac[];
  flooded: { count: number; groups: FloodedGroup[] };
  truncated: boolean;
}

const LOW32 = 0xffffffffn;
const ID112 = (1n << 112n) - 1n;
/** At most this many groups listed for one shared IPv6 MAC (IPv4 has at most 32). */
const MAX_LISTED = 32;

/** Collects groups and ranges (MAC items are the caller's business). */
export function groupsOf(items: readonly Item[]): GroupsInput {
  const out: GroupsInput = { v4: [], v6: [] };
  for (const it of items) {
    if (it.kind === 'group4') out.v4.push([it.value, 1]);
    else if (it.kind === 'range4') out.v4.push([it.first, it.count]);
    else if (it.kind === 'group6') out.v6.push(bytesToBigint(it.bytes));
    else if (it.kind === 'range6') for (let i = 0; i < it.count; i++) out.v6.push(it.first + BigInt(i));
  }
  return out;
}

export function analyseCollisions(input: GroupsInput, limit: number): CollisionReport {
  const set4 = new GroupSet4(input.v4);
  const c4 = countPerMac4(set4, limit);
  const collisions: SharedMac[] = c4.firstShared.map((m) => {
    const groups: string[] = [];
    for (let hi = 0; hi < GROUPS_PER_MAC4; hi++) {
      const g = groupOf(hi, m);
      if (set4.has(g)) groups.push(intToIpv4(g));
    }
    return { mac: mac4Text(m), family: 4, count: groups.length, groups };
  });

  // IPv6: 33:33 + low 32 bits (RFC 2464 section 7). Scope variants of one group id (ff02::fb and
  // ff05::fb) share a MAC by design and serve one protocol: only distinct ids collide.
  const by32 = new Map<bigint, Set<bigint>>();
  for (const v of input.v6) {
    const key = v & LOW32;
    let s = by32.get(key);
    if (!s) by32.set(key, (s = new Set()));
    s.add(v);
  }
  let v6count = 0;
  let shared6 = 0;
  let onShared6 = 0;
  const keys = [...by32.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const k of keys) {
    const members = [...(by32.get(k) ?? [])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    v6count += members.length;
    if (new Set(members.map((v) => v & ID112)).size < 2) continue;
    shared6++;
    onShared6 += members.length;
    if (collisions.length < limit) {
      collisions.push({
        mac: mac6Text(Number(k)),
        family: 6,
        count: members.length,
        groups: members.slice(0, MAX_LISTED).map((v) => ipv6Text(bigintToBytes(v))),
      });
    }
  }

  // Groups x.0.0.y / x.128.0.y (low 23 bits < 256) other than 224.0.0.y itself (hi = 0).
  let floodedCount = 0;
  const flooded: FloodedGroup[] = [];
  for (let hi = 1; hi < GROUPS_PER_MAC4; hi++) {
    const first = groupOf(hi, 0);
    floodedCount += set4.countIn(first, first + 255);
    for (const g of set4.listIn(first, first + 255, limit - flooded.length)) {
      const twin = intToIpv4(groupOf(0, g));
      const f: FloodedGroup = { group: intToIpv4(g), mac: mac4Text(g & 0xff), sharesWith: twin };
      const name = WELL_KNOWN_4[twin]?.name;
      if (name !== undefined) f.sharesWithName = name;
      flooded.push(f);
    }
  }

  const shared = c4.shared + shared6;
  return {
    groups: { total: set4.size + v6count, ipv4: set4.size, ipv6: v6count },
    macs: { used: c4.used + by32.size, shared, groupsOnShared: c4.groupsOnShared + onShared6 },
    collisions,
    flooded: { count: floodedCount, groups: flooded },
    truncated: shared > collisions.length || floodedCount > flooded.length,
  };
}
