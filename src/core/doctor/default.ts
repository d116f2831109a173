// The checks `doctor` runs, and their dependencies over a host. Kept apart from run.ts so tests
// can run the same checks over fakes.
import type { DoctorCheck, DoctorDeps, DoctorOptions } from './types.js';
import type { Host } from '../../host.js';
import type { Platform } from '../../platform/types.js';
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
    platform: oneRouteRead(await host.platform()),
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

/**
 * The platform with the default routes read once for the run: the inventory and rpfilter-audit
 * both ask (two `ip route` processes each, issue 19 item 8), at the same moment of one diagnosis.
 * Every other call goes to the platform itself.
 */
export function oneRouteRead(p: Platform): Platform {
  let routes: ReturnType<Platform['defaultRoutes']> | undefined;
  const defaultRoutes = (): ReturnType<Platform['defaultRoutes']> => (routes ??= p.defaultRoutes());
  return new Proxy(p, {
    get(target, key) {
      if (key === 'defaultRoutes') return defaultRoutes;
      const v: unknown = Reflect.get(target, key, target);
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}
