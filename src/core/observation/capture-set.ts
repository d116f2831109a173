// One capture per interface through the platform's CaptureFactory, with the life cycle its users
// would otherwise each repeat: open on each interface (a failure is a result for that interface,
// not the end of the run), a fresh capture after a link flap (libpcap's socket delivers nothing
// more once its interface went down: sniff's churn notes), and a stop that loses nothing (wait
// the handle's settle time, drain what the kernel still holds, close). Packets reach `onPacket`
// with the capture's own timestamp in ms; a hot path that does its own arithmetic (sniff, at a
// million packets a second) takes libpcap's callback as is (`{ raw }`): one closure per
// interface, nothing in between. The kernel's counters (pcap_stats) of the captures a flap
// closed are carried over, so stats() covers the interface's whole run.
import type { CaptureFactory, CaptureHandle, CaptureOptions, CaptureStats, PacketHandler } from '../../platform/capture/types.js';

export type SetPacketHandler = (iface: string, buf: Buffer, caplen: number, wireLen: number, timeMs: number, linkType: number) => void;

/** libpcap's own callback for each interface (sec/usec stamps; the caller keeps the link type). */
export interface RawDelivery {
  raw(iface: string): PacketHandler;
}

export type SetOptions = Omit<CaptureOptions, 'iface' | 'filter'> & {
  /** The filter, or the filter for each interface. */
  filter: string | ((iface: string) => string);
};

const NO_STATS: CaptureStats = { received: 0, dropped: 0, ifDropped: 0 };

export class CaptureSet {
  private readonly handles = new Map<string, CaptureHandle>();
  /** Why an interface has no capture (the factory's error message), per interface. */
  readonly failures = new Map<string, string>();
  /** The factory's error itself, per interface (its hint says what would let it open). */
  readonly errors = new Map<string, unknown>();
  /** pcap_stats of the captures already closed, per interface. */
  private readonly closedStats = new Map<string, CaptureStats>();
  private firstFailure: unknown;

  constructor(
    private readonly factory: CaptureFactory,
    private readonly opts: SetOptions,
    private readonly onPacket: SetPacketHandler | RawDelivery,
  ) {}

  /** Opens the capture on iface; false (and failures says why) when it cannot be. */
  open(iface: string): boolean {
    if (this.handles.has(iface)) return true;
    try {
      this.handles.set(iface, this.openHandle(iface));
      this.failures.delete(iface);
      this.errors.delete(iface);
      return true;
    } catch (e) {
      this.failures.set(iface, (e as Error).message);
      this.errors.set(iface, e);
      return false;
    }
  }

  /** Opens every interface or none: on the first failure closes those opened and rethrows. */
  openAll(ifaces: readonly string[]): void {
    try {
      for (const iface of ifaces) if (!this.handles.has(iface)) this.handles.set(iface, this.openHandle(iface));
    } catch (e) {
      this.closeNow();
      throw e;
    }
  }

  /** The interface came back from a down or a re-create: a new capture (what was heard stays with the caller). */
  reopen(iface: string): boolean {
    this.close(iface);
    return this.open(iface);
  }

  /** The interface went down: what the kernel holds is read, its counters kept, its capture closed. */
  close(iface: string): void {
    const h = this.handles.get(iface);
    if (!h) return;
    this.handles.delete(iface);
    this.retire(iface, h);
  }

  /** Closes iface's capture unread and uncounted: it opened, but is not wanted after all. */
  discard(iface: string): void {
    this.handles.get(iface)?.close();
    this.handles.delete(iface);
  }

  has(iface: string): boolean {
    return this.handles.has(iface);
  }

  /** The open capture's link type and snap length. */
  opened(iface: string): { linkType: number; snaplen: number } | undefined {
    const h = this.handles.get(iface);
    return h && { linkType: h.linkType, snaplen: h.snaplen };
  }

  /** The kernel's counters for iface over the run: the captures closed plus the open one. */
  stats(iface: string): CaptureStats {
    const closed = this.closedStats.get(iface) ?? NO_STATS;
    const h = this.handles.get(iface);
    return h ? plus(closed, h.stats()) : { ...closed };
  }

  /** The first error a packet handler threw (its delivery stopped there), once that capture closed. */
  get failure(): unknown {
    return this.firstFailure;
  }

  /** How long stop() waits for the kernel's last blocks (the largest of the open handles'). */
  get settleMs(): number {
    return Math.max(0, ...[...this.handles.values()].map((h) => h.settleMs));
  }

  /** Waits for the kernel to retire its last blocks, drains every capture, closes; throws the first handler failure. */
  async stop(): Promise<void> {
    await this.settle();
    this.closeNow();
    if (this.firstFailure !== undefined) throw this.firstFailure;
  }

  /** Waits until what arrived before now has reached userspace (TPACKET_V3 blocks): a drain() then loses nothing. */
  async settle(): Promise<void> {
    const ms = this.settleMs;
    if (ms > 0) await new Promise((r) => setTimeout(r, ms));
  }

  /** Reads what each capture's kernel queue holds now. */
  drain(): void {
    for (const h of this.handles.values()) h.drain();
  }

  /** Drains and closes at once (no settle wait): an end that cannot wait. */
  closeNow(): void {
    for (const [iface, h] of this.handles) this.retire(iface, h);
    this.handles.clear();
  }

  /** Drains, keeps the counters and the handler's failure, closes. */
  private retire(iface: string, h: CaptureHandle): void {
    try { h.drain(); } catch { /* closing anyway */ }
    try {
      this.closedStats.set(iface, plus(this.closedStats.get(iface) ?? NO_STATS, h.stats()));
    } catch { /* a handle without counters: the run's others still add up */ }
    if (h.failure !== undefined) this.firstFailure ??= h.failure;
    h.close();
  }

  private openHandle(iface: string): CaptureHandle {
    const { filter, ...rest } = this.opts;
    const o = { ...rest, iface, filter: typeof filter === 'string' ? filter : filter(iface) };
    const deliver = this.onPacket;
    if (typeof deliver !== 'function') return this.factory.open(o, deliver.raw(iface));
    let linkType = 1;
    const h = this.factory.open(o, (buf, caplen, wireLen, sec, usec) => {
      deliver(iface, buf, caplen, wireLen, sec * 1000 + usec / 1000, linkType);
    });
    linkType = h.linkType;
    return h;
  }
}

function plus(a: CaptureStats, b: CaptureStats): CaptureStats {
  return { received: a.received + b.received, dropped: a.dropped + b.dropped, ifDropped: a.ifDropped + b.ifDropped };
}
