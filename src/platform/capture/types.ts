// The capture door the core receives (src/core/capture gets a CaptureFactory; tests fake it).

export interface CaptureOptions {
  iface: string;
  /** BPF filter (pcap-filter(7)); empty captures everything. */
  filter: string;
  /** Bytes kept per packet; 262144 (tcpdump's default) when unset. */
  snaplen?: number;
  /** Kernel ring size in bytes; 32 MiB when unset. */
  bufferBytes?: number;
  /**
   * Packet delivery: 0 means immediate mode (each packet as it arrives); otherwise libpcap's read
   * timeout in ms (TPACKET_V3 hands over blocks of packets, cheaper at high rates).
   */
  timeoutMs?: number;
}

export interface CaptureStats {
  /** Packets the kernel passed the filter and queued (pcap_stats ps_recv). */
  received: number;
  /** Dropped because the ring was full: the reader was too slow (ps_drop). */
  dropped: number;
  /** Dropped by the interface or driver, when the platform reports it (ps_ifdrop). */
  ifDropped: number;
}

/**
 * Called once per packet. `buf` is reused for the next packet: copy what you keep.
 * `caplen` bytes of `buf` are valid; `wireLen` is the length on the wire.
 * Timestamps are those libpcap reports (microseconds).
 */
export type PacketHandler = (buf: Buffer, caplen: number, wireLen: number, tsSec: number, tsUsec: number) => void;

export interface CaptureHandle {
  readonly iface: string;
  /** LINKTYPE_ value (https://www.tcpdump.org/linktypes.html), as written to pcap/pcapng files. */
  readonly linkType: number;
  readonly snaplen: number;
  /**
   * Packets reach userspace in blocks retired at most this many ms after they arrive
   * (TPACKET_V3): to stop without losing any, wait this long, drain(), then close().
   */
  readonly settleMs: number;
  /** The filter actually installed. */
  readonly filter: string;
  /** The first error the packet handler threw (delivery stops then); undefined while all is well. */
  readonly failure: unknown;
  /** Reads every packet already queued in the kernel now (before a stop, so nothing is lost). */
  drain(): number;
  stats(): CaptureStats;
  /** Stops delivery and releases the socket; stats() is not available afterwards. */
  close(): void;
}

export interface CaptureFactory {
  /** libpcap's version string, for the summary. */
  readonly version: string;
  /** Opens a live capture; throws EnvironmentError (permission, no such device) or UsageError (bad filter). */
  open(opts: CaptureOptions, onPacket: PacketHandler): CaptureHandle;
}
