// What join-all's periodic stats event carries (issue 19 item 8): a summary of every row, the
// busiest rows, and only the rows that changed since the consumer last saw them. With 15 000
// memberships, every row every second was 3.1 MiB/s of JSON, almost all of it zeros repeated.
// A consumer rebuilds the table from the events: every `joined` pair starts at zero, and each
// row in `changed` replaces the one it had; the summary event at the end carries every row.
// docs/commands/join-all.md "Output", docs/decisions.md "join-all stats events: changes".
import type { RowStats } from './stats-types.js';
import { countRows, sumRows, topRows, TOP_ROWS, type StatsCounts, type StatsTotals, type TopRow } from './stats-summary.js';

export { TOP_ROWS, type StatsCounts, type StatsTotals, type TopRow } from './stats-summary.js';

/** Rows carried by one event at most; the others wait, oldest change first, for the next ones. */
export const MAX_CHANGED_ROWS = 1000;

export interface StatsChange {
  /** 1 for the first event of the run: a gap in the numbers is an event the consumer lost. */
  seq: number;
  counts: StatsCounts;
  totals: StatsTotals;
  /** The receiving rows with the highest rate since the previous event (at most TOP_ROWS). */
  top: TopRow[];
  /** Rows that differ from what the consumer was last given (a pair never given is all zeros). */
  changed: RowStats[];
  /** Changed rows left for the next events by MAX_CHANGED_ROWS. */
  pending: number;
}

const keyOf = (r: RowStats): string => `${r.iface} ${r.group}`;

/**
 * Remembers, per row, the packets and rate the consumer was last given. Every other counter of a
 * row moves only when ReceiveStats.add() counts a packet on it, so (packets, rate) is the whole
 * test of "changed": a row that stops receiving changes once more (its rate falls to 0), then
 * stays out of the events until its next packet.
 */
export class StatsFeed {
  private readonly given = new Map<string, { packets: number; rate: number }>();
  /** Keys of rows changed and not yet given, in the order they changed (Map keeps insertion order). */
  private readonly waiting = new Map<string, true>();
  private seq = 0;

  constructor(private readonly maxRows = MAX_CHANGED_ROWS, private readonly topRows = TOP_ROWS) {}

  /** rows: ReceiveStats.snapshot() of this tick (rates since the previous one). */
  next(rows: readonly RowStats[]): StatsChange {
    const byKey = new Map<string, RowStats>();
    for (const r of rows) {
      const k = keyOf(r);
      byKey.set(k, r);
      const g = this.given.get(k) ?? { packets: 0, rate: 0 };
      if (g.packets !== r.packets || g.rate !== r.rate) this.waiting.set(k, true);
    }
    const changed: RowStats[] = [];
    for (const k of this.waiting.keys()) {
      if (changed.length >= this.maxRows) break;
      this.waiting.delete(k);
      const r = byKey.get(k);
      if (!r) continue;
      this.given.set(k, { packets: r.packets, rate: r.rate });
      changed.push(r);
    }
    return {
      seq: ++this.seq, counts: countRows(rows), totals: sumRows(rows), top: topRows(rows, this.topRows),
      changed, pending: this.waiting.size,
    };
  }
}
