// MLD messages (ICMPv6): MLDv1 (RFC 2710) and MLDv2 (RFC 3810).
// A query of 24 bytes is MLDv1, of 28 bytes or more MLDv2; other lengths are not valid queries
// (RFC 3810 section 8.1).
import { u16 } from './link.js';
import { ipv6Text as ipv6At } from '../kernel/ip.js';
import { checksum } from './network.js';
import { decodeCode16, decodeCode8, decodeGroupRecords, type GroupRecord, type RecordLayout } from './group-records.js';
import type { Malformed } from './igmp.js';

const V2_RECORDS: RecordLayout = { label: 'MLDv2', addrLen: 16, addrAt: ipv6At };

export const MLD_TYPE = { query: 130, v1Report: 131, done: 132, v2Report: 143 } as const;

interface MldCommon {
  proto: 'mld';
  /** The ICMPv6 type. */
  icmpType: number;
  /** False when the ICMPv6 checksum (with the IPv6 pseudo-header) does not verify. */
  checksumOk: boolean;
  length: number;
}

export interface MldQuery extends MldCommon {
  kind: 'query';
  version: 1 | 2;
  /** :: for a general query. */
  group: string;
  general: boolean;
  maxRespCode: number;
  /** v1: the Maximum Response Delay in ms; v2: the decoded Maximum Response Code in ms. */
  maxRespMs: number;
  suppress?: boolean;
  qrv?: number;
  qqic?: number;
  qqiSec?: number;
  sources: string[];
}

export interface MldReport extends MldCommon {
  kind: 'report';
  version: 1;
  group: string;
}

export interface MldV2Report extends MldCommon {
  kind: 'report';
  version: 2;
  records: GroupRecord[];
}

export interface MldDone extends MldCommon {
  kind: 'done';
  version: 1;
  group: string;
}

export type MldMessage = MldQuery | MldReport | MldV2Report | MldDone;

export function isMldType(t: number): boolean {
  return t === MLD_TYPE.query || t === MLD_TYPE.v1Report || t === MLD_TYPE.done || t === MLD_TYPE.v2Report;
}

/**
 * Decodes the ICMPv6 message at buf[off..off+len) when it is MLD; undefined for other ICMPv6
 * types. `pseudo` is pseudoSum6() of the enclosing IPv6 header. Never throws.
 */
export function decodeMld(buf: Uint8Array, off: number, len: number, pseudo: number): MldMessage | Malformed | undefined {
  if (len < 4 || off + len > buf.length) {
    return { malformed: `ICMPv6: message cut short (${Math.max(0, Math.min(len, buf.length - off))} bytes)` };
  }
  const type = buf[off] ?? 0;
  if (!isMldType(type)) return undefined;
  const common = { proto: 'mld' as const, icmpType: type, checksumOk: checksum(buf, off, len, pseudo) === 0, length: len };
  if (type === MLD_TYPE.v2Report) {
    if (len < 8) return { malformed: `MLDv2: report of ${len} bytes` };
    const records = decodeGroupRecords(buf, off + 8, off + len, u16(buf, off + 6), V2_RECORDS);
    if (typeof records === 'string') return { malformed: records };
    return { ...common, kind: 'report', version: 2, records };
  }
  if (len < 24) return { malformed: `MLD: message of ${len} bytes (at least 24)` };
  const group = ipv6At(buf, off + 8);
  const code = u16(buf, off + 4);
  if (type === MLD_TYPE.v1Report) return { ...common, kind: 'report', version: 1, group };
  if (type === MLD_TYPE.done) return { ...common, kind: 'done', version: 1, group };
  if (len === 24) {
    return { ...common, kind: 'query', version: 1, group, general: group === '::', maxRespCode: code, maxRespMs: code, sources: [] };
  }
  if (len < 28) return { malformed: `MLD: query of ${len} bytes (neither 24 nor at least 28)` };
  const flags = buf[off + 24] ?? 0;
  const qqic = buf[off + 25] ?? 0;
  const n = u16(buf, off + 26);
  if (28 + 16 * n > len) return { malformed: `MLDv2: query lists ${n} sources but holds ${Math.floor((len - 28) / 16)}` };
  const sources: string[] = [];
  for (let i = 0; i < n; i++) sources.push(ipv6At(buf, off + 28 + 16 * i));
  return { ...common, kind: 'query', version: 2, group, general: group === '::', maxRespCode: code,
    maxRespMs: decodeCode16(code), suppress: (flags & 0x08) !== 0, qrv: flags & 0x07, qqic, qqiSec: decodeCode8(qqic), sources };
}
