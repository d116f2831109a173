// Would the kernel accept a packet from SRC arriving on DEV? Asked of the kernel itself: the
// route lookup `ip route get 224.0.0.1 from SRC iif DEV` runs the same fib_validate_source()
// that drops packets in ip_route_input (PITFALLS.md: it fails with "Invalid argument" on 6.13+,
// "Invalid cross-device link" before, exactly where the reverse-path filter would drop).
import type { Platform } from '../../platform/types.js';
import { familyOf } from './ip.js';

export interface RpfVerdict {
  source: string;
  iface: string;
  accepted: boolean;
  /** The kernel's refusal when not accepted. */
  kernelError?: string;
  /** The interface the route back to SRC leaves by (ip route get SRC). */
  routeBackDev?: string;
}

/** IPv4 only: IPv6 has no rp_filter sysctl (only netfilter rpfilter rules). */
export async function checkReversePath(p: Platform, source: string, iface: string, probeGroup = '224.0.0.1'): Promise<RpfVerdict> {
  if (familyOf(source) !== 4) throw new Error(`checkReversePath: ${source} is not IPv4`);
  const [fwd, back] = await Promise.all([
    p.routeGet({ family: 4, dst: probeGroup, from: source, iif: iface }),
    p.routeGet({ family: 4, dst: source }),
  ]);
  const v: RpfVerdict = { source, iface, accepted: fwd.ok };
  if (!fwd.ok) v.kernelError = fwd.error;
  if (back.ok && back.dev) v.routeBackDev = back.dev;
  return v;
}
