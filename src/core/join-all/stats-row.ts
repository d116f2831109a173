// One row of the receive table, an (interface, group) pair: its counters as they are counted
// per datagram, and what they read as at a snapshot (rates, sums over its probe streams) and for
// the stall detector (one stream per sender, plus the row's non-probe traffic as one more).
import type { Packet } from '../membership/join.js';
import { DistinctCounter } from './distinct.js';
import { groupBytes, ProbeStreams } from './stats-probes.js';
import type { ReceivedStream, RowStats } from './stats-types.js';

export interface Row {
  /** Counted in place; the snapshot copies it. */
  stats: RowStats;
  streams: ProbeStreams;
  /** The group as the probe header writes it (16 bytes), to check what a payload claims. */
  groupBytes: Uint8Array;
  /** Probe senders past the stream cap (counted in fixed memory). */
  omitted: DistinctCounter;
  packetsAtSnapshot: number;
  firstAtMs: number;
  lastAtMs: number;
  /** Arrival times of the non-probe datagrams (one stream for the stall detector). */
  foreignFirstAtMs: number;
  foreignLastAtMs: number;
}

export function newRow(iface: string, group: string): Row {
  return {
    stats: {
      iface, group, packets: 0, bytes: 0, foreign: 0, forged: 0, rate: 0, avgRate: 0, lost: 0, expected: 0, jitterMs: null,
      duplicates: 0, reordered: 0, delayMs: null, firstPacketMs: null, lastSource: null, lastTtl: null, lastRxTtl: null,
      streams: [], streamsOmitted: { senders: 0, packets: 0 },
    },
    streams: new ProbeStreams(), groupBytes: groupBytes(group), omitted: new DistinctCounter(),
    packetsAtSnapshot: 0, firstAtMs: 0, lastAtMs: 0, foreignFirstAtMs: 0, foreignLastAtMs: 0,
  };
}

/**
 * What every datagram of a row adds, probe or not: packets, bytes, source, TTL, times. Here and
 * below the packet and options go in, not times: V8 boxes a double passed to a call it does not
 * inline (scripts/bench/join-all-recv-path.mjs).
 */
export function countArrival(row: Row, p: Packet, o: { joinedAtMs: number }): void {
  const s = row.stats;
  s.packets++;
  s.bytes += p.size;
  s.lastSource = p.from.address;
  if (p.ttl >= 0) s.lastRxTtl = p.ttl;
  if (s.packets === 1) row.firstAtMs = p.atMs;
  row.lastAtMs = p.atMs;
  if (s.firstPacketMs === null) s.firstPacketMs = Math.max(0, p.atMs - o.joinedAtMs);
}

/** A datagram that is not a probe: one stream of arrivals for the stall detector. */
export function countForeign(row: Row, p: Packet): void {
  row.stats.foreign++;
  if (row.stats.foreign === 1) row.foreignFirstAtMs = p.atMs;
  row.foreignLastAtMs = p.atMs;
}

/** The row as it reads now: rate over dtS seconds since the previous snapshot, sums over its streams. */
export function snapshotRow(r: Row, dtS: number): RowStats {
  const s = r.stats;
  s.rate = (s.packets - r.packetsAtSnapshot) / dtS;
  r.packetsAtSnapshot = s.packets;
  s.avgRate = s.packets > 1 && r.lastAtMs > r.firstAtMs ? ((s.packets - 1) * 1000) / (r.lastAtMs - r.firstAtMs) : 0;
  const streams = r.streams.list.map(({ tracker: { stats: t } }) => ({ ...t, ...(t.delayMs ? { delayMs: { ...t.delayMs } } : {}) }));
  s.streams = streams;
  s.lost = streams.reduce((a, x) => a + x.lost, 0);
  s.expected = streams.reduce((a, x) => a + x.expected, 0);
  s.jitterMs = r.streams.list.length === 0 ? null : Math.max(...r.streams.list.map((x) => x.jitterUs)) / 1000;
  s.duplicates = streams.reduce((a, x) => a + x.duplicates, 0);
  s.reordered = streams.reduce((a, x) => a + x.reordered, 0);
  const delays = streams.map((x) => x.delayMs).filter((d): d is NonNullable<typeof d> => d !== null);
  s.delayMs = delays.length === 0 ? null : {
    min: Math.min(...delays.map((d) => d.min)),
    max: Math.max(...delays.map((d) => d.max)),
    avg: delays.reduce((a, d) => a + d.avg, 0) / delays.length,
  };
  s.streamsOmitted.senders = r.omitted.count();
  return { ...s, streams: [...streams], streamsOmitted: { ...s.streamsOmitted } };
}

/**
 * The row's streams for the stall detector: each probe stream with its own sequence numbers, and
 * the non-probe traffic as one stream numbered by arrival (its interval is then the average).
 */
export function rowStreams(r: Row, out: ReceivedStream[]): void {
  const { iface, group, foreign, lastSource } = r.stats;
  for (const { tracker: { stats: x } } of r.streams.list) {
    out.push({ iface, group, probe: { senderId: x.senderId, senderIface: x.senderIface }, source: lastSource,
      times: { firstAtMs: x.firstAtMs, lastAtMs: x.lastAtMs, firstSeq: x.firstSeq, highestSeq: x.highestSeq, unique: x.unique } });
  }
  if (foreign > 0) {
    out.push({ iface, group, source: lastSource,
      times: { firstAtMs: r.foreignFirstAtMs, lastAtMs: r.foreignLastAtMs, firstSeq: 0, highestSeq: foreign - 1, unique: foreign } });
  }
}
