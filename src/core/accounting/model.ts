// What `trace` gathers and what it concludes: the facts (wire, counters, sockets, memberships,
// drop reasons) and, per interface, the path of the group's packets through the host.
import type { Family } from '../kernel/ip.js';
import type { Finding } from '../findings/model.js';
import type { Stages } from './counters.js';

export interface WireSource { source: string; packets: number }

/** The group's packets seen on one interface by the capture (before the IP stack). */
export interface WireCount {
  iface: string;
  packets: number;
  /** Bytes on the wire (frames), for the bit rate. */
  bytes: number;
  /** Most packets first, bounded. */
  sources: WireSource[];
  /** UDP destination ports seen, most packets first, bounded. */
  ports: Array<{ port: number; packets: number }>;
}

export interface SocketOwnerView { pid: number; comm: string }

export interface SocketFact {
  family: Family;
  localAddress: string;
  localPort: number;
  inode: number;
  owners: SocketOwnerView[];
  /** Bytes waiting to be read now. */
  rxQueue: number;
  /** The socket's drop counter now, and how much it rose during the run. */
  drops: number;
  dropsDuring: number;
  /** SO_RCVBUF as the kernel holds it (sock_diag), when known. */
  rcvbuf?: number;
}

export interface RpfFact { source: string; accepted: boolean; routeBackDev?: string; kernelError?: string }

/** Drop reasons from the kfree_skb tracepoint (host-wide), when tracing ran. */
export interface ReasonFacts { reasons: Record<string, number>; locations: Record<string, number>; overruns: number }

export interface TraceFacts {
  group: string;
  family: Family;
  port: number;
  seconds: number;
  wire: WireCount[];
  /** Interfaces whose kernel membership list holds the group (read before any --join). */
  membershipIfaces: string[];
  /** --join: the run held memberships on every selected interface itself. */
  joinedByUs: boolean;
  /** Counter deltas of this network namespace over the run. */
  deltas: Record<string, number>;
  sockets: SocketFact[];
  /** net.core.rmem_max (bytes), when readable. */
  rmemMax?: number;
  /** Reverse-path verdict for the busiest source of each interface (IPv4, when drops were counted). */
  rpf: Record<string, RpfFact>;
  reasons?: ReasonFacts;
  /** A rule that drops multicast, named by the firewall reader, when one matched. */
  firewallRule?: string;
  /** Sources included by source-specific memberships of the group, per interface (/proc/net/mcfilter, INC > 0). */
  sourceFilters?: Record<string, string[]>;
  /** Stop after the IP stages (join-all/doctor: the receiving sockets are the tool's own). */
  upToIp?: boolean;
}

export type StepStatus = 'ok' | 'broken' | 'not-reached' | 'unknown';

/** One interface's path, in the order the packets travel. */
export interface IfacePath {
  iface: string;
  wire: { packets: number; pps: number; bitsPerSecond: number; sources: WireSource[] };
  membership: 'here' | 'elsewhere' | 'nowhere' | 'held-by-trace';
  steps: Array<{ step: 'wire' | 'membership' | 'ip' | 'socket' | 'application'; status: StepStatus; detail: string }>;
  /** The finding id naming the break, when there is one. */
  breakId?: string;
}

export interface TraceDiagnosis {
  stages: Stages;
  paths: IfacePath[];
  /** Sockets that receive GROUP:PORT (bound to the port, wildcard or the group). */
  receivers: SocketFact[];
  findings: Finding[];
}
