// Reverse-path filter configuration as the kernel applies it: the effective mode is
// max(conf.all.rp_filter, conf.IFACE.rp_filter) (net/ipv4/fib_frontend.c, IN_DEV_RPFILTER).
import type { Platform } from '../platform/types.js';

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
