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

export interface GroupRecord {
  /** 1..6 (RFC 3376 section 4.2.12). */
  recordType: number;
  recordName: RecordTypeName;
  group: string;
  sources: string[];
  /** Auxiliary data length, in 32-bit words (ignored by receivers, counted for length checks). */
  auxWords: number;
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
