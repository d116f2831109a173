// Per-interface reverse-path configuration and the RPF_STRICT_MULTIHOMED warning.
import type { Platform } from '../../platform/types.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { addressesOf, type Interface } from '../kernel/interfaces.js';
import { isEligible } from '../kernel/eligibility.js';
import { readRpConf, type HostRpConf } from '../kernel/rpfilter-conf.js';
import type { ConfRow, RpfInterface } from './model.js';

async function confRow(p: Platform, name: 'all' | 'default'): Promise<ConfRow> {
  const num = async (knob: string): Promise<number> => Number((await p.sysctl(`net.ipv4.conf.${name}.${knob}`)) ?? 0);
  const [rpFilter, srcValidMark, acceptLocal] = await Promise.all([num('rp_filter'), num('src_valid_mark'), num('accept_local')]);
  return { rpFilter, srcValidMark, acceptLocal };
}

export async function readConfRows(p: Platform): Promise<{ all: ConfRow; default: ConfRow }> {
  const [all, def] = await Promise.all([confRow(p, 'all'), confRow(p, 'default')]);
  return { all, default: def };
}

/** An uplink: up, not loopback, with a global IPv4 address (the "several uplinks" of a multi-homed host). */
export function isUplink(i: Interface): boolean {
  return i.up && !i.loopback && addressesOf(i, 4).some((a) => a.scope === 'global');
}

/**
 * `host`: the conf.all / conf.default rows (readConfRows), read once for every interface. The
 * interface's rp_filter is the inventory's, read moments before (it was read twice, issue 19 item 8).
 */
export async function auditInterface(p: Platform, i: Interface, netfilterRules: number, host?: HostRpConf): Promise<RpfInterface> {
  const conf = await readRpConf(p, i.name, host, i.rpFilter);
  return {
    name: i.name,
    index: i.index,
    up: i.up,
    eligible: isEligible(i, 4),
    defaultRoute: i.defaultRoute.ipv4,
    prefixes: addressesOf(i, 4).filter((a) => a.scope !== 'host').map((a) => a.network),
    ...conf,
    ipv6: { rpFilterSysctl: false, netfilterRules },
  };
}

/**
 * Strict mode on an uplink of a host with several uplinks: any source whose route back leaves
 * by another uplink (everything behind the default route, seen from the other one) is dropped.
 */
export function strictMultihomedFindings(
  ifaces: readonly RpfInterface[],
  uplinks: readonly string[],
  defaultDevs: readonly string[],
): Finding[] {
  if (uplinks.length < 2) return [];
  return ifaces
    .filter((i) => i.eligible && i.rpFilter.mode === 'strict')
    .map((i) => {
      const rp = i.rpFilter;
      const others = uplinks.filter((u) => u !== i.name);
      const why = rp.all === 1 && rp.iface !== 1 ? `conf.all.rp_filter=1, ${i.name}=${rp.iface}` : `${i.name}.rp_filter=1, all=${rp.all}`;
      const holders = defaultDevs.filter((d) => d !== i.name);
      const dflt =
        holders.length ? ` (${holders.join(', ')} holds the default route: that is every source outside the connected subnets)` : '';
      return makeFinding('RPF_STRICT_MULTIHOMED', {
        iface: i.name,
        message:
          `${i.name} filters in strict mode (${why}) on a host with ${uplinks.length} uplinks: ` +
          `packets arriving on ${i.name} from sources whose route back leaves by ${others.join(', ')}${dflt} are dropped.`,
        fix:
          `sysctl -w net.ipv4.conf.${i.name}.rp_filter=2 (loose; ` +
          `effective mode is max(all, ${i.name}), so conf.all.rp_filter must stay <= 2, it is ${rp.all})`,
        evidence: { all: rp.all, iface: rp.iface, effective: rp.effective, uplinks, defaultRoute: i.defaultRoute },
      });
    });
}
