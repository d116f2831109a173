// What join-all and mesh count: per (interface, group), packets and bytes, probe streams with
// loss, duplicates, reorder and one-way delay (src/core/probe/tracker.ts), foreign traffic,
// forged probes, the delay from the join to the first packet, the last source and the TTLs; per
// interface, unicast and other programs' groups kept apart, and how many sources and senders.
// The parts: a row (./stats-row.ts), a row's probe streams (./stats-probes.ts), an interface's
// other traffic (./stats-iface.ts); the periodic event is built by ./stats-feed.ts.
import { nowUs } from '../probe/format.js';
import type { Packet } from '../membership/join.js';
import { systemClock } from '../clock.js';
import { hashString } from './distinct.js';
import { arrival, claimsGroup, keyHash, probeHeaderAt, trackProbe, type ProbeStream } from './stats-probes.js';
import { countArrival, countForeign, newRow, rowStreams, snapshotRow, type Row } from './stats-row.js';
import { countOutsideGroups, newIfaceCounts, snapshotIface, type IfaceCounts } from './stats-iface.js';
import type { IfaceReceive, ReceivedStream, ReceiveOptions, RowStats } from './stats-types.js';

export type { IfaceReceive, ReceivedStream, ReceiveOptions, RowStats } from './stats-types.js';
export { MAX_STREAMS_PER_ROW } from './stats-probes.js';

/** Kept for the stall wording; the kernel's PKTINFO now always names the group. */
export const UNKNOWN_GROUP = '*';

/**
 * Per-packet work is O(1) and allocates nothing once a stream exists but what Node's clock read
 * costs (scripts/bench/join-all-recv-path.mjs counts the garbage collections): the row is found by
 * the interface and group strings the receiver already holds (no key string built), the probe's
 * stream by a hash of its header bytes (no string decoded), and no double crosses a call (V8
 * boxes those it does not inline). Every table keyed by what the wire chooses is capped
 * (issue 17): streams per row, group names per interface; sources and senders are counted in
 * fixed memory.
 */
export class ReceiveStats {
  /** Rows by interface, then group; `list` keeps the order they were made in. */
  private readonly rows = new Map<string, Map<string, Row>>();
  private readonly list: Row[] = [];
  private readonly extras = new Map<string, IfaceCounts>();
  private readonly nowUs: () => number;
  private lastSnapshotMs: number;
  /** Datagrams of the joined groups. */
  total = 0;

  constructor(private readonly opts: ReceiveOptions) {
    this.lastSnapshotMs = opts.joinedAtMs;
    this.nowUs = opts.nowUs ?? nowUs;
  }

  /** Pre-creates rows so that silent (interface, group) pairs show as zero. */
  expect(iface: string, group: string): void {
    this.row(iface, group);
  }

  private row(iface: string, group: string): Row {
    let byGroup = this.rows.get(iface);
    if (!byGroup) {
      byGroup = new Map();
      this.rows.set(iface, byGroup);
    }
    let r = byGroup.get(group);
    if (!r) {
      r = newRow(iface, group);
      byGroup.set(group, r);
      this.list.push(r);
    }
    return r;
  }

  /** Takes the packet, not its time: a double passed to a call V8 does not inline is boxed. */
  private extra(p: Packet): IfaceCounts {
    let e = this.extras.get(p.iface);
    if (!e) {
      e = newIfaceCounts(p.iface, p.atMs);
      this.extras.set(p.iface, e);
    }
    e.stats.lastAtMs = p.atMs;
    return e;
  }

  /** Counts one datagram (the Packet is the receiver's, reused: nothing of it is kept but strings). */
  add(p: Packet): void {
    const x = this.extra(p);
    x.sources.add(hashString(p.from.address));
    if (p.kind !== 'group' || p.group === undefined) {
      countOutsideGroups(x.stats, p);
      return;
    }
    const row = this.row(p.iface, p.group);
    this.total++;
    countArrival(row, p, this.opts);
    const headerLen = probeHeaderAt(p.data);
    if (headerLen === 0) {
      countForeign(row, p);
      return;
    }
    // The payload may only confirm the group the kernel delivered it to.
    if (!claimsGroup(p.data, row.groupBytes)) {
      row.stats.forged++;
      return;
    }
    row.stats.lastTtl = p.data[5] ?? 0;
    const s = this.streamOf(row, x, p, headerLen);
    if (!s) return;
    arrival.arrivedUs = this.nowUs();
    trackProbe(s, p, arrival);
  }

  /**
   * The probe stream a datagram belongs to, created on its sender's first probe; undefined when
   * the row already tracks MAX_STREAMS_PER_ROW senders (the packet is counted as omitted) or the
   * header does not decode (counted as foreign).
   */
  private streamOf(row: Row, x: IfaceCounts, p: Packet, headerLen: number): ProbeStream | undefined {
    const h = keyHash(p.data, headerLen);
    const known = row.streams.find(p.data, headerLen, h);
    if (known) return known;
    x.senders.add(h);
    if (row.streams.full) {
      row.omitted.add(h);
      row.stats.streamsOmitted.packets++;
      return undefined;
    }
    const { localHost, assumeSynced } = this.opts;
    const s = row.streams.create(p.data, headerLen, h, { group: row.stats.group, atMs: p.atMs, localHost, assumeSynced });
    if (!s) row.stats.foreign++;
    return s;
  }

  /** Per interface: unicast, other groups, distinct sources and senders. */
  ifaces(): IfaceReceive[] {
    return [...this.extras.values()].map(snapshotIface);
  }

  /** The rows now, with rates since the previous snapshot. */
  snapshot(nowMs = (this.opts.clock ?? systemClock).now()): RowStats[] {
    const dt = Math.max(1, nowMs - this.lastSnapshotMs) / 1000;
    this.lastSnapshotMs = nowMs;
    return this.list.map((r) => snapshotRow(r, dt));
  }

  /** Every stream, for the stall detector (probe streams, and each row's non-probe traffic). */
  streams(): ReceivedStream[] {
    const out: ReceivedStream[] = [];
    for (const r of this.list) rowStreams(r, out);
    return out;
  }

  packetsOf(iface: string, group: string): number {
    return this.rows.get(iface)?.get(group)?.stats.packets ?? 0;
  }
}
