// querier-check's capture: the shared capture set (observation/capture-set.ts) with the IGMP/MLD
// decoding of observation/control-capture.ts, one interface at a time as listen.ts asks, and the
// BPF filter that lets IGMP and MLD through.
import type { CaptureFactory } from '../../platform/capture/types.js';
import type { Family } from '../kernel/ip.js';
import { CaptureSet } from '../observation/capture-set.js';
import { decodeControl } from '../observation/control-capture.js';
import type { HeardPacket } from '../observation/heard.js';

/** Opens a capture of IGMP/MLD on iface; onMalformed gets the reason of every frame the decoders refuse. */
export type OpenControlCapture = (
  iface: string,
  filter: string,
  onPacket: (p: HeardPacket) => void,
  onMalformed?: (reason: string) => void,
) => Promise<{ close(): Promise<void> | void }>;

/**
 * The capture filter. `icmp6` in a BPF filter only matches when ICMPv6 directly follows the
 * IPv6 header, but MLD messages always carry a Hop-by-Hop header with Router Alert first
 * (RFC 3810 section 5), so MLD is matched by hand: the ICMPv6 type at offset 40 (no extension
 * header) or at 40 + (Hdr Ext Len + 1) * 8 after one Hop-by-Hop header (next header 0).
 * Types: 130 query, 131 v1 report, 132 done, 143 v2 report.
 */
export function controlFilter(family?: Family): string {
  // pcap-filter(7): "and" and "or" have equal precedence and associate left to right, so every
  // alternative is parenthesised (without, a query with no Hop-by-Hop header was never captured).
  const mldType = (off: string): string => `((${off} >= 130 and ${off} <= 132) or ${off} == 143)`;
  const noHopByHop = `(ip6[6] == 58 and ${mldType('ip6[40]')})`;
  const afterHopByHop = `(ip6[6] == 0 and ip6[40] == 58 and ${mldType('ip6[48 + ip6[41] * 8]')})`;
  const mld = `(ip6 and (${noHopByHop} or ${afterHopByHop}))`;
  if (family === 4) return 'igmp';
  if (family === 6) return mld;
  return `igmp or ${mld}`;
}

/** The opener listen.ts needs, over the platform's capture factory. */
export function controlCaptureOver(factory: CaptureFactory): OpenControlCapture {
  return async (iface, filter, onPacket, onMalformed) => {
    // Immediate mode: control packets are few, and the interval between queries is measured.
    const set = new CaptureSet(factory, { filter, snaplen: 2048, bufferBytes: 1 << 20, timeoutMs: 0 }, decodeControl({
      heard: (_i, p) => onPacket(p),
      malformed: (_i, why) => onMalformed?.(why),
    }));
    set.openAll([iface]);
    return { close: () => set.stop() };
  };
}
