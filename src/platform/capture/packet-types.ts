// The one-socket capture the core receives (Services.packets, src/core/deps.ts): IPv4 packets as
// they arrive on any interface, with the interface they arrived on. doctor's self-test listens
// for its probes with it on every interface at once (packet-socket.ts); tests fake it.

/** IPv4 UDP to one group and port, as the kernel's filter selects it (bpf.ts). */
export interface UdpArrivalFilter {
  group: string;
  port: number;
  /** Bytes kept of each packet from the IP header on; 512 when unset. */
  snaplen?: number;
}

/** One packet that arrived. Reused: valid during the callback only. */
export interface IpArrival {
  /** The interface it arrived on (sockaddr_ll.sll_ifindex). */
  ifindex: number;
  /** The packet from its IP header on, cut at snaplen (its own length fields say how long it was). */
  data: Buffer;
}

export interface ArrivalStats {
  /** Packets the filter passed (PACKET_STATISTICS tp_packets). */
  received: number;
  /** Passed but dropped: the socket's receive buffer was full (tp_drops). */
  dropped: number;
}

export interface ArrivalListener {
  /** Reads now what the kernel has queued (before a stop, so nothing is lost); how many. */
  drain(): number;
  stats(): ArrivalStats;
  /** Stops delivery and closes the socket. */
  close(): void;
}

export interface PacketSockets {
  /**
   * One packet socket for every interface, filtered in the kernel to IPv4 UDP for `f.group` and
   * `f.port`; what this host sends is not an arrival and is not delivered. Throws
   * EnvironmentError PERMISSION without CAP_NET_RAW.
   */
  listenUdp(f: UdpArrivalFilter, onArrival: (p: IpArrival) => void, onError: (e: Error) => void): ArrivalListener;
}
