// A membership that a join without an interface would make: a routable IPv4 group held on one
// interface only, that interface being the one the route to the group picks (`ip route get G`),
// while other interfaces are up with multicast and an address. A join with INADDR_ANY (ifindex 0)
// lands exactly there (PITFALLS.md): on a multi-homed host the stream that arrives on another
// interface is then received by no one. From outside, a program that chose that interface on
// purpose looks the same, so the finding says what is held and where the stream must come in.
import { makeFinding } from '../../findings/catalog.js';
import { firstAndMore, type Finding } from '../../findings/model.js';
import type { Platform } from '../../../platform/types.js';
import type { Interface } from '../../kernel/interfaces.js';
import { isEligible } from '../../kernel/interfaces.js';

const linkLocal4 = (g: string): boolean => g.startsWith('224.0.0.');

/** At most this many groups are looked up (one `ip route get` each). */
const MAX_LOOKUPS = 64;

export async function joinAnyFindings(p: Platform, interfaces: readonly Interface[]): Promise<Finding[]> {
  const eligible = interfaces.filter((i) => !i.loopback && isEligible(i, 4));
  if (eligible.length < 2) return [];
  const holders = new Map<string, string[]>();
  for (const i of eligible) {
    for (const g of i.groups) {
      if (g.family !== 4 || linkLocal4(g.group)) continue;
      holders.set(g.group, [...(holders.get(g.group) ?? []), i.name]);
    }
  }
  const single = [...holders].filter(([, on]) => on.length === 1).slice(0, MAX_LOOKUPS);
  const byIface = new Map<string, string[]>();
  for (const [group, [on]] of single) {
    const r = await p.routeGet({ family: 4, dst: group }).catch(() => undefined);
    if (!r?.ok || r.dev !== on || on === undefined) continue;
    byIface.set(on, [...(byIface.get(on) ?? []), group]);
  }
  const out: Finding[] = [];
  for (const [iface, groups] of byIface) {
    const others = eligible.filter((i) => i.name !== iface).map((i) => i.name);
    const what = firstAndMore(groups, 3);
    out.push(makeFinding('JOIN_ANY_INTERFACE', {
      iface, ...(groups.length === 1 ? { group: groups[0] } : {}),
      message: `${what} ${groups.length === 1 ? 'is' : 'are'} joined on ${iface} only, the interface the route to ${groups.length === 1 ? 'it' : 'them'} picks, where a join without an interface (INADDR_ANY) lands; ${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} up with multicast too: a stream arriving there is received by no one.`,
      fix: `Join on the interface the stream arrives on (ip_mreqn with its ifindex, or the program's interface option; mcast-doctor join-all ${groups[0] ?? 'GROUP'} --duration 10 shows where it arrives), or route the group there: ip route add ${groups[0] ?? 'GROUP'}/32 dev ${others[0] ?? 'IFACE'}.`,
      evidence: { groups, heldOn: iface, routeDev: iface, otherInterfaces: others },
    }));
  }
  return out;
}
