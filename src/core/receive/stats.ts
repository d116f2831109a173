// What join-all counts: per (interface, group), packets and bytes, probe streams with loss,
// duplicates, reorder and one-way delay (src/core/probe/tracker.ts), foreign traffic, the
// delay from the join to the first packet, the last source and the TTL the sender set.
import { decodeProbe, nowUs, type Probe } from '../probe/format.js';
import { StreamTracker, type StreamStats } from '../probe/tracker.js';
import type { Packet } from '../membership/join.js';
import type { StreamTimes } from '../stall/detect.js';

/** The group of a datagram the socket cannot tell (several groups on it, not a probe). */
export const UNKNOWN_GROUP = '*';

export interface RowStats {
  iface: string;
  group: string;
  packets: number;
  bytes: number;
  /** Datagrams that are not probes (counted, never an error). */
  foreign: number;
  /** Packets per second since the previous snapshot. */
  rate: number;
  /** Packets per second from the first packet to the last. */
  avgRate: number;
  /** Summed over the probe streams of the row. */
  lost: number;
  duplicates: number;
  reordered: number;
  delayMs: { min: number; avg: number; max: number } | null;
  /** Milliseconds from the join to the first packet. */
  firstPacketMs: number | null;
  lastSource: string | null;
  /** TTL / hop limit the sender set (probe header); the kernel does not hand libuv the received TTL. */
  lastTtl: number | null;
  streams: StreamStats[];
}

interface Row {
  stats: RowStats;
  trackers: Map<string, StreamTracker>;
  packetsAtSnapshot: number;
  firstAtMs: number;
  lastAtMs: number;
  /** Arrival times of the non-probe datagrams (one stream for the stall detector). */
  foreignFirstAtMs: number;
  foreignLastAtMs: number;
}

/** One stream as the stall detector sees it: a probe stream, or a row's non-probe traffic. */
export interface ReceivedStream {
  iface: string;
  /** UNKNOWN_GROUP when the socket could not tell. */
  group: string;
  probe?: { senderId: string; senderIface: string };
  /** The last source address seen on the row (non-probe traffic). */
  source: string | null;
  times: StreamTimes;
}

export interface ReceiveOptions {
  /** When the joins completed (Date.now()). */
  joinedAtMs: number;
  /** Our own sender-id prefix (hostname): probes from it are on this clock. */
  localHost: string;
  /** Trust one-way delay across hosts (--assume-synced). */
  assumeSynced: boolean;
}

export class ReceiveStats {
  private readonly rows = new Map<string, Row>();
  private lastSnapshotMs: number;
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
        stats: { iface, group, packets: 0, bytes: 0, foreign: 0, rate: 0, avgRate: 0, lost: 0, duplicates: 0, reordered: 0, delayMs: null, firstPacketMs: null, lastSource: null, lastTtl: null, streams: [] },
        trackers: new Map(),
        packetsAtSnapshot: 0,
        firstAtMs: 0,
        lastAtMs: 0,
        foreignFirstAtMs: 0,
        foreignLastAtMs: 0,
      };
      this.rows.set(key, r);
    }
    return r;
  }

  /** Counts one datagram; returns the decoded probe, if it was one. */
  add(p: Packet): Probe | undefined {
    const probe = decodeProbe(p.data);
    const row = this.row(p.iface, probe?.group ?? p.group ?? UNKNOWN_GROUP);
    const s = row.stats;
    this.total++;
    s.packets++;
    s.bytes += p.data.length;
    s.lastSource = p.from.address;
    if (s.packets === 1) row.firstAtMs = p.atMs;
    row.lastAtMs = p.atMs;
    if (s.firstPacketMs === null) s.firstPacketMs = Math.max(0, p.atMs - this.opts.joinedAtMs);
    if (!probe) {
      s.foreign++;
      if (s.foreign === 1) row.foreignFirstAtMs = p.atMs;
      row.foreignLastAtMs = p.atMs;
      return undefined;
    }
    s.lastTtl = probe.ttl;
    const key = `${probe.senderId} ${probe.ifname}`;
    let t = row.trackers.get(key);
    if (!t) {
      t = new StreamTracker(probe.senderId, probe.ifname, probe.group, p.atMs);
      row.trackers.set(key, t);
    }
    const sameClock = this.opts.assumeSynced || probe.senderId.startsWith(`${this.opts.localHost}-`);
    t.add(probe.seq, sameClock ? (nowUs() - probe.sentUs) / 1000 : NaN, p.atMs, probe.ttl);
    return probe;
  }

  /** The rows now, with rates since the previous snapshot. */
  snapshot(nowMs = Date.now()): RowStats[] {
    const dt = Math.max(1, nowMs - this.lastSnapshotMs) / 1000;
    this.lastSnapshotMs = nowMs;
    const out: RowStats[] = [];
    for (const r of this.rows.values()) {
      const s = r.stats;
      s.rate = (s.packets - r.packetsAtSnapshot) / dt;
      r.packetsAtSnapshot = s.packets;
      s.avgRate = s.packets > 1 && r.lastAtMs > r.firstAtMs ? ((s.packets - 1) * 1000) / (r.lastAtMs - r.firstAtMs) : 0;
      const streams = [...r.trackers.values()].map((t) => ({ ...t.stats, ...(t.stats.delayMs ? { delayMs: { ...t.stats.delayMs } } : {}) }));
      s.streams = streams;
      s.lost = streams.reduce((a, x) => a + x.lost, 0);
      s.duplicates = streams.reduce((a, x) => a + x.duplicates, 0);
      s.reordered = streams.reduce((a, x) => a + x.reordered, 0);
      const delays = streams.map((x) => x.delayMs).filter((d): d is NonNullable<typeof d> => d !== null);
      s.delayMs = delays.length === 0 ? null : {
        min: Math.min(...delays.map((d) => d.min)),
        max: Math.max(...delays.map((d) => d.max)),
        avg: delays.reduce((a, d) => a + d.avg, 0) / delays.length,
      };
      out.push({ ...s, streams: [...streams] });
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
