// join-all's stats events carry a summary and the changed rows only (issue 19 item 8): an event
// with N unchanged rows carries none of them, a changed row comes with its new counters, and a
// consumer that applies the events to the zero rows of the joins ends with the table the core has.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { ReceiveStats, type RowStats } from '../../src/core/join-all/stats.js';
import { StatsFeed, MAX_CHANGED_ROWS } from '../../src/core/join-all/stats-feed.js';
import { makeProbeBuffer, stampProbe, nowUs } from '../../src/core/probe/format.js';
import type { Packet } from '../../src/core/membership/join.js';
import { Output } from '../../src/render/output.js';
import { JoinAllReporter } from '../../src/render/join-all.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const T0 = 1_000_000;
const N = 500;
const groupOf = (i: number): string => `239.1.${i >> 8}.${i & 255}`;

const probe = (seq: number, group: string): Buffer => {
  const b = makeProbeBuffer({ senderId: 'peer-1', ifname: 'eth0', ifindex: 2, group, ttl: 4 }, 64);
  stampProbe(b, seq, nowUs());
  return b;
};
const pkt = (group: string, seq: number, atMs: number, iface = 'wired0'): Packet => {
  const data = probe(seq, group);
  return { iface, ifindex: 2, family: 4, port: 5000, dst: group, kind: 'group', group,
    from: { address: '198.18.1.1', port: 4000, size: data.length }, data, size: data.length, ttl: 3, atMs };
};

/** N rows, as join-all's run pre-creates them after its joins. */
function joinedRows(): ReceiveStats {
  const s = new ReceiveStats({ joinedAtMs: T0, localHost: 'host', assumeSynced: false });
  for (let i = 0; i < N; i++) s.expect('wired0', groupOf(i));
  return s;
}

/** The stats events as NDJSON lines, through the real renderer. */
function jsonEvents(): { rep: JoinAllReporter; events: () => Record<string, any>[] } {
  const chunks: string[] = [];
  const sink = new PassThrough();
  sink.on('data', (d: Buffer) => chunks.push(d.toString('utf8')));
  const out = new Output({ json: true, color: false, quiet: false, verbose: false }, sink, sink);
  return { rep: new JoinAllReporter(out),
    events: () => chunks.join('').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>) };
}

test('an event with N unchanged rows carries none of them; a changed row comes with its new counters', () => {
  const s = joinedRows();
  const feed = new StatsFeed();
  const { rep, events } = jsonEvents();
  const tick = (atMs: number): void => {
    const rows = s.snapshot(atMs);
    rep.stats({ elapsedMs: atMs - T0, totalPackets: s.total, rows, change: feed.next(rows) });
  };
  tick(T0 + 1000);
  for (let seq = 0; seq < 10; seq++) s.add(pkt(groupOf(7), seq, T0 + 1000 + seq * 100));
  tick(T0 + 2000);
  tick(T0 + 3000);
  tick(T0 + 4000);
  const [quiet, busy, stopped, still] = events();
  for (const e of events()) assertMatchesSchema('join-all.schema.json', e);

  assert.deepEqual(quiet?.changed, [], `${N} silent rows: none carried`);
  assert.deepEqual(quiet?.counts, { rows: N, receiving: 0, stalled: 0, silent: N });

  assert.equal(busy?.changed.length, 1, `the one changed row, not the ${N - 1} others`);
  const row = busy?.changed[0];
  assert.deepEqual([row.iface, row.group, row.packets, row.rate, row.lost, row.expected, row.lastTtl],
    ['wired0', groupOf(7), 10, 10, 0, 10, 4]);
  assert.equal(row.streams, undefined, 'per-stream detail stays for the summary');
  assert.deepEqual(busy?.counts, { rows: N, receiving: 1, stalled: 0, silent: N - 1 });
  assert.deepEqual(busy?.top, [{ iface: 'wired0', group: groupOf(7), packets: 10, rate: 10 }]);
  assert.equal(busy?.totals.bytes, row.bytes);

  // It stopped: once more with rate 0, then never again until its next packet.
  assert.deepEqual(stopped?.changed.map((r: RowStats) => [r.group, r.packets, r.rate]), [[groupOf(7), 10, 0]]);
  assert.deepEqual(stopped?.counts, { rows: N, receiving: 0, stalled: 1, silent: N - 1 });
  assert.deepEqual(still?.changed, []);
  assert.deepEqual(events().map((e) => e.seq), [1, 2, 3, 4]);
  // The bound that matters at 15 000 pairs: a quiet event is a few hundred bytes whatever N is.
  assert.ok(JSON.stringify(still).length < 600, `${JSON.stringify(still).length} bytes`);
});

test('a consumer that applies the events to the joined zero rows rebuilds the core\'s table, also past the per-event bound', () => {
  const s = joinedRows();
  const feed = new StatsFeed(7);
  const table = new Map<string, RowStats>();
  const strip = ({ streams: _s, ...r }: RowStats): Omit<RowStats, 'streams'> => r;
  // Deterministic pseudo-random traffic: a few rows per tick, sometimes 40 at once (past the bound of 7).
  let x = 12345;
  const rand = (n: number): number => { x = (x * 48271) % 2147483647; return x % n; };
  let at = T0;
  let seq = 0;
  let lastRows: RowStats[] = [];
  for (let t = 1; t <= 75; t++) {
    const burst = t % 10 === 3 ? 40 : rand(4);
    if (t <= 45) for (let k = 0; k < burst; k++) s.add(pkt(groupOf(rand(N)), seq++, at + k));
    at += 1000;
    lastRows = s.snapshot(at);
    const c = feed.next(lastRows);
    assert.ok(c.changed.length <= 7);
    assert.equal(c.counts.receiving + c.counts.stalled + c.counts.silent, N);
    for (const r of c.changed) table.set(`${r.iface} ${r.group}`, r);
    if (t === 23) assert.ok(c.pending > 0, 'the burst of 40 left rows for later events');
  }
  // Thirty quiet ticks drained what waited: every row the consumer holds is the core's.
  for (const r of lastRows) {
    const mine = table.get(`${r.iface} ${r.group}`);
    if (r.packets === 0) assert.equal(mine, undefined, 'a silent row is never sent: the joined event gave it');
    else assert.deepEqual(strip(mine!), strip(r));
  }
  assert.ok(table.size > 50, `${table.size} rows rebuilt`);
});

test('changed rows past the bound wait, oldest change first, and pending says how many', () => {
  const feed = new StatsFeed(MAX_CHANGED_ROWS);
  const many = new ReceiveStats({ joinedAtMs: T0, localHost: 'host', assumeSynced: false });
  for (let i = 0; i < MAX_CHANGED_ROWS + 200; i++) many.add(pkt(`239.2.${i >> 8}.${i & 255}`, 0, T0 + 1));
  const first = feed.next(many.snapshot(T0 + 1000));
  assert.equal(first.changed.length, MAX_CHANGED_ROWS);
  assert.equal(first.pending, 200);
  // The 200 left are given first next time, before the rows that changed since (their rate fell to 0).
  const rows = many.snapshot(T0 + 2000);
  const second = feed.next(rows);
  assert.deepEqual(second.changed.slice(0, 200).map((r) => r.group), rows.slice(MAX_CHANGED_ROWS).map((r) => r.group));
  assert.deepEqual(second.changed.slice(200).map((r) => [r.group, r.rate]), rows.slice(0, 800).map((r) => [r.group, 0]));
  assert.equal(second.pending, 200);
});

test('top: the busiest receiving rows by rate, at most ten', () => {
  const s = joinedRows();
  const feed = new StatsFeed();
  for (let i = 0; i < 30; i++) for (let k = 0; k <= i; k++) s.add(pkt(groupOf(i), k, T0 + k));
  const c = feed.next(s.snapshot(T0 + 1000));
  assert.deepEqual(c.top.map((r) => r.group), Array.from({ length: 10 }, (_, k) => groupOf(29 - k)));
  assert.deepEqual(c.top.map((r) => r.rate), Array.from({ length: 10 }, (_, k) => 30 - k));
  assert.equal(c.totals.rate, (30 * 31) / 2);
});
