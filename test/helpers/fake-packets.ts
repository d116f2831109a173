// A fake of the one packet socket (src/platform/capture/packet-types.ts): the test delivers
// packets with arrive(); listenUdp records what was asked and fails with `error` when set.
import type { ArrivalListener, IpArrival, PacketSockets, UdpArrivalFilter } from '../../src/platform/capture/packet-types.js';

export class FakePackets implements PacketSockets {
  /** When set, listenUdp throws it (no CAP_NET_RAW). */
  error: Error | undefined;
  readonly filters: UdpArrivalFilter[] = [];
  /** What stats() says the kernel dropped (receive buffer full). */
  dropped = 0;
  /** Listeners open now. */
  open = 0;
  /** Called on every listenUdp: a test hooks its arrivals (the fake sender's probes) here. */
  onListen: ((f: UdpArrivalFilter) => void) | undefined;
  private readonly handlers = new Set<(p: IpArrival) => void>();

  /** Read errors to report to each listener as it opens (a recvmmsg that failed). */
  readErrors: Error[] = [];

  listenUdp(f: UdpArrivalFilter, onArrival: (p: IpArrival) => void, onError: (e: Error) => void): ArrivalListener {
    if (this.error) throw this.error;
    for (const e of this.readErrors) onError(e);
    this.filters.push(f);
    let received = 0;
    const counting = (p: IpArrival): void => { received++; onArrival(p); };
    this.handlers.add(counting);
    this.open++;
    this.onListen?.(f);
    return {
      drain: () => 0,
      stats: () => ({ received, dropped: this.dropped }),
      close: () => {
        if (!this.handlers.delete(counting)) return;
        this.open--;
      },
    };
  }

  /** A packet (from its IP header on) arriving on `ifindex`, to every open listener. */
  arrive(ifindex: number, data: Buffer): void {
    for (const h of this.handlers) h({ ifindex, data });
  }
}
