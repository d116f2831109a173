// The checks `doctor` runs, and the real OS behind them. Kept apart from run.ts so tests can
// run the same checks over fakes.
import type { DoctorCheck, DoctorDeps, DoctorOptions } from './types.js';
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

export async function defaultDeps(): Promise<DoctorDeps> {
  const { platform } = await import('../../platform/linux.js');
  const { LinuxFirewallReader } = await import('../../platform/firewall.js');
  const { readUdpSockets } = await import('../../platform/procfs/udp.js');
  const { readNetfilterRpf } = await import('../../platform/netfilter.js');
  const { openSocketsOrExplain } = await import('../transmit/setup.js');
  const { loadCaptureFactory } = await import('../../platform/capture/index.js');
  const { linuxAccounting } = await import('../../platform/accounting/linux.js');
  return { platform: platform(), firewall: new LinuxFirewallReader(), udpSockets: readUdpSockets, readNetfilter: readNetfilterRpf, sockets: openSocketsOrExplain, capture: loadCaptureFactory, accounting: linuxAccounting };
}
