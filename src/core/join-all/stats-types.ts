// What ReceiveStats (./stats.ts) hands out: one row per (interface, group), what arrived on an
// interface outside its groups, the streams the stall detector watches, and its options.
import type { StreamStats } from '../probe/tracker.js';
import type { StreamTimes } from '../stall/detect.js';
import type { Clock } from '../clock.js';

export interface RowStats {
  iface: string;
  group: string;
  packets: number;
  bytes: number;
  /** Datagrams that are not probes (counted, never an error). */
  foreign: number;
  /** Probes whose payload names another group than the one they were sent to (forged or broken). */
  forged: number;
  /** Packets per second since the previous snapshot. */
  rate: number;
  /** Packets per second from the first packet to the last. */
  avgRate: number;
  /** Summed over the probe streams of the row. */
  lost: number;
  /** Probes the row's streams span (loss percentage = lost / expected). */
  expected: number;
  /**
   * Interarrival jitter in ms (RFC 3550 6.4.1, as iperf2 reports it): the smoothed difference of
   * successive probes' transit times; the clocks' offset cancels, so no sync is needed. The
   * largest of the row's probe streams; null for a row without probes.
   */
  jitterMs: number | null;
  duplicates: number;
  reordered: number;
  delayMs: { min: number; avg: number; max: number } | null;
  /** Milliseconds from the join to the first packet. */
  firstPacketMs: number | null;
  lastSource: string | null;
  /** TTL / hop limit the sender set (probe header). */
  lastTtl: number | null;
  /** TTL / hop limit as received (the kernel's IP_RECVTTL), null when not told. */
  lastRxTtl: number | null;
  streams: StreamStats[];
  /** Probe senders past MAX_STREAMS_PER_ROW: their packets, and how many distinct (estimated). */
  streamsOmitted: { senders: number; packets: number };
}

/** What arrived on an interface outside its joined groups, and how varied its senders were. */
export interface IfaceReceive {
  iface: string;
  /** Datagrams to this host's own unicast address on the port: never a group's. */
  unicast: number;
  /** Datagrams of groups other programs joined (or ours, on another port). */
  otherGroups: number;
  otherGroupNames: string[];
  /** Distinct source addresses and probe sender ids seen (exact to 256, estimated beyond). */
  sources: number;
  senders: number;
  firstAtMs: number;
  lastAtMs: number;
}

/** One stream as the stall detector sees it: a probe stream, or a row's non-probe traffic. */
export interface ReceivedStream {
  iface: string;
  group: string;
  probe?: { senderId: string; senderIface: string };
  /** The last source address seen on the row (non-probe traffic). */
  source: string | null;
  times: StreamTimes;
}

export interface ReceiveOptions {
  /** When the joins completed (the run's clock). */
  joinedAtMs: number;
  /** The run's clock (rates between snapshots); absent: the system's. */
  clock?: Clock;
  /**
   * Microseconds since the Unix epoch at a probe's arrival, for its transit time (delay and
   * jitter); absent: probe/format.ts nowUs(). A test gives its own to judge jitter exactly.
   */
  nowUs?: () => number;
  /** Our own sender-id prefix (hostname): probes from it are on this clock. */
  localHost: string;
  /** Trust one-way delay across hosts (--assume-synced). */
  assumeSynced: boolean;
}
