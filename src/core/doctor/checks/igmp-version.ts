// The IGMP version the kernel speaks on each interface (querier/kernel-version.ts): an S,G
// membership held on an interface in IGMPv1/v2 mode (/proc/net/mcfilter sources, any process) is
// not signalled. Without a querier listen (--querier-wait 0) the v1/v2 state itself is told here;
// with one, the querier check tells it with what it heard.
import { makeFinding } from '../../findings/catalog.js';
import type { Finding } from '../../findings/model.js';
import { igmpMode, modeWords, ssmFindings } from '../../querier-check/kernel-version.js';
import type { DoctorCheck } from '../types.js';

export const igmpVersionCheck: DoctorCheck = {
  id: 'igmp-version',
  title: 'IGMP version the kernel speaks (SSM signalled?)',
  linuxOnly: true,
  async run(ctx) {
    const filters = await ctx.deps.platform.mcfilter();
    // INCLUDE-mode sources are S,G joins (IP_ADD_SOURCE_MEMBERSHIP); EXCLUDE lists block sources.
    const joins = filters.filter((f) => f.include > 0).map((f) => ({ iface: f.device, group: f.group, source: f.source }));
    const findings: Finding[] = ssmFindings(ctx.eligible, joins);
    if (ctx.opts.querierWait <= 0) {
      for (const i of ctx.eligible) {
        const m = igmpMode(i);
        if (m.cause !== 'querier' || findings.some((f) => f.iface === i.name)) continue;
        const w = modeWords(m);
        findings.push(makeFinding('QUERIER_VERSION_MISMATCH', {
          iface: i.name,
          message: `The kernel speaks IGMPv${m.version} on ${i.name} (${w.why}): source filters (SSM) are not signalled; ${w.until}.`,
          evidence: { querierColumn: m.querierColumn ?? null, forceIgmpVersion: m.forceVersion, source: 'kernel' },
        }));
      }
    }
    return { findings, details: { interfaces: ctx.eligible.map((i) => igmpMode(i)), sourceJoins: joins.length } };
  },
};
