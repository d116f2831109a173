// The stall detector and its diagnosis (src/core/stall/), shared by mesh and join-all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkStall, clusterStops, graceFor } from '../../src/core/stall/detect.js';
import { diagnoseStall, nearMembershipInterval, type StallEvidence } from '../../src/core/stall/diagnose.js';
import { QueryWatch } from '../../src/core/stall/queries.js';
import { membershipIntervalS, queryIntervalS } from '../../src/core/observation/rules.js';
import type { HeardPacket } from '../../src/core/observation/heard.js';
import { makeFinding } from '../../src/core/findings/catalog.js';

const stream = (
  firstSeq: number,
  highestSeq: number,
  firstAtMs: number,
  lastAtMs: number,
) => ({ firstSeq, highestSeq, firstAtMs, lastAtMs, unique: highestSeq - firstSeq + 1 });

test('a stream silent past the grace and four intervals has stopped; its tail counts as missed', () => {
  // 2/s from t=0 to t=5 s, run of 20 s.
  const c = checkStall(stream(0, 10, 0, 5000), { joinedAtMs: 0, endMs: 20_000, graceMs: 3000 });
  assert.equal(c.stopped, true);
  assert.equal(c.intervalMs, 500);
  assert.equal(c.stoppedAtS, 5);
  assert.equal(c.missedTail, 30);
});

test('not stopped: arriving to the end, a silence inside the grace, too few probes, or the sender\'s own end', () => {
  assert.equal(checkStall(stream(0, 39, 0, 19_500), { joinedAtMs: 0, endMs: 20_000, graceMs: 3000 }).stopped, false);
  assert.equal(checkStall(stream(0, 35, 0, 17_500), { joinedAtMs: 0, endMs: 20_000, graceMs: 3000 }).stopped, false);
  assert.equal(checkStall(stream(0, 1, 0, 500), { joinedAtMs: 0, endMs: 20_000, graceMs: 3000 }).stopped, false);
  // A burst: 20 probes in 0.1 s, then nothing (a sender run with --count).
  assert.equal(checkStall(stream(0, 19, 0, 95), { joinedAtMs: 0, endMs: 20_000, graceMs: 3000 }).stopped, false);
  // The sender started 6 s before us (we joined at its seq 12) and ran 20 s: it ends at our 14 s.
  const early = stream(12, 39, 0, 13_500);
  assert.equal(checkStall(early, { joinedAtMs: 0, endMs: 20_000, graceMs: 3000 }).stopped, true);
  assert.equal(checkStall(early, { joinedAtMs: 0, endMs: 20_000, graceMs: 3000, senderDurationMs: 20_000 }).stopped, false);
  assert.equal(graceFor(20_000), 3000);
  assert.equal(graceFor(300_000), 10_000);
});

test('stops of one interface within 2 s are one event', () => {
  const s = (at: number) => ({ item: at, check: { stopped: true, intervalMs: 500, gapMs: 1, stoppedAtS: at, missedTail: 0 } });
  assert.deepEqual(clusterStops([s(6.5), s(20), s(6.9), s(7.2)]).map((e) => e.map((x) => x.item)), [[6.5, 6.9, 7.2], [20]]);
});

const OWN = { addresses: ['198.18.20.13'] };
const pkt = (src: string, timeMs: number, over: Partial<HeardPacket>): HeardPacket => ({
  timeMs, family: 4, src, dst: '224.0.0.1', ttl: 1, routerAlert: true, routerAlertValue: 0, checksumOk: true, ...over,
});
/** A general query, max response 0.5 s; QRV and QQI as a v3 query announces them. */
const query = (src: string, t: number, qrv?: number, qqiSec?: number): HeardPacket => pkt(src, t, {
  query: { version: 3, group: '0.0.0.0', general: true, maxRespMs: 500, sources: [], ...(qrv !== undefined ? { qrv } : {}),
    ...(qqiSec !== undefined ? { qqiSec } : {}) },
});
/** A report: v3 with current-state records (an answer), v3 with state-change records only (a join), or v2. */
const report = (src: string, t: number, kind: 'current' | 'unsolicited' | 'v2' = 'current'): HeardPacket => pkt(src, t, {
  report: { version: kind === 'v2' ? 2 : 3, groups: ['239.1.2.3'], leave: false, answerLike: kind !== 'unsolicited' },
});

test('membership interval (RFC 3376 8.4): QRV x QQI + response, else the measured interval (upper median of the gaps)', () => {
  assert.equal(membershipIntervalS({ qrv: 2, qqiSec: 125, maxRespMs: 10_000 }), 260);
  assert.equal(membershipIntervalS({ maxRespMs: 1000, measuredIntervalS: queryIntervalS([500, 2000]) }), 5);
  assert.equal(membershipIntervalS({ maxRespMs: 1000 }), undefined);
  assert.equal(queryIntervalS([2000, 2000, 500, 2000, 4000]), 2, 'a startup gap and a lost query do not move it');
});

test('QueryWatch: queries heard, answered only by a report of ours within the response time', () => {
  const w = new QueryWatch();
  w.watch('eth0', true, OWN);
  w.add('eth0', report('198.18.20.13', 100));
  w.add('eth0', query('0.0.0.0', 1000, 2, 2));
  let s = w.summary('eth0');
  assert.deepEqual([s.queries, s.answered, s.reportsSent, s.membershipIntervalS], [1, false, 1, 4.5]);
  w.add('eth0', report('198.18.20.11', 1200)); // another host's report is not ours
  assert.equal(w.summary('eth0').answered, false);
  w.add('eth0', report('198.18.20.13', 1300));
  s = w.summary('eth0');
  assert.equal(s.answered, true);
  assert.deepEqual(s.queriers, ['0.0.0.0']);
});

test('QueryWatch: the join\'s unsolicited reports after a query are no answer (v3 state-change records; ' +
  'v2 outside the response time)', () => {
  const w = new QueryWatch();
  w.watch('eth0', true, OWN);
  w.add('eth0', report('198.18.20.13', 0, 'unsolicited'));
  w.add('eth0', query('0.0.0.0', 300, 2, 2));
  w.add('eth0', report('198.18.20.13', 700, 'unsolicited')); // the kernel's retransmission, not an answer
  let s = w.summary('eth0');
  assert.deepEqual([s.answered, s.reportsSent], [false, 2]);
  w.add('eth0', report('198.18.20.13', 1400));
  assert.equal(w.summary('eth0').answered, true);

  const v2 = new QueryWatch();
  v2.watch('eth0', true, OWN);
  v2.add('eth0', query('198.18.20.1', 1000)); // max response 0.5 s
  v2.add('eth0', report('198.18.20.13', 4000, 'v2')); // 3 s later: unsolicited
  assert.equal(v2.summary('eth0').answered, false);
  v2.add('eth0', query('198.18.20.1', 5000));
  v2.add('eth0', report('198.18.20.13', 5400, 'v2'));
  s = v2.summary('eth0');
  assert.deepEqual([s.answered, s.reportsSent], [true, 2]);
});

const evidence = (over: Partial<StallEvidence> = {}): StallEvidence => ({
  iface: 'eth0', group: '239.1.2.3', stoppedAtS: 261, streams: ['probes from b (eth0)'], stillArriving: 0,
  membership: { intervalS: 260, source: 'default' },
  queries: { iface: 'eth0', captured: true, queries: 3, queriers: ['198.18.99.1'], answered: false, reportsSent: 2 },
  firewall: [], rpfDropped: [], ...over,
});

test('near the membership interval, unanswered: SNOOPING_TIMEOUT with the reason found first', () => {
  const fw = makeFinding('FIREWALL_DROPS_IGMP',
    { message: 'm', fix: 'nft insert rule inet f input meta l4proto igmp accept', evidence: { rule: 'igmp drop' } });
  let f = diagnoseStall(evidence({ firewall: [fw], rpfDropped: [{ querier: '198.18.99.1', routeBackDev: 'eth1' }] }));
  assert.equal(f.id, 'SNOOPING_TIMEOUT');
  assert.equal(f.evidence.reason, 'firewall');
  assert.equal(f.fix, 'Allow IGMP through the firewall: nft insert rule inet f input meta l4proto igmp accept');
  f = diagnoseStall(evidence({ rpfDropped: [{ querier: '198.18.99.1', routeBackDev: 'eth1' }] }));
  assert.equal(f.evidence.reason, 'rp_filter');
  assert.match(f.message, /querier 198\.18\.99\.1 is dropped by rp_filter on eth0 \(the route back leaves by eth1\)/);
  assert.match(f.fix, /rp_filter=2/);
  f = diagnoseStall(evidence({ queries: { iface: 'eth0', captured: true, queries: 0, queriers: [], answered: false, reportsSent: 2 } }));
  assert.equal(f.evidence.reason, 'no-querier');
  assert.equal(diagnoseStall(evidence()).evidence.reason, 'not-answered');
  f = diagnoseStall(evidence({ queries: { iface: 'eth0', captured: false, queries: 0, queriers: [], answered: false, reportsSent: 0 } }));
  assert.equal(f.evidence.reason, 'unknown');
});

test('answered queries, or a stop away from the interval: STREAM_STOPPED, saying what else arrived', () => {
  let f = diagnoseStall(
    evidence({ queries: { iface: 'eth0', captured: true, queries: 3, queriers: ['198.18.99.1'], answered: true, reportsSent: 5 } }));
  assert.equal(f.id, 'STREAM_STOPPED');
  assert.match(f.message, /this host answered the queries/);
  f = diagnoseStall(evidence({ stoppedAtS: 40, stillArriving: 3 }));
  assert.equal(f.id, 'STREAM_STOPPED');
  assert.match(f.message, /3 other streams kept arriving on eth0, so the sender or its path stopped/);
  assert.equal(nearMembershipInterval(6.7, 6), true);
  assert.equal(nearMembershipInterval(9.7, 6), true, 'seen on the bridge of this kernel');
  assert.equal(nearMembershipInterval(2.5, 6), false, 'before the interval: not an ageing');
  assert.equal(nearMembershipInterval(13, 6), false);
  assert.equal(nearMembershipInterval(240, 260), true);
  assert.equal(nearMembershipInterval(380, 260), true);
  assert.equal(nearMembershipInterval(400, 260), false);
});
