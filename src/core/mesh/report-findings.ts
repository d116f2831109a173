// mesh-report's verdict as findings and coverage, so that its exit code comes from the one
// function every command uses (core/exit.ts exitFor): the failing host pairs (one finding,
// bounded: at 1000 hosts there can be a million pairs), documents of different groups, and the
// checks the hosts' own runs could not make (no capture there: stops not explained). Both are
// folded as the documents stream through (merge.ts MeshMerger), in bounded memory.
import type { Coverage, NotRun } from '../coverage.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { hostnameOf, type MeshDocument } from './model.js';
import type { ReportPair } from './merge.js';

/** Failing pairs named in the finding's evidence; the rest are counted (the pairs table has them). */
export const PAIRS_NAMED = 50;
/** Hosts and groups named in a line; the rest are counted. */
const NAMED = 10;
/** Distinct gaps (check + reason) kept: a forged document cannot grow the list without bound. */
const GAPS_KEPT = 32;

/**
 * `pairs`: the pairs the merge lists (failing first, bounded); `failed` and `total`: the counts of
 * every pair, listed or not.
 */
export function reportFindings(pairs: readonly ReportPair[], failed: number, total: number, groups: readonly string[]): Finding[] {
  const out: Finding[] = [];
  if (failed > 0) {
    const named = pairs.filter((p) => p.status === 'fail').slice(0, PAIRS_NAMED);
    const more = failed - named.length;
    out.push(makeFinding('MESH_PAIRS_FAILED', {
      message: `${failed} of ${total} host pairs fail: ` +
        named.slice(0, 3).map((p) => `${hostnameOf(p.from)} -> ${hostnameOf(p.to)} (${p.reasons[0] ?? 'failed'})`).join(', ') +
        `${failed > 3 ? ', ...' : ''}.`,
      evidence: {
        failedPairs: failed,
        pairs: total,
        named: named.map((p) => ({ from: p.from, to: p.to, reasons: p.reasons.slice(0, 4) })),
        ...(more > 0 ? { notNamed: more } : {}),
      },
    }));
  }
  if (groups.length > 1) {
    out.push(makeFinding('MESH_GROUPS_DIFFER', {
      message:
        `The documents are of different groups (${groups.slice(0, NAMED).join(', ')}${groups.length > NAMED ? ', ...' : ''}): ` +
        'their hosts never probed each other.',
      evidence: { groups: groups.slice(0, NAMED), count: groups.length },
    }));
  }
  return out;
}

/** The hosts' own gaps, folded document by document: one line per check and reason with the hosts that had it. */
export class HostGaps {
  private readonly byGap = new Map<string, { gap: NotRun; hosts: string[]; count: number }>();

  add(doc: Pick<MeshDocument, 'host' | 'coverage'>): void {
    for (const n of doc.coverage?.notRun ?? []) {
      const key = `${n.check}\u0000${n.reason}`;
      let e = this.byGap.get(key);
      if (!e) {
        if (this.byGap.size >= GAPS_KEPT) continue;
        e = { gap: { check: n.check, reason: n.reason, remedy: n.remedy }, hosts: [], count: 0 };
        this.byGap.set(key, e);
      }
      e.count++;
      if (e.hosts.length < NAMED) e.hosts.push(doc.host.hostname);
    }
  }

  coverage(): Coverage {
    const notRun = [...this.byGap.values()].map(({ gap, hosts, count }) => ({
      ...gap,
      check: `${gap.check} on ${count === 1 ? 'host' : `${count} hosts:`} ${hosts.join(', ')}${count > hosts.length ? ', ...' : ''}`,
    }));
    return { notRun, interrupted: null };
  }
}

/** All documents at once (tests): the same fold. */
export function reportCoverage(docs: readonly { doc: Pick<MeshDocument, 'host' | 'coverage'> }[]): Coverage {
  const g = new HostGaps();
  for (const { doc } of docs) g.add(doc);
  return g.coverage();
}
