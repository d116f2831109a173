// Capture files read as a stream of chunks, with memory bounded by the largest record, never by
// the file: classic pcap (pcap-savefile(5); micro- and nanosecond magics, either byte order) and
// pcapng (draft-ietf-opsawg-pcapng: SHB, IDB with if_name / if_tsresol / if_tsoffset, EPB, SPB,
// the obsolete PB, ISB drop counters; several sections and interfaces). Pure: chunks in, packets
// out through a callback; a file that breaks the format throws CaptureFileError with where.
import { pcapngBlock, type PcapngState } from './pcapng.js';

/** A record or block longer than this is not a capture but an attack or a corrupt length. */
export const MAX_RECORD = 16 * 1024 * 1024;
/** More interfaces than this in one file is treated as a corrupt file. */
export const MAX_INTERFACES = 4096;

export interface FileInterface {
  /** if_name, or "ifN" (pcapng without a name) / "file" (classic pcap). Control characters replaced. */
  name: string;
  linkType: number;
  snaplen: number;
  /** Timestamp units per second (1e6 classic microsecond pcap, 1e9 nanosecond, if_tsresol in pcapng). */
  tsPerSec: number;
  /** if_tsoffset: seconds added to every timestamp. */
  tsOffsetS: number;
  /** From interface-statistics blocks (pcapng): what the capturing side counted. */
  stats?: { received?: number; ifDropped?: number; osDropped?: number };
}

/** One packet: `data` holds it at data[0..caplen); valid only during the call. */
export type PacketCallback = (iface: number, tsUs: number, data: Buffer, caplen: number, wireLen: number) => void;

export class CaptureFileError extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
    this.name = 'CaptureFileError';
  }
}

type Format = 'pcap' | 'pcapng';

export class CaptureParser {
  format: Format | undefined;
  readonly interfaces: FileInterface[] = [];
  packets = 0;
  /** Bytes consumed (whole records) so far: the offset of the next record. */
  offset = 0;
  private chunks: Buffer[] = [];
  private pendingLen = 0;
  /** Bytes needed before parsing can move on (a header, then a whole record). */
  private need = 4;
  private le = true;
  private pcapTsPerSec = 1e6;
  private readonly ng: PcapngState;

  constructor(
    private readonly onPacket: PacketCallback,
    private readonly onInterface?: (index: number, i: FileInterface) => void,
    /** The name of a classic pcap file's one interface (the format names none). */
    private readonly pcapName = 'file',
  ) {
    this.ng = { le: true, sectionBase: 0, sectionCount: 0, lastTsUs: 0, inSection: false };
  }

  /** Feeds the next bytes of the file. Throws CaptureFileError on a format error. */
  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.pendingLen += chunk.length;
    if (this.pendingLen < this.need) return;
    const data = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : Buffer.concat(this.chunks, this.pendingLen);
    this.chunks = [];
    this.pendingLen = 0;
    const used = this.parse(data);
    if (used < data.length) {
      // Copy the tail: keeping a view would pin the whole chunk until the next one arrives.
      const rest = Buffer.from(data.subarray(used));
      this.chunks.push(rest);
      this.pendingLen = rest.length;
    }
  }

  /** The file ended: anything left over is a truncated record. */
  end(): void {
    if (this.format === undefined) {
      throw new CaptureFileError(
        this.pendingLen === 0 ? 'empty file' : `not a capture file (${this.pendingLen} bytes, too short for a header)`, 0);
    }
    if (this.pendingLen > 0) {
      const what = this.format === 'pcap' ? 'record' : 'block';
      throw new CaptureFileError(
        `truncated: the last ${what} is cut short (${this.pendingLen} bytes of ${this.need} at byte ${this.offset})`,
        this.offset,
      );
    }
  }

  /** Parses whole records from data; returns the bytes used and leaves `need` for the next step. */
  private parse(data: Buffer): number {
    let p = 0;
    if (this.format === undefined) {
      p = this.header(data);
      if (p < 0) return 0;
    }
    if (this.format === 'pcap') return this.pcapRecords(data, p);
    for (;;) {
      // this.offset is the file offset of data[p]: blocks report errors with it.
      const r = pcapngBlock(data, p, this.ng, this);
      if (r <= 0) { this.need = -r; return p; }
      p += r;
      this.offset += r;
    }
  }

  /** Reads the file's magic (and the pcap global header): bytes used, or -1 when more are needed. */
  private header(data: Buffer): number {
    if (data.length < 4) { this.need = 4; return -1; }
    const m = data.readUInt32LE(0);
    // pcapng: the Section Header Block is read as a block like any other.
    if (m === 0x0a0d0d0a) { this.format = 'pcapng'; return 0; }
    const pcap: Record<number, [boolean, number]> = {
      0xa1b2c3d4: [true, 1e6], 0xd4c3b2a1: [false, 1e6], 0xa1b23c4d: [true, 1e9], 0x4d3cb2a1: [false, 1e9],
    };
    const kind = pcap[m];
    if (!kind) {
      if (data[0] === 0x1f && data[1] === 0x8b) throw new CaptureFileError('gzip data inside the stream (compressed twice?)', 0);
      throw new CaptureFileError(`not a pcap or pcapng file (magic 0x${m.toString(16).padStart(8, '0')})`, 0);
    }
    if (data.length < 24) { this.need = 24; return -1; }
    [this.le, this.pcapTsPerSec] = kind;
    const major = this.u16(data, 4);
    if (major !== 2) throw new CaptureFileError(`pcap version ${major}.${this.u16(data, 6)} (only 2.x exists)`, 4);
    const snaplen = this.u32(data, 16);
    // The upper bits of the link-type word may carry FCS information (pcap-savefile(5)).
    const linkType = this.u32(data, 20) & 0xffff;
    this.format = 'pcap';
    this.addInterface({ name: cleanName(this.pcapName), linkType, snaplen, tsPerSec: this.pcapTsPerSec, tsOffsetS: 0 });
    this.offset = 24;
    this.need = 16;
    return 24;
  }

  private pcapRecords(data: Buffer, start: number): number {
    let p = start;
    const le = this.le;
    const scale = 1e6 / this.pcapTsPerSec;
    for (;;) {
      if (data.length - p < 16) { this.need = 16; break; }
      const sec = le ? data.readUInt32LE(p) : data.readUInt32BE(p);
      const frac = le ? data.readUInt32LE(p + 4) : data.readUInt32BE(p + 4);
      const caplen = le ? data.readUInt32LE(p + 8) : data.readUInt32BE(p + 8);
      const wire = le ? data.readUInt32LE(p + 12) : data.readUInt32BE(p + 12);
      if (caplen > MAX_RECORD) {
        throw new CaptureFileError(
          `record ${this.packets + 1} at byte ${this.offset} claims ${caplen} bytes (absurd length; corrupt file)`, this.offset);
      }
      if (data.length - p - 16 < caplen) { this.need = 16 + caplen; break; }
      this.packets++;
      this.onPacket(0, sec * 1e6 + frac * scale, data.subarray(p + 16, p + 16 + caplen), caplen, Math.max(wire, caplen));
      this.offset += 16 + caplen;
      p += 16 + caplen;
    }
    return p;
  }

  /** Called by the pcapng block reader. */
  addInterface(i: FileInterface): number {
    if (this.interfaces.length >= MAX_INTERFACES) throw new CaptureFileError(`more than ${MAX_INTERFACES} interfaces (corrupt file)`,
      this.offset);
    this.interfaces.push(i);
    this.onInterface?.(this.interfaces.length - 1, i);
    return this.interfaces.length - 1;
  }

  /** Called by the pcapng block reader for each packet. */
  packet(iface: number, tsUs: number, data: Buffer, caplen: number, wireLen: number): void {
    this.packets++;
    this.onPacket(iface, tsUs, data, caplen, wireLen);
  }

  private u16(b: Buffer, o: number): number {
    return this.le ? b.readUInt16LE(o) : b.readUInt16BE(o);
  }

  private u32(b: Buffer, o: number): number {
    return this.le ? b.readUInt32LE(o) : b.readUInt32BE(o);
  }
}

/** Printable interface names: a file may carry anything in if_name. */
export function cleanName(raw: string): string {
  // eslint-disable-next-line no-control-regex
  const s = raw.replace(/[\x00-\x1f\x7f-\x9f]/g, '?').trim();
  return s.length > 64 ? `${s.slice(0, 64)}...` : s;
}
