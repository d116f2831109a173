import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listenForQueriers, type OpenControlCapture } from '../../src/core/querier-check/listen.js';
import type { HeardPacket } from '../../src/core/observation/heard.js';
import { FakePlatform, laptopState } from '../helpers/fake-platform.js';

/** A capture that replays recorded packets per interface as soon as it opens. */
function replay(byIface: Record<string, HeardPacket[]>, opened: string[]): OpenControlCapture {
  return async (iface, filter, onPacket) => {
    opened.push(`${iface} ${filter}`);
    for (const p of byIface[iface] ?? []) onPacket(p);
    return { close: () => undefined };
  };
}

const v3 = (src: string, t: number): HeardPacket => ({
  timeMs: Date.now() + t, family: 4, src, dst: '224.0.0.1', ttl: 1, routerAlert: true, routerAlertValue: 0, checksumOk: true,
  query: { version: 3, group: '0.0.0.0', general: true, maxRespMs: 1000, qrv: 2, qqic: 125, qqiSec: 125, sources: [] },
});

test('listen: every eligible interface captured, the kernel asked about each querier, counters and --expect', async () => {
  let counter = 5;
  const p = new FakePlatform(laptopState({
    sysctls: { 'net.ipv4.conf.all.rp_filter': '1' },
    routes: {
      '224.0.0.1 198.19.7.1 wifi0': { ok: false, error: 'RTNETLINK answers: Invalid argument' },
      '198.19.7.1  ': { ok: true, dev: 'wired0', raw: {} },
      '224.0.0.1 198.18.1.1 wired0': { ok: true, type: 'multicast', raw: {} },
      '198.18.1.1  ': { ok: true, dev: 'wired0', raw: {} },
    },
  }));
  p.netstat = async () => ({ TcpExt: { IPReversePathFilter: (counter += 2) - 2 } });
  const opened: string[] = [];
  const progress: number[] = [];
  // Not under assertSilent: the test runner itself writes to stdout while timers run.
  const r = await listenForQueriers(p, {
    family: 4, timeoutMs: 120, expect: '198.18.1.1', progressEveryMs: 30,
    openCapture: replay({ wifi0: [v3('198.19.7.1', 0), v3('198.19.7.1', 1000)], wired0: [v3('198.18.1.1', 0)] }, opened),
    onProgress: (x) => progress.push(x.remainingMs),
  });
  assert.deepEqual(opened, ['wired0 igmp', 'wifi0 igmp'], 'loopback is not eligible');
  assert.ok(progress.length >= 2 && progress.every((x) => x <= 120));
  assert.deepEqual(r.counters.ipReversePathFilter, { before: 5, after: 7, delta: 2 });
  const wifi = r.interfaces.find((i) => i.name === 'wifi0')!;
  assert.equal(wifi.igmp?.queriers[0]?.rpf?.accepted, false);
  assert.equal(wifi.igmp?.queriers[0]?.rpf?.routeBackDev, 'wired0');
  assert.equal(wifi.igmp?.queriers[0]?.observedIntervalS, 1);
  assert.equal(wifi.mld, undefined, '-4 listens to IGMP only');
  assert.deepEqual(r.expect, { address: '198.18.1.1', met: false, electedOn: [{ iface: 'wired0', elected: '198.18.1.1' }, { iface: 'wifi0', elected: '198.19.7.1' }] });
  assert.deepEqual(r.findings.map((f) => `${f.id} ${f.iface}`).sort(), ['QUERIER_NOT_EXPECTED wifi0', 'QUERIER_OFF_SUBNET wifi0', 'QUERIER_RPF_DROP wifi0']);
});

test('listen with nothing eligible is a finding, not a crash', async () => {
  const r = await listenForQueriers(new FakePlatform(laptopState()), { selection: { include: ['lo'], exclude: [] }, timeoutMs: 10, openCapture: replay({}, []) });
  assert.deepEqual(r.findings.map((f) => f.id), ['NO_ELIGIBLE_INTERFACE']);
});
