// A CaptureFactory without libpcap: frames are handed in by the test; `queue` holds frames "in
// the kernel ring" that only drain() delivers (as a stop must).
import type { CaptureFactory, CaptureHandle, CaptureOptions, CaptureStats, PacketHandler } from '../../src/platform/capture/types.js';

export class FakeCapture implements CaptureFactory {
  readonly version = 'fake libpcap 0.0';
  readonly opened: CaptureOptions[] = [];
  private readonly handlers = new Map<string, PacketHandler>();
  private readonly queues = new Map<string, { data: Buffer; tsUs: number }[]>();
  closed: string[] = [];
  failOn?: { iface: string; error: Error };
  drops = 0;

  open(opts: CaptureOptions, onPacket: PacketHandler): CaptureHandle {
    if (this.failOn?.iface === opts.iface) throw this.failOn.error;
    this.opened.push(opts);
    this.handlers.set(opts.iface, onPacket);
    const queue: { data: Buffer; tsUs: number }[] = [];
    this.queues.set(opts.iface, queue);
    let received = 0;
    const deliver = (b: Buffer, tsUs: number): void => {
      received++;
      // The real binding reuses one buffer: so does the fake, to catch code that keeps it.
      const shared = Buffer.alloc(b.length + 16, 0xee);
      b.copy(shared);
      onPacket(shared, b.length, b.length, Math.floor(tsUs / 1e6), tsUs % 1e6);
      shared.fill(0xee);
    };
    this.handlers.set(opts.iface, (b, _c, _w, s, us) => deliver(b, s * 1e6 + us));
    return {
      iface: opts.iface, linkType: 1, snaplen: opts.snaplen ?? 262144, filter: opts.filter, settleMs: 0, failure: undefined,
      drain(): number { const n = queue.length; for (const q of queue.splice(0)) deliver(q.data, q.tsUs); return n; },
      stats: (): CaptureStats => ({ received, dropped: this.drops, ifDropped: 0 }),
      close: (): void => { this.closed.push(opts.iface); },
    };
  }

  /** Delivers a frame now, as the poll callback would. */
  deliver(iface: string, frame: Buffer, tsUs: number): void {
    const h = this.handlers.get(iface);
    if (!h) throw new Error(`no capture on ${iface}`);
    h(frame, frame.length, frame.length, Math.floor(tsUs / 1e6), tsUs % 1e6);
  }

  /** Leaves a frame in the ring: only drain() delivers it. */
  enqueue(iface: string, frame: Buffer, tsUs: number): void {
    this.queues.get(iface)?.push({ data: frame, tsUs });
  }
}
