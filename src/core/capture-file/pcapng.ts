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

/** The block being read: where it starts in `data`, its length, its section's byte order, its file offset. */
export interface Block {
  data: Buffer;
  p: number;
  len: number;
  le: boolean;
  at: number;
}

const u32 = (b: Block, o: number): number => (b.le ? b.data.readUInt32LE(b.p + o) : b.data.readUInt32BE(b.p + o));
const u16 = (b: Block, o: number): number => (b.le ? b.data.readUInt16LE(b.p + o) : b.data.readUInt16BE(b.p + o));

/**
 * Reads the block at data[p]: returns its length once handled, or -N when N bytes from p are
 * needed first. Throws CaptureFileError (with the file offset `parser.offset`) on a bad block.
 */
export function pcapngBlock(data: Buffer, p: number, st: PcapngState, parser: CaptureParser): number {
  const avail = data.length - p;
  if (avail < 12) return -12;
  const at = parser.offset;
  sectionByteOrder(data, p, st, at);
  const b: Block = { data, p, len: 0, le: st.le, at };
  const type = u32(b, 0);
  b.len = u32(b, 4);
  if (b.len < 12 || b.len % 4 !== 0 || b.len > MAX_RECORD) {
    throw new CaptureFileError(`block at byte ${at} (type ${type}) claims ${b.len} bytes (absurd length; corrupt file)`, at);
  }
  if (avail < b.len) return -b.len;
  if (u32(b, b.len - 4) !== b.len) throw new CaptureFileError(
    `block at byte ${at} (type ${type}): its two lengths differ (${b.len}, ${u32(b, b.len - 4)})`, at);
  switch (type) {
    case SHB: sectionHeader(b, st, parser); break;
    case IDB: parser.addInterface(interfaceBlock(b, st.sectionCount)); st.sectionCount++; break;
    case EPB:
    case PB: packetBlock(b, type, st, parser); break;
    case SPB: simplePacketBlock(b, st, parser); break;
    case ISB: statisticsBlock(b, st, parser); break;
    default: break; // name resolution, custom, decryption secrets...: not needed here
  }
  return b.len;
}

/**
 * A section header sets the byte order of everything up to the next one (its magic is read in
 * both orders); any other block needs a section to belong to.
 */
function sectionByteOrder(data: Buffer, p: number, st: PcapngState, at: number): void {
  if (data.readUInt32LE(p) !== SHB) {
    if (!st.inSection) throw new CaptureFileError('pcapng file without a section header block', at);
    return;
  }
  const bom = data.readUInt32LE(p + 8);
  if (bom === BYTE_ORDER_MAGIC) st.le = true;
  else if (bom === 0x4d3c2b1a) st.le = false;
  else throw new CaptureFileError(`section header at byte ${at} has no byte-order magic (0x${bom.toString(16)})`, at);
}

/** A new section: its interface ids start again at 0, after every interface read so far. */
function sectionHeader(b: Block, st: PcapngState, parser: CaptureParser): void {
  if (b.len < 28) throw new CaptureFileError(`section header at byte ${b.at} is ${b.len} bytes (at least 28)`, b.at);
  const major = u16(b, 12);
  if (major !== 1) throw new CaptureFileError(`pcapng version ${major} (only 1 is defined)`, b.at);
  st.inSection = true;
  st.sectionBase = parser.interfaces.length;
  st.sectionCount = 0;
}

/** An interface description block: link type, snaplen and the options if_name, if_tsresol, if_tsoffset. */
export function interfaceBlock(b: Block, sectionCount: number): FileInterface {
  const { data, at, le } = b;
  if (b.len < 20) throw new CaptureFileError(`interface block at byte ${at} is ${b.len} bytes (at least 20)`, at);
  const i: FileInterface = { name: `if${sectionCount}`, linkType: u16(b, 8), snaplen: u32(b, 12), tsPerSec: 1e6, tsOffsetS: 0 };
  options(data, b.p + 16, b.p + b.len - 4, le, (code, off, olen) => {
    if (code === 2 && olen > 0) i.name = cleanName(data.toString('utf8', off, off + Math.min(olen, 256)));
    else if (code === 9 && olen >= 1) {
      const r = data[off] ?? 6;
      const exp = r & 0x7f;
      // Bit 7 set: a negative power of 2; clear: of 10. Beyond 1e-18 s is not a clock.
      if ((r & 0x80) !== 0 ? exp > 63 : exp > 18) throw new CaptureFileError(
        `interface block at byte ${at}: if_tsresol ${r} is not a usable resolution`, at);
      i.tsPerSec = (r & 0x80) !== 0 ? 2 ** exp : 10 ** exp;
    } else if (code === 14 && olen >= 8) {
      i.tsOffsetS = Number(le ? data.readBigInt64LE(off) : data.readBigInt64BE(off));
    }
  });
  return i;
}

/** An enhanced packet block, or the obsolete packet block (16-bit interface id): one packet with its timestamp. */
function packetBlock(b: Block, type: number, st: PcapngState, parser: CaptureParser): void {
  if (b.len < 32) throw new CaptureFileError(`packet block at byte ${b.at} is ${b.len} bytes (at least 32)`, b.at);
  const id = type === EPB ? u32(b, 8) : u16(b, 8);
  const caplen = u32(b, 20);
  const wire = u32(b, 24);
  if (caplen > b.len - 4 - 28) throw new CaptureFileError(
    `packet block at byte ${b.at} claims ${caplen} captured bytes in a ${b.len}-byte block`, b.at);
  const iface = ifaceOf(id, st, parser, b.at);
  const tsUs = timestamp(u32(b, 12), u32(b, 16), iface);
  st.lastTsUs = tsUs;
  parser.packet(st.sectionBase + id, tsUs, b.data.subarray(b.p + 28, b.p + 28 + caplen), caplen, Math.max(wire, caplen));
}

/** A simple packet block: interface 0, no timestamp (the last one is reused), captured length inferred. */
function simplePacketBlock(b: Block, st: PcapngState, parser: CaptureParser): void {
  if (b.len < 16) throw new CaptureFileError(`simple packet block at byte ${b.at} is ${b.len} bytes`, b.at);
  const iface = ifaceOf(0, st, parser, b.at);
  const wire = u32(b, 8);
  const caplen = Math.min(wire, b.len - 4 - 12, iface.snaplen > 0 ? iface.snaplen : wire);
  parser.packet(st.sectionBase, st.lastTsUs, b.data.subarray(b.p + 12, b.p + 12 + caplen), caplen, Math.max(wire, caplen));
}

/** Interface statistics: the capturing side's received and dropped counts. */
function statisticsBlock(b: Block, st: PcapngState, parser: CaptureParser): void {
  if (b.len < 24) return;
  const iface = ifaceOf(u32(b, 8), st, parser, b.at);
  // Several ISBs for one interface: the last one holds the totals.
  iface.stats = statisticsOptions(b.data, b.p + 20, b.p + b.len - 4, b.le);
}

/** The ISB options this tool reports: isb_ifrecv (4), isb_ifdrop (5), isb_osdrop (7); 64-bit each. */
export function statisticsOptions(data: Buffer, start: number, end: number, le: boolean): NonNullable<FileInterface['stats']> {
  const stats: NonNullable<FileInterface['stats']> = {};
  options(data, start, end, le, (code, off, olen) => {
    if (olen !== 8) return;
    const v = Number(le ? data.readBigUInt64LE(off) : data.readBigUInt64BE(off));
    if (code === 4) stats.received = v;
    else if (code === 5) stats.ifDropped = v;
    else if (code === 7) stats.osDropped = v;
  });
  return stats;
}

function ifaceOf(id: number, st: PcapngState, parser: CaptureParser, at: number): FileInterface {
  if (id >= st.sectionCount) throw new CaptureFileError(
    `block at byte ${at} names interface ${id}, but the section declares ${st.sectionCount}`, at);
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
