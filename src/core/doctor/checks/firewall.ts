import { checkFirewall } from '../../firewall/check.js';
import type { DoctorCheck } from '../types.js';

export const firewallCheck: DoctorCheck = {
  id: 'firewall',
  title: 'Firewall: rules dropping IGMP/MLD or multicast',
  linuxOnly: true,
  async run(ctx) {
    const names = ctx.inventory.interfaces.map((i) => i.name);
    const rep = await checkFirewall(ctx.deps.firewall, names);
    if (!rep.readable) return { findings: [], skipped: `ruleset not readable (${rep.unreadable.join('; ') || 'no nft or iptables'})` };
    return { findings: rep.findings, details: { blockingRules: rep.rules } };
  },
};
