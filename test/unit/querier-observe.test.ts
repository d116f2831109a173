import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControlObserver } from '../../src/core/observation/observer.js';
import { electQuerier } from '../../src/core/observation/rules.js';
import { toHeard, type HeardPacket } from '../../src/core/observation/heard.js';
import { controlFilter } from '../../src/core/querier-check/capture.js';
import { decodeFrame } from '../../src/core/wire/index.js';
import { ROUTER_ALERT_V4, ether, icmp6, igmpSimple, igmpV3Query, igmpV3Report, ipv4, ipv6, mldV2Query } from '../helpers/packets.js';

const HOST_MAC = '02:00:00:00:00:03';

function query(src: string, t: number, over: Partial<NonNullable<HeardPacket['query']>> = {}, family: 4 | 6 = 4): HeardPacket {
  return {
    timeMs: t, family, src, dst: family === 4 ? '224.0.0.1' : 'ff02::1', ttl: 1, routerAlert: true, routerAlertValue: 0, checksumOk: true,
    query: { version: 3, group: family === 4 ? '0.0.0.0' : '::', general: true, maxRespMs: 1000, qrv: 2, qqic: 125, qqiSec: 125,
      sources: [], ...over },
  };
}

function report(t: number, srcMac = HOST_MAC, src = '198.18.2.2'): HeardPacket {
  return { timeMs: t, family: 4, src, dst: '224.0.0.22', srcMac, ttl: 1, routerAlert: true, routerAlertValue: 0, checksumOk: true,
    report: { version: 3, groups: ['239.1.2.3'], leave: false, answerLike: true } };
}

test('election: lowest address; 0.0.0.0 only alone; MLD lowest link-local only', () => {
  assert.equal(electQuerier(4, ['198.18.2.9', '198.18.2.10', '198.18.2.1']), '198.18.2.1');
  assert.equal(electQuerier(4, ['0.0.0.0', '198.18.2.9']), '198.18.2.9');
  assert.equal(electQuerier(4, ['0.0.0.0']), '0.0.0.0');
  assert.equal(electQuerier(6, ['fe80::2', 'fd00::1', 'fe80::1:0']), 'fe80::2');
  assert.equal(electQuerier(6, ['fd00::1']), undefined);
});

test('observer: counts, observed interval, last parameters, group-specific queries, host answered', () => {
  const o = new ControlObserver({ addresses: ['198.18.2.2'], mac: HOST_MAC });
  o.add(query('198.18.2.1', 0));
  o.add(report(400));
  o.add(query('198.18.2.1', 2000, { maxRespMs: 500 }));
  o.add(query('198.18.2.1', 4000));
  o.add(query('198.18.2.1', 4100, { general: false, group: '239.1.2.3' }));
  o.add(query('198.18.2.9', 4200, { version: 2, qrv: undefined, qqic: undefined, qqiSec: undefined }));
  o.add(report(4300, '02:00:00:00:00:99', '198.18.2.7'));
  const r = o.result(4, 10_000);
  assert.equal(r.elected, '198.18.2.1');
  const q = r.queriers[0]!;
  assert.equal(q.address, '198.18.2.1');
  assert.equal(q.generalQueries, 3);
  assert.equal(q.groupSpecificQueries, 1);
  assert.deepEqual(q.groups, ['239.1.2.3']);
  assert.equal(q.observedIntervalS, 2);
  assert.equal(q.qrv, 2);
  assert.equal(q.qqiSec, 125);
  assert.deepEqual(r.queriers[1]?.versions, [2]);
  assert.equal(r.host.count, 1, 'only the host\'s own reports count');
  assert.equal(r.host.queriesDue, 4);
  assert.equal(r.host.queriesAnswered, 1);
});

test('observer: the join\'s unsolicited v3 report just after a query is no answer', () => {
  const o = new ControlObserver({ addresses: ['198.18.2.2'], mac: HOST_MAC });
  o.add(query('198.18.2.1', 0));
  o.add({ ...report(300), report: { version: 3, groups: ['239.1.2.3'], leave: false, answerLike: false } });
  assert.equal(o.result(4, 10_000).host.queriesAnswered, 0);
  assert.equal(o.result(4, 10_000).host.count, 1);
  o.add(report(600));
  assert.equal(o.result(4, 10_000).host.queriesAnswered, 1);
});

test('observer: malformed frames counted per reason (numbers folded), commonest first, at most five', () => {
  const o = new ControlObserver({ addresses: [] });
  for (let i = 0; i < 3; i++) o.add({ ...query('198.18.2.1', i) });
  for (const n of [4, 5, 6]) o.addMalformed(`IGMP: message cut short (${n} bytes)`);
  o.addMalformed('IPv4: option 148 runs past the header');
  for (let i = 0; i < 10; i++) o.addMalformed(`reason ${String.fromCharCode(97 + i)}`);
  const m = o.malformed();
  assert.equal(m.count, 14);
  assert.equal(m.reasons.length, 5);
  assert.deepEqual(m.reasons[0], { reason: 'IGMP: message cut short (N bytes)', count: 3 });
  assert.equal(o.result(4, 1000).queriers[0]?.generalQueries, 3, 'the good queries still count');
});

test('observer: bad checksums are counted, not believed', () => {
  const o = new ControlObserver({ addresses: [] });
  o.add({ ...query('198.18.2.1', 0), checksumOk: false });
  const r = o.result(4, 1000);
  assert.deepEqual(r.queriers[0]?.versions, []);
  assert.equal(r.queriers[0]?.badChecksums, 1);
  assert.equal(r.elected, undefined);
});

test('frames decode to heard packets: IGMPv2 and v3 queries, v3 report, MLDv2 query behind Hop-by-Hop', () => {
  const v2 =
    ether(0x0800, ipv4({ src: '198.19.7.1', dst: '224.0.0.1', proto: 2, options: ROUTER_ALERT_V4 }, igmpSimple(0x11, 100, '0.0.0.0')));
  const h2 = toHeard(decodeFrame(v2, 1), 5)!;
  assert.equal(h2.src, '198.19.7.1');
  assert.equal(h2.routerAlert, true);
  assert.deepEqual([h2.query?.version, h2.query?.general, h2.query?.maxRespMs], [2, true, 10_000]);
  const v3 = ether(0x0800, ipv4({ src: '198.18.2.1', dst: '239.1.2.3', proto: 2, options: ROUTER_ALERT_V4 },
    igmpV3Query({ code: 10, group: '239.1.2.3', qrv: 2, qqic: 125 })));
  const h3 = toHeard(decodeFrame(v3, 1), 5)!;
  assert.deepEqual([h3.query?.version, h3.query?.general, h3.query?.group, h3.query?.qrv, h3.query?.qqic], [3, false, '239.1.2.3', 2, 125]);
  const rep = ether(0x0800, ipv4({ src: '198.18.2.2', dst: '224.0.0.22', proto: 2, options: ROUTER_ALERT_V4 },
    igmpV3Report([{ type: 4, group: '239.1.2.3' }])), { src: HOST_MAC });
  const hr = toHeard(decodeFrame(rep, 1), 5)!;
  assert.deepEqual(hr.report, { version: 3, groups: ['239.1.2.3'], leave: false, answerLike: false });
  const cur = ether(0x0800, ipv4({ src: '198.18.2.2', dst: '224.0.0.22', proto: 2, options: ROUTER_ALERT_V4 },
    igmpV3Report([{ type: 2, group: '239.1.2.3' }])), { src: HOST_MAC });
  assert.equal(toHeard(decodeFrame(cur, 1), 5)!.report?.answerLike, true);
  assert.equal(hr.srcMac, HOST_MAC);
  const mld = ether(0x86dd, ipv6({ src: 'fe80::1', dst: 'ff02::1', next: 58, hbhRouterAlert: true },
    icmp6('fe80::1', 'ff02::1', mldV2Query({ code: 1000, group: '::', qrv: 2, qqic: 125 }))), { dst: '33:33:00:00:00:01' });
  const hm = toHeard(decodeFrame(mld, 1), 5)!;
  assert.deepEqual([hm.family, hm.src, hm.query?.version, hm.query?.maxRespMs, hm.checksumOk], [6, 'fe80::1', 2, 1000, true]);
  const udp = ether(0x0800, ipv4({ src: '198.18.2.1', dst: '239.1.2.3', proto: 17 }, Buffer.alloc(8)));
  assert.equal(toHeard(decodeFrame(udp, 1), 5), undefined);
});

test('the capture filter reaches MLD past a Hop-by-Hop header and narrows by family', () => {
  assert.equal(controlFilter(4), 'igmp');
  assert.match(controlFilter(6), /ip6\[48 \+ ip6\[41\] \* 8\]/);
  assert.ok(!controlFilter(6).includes('igmp'));
  assert.ok(controlFilter().startsWith('igmp or (ip6'));
});
