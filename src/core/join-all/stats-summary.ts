// The summary half of join-all's periodic stats event (./stats-feed.ts): over every row, how
// many receive, stalled or stay silent, the sums, and the busiest rows, each in one pass.
import type { RowStats } from './stats-types.js';

/** Rows named in `top`. */
export const TOP_ROWS = 10;

/** Every row, by what it did since the previous event; rows = receiving + stalled + silent. */
export interface StatsCounts {
  rows: number;
  /** Rows with packets since the previous event. */
  receiving: number;
  /** Rows that received before, and nothing since the previous event. */
  stalled: number;
  /** Rows that have received nothing yet. */
  silent: number;
}

/** Sums over every row. */
export interface StatsTotals {
  bytes: number;
  /** Packets per second since the previous event. */
  rate: number;
  lost: number;
  expected: number;
  duplicates: number;
  reordered: number;
  foreign: number;
  forged: number;
}

export interface TopRow {
  iface: string;
  group: string;
  packets: number;
  rate: number;
}

export function countRows(rows: readonly RowStats[]): StatsCounts {
  let receiving = 0;
  let silent = 0;
  for (const r of rows) {
    if (r.rate > 0) receiving++;
    else if (r.packets === 0) silent++;
  }
  return { rows: rows.length, receiving, stalled: rows.length - receiving - silent, silent };
}

export function sumRows(rows: readonly RowStats[]): StatsTotals {
  const t: StatsTotals = { bytes: 0, rate: 0, lost: 0, expected: 0, duplicates: 0, reordered: 0, foreign: 0, forged: 0 };
  for (const r of rows) {
    t.bytes += r.bytes;
    t.rate += r.rate;
    t.lost += r.lost;
    t.expected += r.expected;
    t.duplicates += r.duplicates;
    t.reordered += r.reordered;
    t.foreign += r.foreign;
    t.forged += r.forged;
  }
  return t;
}

/** The n receiving rows of the highest rate (ties: more packets first), in one pass. */
export function topRows(rows: readonly RowStats[], n: number): TopRow[] {
  const top: TopRow[] = [];
  const before = (a: TopRow, b: TopRow): boolean => a.rate > b.rate || (a.rate === b.rate && a.packets > b.packets);
  for (const r of rows) {
    if (r.rate <= 0) continue;
    const t = { iface: r.iface, group: r.group, packets: r.packets, rate: r.rate };
    const last = top[top.length - 1];
    if (top.length === n && last && !before(t, last)) continue;
    let i = top.length;
    while (i > 0 && before(t, top[i - 1]!)) i--;
    top.splice(i, 0, t);
    if (top.length > n) top.pop();
  }
  return top;
}
