// Per interface, what is never a row: unicast to this host, other programs' groups (a few named,
// the rest counted), and how many distinct sources and probe senders it heard, in fixed memory.
import type { Packet } from '../membership/join.js';
import { DistinctCounter } from './distinct.js';
import type { IfaceReceive } from './stats-types.js';

/** Groups someone else joined, named per interface (the rest are counted). */
const OTHER_GROUP_SAMPLES = 8;

export interface IfaceCounts {
  stats: IfaceReceive;
  sources: DistinctCounter;
  senders: DistinctCounter;
}

export function newIfaceCounts(iface: string, atMs: number): IfaceCounts {
  return {
    stats: { iface, unicast: 0, otherGroups: 0, otherGroupNames: [], sources: 0, senders: 0, firstAtMs: atMs, lastAtMs: atMs },
    sources: new DistinctCounter(),
    senders: new DistinctCounter(),
  };
}

/** Unicast to this host, or a group another program joined: counted per interface, never a row. */
export function countOutsideGroups(x: IfaceReceive, p: Packet): void {
  if (p.kind === 'unicast') {
    x.unicast++;
    return;
  }
  x.otherGroups++;
  const names = x.otherGroupNames;
  if (names.length < OTHER_GROUP_SAMPLES && !names.includes(p.dst)) names.push(p.dst);
}

/** The interface's counts now (a copy). */
export function snapshotIface(e: IfaceCounts): IfaceReceive {
  return { ...e.stats, otherGroupNames: [...e.stats.otherGroupNames], sources: e.sources.count(), senders: e.senders.count() };
}
