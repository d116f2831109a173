// One capture per interface through the platform's CaptureFactory, with the life cycle its users
// would otherwise each repeat: open on each interface (a failure is a result for that interface,
// not the end of the run), a fresh capture after a link flap (libpcap's socket delivers nothing
// more once its interface went down: sniff's churn notes), and a stop that loses nothing (wait
// the handle's settle time, drain what the kernel still holds, close). Packets reach `onPacket`
// with the capture's own timestamp in ms.
import type { CaptureFactory, CaptureHandle, CaptureOptions } from '../../platform/capture/types.js';

export type SetPacketHandler = (iface: string, buf: Buffer, caplen: number, wireLen: number, timeMs: number, linkType: number) => void;

export type SetOptions = Omit<CaptureOptions, 'iface' | 'filter'> & {
  /** The filter, or the filter for each interface. */
  filter: string | ((iface: string) => string);
};

export class CaptureSet {
  private readonly handles = new Map<string, CaptureHandle>();
  /** Why an interface has no capture (the factory's error message), per interface. */
  readonly failures = new Map<string, string>();
  /** The factory's error itself, per interface (its hint says what would let it open). */
  readonly errors = new Map<string, unknown>();
  private failure: unknown;

  constructor(private readonly factory: CaptureFactory, private readonly opts: SetOptions, private readonly onPacket: SetPacketHandler) {}

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
    const old = this.handles.get(iface);
    if (old) {
      this.handles.delete(iface);
      shut(old);
      this.keepFailure(old);
    }
    return this.open(iface);
  }

  has(iface: string): boolean {
    return this.handles.has(iface);
  }

  /** How long stop() waits for the kernel's last blocks (the largest of the open handles'). */
  get settleMs(): number {
    return Math.max(0, ...[...this.handles.values()].map((h) => h.settleMs));
  }

  /** Waits for the kernel to retire its last blocks, drains every capture, closes; throws the first handler failure. */
  async stop(): Promise<void> {
    const settle = this.settleMs;
    if (settle > 0) await new Promise((r) => setTimeout(r, settle));
    this.closeNow();
    if (this.failure !== undefined) throw this.failure;
  }

  /** Drains and closes at once (no settle wait): an end that cannot wait. */
  closeNow(): void {
    for (const h of this.handles.values()) {
      shut(h);
      this.keepFailure(h);
    }
    this.handles.clear();
  }

  private keepFailure(h: CaptureHandle): void {
    if (h.failure !== undefined) this.failure ??= h.failure;
  }

  private openHandle(iface: string): CaptureHandle {
    const { filter, ...rest } = this.opts;
    let linkType = 1;
    const h = this.factory.open({ ...rest, iface, filter: typeof filter === 'string' ? filter : filter(iface) },
      (buf, caplen, wireLen, sec, usec) => {
      this.onPacket(iface, buf, caplen, wireLen, sec * 1000 + usec / 1000, linkType);
    });
    linkType = h.linkType;
    return h;
  }
}

function shut(h: CaptureHandle): void {
  try { h.drain(); } catch { /* closing anyway */ }
  h.close();
}
