// Capture file encoders, batched into large buffers handed to a sink:
// - pcapng (draft-ietf-opsawg-pcapng): a Section Header Block, one Interface Description Block
//   per interface (if_name, link type, snaplen; microsecond timestamps, the default if_tsresol),
//   an Enhanced Packet Block per packet carrying its interface id;
// - classic pcap (pcap-savefile(5)): one link type, so one interface only.
// Little-endian throughout (readers detect the byte order from the magic numbers).

/** Where encoded bytes go; the platform's file sink implements it (temp file, rename on close). */
export interface ByteSink {
  write(chunk: Buffer): void;
}

export type FileFormat = 'pcapng' | 'pcap';

export interface FileInterface {
  name: string;
  linkType: number;
  snaplen: number;
}

const BATCH = 1 << 20;

export class CaptureFileWriter {
  /** Packets written so far. */
  packets = 0;
  private batch = Buffer.allocUnsafe(BATCH);
  private used = 0;

  readonly interfaces: FileInterface[];

  constructor(private readonly sink: ByteSink, readonly format: FileFormat, interfaces: readonly FileInterface[],
    appName = 'mcast-doctor') {
    this.interfaces = [...interfaces];
    if (format === 'pcap' && interfaces.length !== 1) throw new Error('classic pcap holds one interface; use pcapng');
    if (format === 'pcap') this.put(pcapHeader(interfaces[0] as FileInterface));
    else {
      this.put(sectionHeader(appName));
      for (const i of interfaces) this.put(interfaceBlock(i));
    }
  }

  /**
   * pcapng only: one more Interface Description Block, for an interface that came back with
   * another link type (IDBs may follow packets in a section); returns its interface id.
   */
  addInterface(i: FileInterface): number {
    if (this.format !== 'pcapng') throw new Error('classic pcap holds one link type');
    this.put(interfaceBlock(i));
    this.interfaces.push(i);
    return this.interfaces.length - 1;
  }

  /** Appends one packet (`caplen` bytes of `data`), copying it: `data` may be reused afterwards. */
  write(ifaceId: number, tsSec: number, tsUsec: number, data: Uint8Array, caplen: number, wireLen: number): void {
    const pad = this.format === 'pcapng' ? (4 - (caplen & 3)) & 3 : 0;
    const size = this.format === 'pcapng' ? 32 + caplen + pad : 16 + caplen;
    if (this.used + size > this.batch.length) {
      this.flush();
      if (size > this.batch.length) this.batch = Buffer.allocUnsafe(size);
    }
    const b = this.batch;
    let o = this.used;
    if (this.format === 'pcapng') {
      const us = tsSec * 1_000_000 + tsUsec;
      b.writeUInt32LE(6, o); // Enhanced Packet Block
      b.writeUInt32LE(size, o + 4);
      b.writeUInt32LE(ifaceId, o + 8);
      b.writeUInt32LE(Math.floor(us / 0x1_0000_0000), o + 12);
      b.writeUInt32LE(us % 0x1_0000_0000, o + 16);
      b.writeUInt32LE(caplen, o + 20);
      b.writeUInt32LE(wireLen, o + 24);
      b.set(data.subarray(0, caplen), o + 28);
      o += 28 + caplen;
      b.fill(0, o, o + pad);
      o += pad;
      b.writeUInt32LE(size, o);
      o += 4;
    } else {
      b.writeUInt32LE(tsSec, o);
      b.writeUInt32LE(tsUsec, o + 4);
      b.writeUInt32LE(caplen, o + 8);
      b.writeUInt32LE(wireLen, o + 12);
      b.set(data.subarray(0, caplen), o + 16);
      o += 16 + caplen;
    }
    this.used = o;
    this.packets++;
  }

  /**
   * pcapng only: an Interface Statistics Block per interface, at the end of the capture, with
   * libpcap's counters (pcap_stats): isb_ifrecv = received, isb_osdrop = dropped by the kernel for
   * lack of buffer space (ps_drop), isb_ifdrop = dropped by the interface (ps_ifdrop).
   */
  statistics(stats: readonly { id: number; received: number; dropped: number; ifDropped: number }[], endUs: number): void {
    if (this.format !== 'pcapng') return;
    for (const s of stats) this.put(statisticsBlock(s, endUs));
  }

  /** Hands the batch to the sink (called when full, and once at the end). */
  flush(): void {
    if (this.used === 0) return;
    this.sink.write(Buffer.from(this.batch.subarray(0, this.used)));
    this.used = 0;
  }

  private put(block: Buffer): void {
    if (this.used + block.length > this.batch.length) this.flush();
    block.copy(this.batch, this.used);
    this.used += block.length;
  }
}

function pcapHeader(i: FileInterface): Buffer {
  const b = Buffer.alloc(24);
  b.writeUInt32LE(0xa1b2c3d4, 0); // microsecond timestamps
  b.writeUInt16LE(2, 4);
  b.writeUInt16LE(4, 6);
  b.writeInt32LE(0, 8);
  b.writeUInt32LE(0, 12);
  b.writeUInt32LE(i.snaplen, 16);
  b.writeUInt32LE(i.linkType, 20);
  return b;
}

/** One option: code, length, value padded to 32 bits. */
function option(code: number, value: Buffer): Buffer {
  const pad = (4 - (value.length & 3)) & 3;
  const b = Buffer.alloc(4 + value.length + pad);
  b.writeUInt16LE(code, 0);
  b.writeUInt16LE(value.length, 2);
  value.copy(b, 4);
  return b;
}

const END_OF_OPTIONS = Buffer.alloc(4);

function block(type: number, body: Buffer): Buffer {
  const total = 12 + body.length;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

function sectionHeader(app: string): Buffer {
  const fixed = Buffer.alloc(16);
  fixed.writeUInt32LE(0x1a2b3c4d, 0); // byte-order magic
  fixed.writeUInt16LE(1, 4);
  fixed.writeUInt16LE(0, 6);
  fixed.writeBigInt64LE(-1n, 8); // section length not given
  return block(0x0a0d0d0a, Buffer.concat([fixed, option(4, Buffer.from(app)), END_OF_OPTIONS])); // shb_userappl
}

function interfaceBlock(i: FileInterface): Buffer {
  const fixed = Buffer.alloc(8);
  fixed.writeUInt16LE(i.linkType, 0);
  fixed.writeUInt32LE(i.snaplen, 4);
  // if_name (2); if_tsresol (9) = 6: microseconds, stated although it is the default.
  return block(1, Buffer.concat([fixed, option(2, Buffer.from(i.name)), option(9, Buffer.from([6])), END_OF_OPTIONS]));
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(Math.max(0, Math.trunc(n))));
  return b;
}

function statisticsBlock(s: { id: number; received: number; dropped: number; ifDropped: number }, endUs: number): Buffer {
  const fixed = Buffer.alloc(12);
  fixed.writeUInt32LE(s.id, 0);
  fixed.writeUInt32LE(Math.floor(endUs / 0x1_0000_0000), 4);
  fixed.writeUInt32LE(endUs % 0x1_0000_0000, 8);
  // isb_ifrecv (4), isb_ifdrop (5), isb_osdrop (7).
  return block(
    5,
    Buffer.concat([fixed, option(4, u64(s.received)), option(5, u64(s.ifDropped)), option(7, u64(s.dropped)), END_OF_OPTIONS]),
  );
}
