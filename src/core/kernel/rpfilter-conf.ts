// Reverse-path filter configuration as the kernel applies it: the effective mode is
// max(conf.all.rp_filter, conf.IFACE.rp_filter) (net/ipv4/fib_frontend.c, IN_DEV_RPFILTER).
import type { Platform } from '../../platform/types.js';

export type RpMode = 'off' | 'strict' | 'loose';

export interface RpFilterState {
  all: number;
  default: number;
  iface: number;
  effective: number;
  mode: RpMode;
}

export function rpMode(value: number): RpMode {
  return value === 1 ? 'strict' : value >= 2 ? 'loose' : 'off';
}

export function effectiveRpFilter(all: number, iface: number): number {
  return Math.max(all, iface);
}

export async function readRpFilter(p: Platform, iface: string): Promise<RpFilterState> {
  const num = async (k: string): Promise<number> => Number((await p.sysctl(`net.ipv4.conf.${k}.rp_filter`)) ?? 0);
  const [all, def, own] = await Promise.all([num('all'), num('default'), num(iface)]);
  const effective = effectiveRpFilter(all, own);
  return { all, default: def, iface: own, effective, mode: rpMode(effective) };
}

/**
 * A boolean conf knob the kernel ORs between conf.all and the interface (IN_DEV_ORCONF in
 * include/linux/inetdevice.h): src_valid_mark and accept_local are on when either is.
 */
export interface OrConf {
  all: number;
  iface: number;
  effective: boolean;
}

/** What rpfilter-audit reports per interface: rp_filter and the two knobs fib_validate_source() reads. */
export interface RpConf {
  rpFilter: RpFilterState;
  /** Use the packet's fwmark in the reverse lookup (policy routing by mark). */
  srcValidMark: OrConf;
  /** Accept packets whose source is one of this host's own addresses. */
  acceptLocal: OrConf;
}

async function readOrConf(p: Platform, iface: string, knob: string): Promise<OrConf> {
  const num = async (k: string): Promise<number> => Number((await p.sysctl(`net.ipv4.conf.${k}.${knob}`)) ?? 0);
  const [all, own] = await Promise.all([num('all'), num(iface)]);
  return { all, iface: own, effective: all !== 0 || own !== 0 };
}

export async function readRpConf(p: Platform, iface: string): Promise<RpConf> {
  const [rpFilter, srcValidMark, acceptLocal] = await Promise.all([
    readRpFilter(p, iface),
    readOrConf(p, iface, 'src_valid_mark'),
    readOrConf(p, iface, 'accept_local'),
  ]);
  return { rpFilter, srcValidMark, acceptLocal };
}
