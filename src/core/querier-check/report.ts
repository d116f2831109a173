// The shape of a querier-check listen: per interface and family, the queriers heard with their
// validation, the kernel's view, and whether this host answered. docs/schemas/querier-check.schema.json.
import type { Finding } from '../findings/model.js';
import type { Family } from '../kernel/ip.js';
import type { RpFilterState } from '../kernel/rpfilter-conf.js';
import type { FamilyObservation, QuerierSeen } from '../observation/observer.js';

export interface QuerierValidation {
  /** Inside a prefix of the arrival interface (MLD: link-local counts as on the link). */
  onSubnet: boolean;
  zeroSource: boolean;
  /** MLD only: RFC 3810 6.2 requires a link-local source. */
  linkLocal?: boolean;
  /** IPv4, non-zero source: the kernel's reverse-path answer (src/core/kernel/rpf-check.ts). */
  rpf?: {
    accepted: boolean; error?: string; routeBackDev?: string; command: string;
    /** The route the source matches; sources of one route on one interface share one lookup (rpf-batch.ts). */
    route?: string;
    /** The source of the same route that was asked instead of this one. */
    askedAs?: string;
  };
}

export type QuerierEntry = QuerierSeen & QuerierValidation & { elected: boolean };

export interface FamilyReport extends Omit<FamilyObservation, 'queriers' | 'membershipIntervalS' | 'firstMs' | 'lastMs'> {
  queriers: QuerierEntry[];
  /** The host's side: configured version and, IPv4, /proc/net/igmp's Querier column before and after. */
  kernel: {
    /** force_igmp_version / force_mld_version (0: none). */
    forceVersion: number;
    /** The version the host speaks when not forced: 3 (IGMP) / 2 (MLD), or the forced one. */
    hostVersion: number;
    querierVersionBefore?: string;
    querierVersionAfter?: string;
  };
  /** Did this host answer? 'yes', 'no', or 'no-groups' (nothing to report: only 224.0.0.1 / ff02::1). */
  answered: 'yes' | 'no' | 'no-groups' | 'no-queries';
  reportableGroups: string[];
}

export interface InterfaceReport {
  name: string;
  index: number;
  addresses: string[];
  rpFilter: RpFilterState;
  /** IGMP/MLD frames captured that the decoders refused: counted, never taken for a querier. */
  malformed: { count: number; reasons: { reason: string; count: number }[] };
  igmp?: FamilyReport;
  mld?: FamilyReport;
}

export interface Delta { before: number; after: number; delta: number }

export interface QuerierReport {
  startedAt: string;
  timeoutS: number;
  durationS: number;
  /** TcpExt IPReversePathFilter (per network namespace) across the listen. */
  counters: {
    ipReversePathFilter: Delta;
    /** /proc/net/snmp6: MLD queries received (Icmp6InGroupMembQueries) and reports sent (MLDv2 + v1). */
    mld?: { queriesIn: Delta; reportsOut: Delta };
  };
  /** Queriers whose reverse path was not asked: beyond the bound of routes asked (rpf-batch.ts). */
  rpfNotChecked?: number;
  interfaces: InterfaceReport[];
  expect?: { address: string; met: boolean; electedOn: Array<{ iface: string; elected?: string }> };
  findings: Finding[];
}

export function familyKey(f: Family): 'igmp' | 'mld' {
  return f === 4 ? 'igmp' : 'mld';
}
