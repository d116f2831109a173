// What the traffic seen says: TTL_ONE (a group arrives with TTL / hop limit 1: it was sent with
// the default IP_MULTICAST_TTL and will never cross a router), TTL_NOT_FORWARDED (the same, or a
// TTL at a VIF's threshold, on a host that routes multicast: ./router-findings.ts) and MAC_COLLISION (two groups seen
// on one interface share an Ethernet MAC, so switches and NICs cannot tell them apart).
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { isLinkLocalGroup } from '../group-args.js';
import { familyOf, ipv6ToBytes } from '../kernel/ip.js';
import { groupMac } from './mac.js';
import type { FlowStats } from './flows.js';
import { streamAtRouter, type RouterState } from '../kernel/mroute.js';
import { routerTtlFinding, ttlRange, ttlWord } from './router-findings.js';

/** What a live capture knows beyond the packets (analyze of a file knows neither). */
export interface TrafficContext {
  /** The host's multicast routing tables when the capture started and when it ended. */
  router?: { before: RouterState; after: RouterState };
}

export function trafficFindings(flows: readonly FlowStats[], ctx: TrafficContext = {}): Finding[] {
  const out: Finding[] = [];
  for (const f of flows) {
    // Link-local groups (224.0.0.0/24, ff02::/16) are sent with TTL 1 on purpose, never routed.
    if (isLinkLocalGroup(f.group)) continue;
    const at = f.outgoing || !ctx.router ? undefined : streamAtRouter(ctx.router.before, ctx.router.after, f);
    if (at) {
      const r = routerTtlFinding(f, at);
      if (r) out.push(r);
      continue;
    }
    if (f.ttlMin !== 1) continue;
    const word = ttlWord(f.family);
    out.push(makeFinding('TTL_ONE', f.outgoing
      ? {
        // The host's own stream (or one it forwards): the sender is here, so it is worth a warning.
        severity: 'warning', iface: f.iface, group: f.group, source: f.source,
        message:
          `This host sends ${f.group} from ${f.source} out of ${f.iface} with ${word} 1 (${f.packets} packets, ${word} ${ttlRange(f)}): ` +
          'receivers on that segment get it, no router forwards it.',
        evidence: { ttlMin: f.ttlMin, ttlMax: f.ttlMax, packets: f.packets, outgoing: true },
      }
      : {
        severity: 'info', iface: f.iface, group: f.group, source: f.source,
        message:
          `${f.group} from ${f.source} arrives on ${f.iface} with ${word} 1 (${f.packets} packets, ${word} ${ttlRange(f)}): ` +
          'fine on this segment, but it cannot cross a router.',
        evidence: { ttlMin: f.ttlMin, ttlMax: f.ttlMax, packets: f.packets },
      }));
  }
  const byIface = new Map<string, Map<string, Set<string>>>();
  for (const f of flows) {
    const mac = groupMac(f.group);
    if (!mac) continue;
    const macs = byIface.get(f.iface) ?? new Map<string, Set<string>>();
    byIface.set(f.iface, macs);
    const groups = macs.get(mac) ?? new Set<string>();
    macs.set(mac, groups);
    groups.add(f.group);
  }
  for (const [iface, macs] of byIface) {
    for (const [mac, groups] of macs) {
      // IPv6 scope variants of one group id (ff02::fb, ff05::fb) share a MAC by design (as mac-map).
      if (new Set([...groups].map(groupId)).size < 2) continue;
      const list = [...groups].sort();
      out.push(makeFinding('MAC_COLLISION', {
        iface, group: list[0] as string,
        message: `${list.join(' and ')} share the Ethernet MAC ${mac} on ${iface}: a host or switch that joins one receives the other too.`,
        evidence: { mac, groups: list },
      }));
    }
  }
  return out;
}

/** The group without the IPv6 flags and scope byte (IPv4 groups are their own id). */
function groupId(group: string): string {
  return familyOf(group) === 6 ? Buffer.from(ipv6ToBytes(group).subarray(2)).toString('hex') : group;
}
