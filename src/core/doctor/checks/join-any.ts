// A membership that a join without an interface would make: a routable IPv4 group held on one
// interface only, that interface being the one the route to the group picks (`ip route get G`),
// while other interfaces are up with multicast and an address. A join with INADDR_ANY (ifindex 0)
// lands exactly there (PITFALLS.md): on a multi-homed host the stream that arrives on another
// interface is then received by no one. From outside, a program that chose that interface on
// purpose looks the same, so the finding says what is held and where the stream must come in.
//
// Only a landing a unicast route (default) decided is an accident. When a route to the group itself
// (G/32, 239.1.0.0/16, 224.0.0.0/4 ... dev X) picked the interface, someone routed multicast
// there: that is the fix this finding gives, so it must not be a finding again (issue 19 item 5:
// after `ip route add G/32 dev lan` the old advice turned round and said "route it back").
import { makeFinding } from '../../findings/catalog.js';
import { firstAndMore, type Finding } from '../../findings/model.js';
import type { Platform, RoutePrefix } from '../../../platform/types.js';
import type { Interface } from '../../kernel/interfaces.js';
import { isEligible } from '../../kernel/eligibility.js';
import { ipv4ToInt } from '../../kernel/ip.js';

const linkLocal4 = (g: string): boolean => g.startsWith('224.0.0.');

/** At most this many groups are looked up (`ip route get`, in one batch). */
const MAX_LOOKUPS = 64;

/**
 * The most specific route to `group` out of `dev` that is about multicast, as iproute2 prints its
 * prefix: 224.0.0.0/4 or longer. Shorter ones (default, a VPN's 0.0.0.0/1 + 128.0.0.0/1) route
 * unicast too, and the group landing there is the accident this finding is about.
 */
export function groupRouteVia(group: string, dev: string, routes: readonly RoutePrefix[]): string | undefined {
  const g = ipv4ToInt(group);
  let best: { dst: string; len: number } | undefined;
  for (const r of routes) {
    if (r.dev !== dev || r.dst === 'default') continue;
    const [addr = '', lenText] = r.dst.split('/');
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(addr)) continue;
    const len = lenText === undefined ? 32 : Number(lenText);
    if (!Number.isInteger(len) || len < 4 || len > 32) continue;
    const mask = (~0 << (32 - len)) >>> 0;
    if (((ipv4ToInt(addr) & mask) >>> 0) !== ((g & mask) >>> 0)) continue;
    if (!best || len > best.len) best = { dst: r.dst, len };
  }
  return best?.dst;
}

export async function joinAnyFindings(p: Platform, interfaces: readonly Interface[]): Promise<Finding[]> {
  const eligible = interfaces.filter((i) => isEligible(i, 4));
  if (eligible.length < 2) return [];
  const holders = new Map<string, string[]>();
  for (const i of eligible) {
    for (const g of i.groups) {
      if (g.family !== 4 || linkLocal4(g.group)) continue;
      const on = holders.get(g.group);
      if (on) on.push(i.name);
      else holders.set(g.group, [i.name]);
    }
  }
  const single = [...holders].filter(([, on]) => on.length === 1).slice(0, MAX_LOOKUPS);
  if (single.length === 0) return [];
  const routes = await p.routePrefixes(4).catch(() => [] as RoutePrefix[]);
  const byIface = new Map<string, string[]>();
  // One `ip -batch` for every lookup, not a process each (issue 19 item 8).
  const answers = await p.routeGetMany(single.map(([group]) => ({ family: 4, dst: group }))).catch(() => []);
  for (const [k, [group, [on]]] of single.entries()) {
    if (on === undefined) continue;
    const r = answers[k];
    if (!r?.ok || r.dev !== on) continue;
    if (groupRouteVia(group, on, routes) !== undefined) continue;
    byIface.set(on, [...(byIface.get(on) ?? []), group]);
  }
  const out: Finding[] = [];
  for (const [iface, groups] of byIface) {
    const others = eligible.filter((i) => i.name !== iface).map((i) => i.name);
    const what = firstAndMore(groups, 3);
    const g = groups[0] ?? 'GROUP';
    const other = others.length === 1 ? others[0] ?? 'IFACE' : 'IFACE';
    out.push(makeFinding('JOIN_ANY_INTERFACE', {
      iface, ...(groups.length === 1 ? { group: groups[0] } : {}),
      message:
        `${what} ${groups.length === 1 ? 'is' : 'are'} joined on ${iface} only, ` +
        'the interface the default route picks: where a join without an interface (INADDR_ANY) lands, ' +
        'unless the program chose it (the kernel\'s membership tables do not tell the two apart); ' +
        `${others.join(', ')} ${others.length === 1 ? 'is' : 'are'} up with multicast too: a stream arriving there is received by no one.`,
      // Both branches end the finding: a route to the group is never a finding (see above).
      fix:
        `Find where the stream arrives (mcast-doctor trace ${g} --duration 5, or join-all ${g} --duration 10). ` +
        `Another interface: join there (ip_mreqn with its ifindex, or the program's interface option), or route the group there: ` +
        `ip route add ${g}/32 dev ${other}. ${iface} itself: pin the choice with ip route add ${g}/32 dev ${iface}.`,
      evidence: { groups, heldOn: iface, routeDev: iface, route: 'default', otherInterfaces: others },
    }));
  }
  return out;
}
