// What rpfilter-audit returns: data only, rendered by src/render/rpfilter-audit.ts.
import type { Coverage } from '../coverage.js';
import type { Finding } from '../findings/model.js';
import type { RpConf } from '../kernel/rpfilter-conf.js';
import type { NetfilterRpfReport } from '../firewall/rpfilter-rules.js';

export interface ConfRow {
  rpFilter: number;
  srcValidMark: number;
  acceptLocal: number;
}

export interface RpfInterface extends RpConf {
  name: string;
  index: number;
  up: boolean;
  /** Up, MULTICAST, an IPv4 address, not loopback: sources are checked here. */
  eligible: boolean;
  /** Holds an IPv4 default route. */
  defaultRoute: boolean;
  /** Connected IPv4 prefixes (network/len): sources inside them pass even strict mode. */
  prefixes: string[];
  /** IPv6 never has an rp_filter sysctl; netfilter rules may still filter by source. */
  ipv6: { rpFilterSysctl: false; netfilterRules: number };
}

/** Why the kernel refused a source on an interface, worked out after the kernel said no. */
export type DropReason =
  /** Strict mode, and the route back to S leaves by another interface. */
  | 'strict-route-elsewhere'
  /** No route back to S at all: dropped in loose mode too (PITFALLS.md). */
  | 'no-route-back'
  /** S is one of this host's own addresses and accept_local is off. */
  | 'local-source'
  /** The kernel refused for a reason the audit cannot name (martian source, policy rule...). */
  | 'other';

export interface SourceCheck {
  source: string;
  group?: string;
  iface: string;
  mode: 'off' | 'strict' | 'loose';
  /** The kernel's verdict: `ip route get 224.0.0.1 from S iif DEV` succeeded. */
  accepted: boolean;
  kernelError?: string;
  /** The interface the route back to S leaves by (`ip route get S`), if any. */
  routeBackDev?: string;
  reason?: DropReason;
  /** S lies in a connected prefix of another interface: a drop here is anti-spoofing doing its job. */
  onSubnetOf?: string;
  /** For S,G: `ip route get G from S iif DEV` (false when the host has not joined G on DEV). */
  groupAccepted?: boolean;
  /** The exact commands that would make the kernel accept S on DEV. */
  fixes: string[];
  /** The command that shows the kernel's verdict. */
  confirm: string;
  /** --listen: the source was captured arriving on this interface (packets, groups by count). */
  seen?: { packets: number; groups: string[] };
}

export interface WatchResult {
  seconds: number;
  before: number;
  after: number;
  drops: number;
  /** Whether multicast was captured during the window to name the dropped sources. */
  captured: boolean;
  /** Why there was no capture (no libpcap, no CAP_NET_RAW): the counter alone then. */
  captureNote?: string;
  /** Sources seen on the wire during the watch whose reverse-path check fails (capture only). */
  droppedSources?: Array<{ source: string; iface: string; group?: string; packets: number }>;
}

export interface ListenResult {
  seconds: number;
  interfaces: string[];
  /** Multicast packets captured from other hosts. */
  packets: number;
  /** Distinct (source, interface) pairs, each audited as a check. */
  sources: number;
}

export interface RpfAudit {
  conf: { all: ConfRow; default: ConfRow };
  /** Interfaces that are up with a global IPv4 address (all of them, whatever --iface says). */
  uplinks: string[];
  multihomed: boolean;
  interfaces: RpfInterface[];
  checks: SourceCheck[];
  watch?: WatchResult;
  listen?: ListenResult;
  netfilter?: NetfilterRpfReport;
  findings: Finding[];
  /** Checks the environment stopped (--watch without capture, netfilter rules unreadable). */
  coverage: Coverage;
}
