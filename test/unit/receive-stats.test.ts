import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveStats, UNKNOWN_GROUP } from '../../src/core/receive/stats.js';
import { makeProbeBuffer, stampProbe, nowUs } from '../../src/core/probe/format.js';
import type { Packet } from '../../src/core/membership/join.js';

const probe = (seq: number, senderId = 'host-1234', group = '239.1.1.1'): Buffer => {
  const b = makeProbeBuffer({ senderId, ifname: 'eth0', ifindex: 2, group, ttl: 4 }, 64);
  stampProbe(b, seq, nowUs());
  return b;
};
const pkt = (data: Buffer, iface = 'wired0', group?: string, atMs = Date.now()): Packet => ({
  iface, ifindex: 2, family: 4, port: 5000, from: { address: '198.18.1.1', port: 4000, size: data.length }, data, atMs, ...(group ? { group } : {}),
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
  s.add(pkt(Buffer.from('not a probe either'), 'wifi0'));
  const rows = s.snapshot();
  const w = rows.find((r) => r.iface === 'wired0' && r.group === '239.1.1.1')!;
  assert.equal(w.delayMs, null);
  assert.equal(w.foreign, 1);
  assert.equal(w.packets, 2);
  assert.equal(rows.find((r) => r.iface === 'wifi0')?.group, UNKNOWN_GROUP);
  const synced = new ReceiveStats({ joinedAtMs: Date.now(), localHost: 'host', assumeSynced: true });
  synced.add(pkt(probe(0, 'other-9999')));
  assert.notEqual(synced.snapshot()[0]?.delayMs, null);
});

test('rate since the last snapshot and average rate over the run', () => {
  const t0 = Date.now();
  const s = new ReceiveStats({ joinedAtMs: t0, localHost: 'host', assumeSynced: false });
  for (let i = 0; i < 11; i++) s.add(pkt(probe(i), 'wired0', undefined, t0 + i * 100));
  const [r] = s.snapshot(t0 + 2000);
  assert.equal(r?.rate, 5.5);
  assert.equal(r?.avgRate, 10);
  assert.equal(s.snapshot(t0 + 3000)[0]?.rate, 0);
  assert.equal(s.total, 11);
});
