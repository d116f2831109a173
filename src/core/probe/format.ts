// The probe payload that send-all, mesh and the receivers share (docs/probe-format.md).
// Big-endian, version 1:
//
//   0  magic "MCDP"            4 bytes
//   4  version                 u8 (1)
//   5  ttl sent                u8
//   6  header length           u16 (bytes up to the end of the names; padding follows)
//   8  sender ifindex          u32
//  12  sequence               u32, per (sender, interface, group), from 0
//  16  send time              f64, microseconds since the Unix epoch
//  24  group                  16 bytes (IPv4 as ::ffff:a.b.c.d)
//  40  sender id length       u8
//  41  interface name length  u8
//  42  sender id, then interface name (UTF-8)
//
// The header is written once per (interface, group); each send only stamps sequence and time,
// so the hot path allocates nothing.
import { familyOf, ipv4ToInt, ipv6ToBytes, ipv6Text } from '../kernel/ip.js';
import { safeName } from '../safe-text.js';

export const PROBE_MAGIC = 0x4d434450; // "MCDP"
export const PROBE_VERSION = 1;
export const PROBE_FIXED = 42;
/**
 * The longest sender id and interface name a decoded probe carries, after sanitising. An honest
 * id is the hostname (HOST_NAME_MAX 64 on Linux) plus "-xxxx"; an interface name is at most 15
 * bytes (IFNAMSIZ 16). The rest of the 255 bytes the wire allows is only a forger's.
 */
export const SENDER_ID_MAX = 72;
export const IFNAME_MAX = 32;
const SEQ_OFF = 12;
const TIME_OFF = 16;

export interface ProbeHeader {
  senderId: string;
  ifname: string;
  ifindex: number;
  group: string;
  ttl: number;
}

export interface Probe extends ProbeHeader {
  version: number;
  seq: number;
  /** Microseconds since the Unix epoch, as the sender's clock read it. */
  sentUs: number;
  size: number;
}

/** Header length for these names; the smallest valid --size. */
export function probeHeaderLength(h: Pick<ProbeHeader, 'senderId' | 'ifname'>): number {
  return PROBE_FIXED + Math.min(255, Buffer.byteLength(h.senderId)) + Math.min(255, Buffer.byteLength(h.ifname));
}

/** A buffer of `size` bytes (at least the header) holding the header; stamp it before each send. */
export function makeProbeBuffer(h: ProbeHeader, size = 0): Buffer {
  const id = Buffer.from(h.senderId).subarray(0, 255);
  const name = Buffer.from(h.ifname).subarray(0, 255);
  const headerLen = PROBE_FIXED + id.length + name.length;
  const buf = Buffer.alloc(Math.max(size, headerLen));
  buf.writeUInt32BE(PROBE_MAGIC, 0);
  buf.writeUInt8(PROBE_VERSION, 4);
  buf.writeUInt8(h.ttl & 255, 5);
  buf.writeUInt16BE(headerLen, 6);
  buf.writeUInt32BE(h.ifindex >>> 0, 8);
  if (familyOf(h.group) === 4) {
    buf.writeUInt16BE(0xffff, 34);
    buf.writeUInt32BE(ipv4ToInt(h.group), 36);
  } else {
    buf.set(ipv6ToBytes(h.group), 24);
  }
  buf.writeUInt8(id.length, 40);
  buf.writeUInt8(name.length, 41);
  id.copy(buf, PROBE_FIXED);
  name.copy(buf, PROBE_FIXED + id.length);
  return buf;
}

export function stampProbe(buf: Buffer, seq: number, sentUs: number): void {
  buf.writeUInt32BE(seq >>> 0, SEQ_OFF);
  buf.writeDoubleBE(sentUs, TIME_OFF);
}

/**
 * Wall-clock microseconds, with sub-millisecond resolution from the monotonic clock. The epoch
 * is performance.timeOrigin (microsecond precision), not Date.now(): two processes on one host
 * would otherwise disagree by up to a millisecond and short one-way delays would read negative.
 */
const wallAtStart = (performance.timeOrigin + performance.now()) * 1000;
const [secAtStart, nsAtStart] = process.hrtime();
export function nowUs(): number {
  // process.hrtime()'s pair, not hrtime.bigint(): two BigInts a call were most of what the receive
  // path allocated per probe (scripts/bench/join-all-recv-path.mjs); the pair is one small array.
  const [sec, ns] = process.hrtime();
  return wallAtStart + (sec - secAtStart) * 1e6 + (ns - nsAtStart) / 1000;
}

function groupAt(buf: Uint8Array, off: number): string {
  let mapped = true;
  for (let i = 0; i < 10; i++) if (buf[off + i] !== 0) mapped = false;
  if (mapped && buf[off + 10] === 0xff && buf[off + 11] === 0xff) {
    return `${buf[off + 12] ?? 0}.${buf[off + 13] ?? 0}.${buf[off + 14] ?? 0}.${buf[off + 15] ?? 0}`;
  }
  return ipv6Text(buf, off);
}

/** Cheap test used on the hot path before decoding. */
export function isProbe(buf: Uint8Array, off = 0, len = buf.length - off): boolean {
  return len >= PROBE_FIXED && buf[off] === 0x4d && buf[off + 1] === 0x43 && buf[off + 2] === 0x44 && buf[off + 3] === 0x50;
}

/**
 * Decodes a probe at buf[off..off+len); undefined for anything else. Never throws. The sender id
 * and interface name come from whoever sent the datagram: they are sanitised here, where they
 * enter (controls shown as escapes, cut to SENDER_ID_MAX / IFNAME_MAX), so every table, document
 * and line that later holds them (join-all, mesh, sniff, mesh-report) holds a safe, bounded name.
 */
export function decodeProbe(buf: Uint8Array, off = 0, len = buf.length - off): Probe | undefined {
  if (!isProbe(buf, off, len)) return undefined;
  const dv = new DataView(buf.buffer, buf.byteOffset + off, len);
  const version = dv.getUint8(4);
  if (version !== PROBE_VERSION) return undefined;
  const headerLen = dv.getUint16(6);
  const idLen = dv.getUint8(40);
  const nameLen = dv.getUint8(41);
  if (headerLen !== PROBE_FIXED + idLen + nameLen || headerLen > len) return undefined;
  const text = Buffer.from(buf.buffer, buf.byteOffset + off, len);
  return {
    version,
    ttl: dv.getUint8(5),
    ifindex: dv.getUint32(8),
    seq: dv.getUint32(SEQ_OFF),
    sentUs: dv.getFloat64(TIME_OFF),
    group: groupAt(buf, off + 24),
    senderId: safeName(text.toString('utf8', PROBE_FIXED, PROBE_FIXED + idLen), SENDER_ID_MAX),
    ifname: safeName(text.toString('utf8', PROBE_FIXED + idLen, headerLen), IFNAME_MAX),
    size: len,
  };
}

/** The hostname in a sender id (hostname-XXXX, src/core/send-all/setup.ts senderIdFor). */
export function hostnameOf(senderId: string): string {
  const m = /^(.*)-[0-9a-f]{4}$/.exec(senderId);
  return m?.[1] ?? senderId;
}
