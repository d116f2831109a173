// sniff under interface churn (membership/churn.ts follows the links). Seen in the lab: after
// `ip link set IF down` the packet socket gets ENETDOWN, libuv stops libpcap's poll watcher on
// that POLLERR, and nothing is delivered again even once the link is back; after a delete the
// socket is tied to the dead ifindex. So: on a down the capture is drained and closed and the
// memberships released; on the return a new capture opens (same interface block in the file
// when the link type is the same), then the groups are joined again by the current ifindex.
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { GroupSpec } from '../group-args.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { churnHandle, followChurn, rejoinCounts, type ChurnEvent, type ChurnFollower } from '../membership/churn.js';
import { joinAll, type JoinResult, type Membership } from '../membership/join.js';
import type { SniffSession } from './session.js';
import { defined } from '../defined.js';
import type { Uses } from '../deps.js';

/**
 * `sockets`: present when sniff joined groups. `runsAs`: --user NAME, the process can no longer
 * open a capture (no CAP_NET_RAW).
 */
export type SniffChurnDeps = Uses<'platform' | 'links' | 'clock'> & Partial<Uses<'sockets'>> & { runsAs?: string };

/**
 * The capture on an interface that came back could not be opened again: from here on nothing of
 * it reaches the counts or the file. An error: the run's result is incomplete, and without it the
 * memberships' "re-joined" read as if all was well (issue 14: 50 of 100 probes silently missing).
 */
function captureStopped(iface: string, error: string | undefined, runsAs: string | undefined): Finding {
  const why = error ?? 'the interface came back with another link type, which a classic pcap file cannot hold';
  const user = runsAs !== undefined ? ` (the process runs as ${runsAs} since --user, without the right to open a capture)` : '';
  return makeFinding('CAPTURE_STOPPED', {
    iface,
    message:
      `The capture on ${iface} stopped when the link went down and could not be re-opened when it returned: ${why}${user}; ` +
      'packets after that are missing from the counts and the file',
    ...(runsAs !== undefined
      ? { fix: 'Run without --user (as root, or with CAP_NET_RAW) when links may flap, or keep the link up during the capture.' } : {}),
    evidence: defined({ error, runsAs }),
  });
}

export function followSniffChurn(deps: SniffChurnDeps, session: SniffSession, captured: readonly { iface: string; ifindex: number }[],
  first: Membership | undefined, groups: readonly GroupSpec[], o: { selection: IfaceSelection; intervalMs?: number; graceMs?: number },
  emit: (e: ChurnEvent) => void): ChurnFollower {
  const joined = (first?.results ?? []).filter((r) => r.status === 'joined');
  const memberships: Membership[] = first ? [first] : [];
  const rejoinFindings: Finding[] = [];
  const held = (iface: string): JoinResult[] => joined.filter((r) => r.iface === iface);
  const follower = followChurn({ platform: deps.platform, links: deps.links, clock: deps.clock }, captured.map((c) => ({
    iface: c.iface,
    ifindex: c.ifindex,
    families: [...new Set(held(c.iface).map((r) => r.family))],
  })), {
    down: (e) => {
      session.suspend(e.iface);
      for (const m of memberships) m.release(e.iface);
    },
    up: async (iface) => {
      let capture = false;
      let error: string | undefined;
      try { capture = session.resume(iface.name); } catch (e) { error = e instanceof Error ? e.message : String(e); }
      if (!capture) rejoinFindings.push(captureStopped(iface.name, error, deps.runsAs));
      const mine = groups.filter((g) => held(iface.name).some((r) => r.group === g.group && r.source === g.source));
      let results: JoinResult[] = [];
      if (deps.sockets && mine.length) {
        const m = await joinAll({ sockets: deps.sockets, platform: deps.platform, clock: deps.clock },
          { groups: mine, interfaces: [iface], receive: false });
        memberships.push(m);
        rejoinFindings.push(...m.findings);
        results = m.results;
      }
      return { ...rejoinCounts(results), capture, ...defined({ error }) };
    },
  }, emit, { selection: o.selection, ...defined({ intervalMs: o.intervalMs, graceMs: o.graceMs }) });
  return churnHandle(follower, memberships, rejoinFindings);
}
