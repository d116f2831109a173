// A short querier listen on every eligible interface (querier-check's core), and the
// --expect-querier assertions judged per interface from the same listen.
import { makeFinding } from '../../findings/catalog.js';
import type { Finding } from '../../findings/model.js';
import { listenForQueriers } from '../../querier-check/listen.js';
import type { DoctorCheck } from '../types.js';
import { captureRemedy } from '../../capture-remedy.js';

export const querierCheck: DoctorCheck = {
  id: 'querier',
  title: 'IGMP/MLD querier: heard, valid, answered',
  linuxOnly: true,
  async run(ctx) {
    if (ctx.opts.querierWait <= 0) {
      return ctx.opts.expectQuerier.length
        ? { findings: [], skipped: '--querier-wait 0: no listen, so --expect-querier cannot be judged' }
        : { findings: [], skipped: 'disabled (--querier-wait 0)' };
    }
    let factory;
    try {
      factory = await ctx.deps.capture();
    } catch (e) {
      return { findings: [], skipped: `capture not possible here: ${(e as Error).message}`, remedy: captureRemedy(e) };
    }
    const report = await listenForQueriers({ platform: ctx.deps.platform, capture: factory, clock: ctx.deps.clock }, {
      selection: { include: ctx.eligible.map((i) => i.name) },
      timeoutMs: ctx.opts.querierWait * 1000,
      ...(ctx.opts.family ? { family: ctx.opts.family } : {}),
      ...(ctx.abort ? { abort: ctx.abort } : {}),
      onProgress: (p) => ctx.progress(`listening for queriers: ${Math.ceil(p.remainingMs / 1000)} s left; ` +
        `heard ${p.heard.map((h) => `${h.iface} ${h.queriers.length ? h.queriers.join(',') : '-'}`).join(', ')}`),
    });
    const findings: Finding[] = [...report.findings];
    for (const want of ctx.opts.expectQuerier) {
      const rep = report.interfaces.find((i) => i.name === want.iface);
      const fam = want.address.includes(':') ? rep?.mld : rep?.igmp;
      const elected = fam?.queriers.find((q) => q.elected)?.address;
      if (elected === want.address) continue;
      findings.push(makeFinding('QUERIER_NOT_EXPECTED', {
        iface: want.iface,
        source: want.address,
        message: rep
          ? `${want.address} is not the elected querier on ${want.iface}: ` +
            `${elected ? `${elected} won` : 'no query was heard'} in ${report.durationS} s.`
          : `${want.iface} was not listened on (not an eligible interface here).`,
        evidence: {
          expected: want.address,
          elected: elected ?? null,
          heard: fam?.queriers.map((q) => q.address) ?? [],
          listenS: report.durationS,
        },
      }));
    }
    return { findings, details: { ...report, findings: undefined } };
  },
};
