// The probe streams of one row (interface, group), found per datagram without allocating: the
// sender key is the header's bytes from 40 (both name lengths, sender id, interface name), hashed
// to a small integer and compared byte for byte, so a forger who finds a colliding hash gets a
// stream of its own, never a share of another's. The hash is seeded per process, so colliding
// keys cannot be worked out in advance to make one long chain that every probe walks (the chain
// is bounded anyway, by MAX_STREAMS_PER_ROW). The decode (strings) happens once per stream.
// Also the per-probe work: sequence into the tracker, one-way delay, RFC 3550 jitter.
import { randomInt } from 'node:crypto';
import { decodeProbe, PROBE_FIXED, PROBE_VERSION } from '../probe/format.js';
import { StreamTracker, type Arrival } from '../probe/tracker.js';
import type { Packet } from '../membership/join.js';
import { familyOf, ipv4ToInt, ipv6ToBytes } from '../kernel/ip.js';
import { hashBytes } from './distinct.js';

/** Probe streams tracked per row; senders beyond are counted (and estimated), not tracked. */
export const MAX_STREAMS_PER_ROW = 1024;
/** Where the sender key starts in the header: the two name lengths, then the names. */
const KEY_AT = 40;

/** One sender's stream on a row: its tracker, whether its clock is ours, its jitter state. */
export interface ProbeStream {
  readonly tracker: StreamTracker;
  /** The header's bytes KEY_AT..headerLen (a copy: the receive buffer is reused). */
  readonly key: Uint8Array;
  /** Whether the probes are on our clock (same host, or --assume-synced): a delay means something. */
  readonly sameClock: boolean;
  /** Previous transit time (µs) and the jitter estimate (µs); NaN transit before the first probe. */
  transitUs: number;
  jitterUs: number;
  /** The next stream whose key hashes the same (a chain: normally undefined). */
  next: ProbeStream | undefined;
}

/** What a new stream needs to know about its receiver: the group, and which senders share our clock. */
export interface StreamContext {
  group: string;
  atMs: number;
  localHost: string;
  assumeSynced: boolean;
}

/** The probe streams of one row, in the order they appeared, capped at MAX_STREAMS_PER_ROW. */
export class ProbeStreams {
  readonly list: ProbeStream[] = [];
  private readonly byHash = new Map<number, ProbeStream>();

  /** The stream of the probe in d (header length headerLen) whose key hashes to `hash`, if tracked. */
  find(d: Uint8Array, headerLen: number, hash: number): ProbeStream | undefined {
    for (let s = this.byHash.get(hash); s; s = s.next) if (sameKey(s.key, d, headerLen)) return s;
    return undefined;
  }

  get full(): boolean {
    return this.list.length >= MAX_STREAMS_PER_ROW;
  }

  /** A stream for the probe in d, from its first probe; undefined when the header does not decode. */
  create(d: Buffer, headerLen: number, hash: number, c: StreamContext): ProbeStream | undefined {
    const probe = decodeProbe(d);
    if (!probe) return undefined;
    const s: ProbeStream = {
      tracker: new StreamTracker(probe.senderId, probe.ifname, c.group, c.atMs),
      key: Uint8Array.prototype.slice.call(d, KEY_AT, headerLen),
      sameClock: c.assumeSynced || probe.senderId.startsWith(`${c.localHost}-`),
      transitUs: NaN,
      jitterUs: 0,
      next: this.byHash.get(hash),
    };
    this.byHash.set(hash, s);
    this.list.push(s);
    return s;
  }
}

/** This process's secret for keyHash (fixed for its life: a stream is found under the hash it was filed with). */
const KEY_SEED = randomInt(0x40000000);

/** The sender key's hash (a small integer: no heap number per packet). */
export function keyHash(d: Uint8Array, headerLen: number): number {
  return hashBytes(d, KEY_AT, headerLen, KEY_SEED);
}

function sameKey(key: Uint8Array, d: Uint8Array, headerLen: number): boolean {
  if (key.length !== headerLen - KEY_AT) return false;
  for (let i = 0; i < key.length; i++) if (key[i] !== d[KEY_AT + i]) return false;
  return true;
}

/** The probe header's length when buf holds a well-formed probe header, else 0 (no allocation). */
export function probeHeaderAt(b: Buffer): number {
  if (b.length < PROBE_FIXED || b[0] !== 0x4d || b[1] !== 0x43 || b[2] !== 0x44 || b[3] !== 0x50 || b[4] !== PROBE_VERSION) return 0;
  const headerLen = b.readUInt16BE(6);
  return headerLen === PROBE_FIXED + (b[40] ?? 0) + (b[41] ?? 0) && headerLen <= b.length ? headerLen : 0;
}

/** The group as the probe header writes it (16 bytes, IPv4 as ::ffff:a.b.c.d). */
export function groupBytes(group: string): Uint8Array {
  const b = new Uint8Array(16);
  if (familyOf(group) === 4) {
    b[10] = 0xff;
    b[11] = 0xff;
    new DataView(b.buffer).setUint32(12, ipv4ToInt(group));
  } else {
    b.set(ipv6ToBytes(group));
  }
  return b;
}

/** Whether the probe header's group (16 bytes at 24) is the row's group. */
export function claimsGroup(d: Buffer, group: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (d[24 + i] !== group[i]) return false;
  return true;
}

const f64 = new Float64Array(1);
const f64Bytes = new Uint8Array(f64.buffer);
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * A probe's arrival as add() hands it to trackProbe and trackProbe to the tracker: written in
 * place (the receive path is synchronous), because a double passed to a call that V8 does not
 * inline is boxed on the heap, one allocation per probe.
 */
export const arrival: Arrival & { arrivedUs: number } = { seq: 0, delayMs: NaN, atMs: 0, ttl: -1, arrivedUs: 0 };

/**
 * One probe into its stream: sequence, delay (on one clock only) and jitter. Transit = receiver
 * clock (arrival.arrivedUs) - sender clock: a delay only on one clock, but its changes are jitter
 * whatever the offset (RFC 3550 6.4.1: J += (|D| - J) / 16, as iperf2 reports it).
 */
export function trackProbe(s: ProbeStream, p: Packet, a: typeof arrival): void {
  const d = p.data;
  // The send time (f64, big-endian, at 16) read here rather than by Buffer.readDoubleBE, whose
  // double result is boxed whenever V8 does not inline it.
  for (let i = 0; i < 8; i++) f64Bytes[LITTLE_ENDIAN ? 7 - i : i] = d[16 + i] ?? 0;
  const transitUs = a.arrivedUs - (f64[0] ?? NaN);
  a.seq = d.readUInt32BE(12);
  a.delayMs = s.sameClock ? transitUs / 1000 : NaN;
  a.atMs = p.atMs;
  a.ttl = d[5] ?? 0;
  s.tracker.record(a);
  // A forged send time (NaN, infinite) is no transit: it neither starts nor moves the estimate.
  if (!Number.isFinite(transitUs)) return;
  if (!Number.isNaN(s.transitUs)) s.jitterUs += (Math.abs(transitUs - s.transitUs) - s.jitterUs) / 16;
  s.transitUs = transitUs;
}
