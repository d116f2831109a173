import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_STREAMS_PER_ROW, ReceiveStats } from '../../src/core/join-all/stats.js';
import { keyHash, ProbeStreams } from '../../src/core/join-all/stats-probes.js';
import { makeProbeBuffer, stampProbe, nowUs } from '../../src/core/probe/format.js';
import type { Packet } from '../../src/core/membership/join.js';

const probe = (seq: number, senderId = 'host-1234', group = '239.1.1.1'): Buffer => {
  const b = makeProbeBuffer({ senderId, ifname: 'eth0', ifindex: 2, group, ttl: 4 }, 64);
  stampProbe(b, seq, nowUs());
  return b;
};
/** A datagram as the receiving socket hands it: the kernel's destination decides the group. */
const pkt = (data: Buffer, iface = 'wired0', dst = '239.1.1.1', atMs = Date.now(), from = '198.18.1.1'): Packet => ({
  iface, ifindex: 2, family: 4, port: 5000, dst, kind: dst.startsWith('239.') ? 'group' : 'unicast',
    ...(dst.startsWith('239.') ? { group: dst } : {}),
  from: { address: from, port: 4000, size: data.length }, data, size: data.length, ttl: 3, atMs,
});

test('per interface x group: loss, duplicates, reorder, delay on one host clock, TTL from the probe', () => {
  const s = new ReceiveStats({ joinedAtMs: Date.now() - 50, localHost: 'host', assumeSynced: false });
  s.expect('wifi0', '239.1.1.1');
  for (const seq of [0, 1, 3, 2, 2, 6]) s.add(pkt(probe(seq)));
  const rows = s.snapshot();
  const w = rows.find((r) => r.iface === 'wired0')!;
  assert.equal(w.packets, 6);
  assert.equal(w.duplicates, 1);
  assert.equal(w.reordered, 1);
  assert.equal(w.lost, 2, '4 and 5 missing');
  assert.equal(w.lastTtl, 4);
  assert.equal(w.lastSource, '198.18.1.1');
  assert.ok(w.firstPacketMs !== null && w.firstPacketMs >= 50);
  assert.ok(w.delayMs && w.delayMs.min >= 0 && w.delayMs.max < 1000);
  assert.equal(rows.find((r) => r.iface === 'wifi0')?.packets, 0, 'expected pairs show as zero');
});

test('probes from another host: no delay unless --assume-synced; foreign traffic counted, never decoded', () => {
  const s = new ReceiveStats({ joinedAtMs: Date.now(), localHost: 'host', assumeSynced: false });
  s.add(pkt(probe(0, 'other-9999')));
  s.add(pkt(Buffer.from('not a probe'), 'wired0', '239.1.1.1'));
  s.add(pkt(Buffer.from('unicast to this host'), 'wifi0', '198.18.2.2'));
  const rows = s.snapshot();
  const w = rows.find((r) => r.iface === 'wired0' && r.group === '239.1.1.1')!;
  assert.equal(w.delayMs, null);
  assert.equal(w.foreign, 1);
  assert.equal(w.packets, 2);
  assert.equal(w.lastRxTtl, 3);
  assert.equal(rows.find((r) => r.iface === 'wifi0'), undefined, 'unicast is never a group row');
  assert.equal(s.ifaces().find((x) => x.iface === 'wifi0')?.unicast, 1);
  const synced = new ReceiveStats({ joinedAtMs: Date.now(), localHost: 'host', assumeSynced: true });
  synced.add(pkt(probe(0, 'other-9999')));
  assert.notEqual(synced.snapshot()[0]?.delayMs, null);
});

test('rate since the last snapshot and average rate over the run', () => {
  const t0 = Date.now();
  const s = new ReceiveStats({ joinedAtMs: t0, localHost: 'host', assumeSynced: false });
  for (let i = 0; i < 11; i++) s.add(pkt(probe(i), 'wired0', '239.1.1.1', t0 + i * 100));
  const [r] = s.snapshot(t0 + 2000);
  assert.equal(r?.rate, 5.5);
  assert.equal(r?.avgRate, 10);
  assert.equal(s.snapshot(t0 + 3000)[0]?.rate, 0);
  assert.equal(s.total, 11);
});

test('the group is the destination: a probe claiming another group counts as forged, never under the claimed group', () => {
  const s = new ReceiveStats({ joinedAtMs: Date.now(), localHost: 'host', assumeSynced: false });
  s.expect('wired0', '239.1.1.2');
  for (let i = 0; i < 5; i++) s.add(pkt(probe(i, 'host-1234', '239.1.1.2'), 'wired0', '239.1.1.1'));
  const rows = s.snapshot();
  const to1 = rows.find((r) => r.group === '239.1.1.1')!;
  assert.equal(to1.packets, 5);
  assert.equal(to1.forged, 5);
  assert.equal(to1.streams.length, 0, 'a forged probe feeds no stream');
  assert.equal(rows.find((r) => r.group === '239.1.1.2')?.packets, 0);
  assert.equal(s.packetsOf('wired0', '239.1.1.2'), 0);
});

test('other programs\' groups are counted per interface with a few names, never as rows', () => {
  const s = new ReceiveStats({ joinedAtMs: Date.now(), localHost: 'host', assumeSynced: false });
  const other = (dst: string): Packet => ({ ...pkt(Buffer.from('x'), 'wired0', dst), kind: 'other-group', group: undefined });
  for (let i = 0; i < 20; i++) s.add(other(`239.9.9.${i}`));
  assert.equal(s.snapshot().length, 0);
  const x = s.ifaces()[0]!;
  assert.equal(x.otherGroups, 20);
  assert.equal(x.otherGroupNames.length, 8);
  assert.equal(s.total, 0);
});

test('a flood of sender ids is bounded: streams capped per row, the rest counted and estimated', () => {
  const s = new ReceiveStats({ joinedAtMs: Date.now(), localHost: 'host', assumeSynced: false });
  const n = MAX_STREAMS_PER_ROW + 3000;
  for (let i = 0; i < n; i++) s.add(
    pkt(probe(0, `flood-${i.toString(16).padStart(8, '0')}`), 'wired0', '239.1.1.1', Date.now(), `198.18.${(i >> 8) & 255}.${i & 255}`));
  const [r] = s.snapshot();
  assert.equal(r?.streams.length, MAX_STREAMS_PER_ROW);
  assert.equal(r?.streamsOmitted.packets, 3000);
  assert.ok(Math.abs((r?.streamsOmitted.senders ?? 0) - 3000) < 150, `estimate ${r?.streamsOmitted.senders}`);
  const x = s.ifaces()[0]!;
  assert.ok(Math.abs(x.senders - n) < n * 0.05, `senders ${x.senders}`);
  assert.ok(Math.abs(x.sources - n) < n * 0.05, `sources ${x.sources}`);
});

test('jitter is RFC 3550 interarrival jitter of the probes (clock offset cancels); loss as iperf2 shows it', async () => {
  const { loss } = await import('../../src/render/join-all.js');
  // The arrival clock is the test's: a pause of the machine between sending and counting (a loaded
  // CI) must not read as jitter. Probes arrive every 10 ms.
  let arrivedUs = 1_700_000_000_000_000;
  const s = new ReceiveStats({ joinedAtMs: 0, localHost: 'host', assumeSynced: false, nowUs: () => arrivedUs });
  const sent = (seq: number, sentUs: number, senderId: string): Buffer => {
    const b = makeProbeBuffer({ senderId, ifname: 'eth0', ifindex: 2, group: '239.1.1.1', ttl: 4 }, 64);
    stampProbe(b, seq, sentUs);
    return b;
  };
  for (let seq = 0; seq < 10; seq++) {
    arrivedUs += 10_000;
    // Another host's clock, 1 s off, with transit times alternating 0 and 1000 µs: |D| = 1000 each.
    s.add(pkt(sent(seq, arrivedUs - 1e6 - (seq % 2 ? 1000 : 0), 'other-1')));
    // Our own clock, a steady 300 µs transit: no jitter at all.
    s.add(pkt(sent(seq, arrivedUs - 300, 'host-1'), 'wifi0'));
  }
  s.add(pkt(Buffer.from('not a probe'), 'lan0'));
  const rows = s.snapshot();
  const wired = rows.find((r) => r.iface === 'wired0')!;
  const wifi = rows.find((r) => r.iface === 'wifi0')!;
  // J_9 = 1000 µs x (1 - (15/16)^9) = 0.44 ms.
  assert.ok(Math.abs(wired.jitterMs! - (1 - (15 / 16) ** 9)) < 1e-9, `jitter ${wired.jitterMs}`);
  assert.equal(wired.delayMs, null, 'another host\'s clock: no delay');
  assert.equal(wifi.jitterMs, 0);
  assert.ok(wifi.delayMs && Math.abs(wifi.delayMs.min - 0.3) < 1e-9 && Math.abs(wifi.delayMs.max - 0.3) < 1e-9);
  assert.equal(rows.find((r) => r.iface === 'lan0')!.jitterMs, null, 'no probes: no jitter');
  assert.equal(wired.expected, 10);
  assert.equal(loss(0, 89), '0/89 (0%)');
  assert.equal(loss(3, 89), '3/89 (3.4%)');
  assert.equal(loss(45, 89), '45/89 (51%)');
});

test('senders are told apart by their whole key: the lengths keep ("ab","c") from ("a","bc"), a shared hash is chained', () => {
  const s = new ReceiveStats({ joinedAtMs: 0, localHost: 'host', assumeSynced: false, nowUs: () => 1e15 });
  const header = (senderId: string, ifname: string): Buffer => {
    const b = makeProbeBuffer({ senderId, ifname, ifindex: 2, group: '239.1.1.1', ttl: 4 }, 64);
    stampProbe(b, 0, 1e15);
    return b;
  };
  for (const [id, name] of [['ab', 'c'], ['a', 'bc'], ['ab', 'c']] as const) s.add(pkt(header(id, name)));
  const [r] = s.snapshot();
  assert.deepEqual(r?.streams.map((x) => `${x.senderId}/${x.senderIface} ${x.received}`), ['ab/c 2', 'a/bc 1']);
  // Two keys given one hash (as a forger who found a collision would): each finds its own stream.
  const streams = new ProbeStreams();
  const ctx = { group: '239.1.1.1', atMs: 0, localHost: 'host', assumeSynced: false };
  const [a, b, c] = [header('host-1', 'eth0'), header('host-2', 'eth0'), header('host-3', 'eth0')];
  const len = (d: Buffer): number => d.readUInt16BE(6);
  const sa = streams.create(a, len(a), 7, ctx);
  const sb = streams.create(b, len(b), 7, ctx);
  assert.ok(sa && sb && sa !== sb);
  assert.equal(streams.find(a, len(a), 7), sa);
  assert.equal(streams.find(b, len(b), 7), sb);
  assert.equal(streams.find(c, len(c), 7), undefined);
  assert.equal(streams.find(a, len(a), keyHash(a, len(a))), undefined, 'found under the hash it was filed with only');
});
