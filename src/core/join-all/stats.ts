// What join-all and mesh count: per (interface, group), packets and bytes, probe streams with
// loss, duplicates, reorder and one-way delay (src/core/probe/tracker.ts), foreign traffic,
// forged probes, the delay from the join to the first packet, the last source and the TTLs; per
// interface, unicast and other programs' groups kept apart, and how many sources and senders.
import { decodeProbe, nowUs, PROBE_FIXED, PROBE_VERSION } from '../probe/format.js';
import { StreamTracker, type StreamStats } from '../probe/tracker.js';
import { familyOf, ipv4ToInt, ipv6ToBytes } from '../kernel/ip.js';
import { DistinctCounter, hashString } from './distinct.js';
import type { Packet } from '../membership/join.js';
import type { StreamTimes } from '../stall/detect.js';
import { systemClock, type Clock } from '../clock.js';

/** Kept for the stall wording; the kernel's PKTINFO now always names the group. */
export const UNKNOWN_GROUP = '*';
/** Probe streams tracked per row; senders beyond are counted (and estimated), not tracked. */
export const MAX_STREAMS_PER_ROW = 1024;
/** Groups someone else joined, named per interface (the rest are counted). */
const OTHER_GROUP_SAMPLES = 8;

export interface RowStats {
  iface: string;
  group: string;
  packets: number;
  bytes: number;
  /** Datagrams that are not probes (counted, never an error). */
  foreign: number;
  /** Probes whose payload names another group than the one they were sent to (forged or broken). */
  forged: number;
  /** Packets per second since the previous snapshot. */
  rate: number;
  /** Packets per second from the first packet to the last. */
  avgRate: number;
  /** Summed over the probe streams of the row. */
  lost: number;
  /** Probes the row's streams span (loss percentage = lost / expected). */
  expected: number;
  /**
   * Interarrival jitter in ms (RFC 3550 6.4.1, as iperf2 reports it): the smoothed difference of
   * successive probes' transit times; the clocks' offset cancels, so no sync is needed. The
   * largest of the row's probe streams; null for a row without probes.
   */
  jitterMs: number | null;
  duplicates: number;
  reordered: number;
  delayMs: { min: number; avg: number; max: number } | null;
  /** Milliseconds from the join to the first packet. */
  firstPacketMs: number | null;
  lastSource: string | null;
  /** TTL / hop limit the sender set (probe header). */
  lastTtl: number | null;
  /** TTL / hop limit as received (the kernel's IP_RECVTTL), null when not told. */
  lastRxTtl: number | null;
  streams: StreamStats[];
  /** Probe senders past MAX_STREAMS_PER_ROW: their packets, and how many distinct (estimated). */
  streamsOmitted: { senders: number; packets: number };
}

/** What arrived on an interface outside its joined groups, and how varied its senders were. */
export interface IfaceReceive {
  iface: string;
  /** Datagrams to this host's own unicast address on the port: never a group's. */
  unicast: number;
  /** Datagrams of groups other programs joined (or ours, on another port). */
  otherGroups: number;
  otherGroupNames: string[];
  /** Distinct source addresses and probe sender ids seen (exact to 256, estimated beyond). */
  sources: number;
  senders: number;
  firstAtMs: number;
  lastAtMs: number;
}

interface Row {
  stats: RowStats;
  trackers: Map<string, StreamTracker>;
  /** Whether a tracker's probes are on our clock (same host, or --assume-synced). */
  sameClock: Map<StreamTracker, boolean>;
  /** The group as the probe header writes it (16 bytes), to check what a payload claims. */
  groupBytes: Uint8Array;
  omitted: DistinctCounter;
  /** Per probe stream: the previous transit time (µs) and the jitter estimate (µs) (RFC 3550 6.4.1). */
  jitter: Map<StreamTracker, { transitUs: number; jitterUs: number }>;
  packetsAtSnapshot: number;
  firstAtMs: number;
  lastAtMs: number;
  /** Arrival times of the non-probe datagrams (one stream for the stall detector). */
  foreignFirstAtMs: number;
  foreignLastAtMs: number;
}

interface Extra {
  stats: IfaceReceive;
  sources: DistinctCounter;
  senders: DistinctCounter;
}

/** One stream as the stall detector sees it: a probe stream, or a row's non-probe traffic. */
export interface ReceivedStream {
  iface: string;
  group: string;
  probe?: { senderId: string; senderIface: string };
  /** The last source address seen on the row (non-probe traffic). */
  source: string | null;
  times: StreamTimes;
}

export interface ReceiveOptions {
  /** When the joins completed (the run's clock). */
  joinedAtMs: number;
  /** The run's clock (rates between snapshots); absent: the system's. */
  clock?: Clock;
  /** Our own sender-id prefix (hostname): probes from it are on this clock. */
  localHost: string;
  /** Trust one-way delay across hosts (--assume-synced). */
  assumeSynced: boolean;
}

function groupBytes(group: string): Uint8Array {
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

/**
 * Per-packet work is O(1) and allocation-free once a stream exists: the probe's sender key is
 * read straight from the header, the full decode happens once per new stream. Every table keyed
 * by what the wire chooses is capped (issue 17): streams per row, group names per interface;
 * sources and senders are counted in fixed memory.
 */
export class ReceiveStats {
  private readonly rows = new Map<string, Row>();
  private readonly extras = new Map<string, Extra>();
  private lastSnapshotMs: number;
  /** Datagrams of the joined groups. */
  total = 0;

  constructor(private readonly opts: ReceiveOptions) {
    this.lastSnapshotMs = opts.joinedAtMs;
  }

  /** Pre-creates rows so that silent (interface, group) pairs show as zero. */
  expect(iface: string, group: string): void {
    this.row(iface, group);
  }

  private row(iface: string, group: string): Row {
    const key = `${iface} ${group}`;
    let r = this.rows.get(key);
    if (!r) {
      r = {
        stats: {
          iface,
          group,
          packets: 0,
          bytes: 0,
          foreign: 0,
          forged: 0,
          rate: 0,
          avgRate: 0,
          lost: 0,
          expected: 0,
          jitterMs: null,
          duplicates: 0,
          reordered: 0,
          delayMs: null,
          firstPacketMs: null,
          lastSource: null,
          lastTtl: null,
          lastRxTtl: null,
          streams: [],
          streamsOmitted: { senders: 0, packets: 0 },
        },
        trackers: new Map(), sameClock: new Map(), groupBytes: groupBytes(group), omitted: new DistinctCounter(), jitter: new Map(),
        packetsAtSnapshot: 0, firstAtMs: 0, lastAtMs: 0, foreignFirstAtMs: 0, foreignLastAtMs: 0,
      };
      this.rows.set(key, r);
    }
    return r;
  }

  private extra(iface: string, atMs: number): Extra {
    let e = this.extras.get(iface);
    if (!e) {
      e = {
        stats: { iface, unicast: 0, otherGroups: 0, otherGroupNames: [], sources: 0, senders: 0, firstAtMs: atMs, lastAtMs: atMs },
        sources: new DistinctCounter(),
        senders: new DistinctCounter(),
      };
      this.extras.set(iface, e);
    }
    e.stats.lastAtMs = atMs;
    return e;
  }

  /** Counts one datagram (the Packet is the receiver's, reused: nothing of it is kept but strings). */
  add(p: Packet): void {
    const x = this.extra(p.iface, p.atMs);
    x.sources.add(hashString(p.from.address));
    if (p.kind !== 'group' || p.group === undefined) {
      countOutsideGroups(x.stats, p);
      return;
    }
    const row = this.row(p.iface, p.group);
    this.total++;
    countArrival(row, p, this.opts.joinedAtMs);
    const headerLen = probeHeaderAt(p.data);
    if (headerLen === 0) {
      countForeign(row, p.atMs);
      return;
    }
    // The payload may only confirm the group the kernel delivered it to.
    if (!claimsGroup(p.data, row.groupBytes)) {
      row.stats.forged++;
      return;
    }
    row.stats.lastTtl = p.data[5] ?? 0;
    const t = this.streamOf(row, x, p, p.group, headerLen);
    if (t) trackProbe(row, t, p);
  }

  /**
   * The probe stream a datagram belongs to, created on its sender's first probe; undefined when
   * the row already tracks MAX_STREAMS_PER_ROW senders (the packet is counted as omitted) or the
   * header does not decode (counted as foreign).
   */
  private streamOf(row: Row, x: Extra, p: Packet, group: string, headerLen: number): StreamTracker | undefined {
    const d = p.data;
    // Sender id and interface name, with the id's length so that ("ab","c") != ("a","bc").
    const key = d.toString('latin1', 40, headerLen);
    const known = row.trackers.get(key);
    if (known) return known;
    const h = hashString(key);
    x.senders.add(h);
    if (row.trackers.size >= MAX_STREAMS_PER_ROW) {
      row.omitted.add(h);
      row.stats.streamsOmitted.packets++;
      return undefined;
    }
    const probe = decodeProbe(d);
    if (!probe) {
      row.stats.foreign++;
      return undefined;
    }
    const t = new StreamTracker(probe.senderId, probe.ifname, group, p.atMs);
    row.trackers.set(key, t);
    row.sameClock.set(t, this.opts.assumeSynced || probe.senderId.startsWith(`${this.opts.localHost}-`));
    return t;
  }

  /** Per interface: unicast, other groups, distinct sources and senders. */
  ifaces(): IfaceReceive[] {
    return [...this.extras.values()].map((e) => ({
      ...e.stats,
      otherGroupNames: [...e.stats.otherGroupNames],
      sources: e.sources.count(),
      senders: e.senders.count(),
    }));
  }

  /** The rows now, with rates since the previous snapshot. */
  snapshot(nowMs = (this.opts.clock ?? systemClock).now()): RowStats[] {
    const dt = Math.max(1, nowMs - this.lastSnapshotMs) / 1000;
    this.lastSnapshotMs = nowMs;
    const out: RowStats[] = [];
    for (const r of this.rows.values()) {
      const s = r.stats;
      s.rate = (s.packets - r.packetsAtSnapshot) / dt;
      r.packetsAtSnapshot = s.packets;
      s.avgRate = s.packets > 1 && r.lastAtMs > r.firstAtMs ? ((s.packets - 1) * 1000) / (r.lastAtMs - r.firstAtMs) : 0;
      const streams = [...r.trackers.values()].map((t) => ({
        ...t.stats,
        ...(t.stats.delayMs ? { delayMs: { ...t.stats.delayMs } } : {}),
      }));
      s.streams = streams;
      s.lost = streams.reduce((a, x) => a + x.lost, 0);
      s.expected = streams.reduce((a, x) => a + x.expected, 0);
      s.jitterMs = r.jitter.size === 0 ? null : Math.max(...[...r.jitter.values()].map((x) => x.jitterUs)) / 1000;
      s.duplicates = streams.reduce((a, x) => a + x.duplicates, 0);
      s.reordered = streams.reduce((a, x) => a + x.reordered, 0);
      const delays = streams.map((x) => x.delayMs).filter((d): d is NonNullable<typeof d> => d !== null);
      s.delayMs = delays.length === 0 ? null : {
        min: Math.min(...delays.map((d) => d.min)),
        max: Math.max(...delays.map((d) => d.max)),
        avg: delays.reduce((a, d) => a + d.avg, 0) / delays.length,
      };
      s.streamsOmitted.senders = r.omitted.count();
      out.push({ ...s, streams: [...streams], streamsOmitted: { ...s.streamsOmitted } });
    }
    return out;
  }

  /**
   * Every stream, for the stall detector: each probe stream with its own sequence numbers, and a
   * row's non-probe traffic as one stream numbered by arrival (its interval is then the average).
   */
  streams(): ReceivedStream[] {
    const out: ReceivedStream[] = [];
    for (const r of this.rows.values()) {
      const { iface, group, foreign, lastSource } = r.stats;
      for (const t of r.trackers.values()) {
        const x = t.stats;
        out.push({ iface, group, probe: { senderId: x.senderId, senderIface: x.senderIface }, source: lastSource,
          times: { firstAtMs: x.firstAtMs, lastAtMs: x.lastAtMs, firstSeq: x.firstSeq, highestSeq: x.highestSeq, unique: x.unique } });
      }
      if (foreign > 0) {
        out.push({ iface, group, source: lastSource,
          times: { firstAtMs: r.foreignFirstAtMs, lastAtMs: r.foreignLastAtMs, firstSeq: 0, highestSeq: foreign - 1, unique: foreign } });
      }
    }
    return out;
  }

  packetsOf(iface: string, group: string): number {
    return this.rows.get(`${iface} ${group}`)?.stats.packets ?? 0;
  }
}

/** The probe header's length when buf holds a well-formed probe header, else 0 (no allocation). */
function probeHeaderAt(b: Buffer): number {
  if (b.length < PROBE_FIXED || b[0] !== 0x4d || b[1] !== 0x43 || b[2] !== 0x44 || b[3] !== 0x50 || b[4] !== PROBE_VERSION) return 0;
  const headerLen = b.readUInt16BE(6);
  return headerLen === PROBE_FIXED + (b[40] ?? 0) + (b[41] ?? 0) && headerLen <= b.length ? headerLen : 0;
}

/** Unicast to this host, or a group another program joined: counted per interface, never a row. */
function countOutsideGroups(x: IfaceReceive, p: Packet): void {
  if (p.kind === 'unicast') {
    x.unicast++;
    return;
  }
  x.otherGroups++;
  const names = x.otherGroupNames;
  if (names.length < OTHER_GROUP_SAMPLES && !names.includes(p.dst)) names.push(p.dst);
}

/** What every datagram of a row adds, probe or not: packets, bytes, source, TTL, times. */
function countArrival(row: Row, p: Packet, joinedAtMs: number): void {
  const s = row.stats;
  s.packets++;
  s.bytes += p.size;
  s.lastSource = p.from.address;
  if (p.ttl >= 0) s.lastRxTtl = p.ttl;
  if (s.packets === 1) row.firstAtMs = p.atMs;
  row.lastAtMs = p.atMs;
  if (s.firstPacketMs === null) s.firstPacketMs = Math.max(0, p.atMs - joinedAtMs);
}

/** A datagram that is not a probe: one stream of arrivals for the stall detector. */
function countForeign(row: Row, atMs: number): void {
  row.stats.foreign++;
  if (row.stats.foreign === 1) row.foreignFirstAtMs = atMs;
  row.foreignLastAtMs = atMs;
}

/** Whether the probe header's group (16 bytes at 24) is the row's group. */
function claimsGroup(d: Buffer, group: Uint8Array): boolean {
  for (let i = 0; i < 16; i++) if (d[24 + i] !== group[i]) return false;
  return true;
}

/**
 * One probe into its stream: sequence, delay (on one clock only) and jitter. Transit = receiver
 * clock - sender clock: a delay only on one clock, but its changes are jitter whatever the offset
 * (RFC 3550 6.4.1: J += (|D| - J) / 16, as iperf2 reports it).
 */
function trackProbe(row: Row, t: StreamTracker, p: Packet): void {
  const d = p.data;
  const transitUs = nowUs() - d.readDoubleBE(16);
  t.add(d.readUInt32BE(12), row.sameClock.get(t) ? transitUs / 1000 : NaN, p.atMs, d[5] ?? 0);
  const j = row.jitter.get(t);
  if (j) {
    j.jitterUs += (Math.abs(transitUs - j.transitUs) - j.jitterUs) / 16;
    j.transitUs = transitUs;
  } else row.jitter.set(t, { transitUs, jitterUs: 0 });
}
