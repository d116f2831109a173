// mesh-report's pair verdicts: one per ordered (sender host, receiver host with a document).
// What a pair keeps while documents are folded in (merge.ts) is a few numbers and the cells that
// lost or stopped; its verdict waits for the end, when the loss threshold is known (the largest
// the hosts ran with, unless --max-loss). Listing is bounded: every pair is judged and counted,
// at most `caps.pairs` are listed (failing ones first, in matrix order) and `caps.reasons` named.
import { hostnameOf, type MeshCell, type PairStatus } from './model.js';
import type { ReportPair } from './merge.js';

/** A cell of the pair that lost probes or stopped: what its reason will say. */
export interface PairNote {
  fromIface: string;
  toIface: string;
  lossPct: number;
  stall?: MeshCell['stall'];
}

export interface PairAgg {
  received: number;
  expected: number;
  worst: number;
  /** Lossy and stopped cells, in the receiver document's order; null when every cell was clean. */
  notes: PairNote[] | null;
}

interface PairHost { id: string; hostname: string; file: string | null }

export interface ListedPairs {
  pairs: ReportPair[];
  /** Every ordered pair, listed or not. */
  total: number;
  failed: number;
  /** "a -> b: why", for the first failing pairs. */
  reasons: string[];
}

function judge(from: PairHost, to: PairHost, agg: PairAgg | undefined, max: number): { status: PairStatus; reasons: string[] } {
  if (!agg) {
    // A peer without a document is only a row: we cannot tell whether it was meant to be heard.
    if (from.file === null) return { status: 'no-data', reasons: ['no document from the sender'] };
    return { status: 'fail', reasons: [`${to.hostname} never heard ${from.hostname}`] };
  }
  const reasons: string[] = [];
  for (const c of agg.notes ?? []) {
    if (c.stall) reasons.push(`${c.fromIface} -> ${c.toIface} stopped ${c.stall.atS.toFixed(1)} s after the join (${c.stall.finding})`);
    else if (c.lossPct > max) reasons.push(`${c.fromIface} -> ${c.toIface} lost ${c.lossPct}% (more than ${max}%)`);
  }
  return { status: reasons.length ? 'fail' : 'pass', reasons };
}

/** Would this pair fail? The cheap test run for every pair before anything is built. */
function fails(from: PairHost, agg: PairAgg | undefined, max: number): boolean {
  if (!agg) return from.file !== null;
  return agg.notes !== null && agg.notes.some((c) => c.stall !== undefined || c.lossPct > max);
}

/**
 * Judges every (from, to) pair, senders in `hosts` order, receivers in `receivers` order, and
 * lists them: all when they fit in caps.pairs, else the failing ones first and then the others in
 * order until the cap, all sorted back into matrix order. O(hosts x receivers), objects only for
 * what is listed.
 */
export function listPairs<H extends PairHost>(hosts: readonly H[], receivers: readonly H[], heard: (from: H, to: H) => PairAgg | undefined,
  max: number, caps: { pairs: number; reasons: number }): ListedPairs {
  const failing: Array<[number, ReportPair]> = [];
  const others: Array<[number, ReportPair]> = [];
  const reasons: string[] = [];
  let total = 0;
  let failed = 0;
  for (const from of hosts) {
    for (const to of receivers) {
      if (from === to) continue;
      const seq = total++;
      const agg = heard(from, to);
      const bad = fails(from, agg, max);
      if (bad) failed++;
      if (bad ? failing.length >= caps.pairs : others.length >= caps.pairs) continue;
      const { status, reasons: why } = judge(from, to, agg, max);
      const pair: ReportPair = {
        from: from.id,
        to: to.id,
        status,
        received: agg?.received ?? 0,
        expected: agg?.expected ?? 0,
        worstLossPct: agg?.worst ?? 0,
        reasons: why,
      };
      if (bad) {
        failing.push([seq, pair]);
        if (reasons.length < caps.reasons) reasons.push(`${hostnameOf(from.id)} -> ${hostnameOf(to.id)}: ${why.join('; ')}`);
      } else others.push([seq, pair]);
    }
  }
  const listed = failing.concat(others.slice(0, Math.max(0, caps.pairs - failing.length)));
  listed.sort((a, b) => a[0] - b[0]);
  return { pairs: listed.map(([, p]) => p), total, failed, reasons };
}
