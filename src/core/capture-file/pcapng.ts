// pcapng blocks (draft-ietf-opsawg-pcapng): one block at a time out of a buffer. Each section
// (SHB) has its own byte order and its own interface ids; ids are mapped onto the parser's one
// list. Unknown block types are skipped whole, as the format asks.
import { CaptureFileError, MAX_RECORD, cleanName, type CaptureParser, type FileInterface } from './parser.js';

export interface PcapngState {
  le: boolean;
  /** Index in the parser's interface list of this section's interface 0. */
  sectionBase: number;
  /** Interfaces declared in this section. */
  sectionCount: number;
  /** Timestamp of the last packet, for Simple Packet Blocks (they carry none). */
  lastTsUs: number;
  inSection: boolean;
}

const SHB = 0x0a0d0d0a;
const IDB = 1;
const PB = 2;
const SPB = 3;
const ISB = 5;
const EPB = 6;
const BYTE_ORDER_MAGIC = 0x1a2b3c4d;

/**
 * Reads the block at data[p]: returns its length once handled, or -N when N bytes from p are
 * needed first. Throws CaptureFileError (with the file offset `parser.offset`) on a bad block.
 */
export function pcapngBlock(data: Buffer, p: number, st: PcapngState, parser: CaptureParser): number {
  const avail = data.length - p;
  if (avail < 12) return -12;
  const typeLe = data.readUInt32LE(p);
  const at = parser.offset;
  if (typeLe === SHB) {
    const bom = data.readUInt32LE(p + 8);
    if (bom === BYTE_ORDER_MAGIC) st.le = true;
    else if (bom === 0x4d3c2b1a) st.le = false;
    else throw new CaptureFileError(`section header at byte ${at} has no byte-order magic (0x${bom.toString(16)})`, at);
  } else if (!st.inSection) {
    throw new CaptureFileError('pcapng file without a section header block', at);
  }
  const le = st.le;
  const u32 = (o: number): number => (le ? data.readUInt32LE(p + o) : data.readUInt32BE(p + o));
  const u16 = (o: number): number => (le ? data.readUInt16LE(p + o) : data.readUInt16BE(p + o));
  const type = u32(0);
  const len = u32(4);
  if (len < 12 || len % 4 !== 0 || len > MAX_RECORD) {
    throw new CaptureFileError(`block at byte ${at} (type ${type}) claims ${len} bytes (absurd length; corrupt file)`, at);
  }
  if (avail < len) return -len;
  if (u32(len - 4) !== len) throw new CaptureFileError(`block at byte ${at} (type ${type}): its two lengths differ (${len}, ${u32(len - 4)})`, at);
  const bodyEnd = len - 4;
  switch (type) {
    case SHB: {
      if (len < 28) throw new CaptureFileError(`section header at byte ${at} is ${len} bytes (at least 28)`, at);
      const major = u16(12);
      if (major !== 1) throw new CaptureFileError(`pcapng version ${major} (only 1 is defined)`, at);
      st.inSection = true;
      st.sectionBase = parser.interfaces.length;
      st.sectionCount = 0;
      break;
    }
    case IDB: {
      if (len < 20) throw new CaptureFileError(`interface block at byte ${at} is ${len} bytes (at least 20)`, at);
      const i: FileInterface = { name: `if${st.sectionCount}`, linkType: u16(8), snaplen: u32(12), tsPerSec: 1e6, tsOffsetS: 0 };
      options(data, p + 16, p + bodyEnd, le, (code, off, olen) => {
        if (code === 2 && olen > 0) i.name = cleanName(data.toString('utf8', off, off + Math.min(olen, 256)));
        else if (code === 9 && olen >= 1) {
          const r = data[off] ?? 6;
          const exp = r & 0x7f;
          // Bit 7 set: a negative power of 2; clear: of 10. Beyond 1e-18 s is not a clock.
          if ((r & 0x80) !== 0 ? exp > 63 : exp > 18) throw new CaptureFileError(`interface block at byte ${at}: if_tsresol ${r} is not a usable resolution`, at);
          i.tsPerSec = (r & 0x80) !== 0 ? 2 ** exp : 10 ** exp;
        } else if (code === 14 && olen >= 8) {
          i.tsOffsetS = Number(le ? data.readBigInt64LE(off) : data.readBigInt64BE(off));
        }
      });
      parser.addInterface(i);
      st.sectionCount++;
      break;
    }
    case EPB:
    case PB: {
      if (len < 32) throw new CaptureFileError(`packet block at byte ${at} is ${len} bytes (at least 32)`, at);
      const id = type === EPB ? u32(8) : u16(8);
      const caplen = u32(20);
      const wire = u32(24);
      if (caplen > bodyEnd - 28) throw new CaptureFileError(`packet block at byte ${at} claims ${caplen} captured bytes in a ${len}-byte block`, at);
      const iface = ifaceOf(id, st, parser, at);
      const tsUs = timestamp(u32(12), u32(16), iface);
      st.lastTsUs = tsUs;
      parser.packet(st.sectionBase + id, tsUs, data.subarray(p + 28, p + 28 + caplen), caplen, Math.max(wire, caplen));
      break;
    }
    case SPB: {
      if (len < 16) throw new CaptureFileError(`simple packet block at byte ${at} is ${len} bytes`, at);
      const iface = ifaceOf(0, st, parser, at);
      const wire = u32(8);
      const caplen = Math.min(wire, bodyEnd - 12, iface.snaplen > 0 ? iface.snaplen : wire);
      parser.packet(st.sectionBase, st.lastTsUs, data.subarray(p + 12, p + 12 + caplen), caplen, Math.max(wire, caplen));
      break;
    }
    case ISB: {
      if (len < 24) break;
      const iface = ifaceOf(u32(8), st, parser, at);
      const stats: NonNullable<FileInterface['stats']> = {};
      options(data, p + 20, p + bodyEnd, le, (code, off, olen) => {
        if (olen !== 8) return;
        const v = Number(le ? data.readBigUInt64LE(off) : data.readBigUInt64BE(off));
        if (code === 4) stats.received = v;
        else if (code === 5) stats.ifDropped = v;
        else if (code === 7) stats.osDropped = v;
      });
      // Several ISBs for one interface: the last one holds the totals.
      iface.stats = stats;
      break;
    }
    default:
      break; // name resolution, custom, decryption secrets...: not needed here
  }
  return len;
}

function ifaceOf(id: number, st: PcapngState, parser: CaptureParser, at: number): FileInterface {
  if (id >= st.sectionCount) throw new CaptureFileError(`block at byte ${at} names interface ${id}, but the section declares ${st.sectionCount}`, at);
  return parser.interfaces[st.sectionBase + id] as FileInterface;
}

function timestamp(hi: number, lo: number, i: FileInterface): number {
  const units = hi * 0x1_0000_0000 + lo;
  // Microseconds exactly when the resolution is microseconds (the common case); else scaled.
  const us = i.tsPerSec === 1e6 ? units : units * (1e6 / i.tsPerSec);
  return i.tsOffsetS === 0 ? us : us + i.tsOffsetS * 1e6;
}

/** Walks options (code u16, length u16, value padded to 4) within [start, end). Bounded by end. */
function options(data: Buffer, start: number, end: number, le: boolean, fn: (code: number, off: number, len: number) => void): void {
  for (let o = start; o + 4 <= end;) {
    const code = le ? data.readUInt16LE(o) : data.readUInt16BE(o);
    const olen = le ? data.readUInt16LE(o + 2) : data.readUInt16BE(o + 2);
    if (code === 0) return;
    if (o + 4 + olen > end) return; // an option running past its block: ignore the rest
    fn(code, o + 4, olen);
    o += 4 + olen + ((4 - (olen & 3)) & 3);
  }
}
