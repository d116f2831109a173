// Sources actually seen: IPv4 multicast (IGMP included) captured on the selected interfaces, so
// that --watch can name who was dropped and --listen can audit every sender on the wire.
// The capture sits before the IP stack (AF_PACKET), so it sees the packets rp_filter drops.
import type { CaptureFactory } from '../../platform/capture/types.js';
import { CaptureSet } from '../observation/capture-set.js';
import { FrameScanner } from '../wire/frame.js';

export interface SeenSource {
  source: string;
  iface: string;
  packets: number;
  /** Groups it sent to, most packets first. */
  groups: string[];
}

/** pcap-filter(7): IPv4 packets to 224.0.0.0/4, IGMP queries included. */
export const LISTEN_FILTER = 'ip multicast';
/** Distinct sources kept per interface: a diagnostic needs the first few, memory stays bounded. */
const MAX_SOURCES_PER_IFACE = 1024;

interface Tally { packets: number; groups: Map<string, number> }

export class SourceCollector {
  private readonly set: CaptureSet;
  private readonly seen = new Map<string, Map<string, Tally>>();

  /**
   * Opens one capture per interface (observation/capture-set.ts: all or none); own addresses are
   * skipped (a capture also sees what the host sends), and so is 0.0.0.0 (never reverse-path
   * checked). Throws what the factory throws.
   */
  constructor(factory: CaptureFactory, ifaces: readonly string[], private readonly skip: ReadonlySet<string>) {
    const scanner = new FrameScanner();
    for (const iface of ifaces) this.seen.set(iface, new Map());
    const spec = { filter: LISTEN_FILTER, snaplen: 128, timeoutMs: 0 };
    this.set = new CaptureSet(factory, spec, (iface, buf, caplen, wireLen, _ms, linkType) => {
      const table = this.seen.get(iface);
      if (!table || !scanner.scan(buf, caplen, linkType, wireLen) || scanner.ip.family !== 4) return;
      const src = scanner.srcText();
      if (src === '0.0.0.0' || this.skip.has(src)) return;
      let t = table.get(src);
      if (!t) {
        if (table.size >= MAX_SOURCES_PER_IFACE) return;
        t = { packets: 0, groups: new Map() };
        table.set(src, t);
      }
      t.packets++;
      const dst = scanner.dstText();
      t.groups.set(dst, (t.groups.get(dst) ?? 0) + 1);
    });
    this.set.openAll(ifaces);
  }

  /** Waits for the kernel to hand over the last blocks, drains, closes; returns what was seen. */
  async stop(): Promise<SeenSource[]> {
    await this.set.stop();
    const out: SeenSource[] = [];
    for (const [iface, table] of this.seen) {
      for (const [source, t] of table) {
        const groups = [...t.groups.entries()].sort((a, b) => b[1] - a[1]).map(([g]) => g);
        out.push({ source, iface, packets: t.packets, groups });
      }
    }
    return out;
  }
}
