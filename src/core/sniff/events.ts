// What sniff's engine hands out: the events (one per IGMP/MLD message, per data packet when
// asked, per malformed frame), the per-interface counters and the summary.
import type { CaptureStats } from '../../platform/capture/types.js';
import type { IgmpMessage } from '../wire/igmp.js';
import type { MldMessage } from '../wire/mld.js';
import type { FlowStats, ProbeSeen } from './flows.js';
import type { IfaceChurn } from '../membership/churn.js';
import type { Clock } from '../clock.js';

export type StopReason = 'count' | 'duration' | 'signal' | 'error';

export interface PacketEvent {
  type: 'packet';
  iface: string;
  tsUs: number;
  src: string;
  dst: string;
  sport: number;
  dport: number;
  ttl: number;
  dscp: number;
  /** Bytes on the wire (the whole frame). */
  len: number;
  probe?: ProbeSeen;
}

export interface ControlEvent {
  type: 'igmp' | 'mld';
  iface: string;
  tsUs: number;
  src: string;
  dst: string;
  ttl: number;
  routerAlert: boolean;
  srcMac: string | null;
  message: IgmpMessage | MldMessage;
}

export interface MalformedEvent {
  type: 'malformed';
  iface: string;
  tsUs: number;
  reason: string;
  len: number;
}

export type SniffEvent = PacketEvent | ControlEvent | MalformedEvent;

/** What one interface's packets were, live (sniff) or from a file (analyze). */
export interface PacketCounts {
  iface: string;
  linkType: number;
  /** Packets delivered (by the capture after its BPF filter, or read from the file). */
  packets: number;
  bytes: number;
  /** Multicast UDP packets, counted in flows/streams. */
  data: number;
  igmp: number;
  mld: number;
  malformed: number;
  /** IP or not, neither UDP nor IGMP/MLD (ARP, ND, TCP, unicast when a filter lets them through). */
  other: number;
}

/** An interface's counts before its first packet. */
export function zeroCounts(iface: string, linkType: number): PacketCounts {
  return { iface, linkType, packets: 0, bytes: 0, data: 0, igmp: 0, mld: 0, malformed: 0, other: 0 };
}

export interface IfaceCounts extends PacketCounts {
  /** libpcap's counters (pcap_stats): kernel drops when the reader fell behind. */
  kernel: CaptureStats;
  /**
   * Flows past the per-interface cap (a flood of sources): counted, not tracked. `flows` is the
   * distinct count (exact to 256, estimated beyond), packets and bytes theirs.
   */
  flowsOmitted: { flows: number; packets: number; bytes: number };
  /** Distinct flows (source x group) seen, tracked or not. */
  distinctFlows: number;
  /** Distinct probe sender ids seen (exact to 256, estimated beyond). */
  distinctSenders: number;
}

export interface SniffTarget {
  iface: string;
}

export interface SniffOptions {
  targets: readonly SniffTarget[];
  filter: string;
  snaplen?: number;
  bufferBytes?: number;
  timeoutMs?: number;
  /** Stop after this many packets in all (tcpdump -c). */
  count?: number;
  durationMs?: number;
  /** Build a packet event for each data packet (costs an allocation per packet). */
  packetEvents: boolean;
  malformedEvents: boolean;
  /** Times the session (its duration in the summary); absent: the system's clock. */
  clock?: Clock;
}

export interface SniffSummary {
  stoppedBy: StopReason;
  durationMs: number;
  interfaces: IfaceCounts[];
  flows: FlowStats[];
  written?: { format: string; packets: number };
  /** Per interface captured: downs and returns during the run (capture/churn.ts). */
  churn?: IfaceChurn[];
}
