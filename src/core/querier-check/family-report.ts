// One family of one interface after the listen: each querier heard with its validation (subnet,
// the kernel's reverse-path answer, MLD validity), the kernel's own version state, and whether the
// host answered. Reverse-path verdicts come in precomputed (rpf-batch.ts): one batch per listen.
import type { Interface } from '../kernel/interfaces.js';
import { inPrefix, ipv4ToInt, isLinkLocalUnicast6 } from '../kernel/ip.js';
import type { FamilyObservation } from '../observation/observer.js';
import { rpfKey, type RpfAsk, type RpfBatch } from './rpf-batch.js';
import type { FamilyReport, QuerierEntry } from './report.js';

/** Groups the host reports: 224.0.0.1 and ff02::1 (all-systems / all-nodes) never are (RFC 3376 6, RFC 3810 6). */
export function reportable(i: Interface, f: 4 | 6): string[] {
  return i.groups.filter(
    (g) => g.family === f && g.group !== '224.0.0.1' && g.group !== 'ff02::1' && !g.group.startsWith('ff01:')).map((g) => g.group);
}

/**
 * Sources whose queries meet fib_validate_source: not 0.0.0.0/8 (ip_mc_validate_source accepts
 * IGMP from the zero network without a route lookup).
 */
export function rpfAsks(iface: string, obs: FamilyObservation): RpfAsk[] {
  if (obs.family !== 4) return [];
  // The elected querier first: when the bound cuts, it is the one that must be answered for.
  const first = obs.queriers.filter((q) => q.address === obs.elected);
  const rest = obs.queriers.filter((q) => q.address !== obs.elected).sort((
    a,
    b,
  ) => b.generalQueries + b.groupSpecificQueries - a.generalQueries - a.groupSpecificQueries);
  return [...first, ...rest].filter((q) => ipv4ToInt(q.address) >>> 24 !== 0).map((q) => ({ source: q.address, iface }));
}

export function familyReport(i: Interface, later: Interface | undefined, obs: FamilyObservation, rpf: RpfBatch): FamilyReport {
  const f = obs.family;
  const queriers: QuerierEntry[] = obs.queriers.map((q) => {
    // 0.0.0.0/8, "this network": never a router's address, accepted without a route lookup.
    const zeroSource = f === 4 && ipv4ToInt(q.address) >>> 24 === 0;
    const linkLocal = f === 6 ? isLinkLocalUnicast6(q.address) : undefined;
    const onSubnet = f === 6 ? Boolean(linkLocal) : i.addresses.some((a) => a.family === 4 && inPrefix(q.address, a.address, a.prefixLen));
    const e: QuerierEntry = { ...q, onSubnet, zeroSource, elected: q.address === obs.elected };
    if (linkLocal !== undefined) e.linkLocal = linkLocal;
    const v = f === 4 ? rpf.verdicts.get(rpfKey(q.address, i.name)) : undefined;
    if (v) {
      e.rpf = { accepted: v.accepted, command: `ip route get 224.0.0.1 from ${v.askedAs ?? q.address} iif ${i.name}`, route: v.route };
      if (v.kernelError) e.rpf.error = v.kernelError;
      if (v.routeBackDev) e.rpf.routeBackDev = v.routeBackDev;
      if (v.askedAs) e.rpf.askedAs = v.askedAs;
    }
    return e;
  });
  const forceVersion = f === 4 ? i.igmp.forceVersion : i.mld.forceVersion;
  const kernel: FamilyReport['kernel'] = { forceVersion, hostVersion: forceVersion || (f === 4 ? 3 : 2) };
  if (f === 4 && i.igmp.querierVersion) kernel.querierVersionBefore = i.igmp.querierVersion;
  if (f === 4 && later?.igmp.querierVersion) kernel.querierVersionAfter = later.igmp.querierVersion;
  const groups = reportable(later ?? i, f);
  const heardGeneral = queriers.some((q) => q.generalQueries > 0);
  const answered: FamilyReport['answered'] =
    obs.host.queriesAnswered > 0 ? 'yes' : groups.length === 0 ? 'no-groups' : heardGeneral ? 'no' : 'no-queries';
  const out: FamilyReport = { family: f, queriers, host: obs.host, kernel, answered, reportableGroups: groups };
  if (obs.elected) out.elected = obs.elected;
  if (obs.queriersMore) out.queriersMore = obs.queriersMore;
  if (obs.olderVersionLastMs) out.olderVersionLastMs = obs.olderVersionLastMs;
  return out;
}
