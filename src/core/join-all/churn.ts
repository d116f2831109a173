// join-all under interface churn (membership/churn.ts follows the links): when an interface it
// joined on goes down or away, its sockets are closed (their memberships are dead or useless);
// when it returns, every group it held is joined again by the interface's ifindex now (new
// after a re-create) on fresh sockets, whose packets count on the same rows.
import type { Finding } from '../findings/model.js';
import type { GroupSpec } from '../group-args.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { churnHandle, followChurn, rejoinCounts, type ChurnEvent, type ChurnFollower, type ChurnTarget } from '../membership/churn.js';
import { joinAll, type JoinResult, type Membership } from '../membership/join.js';
import { defined } from '../defined.js';
import type { Uses } from '../deps.js';

/** The links followed, the sockets a return re-joins on, the clock the outages are timed on. */
export type JoinChurnDeps = Uses<'platform' | 'sockets' | 'links' | 'clock'>;

const sameSpec = (g: GroupSpec, r: JoinResult): boolean => g.group === r.group && g.source === r.source && g.port === r.port;

/**
 * Follows the interfaces `first` joined on. `wire` attaches the packet and error callbacks to a
 * membership made on a return; `emit` gets the iface_down / iface_up events.
 */
export function followJoinChurn(deps: JoinChurnDeps, first: Membership, o: {
  groups: readonly GroupSpec[];
  selection: IfaceSelection;
  intervalMs?: number;
  graceMs?: number;
},
  wire: (m: Membership) => void, emit: (e: ChurnEvent) => void): ChurnFollower {
  const joined = first.results.filter((r) => r.status === 'joined');
  // Interfaces that were down or without a carrier at the start (a laptop's Wi-Fi not connected
  // yet) are followed too: when they come up, the groups are joined there as on a return.
  const late = first.results.filter((r) => r.status === 'skipped' && (r.skipReason === 'down' || r.skipReason === 'no-carrier'));
  const toTarget = (list: readonly JoinResult[], downAtStart: boolean) => (iface: string): ChurnTarget => {
    const mine = list.filter((r) => r.iface === iface);
    return {
      iface,
      ifindex: mine[0]?.ifindex ?? 0,
      families: [...new Set(mine.map((r) => r.family))],
      ...(downAtStart ? { downAtStart } : {}),
    };
  };
  const joinedOn = [...new Set(joined.map((r) => r.iface))];
  const targets: ChurnTarget[] = [
    ...joinedOn.map(toTarget(joined, false)),
    ...[...new Set(late.map((r) => r.iface))].filter((i) => !joinedOn.includes(i)).map(toTarget(late, true)),
  ];
  const held = [...joined, ...late];
  const memberships: Membership[] = [first];
  const rejoinFindings: Finding[] = [];
  const follower = followChurn(deps, targets, {
    down: (e) => { for (const m of memberships) m.release(e.iface); },
    up: async (iface) => {
      const groups = o.groups.filter((g) => held.some((r) => r.iface === iface.name && sameSpec(g, r)));
      const m = await joinAll(deps, { groups, interfaces: [iface], receive: true });
      memberships.push(m);
      wire(m);
      rejoinFindings.push(...m.findings);
      return rejoinCounts(m.results);
    },
  }, emit, { selection: o.selection, ...defined({ intervalMs: o.intervalMs, graceMs: o.graceMs }) });
  return churnHandle(follower, memberships, rejoinFindings);
}
