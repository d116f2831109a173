// Counting IPv4 groups per MAC without holding the groups. The MAC space is 2^23 (RFC 1112
// 6.4), so a count per MAC fits one Uint8Array of 8 MiB (at most 32 groups share a MAC),
// whatever the number of groups: 239.0.0.0/8 or all of 224.0.0.0/4 alike.
import type { GroupSet4 } from './group-set.js';
import { LOW23, MAC4_SPACE } from './mac.js';

export interface MacCounts4 {
  /** MACs used by at least one group. */
  used: number;
  /** MACs used by two or more groups. */
  shared: number;
  /** Groups on shared MACs. */
  groupsOnShared: number;
  /** The first `limit` shared MAC indexes (23 bits), ascending. */
  firstShared: number[];
}

/** Below this many groups a Map is cheaper than sweeping the 2^23 array. */
export const SMALL_SET = 1 << 16;

export function countPerMac4(set: GroupSet4, limit: number): MacCounts4 {
  return set.size <= SMALL_SET ? countSmall(set, limit) : countLarge(set, limit);
}

function countSmall(set: GroupSet4, limit: number): MacCounts4 {
  const counts = new Map<number, number>();
  for (const [s, e] of set.intervals()) {
    for (let g = s; g <= e; g++) counts.set(g & LOW23, (counts.get(g & LOW23) ?? 0) + 1);
  }
  const res: MacCounts4 = { used: counts.size, shared: 0, groupsOnShared: 0, firstShared: [] };
  for (const m of [...counts.keys()].sort((a, b) => a - b)) {
    const c = counts.get(m) ?? 0;
    if (c < 2) continue;
    res.shared++;
    res.groupsOnShared += c;
    if (res.firstShared.length < limit) res.firstShared.push(m);
  }
  return res;
}

function countLarge(set: GroupSet4, limit: number): MacCounts4 {
  const counts = new Uint8Array(MAC4_SPACE);
  // Every whole, aligned block of 2^23 groups adds one to every MAC: counted once in `base`.
  let base = 0;
  for (const [s, e] of set.intervals()) {
    let g = s;
    while (g <= e) {
      if ((g & LOW23) === 0 && e - g + 1 >= MAC4_SPACE) {
        base++;
        g += MAC4_SPACE;
        continue;
      }
      const blockEnd = Math.min(e, (g | LOW23) >>> 0);
      const stop = blockEnd & LOW23;
      // m < 2^23 = counts.length: the element exists (a cast, not a ?? in the hot loop).
      for (let m = g & LOW23; m <= stop; m++) counts[m] = (counts[m] as number) + 1;
      g = blockEnd + 1;
    }
  }
  const res: MacCounts4 = { used: 0, shared: 0, groupsOnShared: 0, firstShared: [] };
  for (let m = 0; m < MAC4_SPACE; m++) {
    const c = (counts[m] ?? 0) + base;
    if (c === 0) continue;
    res.used++;
    if (c < 2) continue;
    res.shared++;
    res.groupsOnShared += c;
    if (res.firstShared.length < limit) res.firstShared.push(m);
  }
  return res;
}
