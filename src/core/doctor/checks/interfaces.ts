// The interfaces' own state, and whether any interface can carry multicast at all.
import { makeFinding } from '../../findings/catalog.js';
import type { DoctorCheck } from '../types.js';

export const interfacesCheck: DoctorCheck = {
  id: 'interfaces',
  title: 'Interfaces: up, MULTICAST flag, addresses',
  async run(ctx) {
    const findings = [...ctx.inventory.findings];
    if (ctx.eligible.length === 0) {
      findings.push(makeFinding('NO_ELIGIBLE_INTERFACE', {
        message: 'No selected interface is up with the MULTICAST flag and an address: nothing can join or send.',
        evidence: { interfaces: ctx.inventory.interfaces.map((i) => ({ name: i.name, up: i.up, multicast: i.multicast, addresses: i.addresses.length })) },
      }));
    }
    return { findings, details: { eligible: ctx.eligible.map((i) => i.name) } };
  },
};
