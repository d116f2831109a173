// A small reader for the capture files the tests record or write: classic pcap (microsecond,
// either byte order) and pcapng (SHB, IDB, EPB; little-endian sections).
export interface ReadPacket {
  ifaceId: number;
  tsUs: number;
  data: Buffer;
  wireLen: number;
}

export interface ReadFile {
  format: 'pcap' | 'pcapng';
  interfaces: { name?: string; linkType: number; snaplen: number }[];
  packets: ReadPacket[];
}

export function readCapture(buf: Buffer): ReadFile {
  const magic = buf.readUInt32LE(0);
  if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1) {
    const le = magic === 0xa1b2c3d4;
    const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
    const out: ReadFile = { format: 'pcap', interfaces: [{ linkType: u32(20), snaplen: u32(16) }], packets: [] };
    for (let o = 24; o + 16 <= buf.length;) {
      const incl = u32(o + 8);
      out.packets.push({ ifaceId: 0, tsUs: u32(o) * 1e6 + u32(o + 4), data: buf.subarray(o + 16, o + 16 + incl), wireLen: u32(o + 12) });
      o += 16 + incl;
    }
    return out;
  }
  if (magic !== 0x0a0d0d0a) throw new Error(`not a capture file (magic ${magic.toString(16)})`);
  const out: ReadFile = { format: 'pcapng', interfaces: [], packets: [] };
  for (let o = 0; o + 12 <= buf.length;) {
    const type = buf.readUInt32LE(o);
    const len = buf.readUInt32LE(o + 4);
    if (len < 12 || buf.readUInt32LE(o + len - 4) !== len) throw new Error(`bad block at ${o}`);
    if (type === 1) {
      const i: ReadFile['interfaces'][number] = { linkType: buf.readUInt16LE(o + 8), snaplen: buf.readUInt32LE(o + 12) };
      for (let p = o + 16; p + 4 <= o + len - 4;) {
        const code = buf.readUInt16LE(p);
        const olen = buf.readUInt16LE(p + 2);
        if (code === 0) break;
        if (code === 2) i.name = buf.toString('utf8', p + 4, p + 4 + olen);
        p += 4 + olen + ((4 - (olen & 3)) & 3);
      }
      out.interfaces.push(i);
    } else if (type === 6) {
      const caplen = buf.readUInt32LE(o + 20);
      out.packets.push({
        ifaceId: buf.readUInt32LE(o + 8),
        tsUs: buf.readUInt32LE(o + 12) * 0x1_0000_0000 + buf.readUInt32LE(o + 16),
        data: buf.subarray(o + 28, o + 28 + caplen),
        wireLen: buf.readUInt32LE(o + 24),
      });
    }
    o += len;
  }
  return out;
}
