// join-all's stall diagnosis (src/core/join-all/stalls.ts) over the real ReceiveStats: probe
// streams and non-probe traffic that stop, the events per interface, the severity rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReceiveStats } from '../../src/core/join-all/stats.js';
import { describeStream, explainJoinAllStops, explainLinkStops, findStops } from '../../src/core/join-all/stalls.js';
import { makeProbeBuffer, stampProbe } from '../../src/core/probe/format.js';
import type { Packet } from '../../src/core/membership/join.js';
import type { QuerySummary } from '../../src/core/stall/queries.js';

const T0 = 1_000_000;

function probe(seq: number, group: string, senderId = 'cam-1-ab12', ifname = 'eth0'): Buffer {
  const b = makeProbeBuffer({ senderId, ifname, ifindex: 2, group, ttl: 1 });
  stampProbe(b, seq, 0);
  return b;
}

function fill(
  stats: ReceiveStats,
  o: { iface: string; group: string; fromMs: number; toMs: number; everyMs: number; foreign?: boolean },
): void {
  let seq = 0;
  for (let t = o.fromMs; t <= o.toMs; t += o.everyMs, seq++) {
    const data = o.foreign ? Buffer.alloc(100) : probe(seq, o.group);
    const p: Packet = { iface: o.iface, ifindex: 2, family: 4, port: 5000, dst: o.group, kind: 'group', group: o.group, data,
      size: data.length, ttl: 1, from: { address: '198.18.1.1', port: 5000, size: data.length }, atMs: T0 + t };
    stats.add(p);
  }
}

const none = (iface: string): QuerySummary => ({ iface, captured: true, queries: 0, queriers: [], answered: false, reportsSent: 1 });

test('streams of one interface that stop together are one event; a stream to the end and another interface are not in it', () => {
  const s = new ReceiveStats({ joinedAtMs: T0, localHost: 'me', assumeSynced: false });
  fill(s, { iface: 'wifi0', group: '239.1.2.3', fromMs: 100, toMs: 6000, everyMs: 200 });
  fill(s, { iface: 'wifi0', group: '239.1.2.4', fromMs: 150, toMs: 6300, everyMs: 100, foreign: true });
  fill(s, { iface: 'wired0', group: '239.1.2.3', fromMs: 100, toMs: 19_900, everyMs: 200 });
  const events = findStops(s.streams(), { joinedAtMs: T0, endMs: T0 + 20_000 });
  assert.equal(events.length, 1);
  assert.deepEqual(events[0]!.map((e) => [e.item.iface, e.item.group, e.item.probe !== undefined]),
    [['wifi0', '239.1.2.3', true], ['wifi0', '239.1.2.4', false]]);
  assert.deepEqual(events[0]!.map((e) => e.check.stoppedAtS), [5.9, 6.3]);
  assert.equal(describeStream(events[0]![0]!.item), 'probes from cam-1 (eth0) to 239.1.2.3');
  assert.equal(describeStream(events[0]![1]!.item), 'traffic to 239.1.2.4 from 198.18.1.1');
});

test('at the membership interval, unanswered: SNOOPING_TIMEOUT, an error; ' +
  'elsewhere STREAM_STOPPED, a warning unless --fail-on-stop', () => {
  const s = new ReceiveStats({ joinedAtMs: T0, localHost: 'me', assumeSynced: false });
  fill(s, { iface: 'wifi0', group: '239.1.2.3', fromMs: 100, toMs: 6000, everyMs: 200 });
  const streams = s.streams();
  const events = findStops(streams, { joinedAtMs: T0, endMs: T0 + 20_000 });
  const base = { streams, queries: none, causes: new Map(), failOnStop: false };
  const [snoop] = explainJoinAllStops(events, { ...base, membership: { intervalS: 6, source: 'user' } });
  assert.equal(snoop?.id, 'SNOOPING_TIMEOUT');
  assert.equal(snoop?.severity, 'error');
  assert.equal(snoop?.group, '239.1.2.3');
  assert.equal(snoop?.evidence.reason, 'no-querier');
  assert.deepEqual(snoop?.evidence.stopped,
    [{ group: '239.1.2.3', sender: 'cam-1-ab12', senderIface: 'eth0', stoppedAtS: 5.9, gapS: 14.1 }]);
  const [plain] = explainJoinAllStops(events, { ...base, membership: { intervalS: 260, source: 'default' } });
  assert.equal(plain?.id, 'STREAM_STOPPED');
  assert.equal(plain?.severity, 'warning');
  assert.match(plain?.message ?? '', /--fail-on-stop/);
  const [strict] = explainJoinAllStops(events, { ...base, failOnStop: true, membership: { intervalS: 260, source: 'default' } });
  assert.equal(strict?.severity, 'error');
});

test('a stream that ran to the end, or ended within the grace, is no stop', () => {
  const s = new ReceiveStats({ joinedAtMs: T0, localHost: 'me', assumeSynced: false });
  fill(s, { iface: 'wifi0', group: '239.1.2.3', fromMs: 100, toMs: 9900, everyMs: 200 });
  fill(s, { iface: 'wired0', group: '239.1.2.3', fromMs: 100, toMs: 7500, everyMs: 200 });
  assert.deepEqual(findStops(s.streams(), { joinedAtMs: T0, endMs: T0 + 10_000 }), []);
});

test('a stop where the interface went down: silent while still down (IFACE_DOWN says it), ' +
  'STREAM_STOPPED "did not resume" once back', () => {
  const s = new ReceiveStats({ joinedAtMs: T0, localHost: 'me', assumeSynced: false });
  fill(s, { iface: 'wifi0', group: '239.1.2.3', fromMs: 100, toMs: 6000, everyMs: 200 });
  fill(s, { iface: 'wired0', group: '239.1.2.3', fromMs: 100, toMs: 5000, everyMs: 200 });
  const w = { joinedAtMs: T0, endMs: T0 + 20_000 };
  const events = findStops(s.streams(), w);
  assert.equal(events.length, 2);
  const still = explainLinkStops(events, w, [{ iface: 'wifi0', atMs: T0 + 6400, stillDown: true }], false);
  assert.deepEqual(still.findings, []);
  assert.deepEqual(still.rest.map((e) => e[0]!.item.iface), ['wired0'], 'wired0 did not go down: left to the diagnosis');
  const back = explainLinkStops(events, w, [{ iface: 'wifi0', atMs: T0 + 6400, stillDown: false }], false);
  assert.equal(back.findings.length, 1);
  const f = back.findings[0]!;
  assert.deepEqual([f.id, f.severity, f.iface, f.evidence.reason, f.evidence.linkDownAtS],
    ['STREAM_STOPPED', 'warning', 'wifi0', 'link-down', 6.4]);
  assert.match(f.message, /when wifi0 went down, and did not resume/);
  // A down long after the stop explains nothing.
  assert.equal(explainLinkStops(events, w, [{ iface: 'wifi0', atMs: T0 + 15_000, stillDown: true }], true).rest.length, 2);
  assert.equal(explainLinkStops(events, w, [{ iface: 'wifi0', atMs: T0 + 6400, stillDown: false }], true).findings[0]?.severity, 'error');
});
