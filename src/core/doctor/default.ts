// The checks `doctor` runs, and their dependencies over a host. Kept apart from run.ts so tests
// can run the same checks over fakes.
import type { DoctorCheck, DoctorDeps, DoctorOptions } from './types.js';
import type { Host } from '../../host.js';
import { interfacesCheck } from './checks/interfaces.js';
import { firewallCheck } from './checks/firewall.js';
import { socketsCheck } from './checks/sockets.js';
import { rpfilterCheck } from './checks/rpfilter.js';
import { selfTestCheck } from './checks/self-test.js';
import { receiveCheck } from './checks/receive.js';
import { querierCheck } from './checks/querier.js';
import { igmpVersionCheck } from './checks/igmp-version.js';

export function defaultChecks(_opts: DoctorOptions): DoctorCheck[] {
  return [interfacesCheck, rpfilterCheck, firewallCheck, socketsCheck, querierCheck, igmpVersionCheck, receiveCheck, selfTestCheck];
}

/** The doctor's dependencies over a host (src/host.ts, or a fake one in tests). */
export async function doctorDeps(host: Host): Promise<DoctorDeps> {
  return {
    platform: await host.platform(),
    firewall: await host.firewall(),
    udpSockets: () => host.udpSockets(),
    netfilter: () => host.netfilter(),
    sockets: () => host.sockets(),
    capture: () => host.capture(),
    packets: () => host.packets(),
    // An extra: without it a pair that got nothing is still reported, only not explained.
    accounting: await host.accounting().catch(() => undefined),
    clock: host.clock,
  };
}
