// The shared IGMP/MLD observation (src/core/observation/): bounds under a flood of spoofed
// queriers, the election among router addresses only, MLD queries the kernel ignores, older
// querier versions, and the capture set's life cycle.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlObserver, MAX_QUERIERS } from '../../src/core/observation/observer.js';
import { electQuerier, mldQueryIgnored, olderVersionTimeoutS, routerAddress4 } from '../../src/core/observation/rules.js';
import type { HeardPacket } from '../../src/core/observation/heard.js';
import { CaptureSet } from '../../src/core/observation/capture-set.js';
import { decodeControl } from '../../src/core/observation/control-capture.js';
import { FakeCapture } from '../helpers/fake-capture.js';
import { ROUTER_ALERT_V4, ether, igmpV3Query, ipv4 } from '../helpers/packets.js';

const q4 = (src: string, t: number, version: 1 | 2 | 3 = 3): HeardPacket => ({
  timeMs: t, family: 4, src, dst: '224.0.0.1', ttl: 1, routerAlert: true, routerAlertValue: 0, checksumOk: true,
  query: { version, group: '0.0.0.0', general: true, maxRespMs: 1000, sources: [] },
});
const q6 = (src: string, t: number, over: Partial<HeardPacket> = {}): HeardPacket => ({
  timeMs: t, family: 6, src, dst: 'ff02::1', ttl: 1, routerAlert: true, routerAlertValue: 0, checksumOk: true,
  query: { version: 2, group: '::', general: true, maxRespMs: 1000, sources: [] }, ...over,
});

test('a flood of spoofed queriers: the table stays bounded, the rest is counted, a real querier heard again is kept', () => {
  const o = new ControlObserver({ addresses: ['198.18.2.2'] });
  o.add(q4('198.18.2.1', 0));
  o.add(q4('198.18.2.1', 100)); // twice: not a one-off source
  for (let i = 0; i < 10_000; i++) o.add(q4(`10.${(i >> 8) & 255}.${i & 255}.7`, 200 + i / 10));
  const r = o.result(4, 2000);
  assert.equal(r.queriers.length, MAX_QUERIERS);
  assert.ok(r.queriers.some((q) => q.address === '198.18.2.1'), 'the querier heard twice before the flood is kept');
  assert.deepEqual(r.queriersMore, { sources: 10_001 - MAX_QUERIERS, queries: 10_000 - (MAX_QUERIERS - 1), atLeast: false });
  const lowest = [...r.queriers].sort((a, b) => a.address.localeCompare(b.address, 'en', { numeric: true }))[0]?.address;
  assert.equal(r.elected, lowest, 'the election is the RFC\'s (lowest address) among those kept; the flood itself is a finding');
});

test('the flood costs O(1) per packet: 200k queries and as many own reports in seconds (quadratic: hours)', () => {
  const o = new ControlObserver({ addresses: ['198.18.2.2'] });
  const t0 = performance.now();
  for (let i = 0; i < 200_000; i++) {
    o.add(q4(`10.0.${(i >> 8) & 255}.${i & 255}`, i));
    o.add({ ...q4('198.18.2.2', i + 0.5), query: undefined,
      report: { version: 3, groups: [`239.0.${(i >> 8) & 255}.${i & 255}`], leave: false, answerLike: true } });
  }
  const r = o.result(4, 300_000);
  const ms = performance.now() - t0;
  // A bound a quadratic observer cannot meet (it needed 29 s for far fewer packets: hours here),
  // not a speed target (those are benches): 60 s, because 15 s failed once with six test files
  // in parallel on two shared cores. What makes it O(1) is asserted below: the kept state is bounded.
  assert.ok(ms < 60_000, `took ${ms} ms`);
  assert.equal(r.host.count, 200_000);
  assert.equal(r.host.groups.length, 256);
  assert.equal(r.host.groupsMore, 65_536 - 256);
  assert.equal(r.host.queriesAnswered, 200_000);
});

test('election: a spoofed 0.0.0.1 (this-network), loopback, multicast or class E source never wins', () => {
  for (const a of ['0.0.0.1', '0.255.0.1', '127.0.0.1', '224.0.0.1', '240.0.0.1', '255.255.255.255']) {
    assert.equal(routerAddress4(a), false, a);
  }
  assert.equal(electQuerier(4, ['0.0.0.1', '198.18.2.1']), '198.18.2.1');
  assert.equal(electQuerier(4, ['0.0.0.1']), undefined);
  assert.equal(electQuerier(4, ['0.0.0.1', '0.0.0.0']), '0.0.0.0');
  const o = new ControlObserver();
  o.add(q4('0.0.0.1', 0));
  o.add(q4('198.18.2.9', 10));
  assert.equal(o.result(4, 100).elected, '198.18.2.9');
});

test('MLD: queries the kernel ignores (hop limit, Router Alert, source) are named and never elected', () => {
  assert.deepEqual(mldQueryIgnored(q6('fe80::1', 0)), []);
  assert.deepEqual(mldQueryIgnored(q6('fe80::1', 0, { ttl: 64 })), ['hop limit 64, not 1']);
  assert.deepEqual(mldQueryIgnored(q6('fe80::1', 0, { routerAlert: false, routerAlertValue: -1 })), ['no Router Alert option']);
  assert.deepEqual(mldQueryIgnored(q6('fe80::1', 0, { routerAlertValue: 1 })), ['Router Alert value 1, not 0 (MLD)']);
  assert.deepEqual(mldQueryIgnored(q6('2001:db8::1', 0)), ['source not link-local']);
  const o = new ControlObserver({ addresses: ['fe80::2'] });
  o.add(q6('fe80::1', 0, { ttl: 255 }));
  o.add(q6('fe80::1', 100, { routerAlert: false, routerAlertValue: -1 }));
  const r = o.result(6, 10_000);
  assert.equal(r.elected, undefined);
  assert.deepEqual(r.queriers[0]?.ignored, { queries: 2, reasons: ['hop limit 255, not 1', 'no Router Alert option'] });
  assert.equal(r.host.queriesDue, 0, 'an ignored query is not due an answer');
  o.add(q6('fe80::9', 200));
  assert.equal(o.result(6, 10_000).elected, 'fe80::9');
});

test('older querier versions: the last accepted v1/v2 general query, and the kernel\'s revert time', () => {
  const o = new ControlObserver();
  o.add(q4('198.18.2.1', 1000, 2));
  o.add(q4('198.18.2.1', 5000, 2));
  o.add(q4('198.18.2.5', 6000, 3));
  assert.deepEqual(o.result(4, 7000).olderVersionLastMs, { 2: 5000 });
  assert.equal(olderVersionTimeoutS(), 260);
  assert.equal(olderVersionTimeoutS({ qrv: 2, qqiSec: 10, maxRespMs: 1000 }), 21);
});

test('capture set: open per interface (a failure is that interface\'s), reopen after a flap, ' +
  'drain on stop, packet timestamps', async () => {
  const fake = new FakeCapture();
  fake.failOn = { iface: 'eth9', error: new Error('eth9: no such device') };
  const heard: [string, number][] = [];
  const set = new CaptureSet(fake, { filter: (i) => `igmp and ${i}`, timeoutMs: 0 },
    decodeControl({ heard: (iface, p) => heard.push([iface, p.timeMs]) }));
  assert.equal(set.open('wifi0'), true);
  assert.equal(set.open('eth9'), false);
  assert.equal(set.failures.get('eth9'), 'eth9: no such device');
  assert.deepEqual(fake.opened.map((o) => o.filter), ['igmp and wifi0']);
  const frame = ether(0x0800, ipv4({ src: '198.18.2.1', dst: '224.0.0.1', proto: 2, options: ROUTER_ALERT_V4 },
    igmpV3Query({ code: 10, group: '0.0.0.0', qrv: 2, qqic: 2 })));
  fake.deliver('wifi0', frame, 1_500_000);
  assert.equal(set.reopen('wifi0'), true);
  assert.deepEqual(fake.closed, ['wifi0']);
  fake.enqueue('wifi0', frame, 2_250_000);
  await set.stop();
  assert.deepEqual(heard, [['wifi0', 1500], ['wifi0', 2250]], 'the queued frame was drained before the close');
  assert.deepEqual(fake.closed, ['wifi0', 'wifi0']);
});

test('CaptureSet raw delivery, counters across a flap, discard: what sniff takes from it', () => {
  const fake = new FakeCapture();
  const got: [string, number, number][] = [];
  const set = new CaptureSet(fake, { filter: '' },
    { raw: (iface) => (_buf, caplen, _wire, sec, usec) => got.push([iface, caplen, sec * 1e6 + usec]) });
  set.openAll(['wired0', 'wifi0']);
  assert.deepEqual(set.opened('wired0'), { linkType: 1, snaplen: 262144 });
  const frame = Buffer.alloc(60);
  fake.deliver('wired0', frame, 3_000_007);
  fake.deliver('wired0', frame, 3_000_008);
  fake.enqueue('wired0', frame, 3_000_009);
  set.close('wired0');
  assert.deepEqual(got.map((g) => g[2]), [3_000_007, 3_000_008, 3_000_009],
    'libpcap\'s stamps as they came; the queue drained on the down');
  assert.equal(set.has('wired0'), false);
  assert.equal(set.stats('wired0').received, 3, 'the closed capture\'s counters are kept');
  assert.equal(set.reopen('wired0'), true);
  fake.deliver('wired0', frame, 4_000_000);
  assert.equal(set.stats('wired0').received, 4, 'the run\'s whole count: closed plus open');
  fake.enqueue('wifi0', frame, 5_000_000);
  set.discard('wifi0');
  assert.equal(got.filter((g) => g[0] === 'wifi0').length, 0, 'a discarded capture is not read');
  assert.deepEqual(set.stats('wifi0'), { received: 0, dropped: 0, ifDropped: 0 }, 'nor counted');
  set.closeNow();
  assert.equal(set.stats('wired0').received, 4);
  assert.equal(set.failure, undefined);
});
