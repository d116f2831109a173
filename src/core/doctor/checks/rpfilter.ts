// Reverse-path filtering: the configuration audit of rpfilter-audit (strict mode on a
// multi-homed host) and, while the querier listen runs, the kernel's own drop counter.
import { auditRpFilter } from '../../rpfilter-audit/audit.js';
import type { DoctorCheck } from '../types.js';
import { sleepUnless } from '../../sleep.js';

export const rpfilterCheck: DoctorCheck = {
  id: 'rp_filter',
  title: 'Reverse-path filter: strict mode on several uplinks, drops counted',
  linuxOnly: true,
  async run(ctx) {
    const names = ctx.inventory.interfaces.map((i) => i.name);
    const audit = await auditRpFilter(ctx.deps, {
      selection: { include: names },
      inventory: ctx.host,
      ...(ctx.opts.family ? { family: ctx.opts.family } : {}),
      // Count IPReversePathFilter over the same window as the querier listen: the queries and
      // data that arrive meanwhile are what the filter would drop.
      ...(ctx.opts.querierWait > 0 ? {
        watchSeconds: ctx.opts.querierWait,
        watchHooks: { sleep: (ms: number) => sleepUnless(ms, ctx.abort) },
      } : {}),
    });
    return {
      findings: audit.findings,
      details: {
        multihomed: audit.multihomed,
        uplinks: audit.uplinks,
        interfaces: audit.interfaces,
        ...(audit.watch ? { watch: audit.watch } : {}),
      },
    };
  },
};
