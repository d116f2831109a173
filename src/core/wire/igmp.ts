// IGMP messages: v1 (RFC 1112 appendix I), v2 (RFC 2236), v3 (RFC 3376).
// Version of a query by its length and code (RFC 3376 section 7.1): 8 bytes and code 0 is v1,
// 8 bytes and code > 0 is v2, 12 bytes or more is v3; any other length is not a valid query.
import { ipv4At, u16 } from './link.js';
import { checksum } from './network.js';
import { decodeCode8, decodeGroupRecords, type GroupRecord, type RecordLayout } from './group-records.js';

const V3_RECORDS: RecordLayout = { label: 'IGMPv3', addrLen: 4, addrAt: ipv4At };

export const IGMP_TYPE = { query: 0x11, v1Report: 0x12, v2Report: 0x16, leave: 0x17, v3Report: 0x22 } as const;

interface IgmpCommon {
  proto: 'igmp';
  /** The IGMP type byte. */
  igmpType: number;
  /** False when the message's checksum does not verify (the kernel drops such messages). */
  checksumOk: boolean;
  /** Bytes of the IGMP message. */
  length: number;
}

export interface IgmpQuery extends IgmpCommon {
  kind: 'query';
  version: 1 | 2 | 3;
  /** 0.0.0.0 for a general query. */
  group: string;
  general: boolean;
  maxRespCode: number;
  /** v1: 10 s by definition (RFC 2236 section 4); v2: code in 1/10 s; v3: decoded code in 1/10 s. */
  maxRespMs: number;
  /** v3 only: S flag (suppress router-side processing), QRV, QQIC and the interval it encodes. */
  suppress?: boolean;
  qrv?: number;
  qqic?: number;
  qqiSec?: number;
  sources: string[];
}

export interface IgmpReport extends IgmpCommon {
  kind: 'report';
  version: 1 | 2;
  group: string;
}

export interface IgmpV3Report extends IgmpCommon {
  kind: 'report';
  version: 3;
  records: GroupRecord[];
}

export interface IgmpLeave extends IgmpCommon {
  kind: 'leave';
  version: 2;
  group: string;
}

export type IgmpMessage = IgmpQuery | IgmpReport | IgmpV3Report | IgmpLeave;

export interface Malformed {
  malformed: string;
}

export function isMalformed(x: unknown): x is Malformed {
  return typeof x === 'object' && x !== null && typeof (x as Malformed).malformed === 'string';
}

/** Decodes the IGMP message at buf[off..off+len). Never throws. */
export function decodeIgmp(buf: Uint8Array, off: number, len: number): IgmpMessage | Malformed {
  if (len < 8 || off + len > buf.length) {
    return { malformed: `IGMP: message cut short (${Math.max(0, Math.min(len, buf.length - off))} bytes)` };
  }
  const type = buf[off] ?? 0;
  const code = buf[off + 1] ?? 0;
  const common = { proto: 'igmp' as const, igmpType: type, checksumOk: checksum(buf, off, len) === 0, length: len };
  const group = ipv4At(buf, off + 4);
  switch (type) {
    case IGMP_TYPE.query: {
      if (len === 8) {
        const version = code === 0 ? 1 : 2;
        return { ...common, kind: 'query', version, group, general: group === '0.0.0.0', maxRespCode: code,
          maxRespMs: version === 1 ? 10_000 : code * 100, sources: [] };
      }
      if (len < 12) return { malformed: `IGMP: query of ${len} bytes (neither 8 nor at least 12)` };
      const flags = buf[off + 8] ?? 0;
      const qqic = buf[off + 9] ?? 0;
      const n = u16(buf, off + 10);
      if (12 + 4 * n > len) return { malformed: `IGMPv3: query lists ${n} sources but holds ${Math.floor((len - 12) / 4)}` };
      const sources: string[] = [];
      for (let i = 0; i < n; i++) sources.push(ipv4At(buf, off + 12 + 4 * i));
      return { ...common, kind: 'query', version: 3, group, general: group === '0.0.0.0', maxRespCode: code,
        maxRespMs: decodeCode8(code) * 100, suppress: (flags & 0x08) !== 0, qrv: flags & 0x07, qqic,
        qqiSec: decodeCode8(qqic), sources };
    }
    case IGMP_TYPE.v1Report:
      return { ...common, kind: 'report', version: 1, group };
    case IGMP_TYPE.v2Report:
      return { ...common, kind: 'report', version: 2, group };
    case IGMP_TYPE.leave:
      return { ...common, kind: 'leave', version: 2, group };
    case IGMP_TYPE.v3Report: {
      const records = decodeGroupRecords(buf, off + 8, off + len, u16(buf, off + 6), V3_RECORDS);
      if (typeof records === 'string') return { malformed: records };
      return { ...common, kind: 'report', version: 3, records };
    }
    default:
      return { malformed: `IGMP: unknown type 0x${type.toString(16).padStart(2, '0')}` };
  }
}
