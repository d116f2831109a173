import { checkFirewall } from '../../firewall/check.js';
import type { DoctorCheck } from '../types.js';

export const firewallCheck: DoctorCheck = {
  id: 'firewall',
  title: 'Firewall: rules dropping IGMP/MLD or multicast',
  linuxOnly: true,
  async run(ctx) {
    const names = ctx.inventory.interfaces.map((i) => i.name);
    const rep = await checkFirewall(ctx.deps.firewall, names);
    if (!rep.readable) {
      const why = rep.unreadable.join('; ');
      // Refused (not root) is a gap in the diagnosis; no nft or iptables at all is nothing to read.
      const refused = /not permitted|permission denied|must be root/i.test(why);
      return { findings: [], skipped: `ruleset not readable (${why || 'no nft or iptables'})`,
        ...(refused ? { remedy: 'run as root (reading the ruleset needs CAP_NET_ADMIN)' } : {}) };
    }
    return { findings: rep.findings, details: { blockingRules: rep.rules, conditionalRules: rep.conditional } };
  },
};
