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

/** conf.all and conf.default of one knob: host-wide, read once per inventory, not per interface. */
export interface HostConf {
  all: number;
  default: number;
}

const knob = async (p: Platform, k: string, name: string): Promise<number> => Number((await p.sysctl(`net.ipv4.conf.${k}.${name}`)) ?? 0);

export async function readHostRpFilter(p: Platform): Promise<HostConf> {
  const [all, def] = await Promise.all([knob(p, 'all', 'rp_filter'), knob(p, 'default', 'rp_filter')]);
  return { all, default: def };
}

/** The interface's state; `host` when the caller has read conf.all / conf.default already (issue 19 item 8). */
export async function readRpFilter(p: Platform, iface: string, host?: HostConf): Promise<RpFilterState> {
  const [{ all, default: def }, own] = await Promise.all([host ?? readHostRpFilter(p), knob(p, iface, 'rp_filter')]);
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

async function readOrConf(p: Platform, iface: string, name: string, all?: number): Promise<OrConf> {
  const [a, own] = await Promise.all([all ?? knob(p, 'all', name), knob(p, iface, name)]);
  return { all: a, iface: own, effective: a !== 0 || own !== 0 };
}

/** conf.all / conf.default of the three knobs, as rpfilter-audit's ConfRow holds them. */
export interface HostRpConf {
  all: { rpFilter: number; srcValidMark: number; acceptLocal: number };
  default: { rpFilter: number };
}

/**
 * The interface's knobs; `host` when the caller has read the host-wide rows already (once for
 * every interface), `rpFilter` when it has read the interface's rp_filter too (the inventory did).
 */
export async function readRpConf(p: Platform, iface: string, host?: HostRpConf, rpFilterRead?: RpFilterState): Promise<RpConf> {
  const [rpFilter, srcValidMark, acceptLocal] = await Promise.all([
    rpFilterRead ?? readRpFilter(p, iface, host ? { all: host.all.rpFilter, default: host.default.rpFilter } : undefined),
    readOrConf(p, iface, 'src_valid_mark', host?.all.srcValidMark),
    readOrConf(p, iface, 'accept_local', host?.all.acceptLocal),
  ]);
  return { rpFilter, srcValidMark, acceptLocal };
}
