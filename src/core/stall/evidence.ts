// Gathers what diagnose.ts weighs, once per run (only when something stopped): the firewall
// rules that drop IGMP (src/core/firewall/check.ts) and the kernel's reverse-path verdict on each
// querier heard (`ip route get 224.0.0.1 from Q iif DEV`, batched per route: querier/rpf-batch.ts).
import type { Finding } from '../findings/model.js';
import { checkFirewall } from '../firewall/check.js';
import { checkReversePaths, rpfKey } from '../querier-check/rpf-batch.js';
import { familyOf, ipv4ToInt } from '../kernel/ip.js';
import type { QuerySummary } from './queries.js';
import type { Uses } from '../deps.js';

export interface IfaceCauses {
  firewall: Finding[];
  rpfDropped: { querier: string; routeBackDev?: string; kernelError?: string }[];
}

/** Firewall findings per interface (a rule without an interface applies to all), and rp_filter drops per querier. */
export async function gatherCauses(
  deps: Uses<'platform' | 'firewall'>,
  ifaces: readonly string[],
  queries: (iface: string) => QuerySummary,
): Promise<Map<string, IfaceCauses>> {
  const fw = await checkFirewall(deps.firewall, ifaces).catch(() => undefined);
  // 0.0.0.0/8 skips the reverse-path check (PITFALLS.md); IPv6 has no rp_filter. One bounded batch (rpf-batch.ts).
  const routable = (q: string): boolean => familyOf(q) === 4 && ipv4ToInt(q) >>> 24 !== 0;
  const asks = ifaces.flatMap((iface) => queries(iface).queriers.filter(routable).map((source) => ({ source, iface })));
  const rpf = await checkReversePaths(deps.platform, asks).catch(() => undefined);
  const out = new Map<string, IfaceCauses>();
  for (const iface of ifaces) {
    // A finding lists the interfaces the rule drops on (evidence.interfaces); older ones one iface or none.
    const on = (f: Finding): boolean => {
      const list = (f.evidence as { interfaces?: unknown } | undefined)?.interfaces;
      return Array.isArray(list) ? list.includes(iface) : f.iface === undefined || f.iface === iface;
    };
    const firewall = (fw?.findings ?? []).filter((f) => f.id === 'FIREWALL_DROPS_IGMP' && on(f));
    const rpfDropped: IfaceCauses['rpfDropped'] = [];
    for (const q of queries(iface).queriers) {
      const v = rpf?.verdicts.get(rpfKey(q, iface));
      if (v && !v.accepted) {
        rpfDropped.push({
          querier: q,
          ...(v.routeBackDev ? { routeBackDev: v.routeBackDev } : {}),
          ...(v.kernelError ? { kernelError: v.kernelError } : {}),
        });
      }
    }
    out.set(iface, { firewall, rpfDropped });
  }
  return out;
}
