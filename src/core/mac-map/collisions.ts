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
  const collisions = c4.firstShared.map((m) => sharedMac4(set4, m));
  const v6 = sharedMacs6(input.v6, limit - collisions.length);
  collisions.push(...v6.listed);
  const flooded = floodedGroups(set4, limit);
  const shared = c4.shared + v6.shared;
  return {
    groups: { total: set4.size + v6.groups, ipv4: set4.size, ipv6: v6.groups },
    macs: { used: c4.used + v6.macs, shared, groupsOnShared: c4.groupsOnShared + v6.groupsOnShared },
    collisions,
    flooded,
    truncated: shared > collisions.length || flooded.count > flooded.groups.length,
  };
}

/** The groups of the set on one IPv4 MAC (at most 32: the 5 bits of the group the MAC drops). */
function sharedMac4(set4: GroupSet4, m: number): SharedMac {
  const groups: string[] = [];
  for (let hi = 0; hi < GROUPS_PER_MAC4; hi++) {
    const g = groupOf(hi, m);
    if (set4.has(g)) groups.push(intToIpv4(g));
  }
  return { mac: mac4Text(m), family: 4, count: groups.length, groups };
}

const byValue = (a: bigint, b: bigint): number => (a < b ? -1 : a > b ? 1 : 0);

interface Macs6 {
  groups: number;
  macs: number;
  shared: number;
  groupsOnShared: number;
  listed: SharedMac[];
}

/**
 * IPv6 groups per MAC: 33:33 + low 32 bits (RFC 2464 section 7). Scope variants of one group id
 * (ff02::fb and ff05::fb) share a MAC by design and serve one protocol: only distinct ids collide.
 * Counts every MAC; lists the first `room` shared ones, by MAC.
 */
function sharedMacs6(v6: readonly bigint[], room: number): Macs6 {
  const by32 = new Map<bigint, Set<bigint>>();
  for (const v of v6) {
    const key = v & LOW32;
    let s = by32.get(key);
    if (!s) by32.set(key, (s = new Set()));
    s.add(v);
  }
  const out: Macs6 = { groups: 0, macs: by32.size, shared: 0, groupsOnShared: 0, listed: [] };
  for (const k of [...by32.keys()].sort(byValue)) {
    const members = [...(by32.get(k) ?? [])].sort(byValue);
    out.groups += members.length;
    if (new Set(members.map((v) => v & ID112)).size < 2) continue;
    out.shared++;
    out.groupsOnShared += members.length;
    if (out.listed.length < room) {
      out.listed.push({
        mac: mac6Text(Number(k)),
        family: 6,
        count: members.length,
        groups: members.slice(0, MAX_LISTED).map((v) => ipv6Text(bigintToBytes(v))),
      });
    }
  }
  return out;
}

/**
 * Groups x.0.0.y / x.128.0.y (low 23 bits < 256) other than 224.0.0.y itself (hi = 0): they share
 * the MAC of a link-local group, which switches flood to every port. All counted, `limit` listed.
 */
function floodedGroups(set4: GroupSet4, limit: number): CollisionReport['flooded'] {
  let count = 0;
  const groups: FloodedGroup[] = [];
  for (let hi = 1; hi < GROUPS_PER_MAC4; hi++) {
    const first = groupOf(hi, 0);
    count += set4.countIn(first, first + 255);
    for (const g of set4.listIn(first, first + 255, limit - groups.length)) {
      const twin = intToIpv4(groupOf(0, g));
      const f: FloodedGroup = { group: intToIpv4(g), mac: mac4Text(g & 0xff), sharesWith: twin };
      const name = WELL_KNOWN_4[twin]?.name;
      if (name !== undefined) f.sharesWithName = name;
      groups.push(f);
    }
  }
  return { count, groups };
}
