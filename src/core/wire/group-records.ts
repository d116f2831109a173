// Shared by IGMPv3 (RFC 3376 section 4.2.12) and MLDv2 (RFC 3810 section 5.2.12): the record
// types, and the floating-point encoding of Max Resp Code and QQIC.

export type RecordTypeName =
  | 'MODE_IS_INCLUDE' | 'MODE_IS_EXCLUDE' | 'CHANGE_TO_INCLUDE_MODE' | 'CHANGE_TO_EXCLUDE_MODE'
  | 'ALLOW_NEW_SOURCES' | 'BLOCK_OLD_SOURCES';

const NAMES: readonly RecordTypeName[] = [
  'MODE_IS_INCLUDE', 'MODE_IS_EXCLUDE', 'CHANGE_TO_INCLUDE_MODE', 'CHANGE_TO_EXCLUDE_MODE',
  'ALLOW_NEW_SOURCES', 'BLOCK_OLD_SOURCES',
];

export function recordTypeName(t: number): RecordTypeName | undefined {
  return NAMES[t - 1];
}

/**
 * Current-state records (MODE_IS_INCLUDE/EXCLUDE) are what a report answering a query carries;
 * a join, a leave and their retransmissions carry only state-change records (RFC 3376 5.2,
 * RFC 3810 6.2).
 */
export function hasCurrentState(records: readonly { recordType: number }[]): boolean {
  return records.some((r) => r.recordType === 1 || r.recordType === 2);
}

export interface GroupRecord {
  /** 1..6 (RFC 3376 section 4.2.12). */
  recordType: number;
  recordName: RecordTypeName;
  group: string;
  sources: string[];
  /** Auxiliary data length, in 32-bit words (ignored by receivers, counted for length checks). */
  auxWords: number;
}

/** Where the two protocols differ in a record: the address size and how to read one. */
export interface RecordLayout {
  /** Protocol name in malformed messages ("IGMPv3", "MLDv2"). */
  label: string;
  addrLen: 4 | 16;
  addrAt: (buf: Uint8Array, off: number) => string;
}

/**
 * The `n` group records from buf[start..end): type, aux data length, number of sources, group,
 * sources, aux data (RFC 3376 4.2.12, RFC 3810 5.2.12). A string is the malformed reason.
 */
export function decodeGroupRecords(buf: Uint8Array, start: number, end: number, n: number, l: RecordLayout): GroupRecord[] | string {
  const fixed = 4 + l.addrLen;
  const records: GroupRecord[] = [];
  let p = start;
  for (let i = 0; i < n; i++) {
    if (p + fixed > end) return `${l.label}: report announces ${n} records, record ${i + 1} is cut short`;
    const rt = buf[p] ?? 0;
    const aux = buf[p + 1] ?? 0;
    const ns = ((buf[p + 2] ?? 0) << 8) | (buf[p + 3] ?? 0);
    const size = fixed + l.addrLen * ns + 4 * aux;
    if (p + size > end) return `${l.label}: record ${i + 1} claims ${size} bytes past the message end`;
    const name = recordTypeName(rt);
    if (!name) return `${l.label}: record ${i + 1} has unknown type ${rt}`;
    const sources: string[] = [];
    for (let k = 0; k < ns; k++) sources.push(l.addrAt(buf, p + fixed + l.addrLen * k));
    records.push({ recordType: rt, recordName: name, group: l.addrAt(buf, p + 4), sources, auxWords: aux });
    p += size;
  }
  return records;
}

/**
 * An 8-bit code (IGMPv3 Max Resp Code, IGMPv3 and MLDv2 QQIC): below 128 the value itself, else
 * 1 | exp (3 bits) | mant (4 bits) meaning (mant | 0x10) << (exp + 3)  (RFC 3376 sections 4.1.1, 4.1.7).
 */
export function decodeCode8(code: number): number {
  if (code < 128) return code;
  return ((code & 0x0f) | 0x10) << (((code >> 4) & 0x07) + 3);
}

/**
 * The 16-bit MLDv2 Maximum Response Code, in milliseconds: below 32768 the value itself, else
 * 1 | exp (3 bits) | mant (12 bits) meaning (mant | 0x1000) << (exp + 3)  (RFC 3810 section 5.1.3).
 */
export function decodeCode16(code: number): number {
  if (code < 32768) return code;
  return ((code & 0x0fff) | 0x1000) << (((code >> 12) & 0x07) + 3);
}

/** Inverse of decodeCode8 (rounding down), for tests and crafted queries. */
export function encodeCode8(value: number): number {
  if (value < 128) return value;
  for (let exp = 0; exp < 8; exp++) {
    const mant = (value >> (exp + 3)) - 0x10;
    if (mant >= 0 && mant <= 0x0f) return 0x80 | (exp << 4) | mant;
  }
  return 0xff;
}
