// "On the wire": the group's UDP packets counted per interface by a capture (AF_PACKET sees
// them before the IP stack, so also those the kernel drops afterwards). Own transmissions are
// skipped (a capture also sees what the host sends). Tables keyed by wire data are bounded.
import type { CaptureFactory, CaptureHandle } from '../../platform/capture/types.js';
import type { Family } from '../kernel/ip.js';
import { FrameScanner } from '../wire/frame.js';
import type { WireCount } from './model.js';

const MAX_KEYS = 64;

/** pcap-filter(7) for the group's UDP packets, any port (the port is read per packet). */
export function wireFilter(group: string, family: Family): string {
  return `${family === 6 ? 'ip6' : 'ip'} and udp and dst host ${group}`;
}

function bump(m: Map<string, number>, key: string): void {
  const v = m.get(key);
  if (v !== undefined) m.set(key, v + 1);
  else if (m.size < MAX_KEYS) m.set(key, 1);
}

const top = (m: Map<string, number>): Array<[string, number]> => [...m.entries()].sort((a, b) => b[1] - a[1]);

export class WireCounter {
  private readonly handles: CaptureHandle[] = [];
  /**
   * The counting window in epoch ms, set next to the counter readings so that the wire and the
   * counters cover the same span: before open(), packets are not counted; after close(), the
   * packets the settle wait still drains are not counted either (at 26 000 pps the margins were
   * 2 % of a 5 s run, and would be a false shortfall in a short one).
   */
  private fromMs = Infinity;
  private toMs = Infinity;
  private readonly tallies = new Map<string, {
    packets: number; bytes: number; sources: Map<string,
    number>; ports: Map<string,
    number>,
  }>();

  /** Opens one capture per interface; throws what the factory throws (after closing the others). */
  /** `port`: count only that UDP destination port (every port is still listed in `ports`). */
  constructor(factory: CaptureFactory, ifaces: readonly string[], group: string, family: Family, own: ReadonlySet<string>, port?: number) {
    try {
      for (const iface of ifaces) {
        const scanner = new FrameScanner();
        const t = { packets: 0, bytes: 0, sources: new Map<string, number>(), ports: new Map<string, number>() };
        this.tallies.set(iface, t);
        let linkType = 1;
        const h = factory.open({
          iface,
          filter: wireFilter(group, family),
          snaplen: 128,
          timeoutMs: 0,
        }, (buf, caplen, wireLen, tsSec, tsUsec) => {
          const at = tsSec * 1000 + tsUsec / 1000;
          if (at < this.fromMs || at > this.toMs) return;
          if (!scanner.scan(buf, caplen, linkType, wireLen) || scanner.udpOff < 0) return;
          const src = scanner.srcText();
          if (own.has(src)) return;
          bump(t.ports, String(scanner.dport));
          if (port !== undefined && scanner.dport !== port) return;
          t.packets++;
          t.bytes += wireLen;
          bump(t.sources, src);
        });
        linkType = h.linkType;
        this.handles.push(h);
      }
    } catch (e) {
      for (const h of this.handles) h.close();
      throw e;
    }
  }

  /** Starts counting packets stamped from now on (call just before the first counter reading). */
  open(nowMs = Date.now()): void { this.fromMs = nowMs; }

  /** Stops counting packets stamped after now (call just after the last counter reading). */
  close(nowMs = Date.now()): void { this.toMs = nowMs; }

  /** Waits for the last blocks, drains, closes; the counts per interface. */
  async stop(): Promise<WireCount[]> {
    const settle = Math.max(0, ...this.handles.map((h) => h.settleMs));
    if (settle > 0) await new Promise((r) => setTimeout(r, settle));
    for (const h of this.handles.splice(0)) {
      h.drain();
      h.close();
    }
    return [...this.tallies].map(([iface, t]) => ({
      iface,
      packets: t.packets,
      bytes: t.bytes,
      sources: top(t.sources).slice(0, 8).map(([source, packets]) => ({ source, packets })),
      ports: top(t.ports).slice(0, 8).map(([port, packets]) => ({ port: Number(port), packets })),
    }));
  }

  /** Releases the captures without counting (error paths). */
  release(): void {
    for (const h of this.handles.splice(0)) h.close();
  }
}
