// The interfaces' own state, and whether any interface can carry multicast at all.
import { noEligibleInterface } from '../../kernel/eligibility.js';
import type { DoctorCheck } from '../types.js';

export const interfacesCheck: DoctorCheck = {
  id: 'interfaces',
  title: 'Interfaces: up, MULTICAST flag, addresses',
  async run(ctx) {
    const findings = [...ctx.inventory.findings];
    if (ctx.eligible.length === 0) {
      findings.push(noEligibleInterface(ctx.inventory.interfaces, ctx.opts.family ? [ctx.opts.family] : [4, 6], 'join or send multicast'));
    }
    return { findings, details: { eligible: ctx.eligible.map((i) => i.name) } };
  },
};
