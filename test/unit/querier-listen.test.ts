// querier-check's listen over FakeHost: the platform, the fake libpcap (frames handed in once the
// captures are open) and the clock, as the command resolves them (src/core/deps.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listenForQueriers } from '../../src/core/querier-check/listen.js';
import { countersAcross, mldCounters } from '../../src/core/querier-check/counters.js';
import { FakeHost } from '../helpers/fake-host.js';
import { laptopState } from '../helpers/fake-platform.js';
import { ROUTER_ALERT_V4, ether, igmpV3Query, ipv4 } from '../helpers/packets.js';

const v3 = (src: string): Buffer => ether(0x0800,
  ipv4({ src, dst: '224.0.0.1', proto: 2, options: ROUTER_ALERT_V4 }, igmpV3Query({ code: 10, group: '0.0.0.0', qrv: 2, qqic: 125 })));

test('listen: every eligible interface captured, the kernel asked about each querier, counters and --expect', async () => {
  let counter = 5;
  const host = new FakeHost(laptopState({
    sysctls: { 'net.ipv4.conf.all.rp_filter': '1' },
    routes: {
      '224.0.0.1 198.19.7.1 wifi0': { ok: false, error: 'RTNETLINK answers: Invalid argument' },
      '198.19.7.1  ': { ok: true, dev: 'wired0', raw: {} },
      '224.0.0.1 198.18.1.1 wired0': { ok: true, type: 'multicast', raw: {} },
      '198.18.1.1  ': { ok: true, dev: 'wired0', raw: {} },
    },
  }));
  host.fakePlatform.netstat = async () => ({ TcpExt: { IPReversePathFilter: (counter += 2) - 2 } });
  const us = (ms: number): number => (host.nowMs + ms) * 1000;
  const progress: number[] = [];
  // The listen ends on the second progress tick (an abort), not on a timer race: under load a
  // 120 ms timeout once fired before the second 30 ms tick.
  const stop = new AbortController();
  // Not under assertSilent: the test runner itself writes to stdout while timers run.
  const r = await listenForQueriers(await resolved(host), {
    family: 4, timeoutMs: 10_000, expect: '198.18.1.1', progressEveryMs: 5, abort: stop.signal,
    onListening: () => {
      host.fakeCapture.deliver('wifi0', v3('198.19.7.1'), us(-1000));
      host.fakeCapture.deliver('wifi0', v3('198.19.7.1'), us(0));
      host.fakeCapture.deliver('wired0', v3('198.18.1.1'), us(0));
    },
    onProgress: (x) => {
      progress.push(x.remainingMs);
      host.nowMs += 30;
      if (progress.length === 2) stop.abort();
    },
  });
  assert.deepEqual(host.fakeCapture.opened.map((o) => `${o.iface} ${o.filter}`), ['wired0 igmp', 'wifi0 igmp'], 'loopback is not eligible');
  assert.deepEqual(progress, [10_000, 9_970], 'the remaining time on the listen\'s clock');
  assert.equal(r.durationS, 0.1, '60 ms on the fake clock');
  assert.deepEqual(r.counters.ipReversePathFilter, { before: 5, after: 7, delta: 2 });
  const wifi = r.interfaces.find((i) => i.name === 'wifi0')!;
  assert.equal(wifi.igmp?.queriers[0]?.rpf?.accepted, false);
  assert.equal(wifi.igmp?.queriers[0]?.rpf?.routeBackDev, 'wired0');
  assert.equal(wifi.igmp?.queriers[0]?.observedIntervalS, 1);
  assert.equal(wifi.mld, undefined, '-4 listens to IGMP only');
  assert.deepEqual(r.expect, {
    address: '198.18.1.1', met: false,
    electedOn: [{ iface: 'wired0', elected: '198.18.1.1' }, { iface: 'wifi0', elected: '198.19.7.1' }],
  });
  assert.deepEqual(r.findings.map((f) => `${f.id} ${f.iface}`).sort(),
    ['QUERIER_NOT_EXPECTED wifi0', 'QUERIER_OFF_SUBNET wifi0', 'QUERIER_RPF_DROP wifi0']);
  assert.deepEqual(host.fakeCapture.closed.sort(), ['wifi0', 'wired0'], 'every capture closed');
});

test('listen with nothing eligible is a finding, not a crash', async () => {
  const host = new FakeHost();
  const r = await listenForQueriers(await resolved(host), { selection: { include: ['lo'], exclude: [] }, timeoutMs: 10 });
  assert.deepEqual(r.findings.map((f) => f.id), ['NO_ELIGIBLE_INTERFACE']);
  assert.deepEqual(host.fakeCapture.opened, []);
});

test('listen: MLD listened without /proc/net/snmp6 is a gap in the coverage, not a silent pass', async () => {
  const host = new FakeHost();
  host.fakePlatform.snmp6 = async () => { throw new Error('ENOENT: /proc/net/snmp6'); };
  const r = await listenForQueriers(await resolved(host), { family: 6, timeoutMs: 1 });
  assert.equal(r.counters.mld, undefined);
  assert.deepEqual(r.coverage.notRun.map((n) => n.check), ['MLD query accounting']);
  const v4 = await listenForQueriers(await resolved(host), { family: 4, timeoutMs: 1 });
  assert.deepEqual(v4.coverage.notRun, [], 'IPv4 alone does not need snmp6');
});

test('counters: MLD reports out are v2 and v1 together; no snmp6 after the listen, no mld', () => {
  const before = { Icmp6InGroupMembQueries: 4, Icmp6OutMLDv2Reports: 10, Icmp6OutGroupMembResponses: 1 };
  const after = { Icmp6InGroupMembQueries: 7, Icmp6OutMLDv2Reports: 10, Icmp6OutGroupMembResponses: 1 };
  assert.deepEqual(mldCounters(before, after), { mld: {
    queriesIn: { before: 4, after: 7, delta: 3 },
    reportsOut: { before: 11, after: 11, delta: 0 },
  } });
  assert.deepEqual(mldCounters(before, {}), {});
  assert.deepEqual(countersAcross({ rpFilter: 3, snmp6: {} }, { rpFilter: 9, snmp6: {} }),
    { ipReversePathFilter: { before: 3, after: 9, delta: 6 } });
});

async function resolved(host: FakeHost) {
  return { platform: await host.platform(), capture: await host.capture(), clock: host.clock };
}
