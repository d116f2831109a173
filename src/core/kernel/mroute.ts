// Is this host a multicast router, and what did it do with a stream? The kernel forwards a packet
// that arrived on a VIF out of each outgoing VIF of its cache entry only when the packet's TTL
// (IPv6: hop limit) is greater than that VIF's threshold (net/ipv4/ipmr.c ip_mr_forward: ttl >
// ttls[vif]; ip6mr.c likewise). Thresholds are at least 1, so a TTL-1 stream never crosses a
// Linux router whatever smcroute or pimd were told: the SMCRoute FAQ's "the stream never
// crosses the router". The tables and counters are read before and after a capture so the
// verdict stands beside the kernel's own count of what matched and what went out.
import type { MrouteEntry, MrouteVif } from '../../platform/procfs/mroute.js';
import type { MrouteTables, Platform } from '../../platform/types.js';
import type { Family } from './ip.js';

export interface RouterTables extends MrouteTables {
  /** net.ipv4.conf.all.mc_forwarding (IPv6: net.ipv6.conf.all.mc_forwarding): a daemon holds the mroute socket. */
  forwarding: boolean;
}

export type RouterState = Partial<Record<Family, RouterTables>>;

/** The routing tables of both families, or of those the kernel has; cheap (four /proc files). */
export async function readRouterState(p: Pick<Platform, 'mroute' | 'sysctl'>): Promise<RouterState> {
  const out: RouterState = {};
  for (const family of [4, 6] as const) {
    const t = await p.mroute(family).catch(() => undefined);
    if (!t) continue;
    out[family] = { ...t, forwarding: (await p.sysctl(`net.ipv${family}.conf.all.mc_forwarding`)) === '1' };
  }
  return out;
}

export interface OifAtRouter {
  vif: number;
  device: string;
  threshold: number;
  /** Packets the VIF sent (every group) during the observation. */
  pktsOutDelta: number;
}

/** What the router's tables say of one stream arriving on one interface. */
export interface StreamAtRouter {
  family: Family;
  vif: MrouteVif;
  /** Packets the arrival VIF received (every group) during the observation. */
  pktsInDelta: number;
  /** The (S,G) or (*,G) entry for the stream on that VIF, when the daemon installed one. */
  entry?: MrouteEntry;
  entryPktsDelta: number;
  oifs: OifAtRouter[];
}

const isAny = (a: string): boolean => a === '0.0.0.0' || a === '::';

/**
 * The stream's place in the router's tables: undefined when no multicast router runs or the
 * interface is not one of its VIFs (the host does not route what arrives there).
 */
export function streamAtRouter(before: RouterState, after: RouterState,
  s: { iface: string; group: string; source: string; family: Family }): StreamAtRouter | undefined {
  const now = after[s.family];
  if (!now?.forwarding) return undefined;
  const vif = now.vifs.find((v) => v.device === s.iface);
  if (!vif) return undefined;
  const was = before[s.family];
  const vifWas = was?.vifs.find((v) => v.vif === vif.vif && v.device === vif.device);
  const match = (e: MrouteEntry): boolean => e.group === s.group && e.iif === vif.vif && (e.origin === s.source || isAny(e.origin));
  // An (S,G) entry wins over the (*,G) one, as in the kernel's lookup.
  const entries = now.cache.filter(match).sort((a, b) => Number(isAny(a.origin)) - Number(isAny(b.origin)));
  const entry = entries[0];
  const entryWas = entry ? was?.cache.find((e) => e.group === entry.group && e.origin === entry.origin && e.iif === entry.iif) : undefined;
  const oifs = (entry?.oifs ?? []).filter((o) => o.vif !== vif.vif).map((o): OifAtRouter => {
    const v = now.vifs.find((x) => x.vif === o.vif);
    const w = was?.vifs.find((x) => x.vif === o.vif && x.device === v?.device);
    return { vif: o.vif, device: v?.device ?? `vif${o.vif}`, threshold: o.threshold, pktsOutDelta: (v?.pktsOut ?? 0) - (w?.pktsOut ?? 0) };
  });
  const at: StreamAtRouter = {
    family: s.family, vif, pktsInDelta: vif.pktsIn - (vifWas?.pktsIn ?? 0),
    entryPktsDelta: entry ? entry.pkts - (entryWas?.pkts ?? 0) : 0, oifs,
  };
  if (entry) at.entry = entry;
  return at;
}

/**
 * The outgoing VIFs a stream whose highest TTL is `ttlMax` cannot leave by: all of them when
 * the TTL is 1 (no threshold is below 1), else those whose threshold is not below the TTL.
 */
export function blockedOifs(at: StreamAtRouter, ttlMax: number): OifAtRouter[] {
  return at.oifs.filter((o) => ttlMax <= Math.max(1, o.threshold));
}
