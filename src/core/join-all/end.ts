// join-all's end (a step of startJoinAll, run.ts): read the last datagrams and the drops, close
// everything, then judge: receive health, stalls, NO_ELIGIBLE_INTERFACE, NO_TRAFFIC for --expect
// pairs (explained by the accounting window when there is one), silence.
import type { Finding } from '../findings/model.js';
import type { Coverage } from '../coverage.js';
import { makeFinding } from '../findings/catalog.js';
import { noEligibleInterface } from '../kernel/eligibility.js';
import { waitedFor } from '../kernel/carrier-wait.js';
import { receiveHealth, splitLoss } from './health.js';
import { silenceFindings } from './silence.js';
import type { JoinResult, OwnDrops } from '../membership/join.js';
import type { JoinAllOutcome, Running } from './types.js';

/** Closes the run and judges it. */
export async function endRun(r: Running): Promise<JoinAllOutcome> {
  const { m, stats, o } = r;
  const { ownDrops, endMs } = await closeRun(r);
  const elapsedMs = endMs - r.listeningAt;
  const rows = stats.snapshot();
  const ifaces = stats.ifaces();
  const findings = r.findings;
  findings.push(...receiveHealth(rows, ifaces, ownDrops));
  findings.push(...r.receiveErrors, ...r.churn?.findings() ?? []);
  findings.push(...await r.stalls.finish(stats.streams(), { joinedAtMs: r.joinedAt, endMs }, downsAtEnd(r)));
  if (!m.results.some((x) => x.status !== 'skipped')) {
    findings.unshift(noEligibleInterface(r.inv.interfaces, [...new Set(o.groups.map((g) => g.family))], 'join these groups',
      waitedFor(r.carrier)));
  }
  findings.push(...await noTrafficFindings(r, elapsedMs));
  // Only a run that listened: one cut before it started listening says nothing by silence.
  if (r.joinedAny) {
    const held = m.results.filter((x) => x.status === 'joined').map((x) => ({ iface: x.iface, group: x.group, port: x.port }));
    const expected = new Set(r.expectations.map((e) => `${e.iface} ${e.group}`));
    findings.push(...silenceFindings(held, (i, g) => stats.packetsOf(i, g), expected, elapsedMs));
  }
  // A failed membership is a JOIN_FAILED error finding (membership/join.ts): exitFor sees it there.
  const coverage: Coverage = { notRun: [...r.stalls.notRun(), ...r.notRun], interrupted: null };
  return {
    results: m.results,
    rows,
    findings,
    sockets: m.socketCount,
    elapsedMs,
    totalPackets: stats.total,
    churn: r.churn?.summary() ?? [],
    ifaces,
    ownDrops,
    loss: splitLoss(rows, ownDrops),
    coverage,
  };
}

/** Reads the last datagrams and the drops, then closes the churn follower, the sockets and the accounting window. */
async function closeRun(r: Running): Promise<{ ownDrops: OwnDrops[]; endMs: number }> {
  const { m, stats, o } = r;
  // What the kernel queued before the end counts (the timer that ended the run fired before the
  // poll that would read it); after --count, the count is what the user asked for.
  if (o.count === undefined || stats.total < o.count) m.drainAll();
  await r.churn?.close();
  // Read before the sockets close (close() reads them too, but churned sockets are gone).
  const ownDrops = m.ownDrops();
  m.close();
  await r.window?.finish().catch(() => r.window?.close());
  return { ownDrops, endMs: r.clock.now() };
}

/** The downs for the stall diagnosis; one is still on at the end when it is the interface's last and the interface is down. */
function downsAtEnd(r: Running): { iface: string; atMs: number; stillDown: boolean }[] {
  return r.downs.map((d) => ({ iface: d.iface, atMs: d.atMs,
    stillDown: d === r.downs.filter((x) => x.iface === d.iface).at(-1)
      && (r.churn?.summary().find((c) => c.iface === d.iface)?.down ?? false) }));
}

/** NO_TRAFFIC for each --expect pair that got nothing, with the accounting window's explanation when there is one. */
async function noTrafficFindings(r: Running, elapsedMs: number): Promise<Finding[]> {
  const out: Finding[] = [];
  for (const e of r.expectations) {
    if (r.stats.packetsOf(e.iface, e.group) > 0) continue;
    const res = r.m.results.find((x) => x.iface === e.iface && x.group === e.group);
    const why = await r.window?.explain(e.iface, e.group, elapsedMs / 1000).catch(() => undefined);
    out.push(makeFinding('NO_TRAFFIC', {
      iface: e.iface, group: e.group,
      message: `Nothing arrived for ${e.group} on ${e.iface} in ${(elapsedMs / 1000).toFixed(1)} s${membershipNote(res)}.`
        + (why ? ` ${why.sentence}` : ''),
      evidence: { elapsedMs, membership: res?.status ?? 'none', ...(why ? { path: why } : {}) },
    }));
  }
  return out;
}

/** Why nothing could arrive, when the pair's membership was not made. */
function membershipNote(res: JoinResult | undefined): string {
  if (!res || res.status === 'joined') return '';
  return ` (the membership ${res.status === 'failed' ? 'failed' : `was skipped: ${res.skipReason}`})`;
}
