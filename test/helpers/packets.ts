// Hand-built frames for decoder tests, laid out field by field from the RFCs, with real checksums.
import { checksum, pseudoSum6 } from '../../src/core/wire/network.js';
import { ipv4ToInt, ipv6ToBytes } from '../../src/core/kernel/ip.js';

export function hex(s: string): Buffer {
  return Buffer.from(s.replace(/[^0-9a-f]/gi, ''), 'hex');
}

function v4(addr: string): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(ipv4ToInt(addr));
  return b;
}

function v6(addr: string): Buffer {
  return Buffer.from(ipv6ToBytes(addr));
}

/** Writes the RFC 1071 checksum of b into b at `at` (which must hold zero). */
function fillChecksum(b: Buffer, at: number, initial = 0): Buffer {
  b.writeUInt16BE(checksum(b, 0, b.length, initial), at);
  return b;
}

export function ether(type: number, payload: Buffer, opts: { src?: string; dst?: string; vlan?: number } = {}): Buffer {
  const dst = hex(opts.dst ?? '01:00:5e:01:02:03');
  const src = hex(opts.src ?? '02:00:00:00:00:01');
  const tag = opts.vlan === undefined ? Buffer.alloc(0) : Buffer.from([0x81, 0x00, (opts.vlan >> 8) & 0x0f, opts.vlan & 255]);
  const t = Buffer.alloc(2);
  t.writeUInt16BE(type);
  return Buffer.concat([dst, src, tag, t, payload]);
}

export interface V4Opts {
  src: string;
  dst: string;
  ttl?: number;
  proto: number;
  tos?: number;
  options?: Buffer;
  totalLen?: number;
  id?: number;
  frag?: number;
}

export function ipv4(o: V4Opts, payload: Buffer): Buffer {
  const opts = o.options ?? Buffer.alloc(0);
  const h = Buffer.alloc(20 + opts.length);
  h[0] = 0x40 | ((20 + opts.length) / 4);
  h[1] = o.tos ?? 0;
  h.writeUInt16BE(o.totalLen ?? h.length + payload.length, 2);
  h.writeUInt16BE(o.id ?? 1, 4);
  h.writeUInt16BE(o.frag ?? 0, 6);
  h[8] = o.ttl ?? 1;
  h[9] = o.proto;
  v4(o.src).copy(h, 12);
  v4(o.dst).copy(h, 16);
  opts.copy(h, 20);
  fillChecksum(h, 10);
  return Buffer.concat([h, payload]);
}

export const ROUTER_ALERT_V4 = Buffer.from([0x94, 0x04, 0x00, 0x00]);

export function udp(sport: number, dport: number, payload: Buffer, lenOverride?: number): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(sport, 0);
  h.writeUInt16BE(dport, 2);
  h.writeUInt16BE(lenOverride ?? 8 + payload.length, 4);
  return Buffer.concat([h, payload]);
}

export function igmp(body: Buffer): Buffer {
  const b = Buffer.from(body);
  b.writeUInt16BE(0, 2);
  return fillChecksum(b, 2);
}

/** IGMPv3 query (RFC 3376 section 4.1). */
export function igmpV3Query(o: { code: number; group: string; s?: boolean; qrv: number; qqic: number; sources?: string[] }): Buffer {
  const src = o.sources ?? [];
  const b = Buffer.alloc(12 + 4 * src.length);
  b[0] = 0x11;
  b[1] = o.code;
  v4(o.group).copy(b, 4);
  b[8] = (o.s ? 0x08 : 0) | (o.qrv & 7);
  b[9] = o.qqic;
  b.writeUInt16BE(src.length, 10);
  src.forEach((s, i) => v4(s).copy(b, 12 + 4 * i));
  return igmp(b);
}

export function igmpSimple(type: number, code: number, group: string): Buffer {
  const b = Buffer.alloc(8);
  b[0] = type;
  b[1] = code;
  v4(group).copy(b, 4);
  return igmp(b);
}

/** IGMPv3 report (RFC 3376 section 4.2) with group records. */
export function igmpV3Report(records: { type: number; group: string; sources?: string[]; aux?: number }[]): Buffer {
  const parts = records.map((r) => {
    const s = r.sources ?? [];
    const aux = r.aux ?? 0;
    const b = Buffer.alloc(8 + 4 * s.length + 4 * aux);
    b[0] = r.type;
    b[1] = aux;
    b.writeUInt16BE(s.length, 2);
    v4(r.group).copy(b, 4);
    s.forEach((x, i) => v4(x).copy(b, 8 + 4 * i));
    return b;
  });
  const h = Buffer.alloc(8);
  h[0] = 0x22;
  h.writeUInt16BE(records.length, 6);
  return igmp(Buffer.concat([h, ...parts]));
}

export interface V6Opts { src: string; dst: string; hop?: number; next: number; tc?: number; hbhRouterAlert?: boolean; payloadLen?: number }

/** IPv6 header (RFC 8200), optionally with a Hop-by-Hop header holding Router Alert (RFC 2711) and PadN. */
export function ipv6(o: V6Opts, payload: Buffer): Buffer {
  const hbh = o.hbhRouterAlert ? Buffer.from([o.next, 0, 0x05, 0x02, 0x00, 0x00, 0x01, 0x00]) : Buffer.alloc(0);
  const h = Buffer.alloc(40);
  h.writeUInt32BE((6 << 28) | ((o.tc ?? 0) << 20));
  h.writeUInt16BE(o.payloadLen ?? hbh.length + payload.length, 4);
  h[6] = o.hbhRouterAlert ? 0 : o.next;
  h[7] = o.hop ?? 1;
  v6(o.src).copy(h, 8);
  v6(o.dst).copy(h, 24);
  return Buffer.concat([h, hbh, payload]);
}

/** An ICMPv6 message with its checksum over the pseudo-header (RFC 8200 section 8.1). */
export function icmp6(src: string, dst: string, body: Buffer): Buffer {
  const b = Buffer.from(body);
  b.writeUInt16BE(0, 2);
  const addrs = Buffer.concat([v6(src), v6(dst)]);
  return fillChecksum(b, 2, pseudoSum6(addrs, 0, 16, b.length, 58));
}

/** MLDv2 query (RFC 3810 section 5.1). */
export function mldV2Query(o: { code: number; group: string; s?: boolean; qrv: number; qqic: number; sources?: string[] }): Buffer {
  const src = o.sources ?? [];
  const b = Buffer.alloc(28 + 16 * src.length);
  b[0] = 130;
  b.writeUInt16BE(o.code, 4);
  v6(o.group).copy(b, 8);
  b[24] = (o.s ? 0x08 : 0) | (o.qrv & 7);
  b[25] = o.qqic;
  b.writeUInt16BE(src.length, 26);
  src.forEach((s, i) => v6(s).copy(b, 28 + 16 * i));
  return b;
}

/** MLDv1 message (RFC 2710 section 3): query 130, report 131, done 132. */
export function mldV1(type: number, delay: number, group: string): Buffer {
  const b = Buffer.alloc(24);
  b[0] = type;
  b.writeUInt16BE(delay, 4);
  v6(group).copy(b, 8);
  return b;
}

/** MLDv2 report (RFC 3810 section 5.2). */
export function mldV2Report(records: { type: number; group: string; sources?: string[] }[]): Buffer {
  const parts = records.map((r) => {
    const s = r.sources ?? [];
    const b = Buffer.alloc(20 + 16 * s.length);
    b[0] = r.type;
    b.writeUInt16BE(s.length, 2);
    v6(r.group).copy(b, 4);
    s.forEach((x, i) => v6(x).copy(b, 20 + 16 * i));
    return b;
  });
  const h = Buffer.alloc(8);
  h[0] = 143;
  h.writeUInt16BE(records.length, 6);
  return Buffer.concat([h, ...parts]);
}
