// One IGMP/MLD control packet as every observer of queries sees it (querier-check, the stall
// diagnosis of join-all and mesh, doctor, `analyze` of a capture file): the fields of the IP
// header the kernel judges a query by, the query's parameters, or what a report says. Built from
// a decoded frame by toHeard(); the time is the packet's own timestamp (libpcap's, or the file's),
// never the clock of whoever reads it, so a live listen and a file give the same answers.
import type { Family } from '../kernel/ip.js';
import { hasCurrentState } from '../wire/group-records.js';
import type { DecodedFrame } from '../wire/frame.js';
import type { IgmpQuery } from '../wire/igmp.js';
import type { MldQuery } from '../wire/mld.js';

/** The fields of a decoded IGMP or MLD query that matter here: the wire decoders' own. */
export type QueryFields = Pick<IgmpQuery | MldQuery, 'version' | 'group' | 'general' | 'maxRespMs' | 'suppress' | 'qrv' | 'qqic' |
  'qqiSec' | 'sources'>;

export interface HeardReport {
  version: number;
  /** The groups it names (a v1/v2 report or leave names one). */
  groups: string[];
  /** A leave (IGMPv2) or done (MLDv1). */
  leave: boolean;
  /**
   * Can this report be an answer to a query? v3/MLDv2: only with current-state records
   * (MODE_IS_INCLUDE/EXCLUDE, RFC 3376 5.2, RFC 3810 6.2): a join and the kernel's
   * retransmissions of it carry state-change records only. v1/v2/MLDv1: every report looks the
   * same, so any report (timing decides, see rules.ts answers()); a leave never.
   */
  answerLike: boolean;
}

export interface HeardPacket {
  /** The packet's timestamp in ms (epoch ms for libpcap and for files). */
  timeMs: number;
  family: Family;
  src: string;
  dst: string;
  srcMac?: string;
  /** TTL (IPv4) or hop limit (IPv6). */
  ttl: number;
  routerAlert: boolean;
  /** The Router Alert value, -1 without the option (IPv6: 0 means MLD, RFC 2711). */
  routerAlertValue: number;
  checksumOk: boolean;
  query?: QueryFields;
  report?: HeardReport;
}

/** A decoded frame as a HeardPacket, or undefined when it is not an IGMP/MLD message. */
export function toHeard(f: DecodedFrame, timeMs: number): HeardPacket | undefined {
  const l3 = f.l3;
  const msg = f.igmp ?? f.mld;
  if (!l3 || !msg) return undefined;
  const p: HeardPacket = {
    timeMs, family: l3.family, src: l3.src, dst: l3.dst, ttl: l3.ttl, routerAlert: l3.routerAlert,
    routerAlertValue: l3.routerAlertValue, checksumOk: msg.checksumOk,
  };
  if (f.srcMac) p.srcMac = f.srcMac;
  if (msg.kind === 'query') {
    const q: QueryFields = { version: msg.version, group: msg.group, general: msg.general, maxRespMs: msg.maxRespMs, sources: msg.sources };
    if (msg.suppress !== undefined) q.suppress = msg.suppress;
    if (msg.qrv !== undefined) q.qrv = msg.qrv;
    if (msg.qqic !== undefined) q.qqic = msg.qqic;
    if (msg.qqiSec !== undefined) q.qqiSec = msg.qqiSec;
    p.query = q;
  } else if ('records' in msg) {
    p.report = { version: msg.version, groups: msg.records.map((r) => r.group), leave: false, answerLike: hasCurrentState(msg.records) };
  } else {
    const leave = msg.kind !== 'report';
    p.report = { version: msg.version, groups: [msg.group], leave, answerLike: !leave };
  }
  return p;
}
