// "On the wire": the group's UDP packets counted per interface by a capture (AF_PACKET sees
// them before the IP stack, so also those the kernel drops afterwards). Own transmissions are
// skipped (a capture also sees what the host sends). Tables keyed by wire data are bounded.
import type { CaptureFactory } from '../../platform/capture/types.js';
import { CaptureSet } from '../observation/capture-set.js';
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
  private readonly set: CaptureSet;
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

  /**
   * Opens one capture per interface (observation/capture-set.ts: all or none, throws what the
   * factory throws). `port`: count only that UDP destination port (every port is still listed in `ports`).
   */
  constructor(factory: CaptureFactory, ifaces: readonly string[], group: string, family: Family, own: ReadonlySet<string>, port?: number) {
    const scanner = new FrameScanner();
    for (const iface of ifaces) this.tallies.set(iface, { packets: 0, bytes: 0, sources: new Map(), ports: new Map() });
    const spec = { filter: wireFilter(group, family), snaplen: 128, timeoutMs: 0 };
    this.set = new CaptureSet(factory, spec, (iface, buf, caplen, wireLen, at, linkType) => {
      const t = this.tallies.get(iface);
      if (!t || at < this.fromMs || at > this.toMs) return;
      if (!scanner.scan(buf, caplen, linkType, wireLen) || scanner.udpOff < 0) return;
      const src = scanner.srcText();
      if (own.has(src)) return;
      bump(t.ports, String(scanner.dport));
      if (port !== undefined && scanner.dport !== port) return;
      t.packets++;
      t.bytes += wireLen;
      bump(t.sources, src);
    });
    this.set.openAll(ifaces);
  }

  /** Starts counting packets stamped from now on (call just before the first counter reading). */
  open(nowMs: number): void { this.fromMs = nowMs; }

  /** Stops counting packets stamped after now (call just after the last counter reading). */
  close(nowMs: number): void { this.toMs = nowMs; }

  /** Waits for the last blocks, drains, closes; the counts per interface. */
  async stop(): Promise<WireCount[]> {
    await this.set.stop();
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
    this.set.closeNow();
  }
}
