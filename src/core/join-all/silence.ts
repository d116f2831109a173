// join-all's answer to "I joined the group and see nothing" (issue 16): a run with nothing at all
// is one sentence with the next step (NOTHING_ARRIVED), not "No problems found"; a pair that got
// nothing while others received is named per interface (NOTHING_RECEIVED, grouped so 4096 groups
// make one line per interface). Pairs named by --expect are judged by NO_TRAFFIC instead (an error,
// explained by the packet-accounting differential).
import type { Finding } from '../findings/model.js';
import { firstAndMore } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';

export interface HeldPair { iface: string; group: string; port: number }

export interface SilenceOptions {
  /** NOTHING_ARRIVED is an 'error' where the run asserted reception (mesh --expect-peers). */
  severity?: 'error';
  /** The next step of NOTHING_ARRIVED, when the command has a better one than the default. */
  nextStep?: string;
}

export function silenceFindings(held: readonly HeldPair[], packetsOf: (iface: string, group: string) => number,
  expected: ReadonlySet<string>, elapsedMs: number, o: SilenceOptions = {}): Finding[] {
  const sev = o.severity ? { severity: o.severity } : {};
  if (held.length === 0) return [];
  const secs = (elapsedMs / 1000).toFixed(1);
  const silent = held.filter((p) => packetsOf(p.iface, p.group) === 0);
  if (silent.length === held.length) {
    const groups = [...new Set(held.map((p) => p.group))];
    const ifaces = [...new Set(held.map((p) => p.iface))];
    const first = held[0]!;
    const target = `${first.group.includes(':') ? `[${first.group}]` : first.group}:${first.port}`;
    const next = o.nextStep
      ?? ('check the sender is running and sends to this group and port, ' +
        `then run mcast-doctor trace ${target} here to see where the packets stop`);
    return [makeFinding('NOTHING_ARRIVED', {
      ...sev, ...(groups.length === 1 ? { group: first.group } : {}),
      message:
        `Nothing arrived in ${secs} s: no datagram of ${firstAndMore(groups, 3)} on ${firstAndMore(ifaces, 4)}, ` +
        `though every membership was held. Next: ${next}.`,
      evidence: { elapsedMs, groups: groups.length, interfaces: ifaces, pairs: held.length },
    })];
  }
  const byIface = new Map<string, string[]>();
  for (const p of silent) {
    if (expected.has(`${p.iface} ${p.group}`)) continue;
    byIface.set(p.iface, [...byIface.get(p.iface) ?? [], p.group]);
  }
  return [...byIface].map(([iface, groups]) => makeFinding('NOTHING_RECEIVED', {
    iface, ...(groups.length === 1 ? { group: groups[0] } : {}),
    message: `Nothing arrived on ${iface} for ${firstAndMore(groups, 3)} in ${secs} s, while other pairs received.`,
    evidence: { elapsedMs, groups: groups.slice(0, 32), silentGroups: groups.length },
  }));
}
