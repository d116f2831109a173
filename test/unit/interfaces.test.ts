import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInterfaces } from '../../src/core/kernel/interfaces.js';
import { isEligible } from '../../src/core/kernel/eligibility.js';
import { FakePlatform, laptopState, rawIface } from '../helpers/fake-platform.js';
import { assertSilent } from '../helpers/silent.js';

test('a healthy laptop: both uplinks eligible, default route on wired0, no finding', async () => {
  const inv = await assertSilent(() => loadInterfaces(new FakePlatform(laptopState())));
  const wired = inv.interfaces.find((i) => i.name === 'wired0');
  assert.ok(wired && isEligible(wired, 4) && isEligible(wired, 6));
  assert.deepEqual(wired.defaultRoute, { ipv4: true, ipv6: false });
  assert.equal(inv.interfaces.find((i) => i.name === 'wifi0')?.defaultRoute.ipv4, false);
  assert.deepEqual(inv.findings, []);
});

test('effective rp_filter is max(all, iface)', async () => {
  const p = new FakePlatform(laptopState(
    { sysctls: { 'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.wifi0.rp_filter': '0', 'net.ipv4.conf.wired0.rp_filter': '2' } }));
  const inv = await loadInterfaces(p);
  assert.equal(inv.interfaces.find((i) => i.name === 'wifi0')?.rpFilter.mode, 'strict');
  assert.equal(inv.interfaces.find((i) => i.name === 'wired0')?.rpFilter.mode, 'loose');
});

test('down, no MULTICAST flag and no address each give their finding', async () => {
  const state = laptopState();
  state.interfaces.push(
    rawIface('eth9', 4, ['198.18.9.2/24'], { flags: 0x2 | 0x1000, operstate: 'down' }),
    rawIface('eth8', 5, ['198.18.8.2/24'], { flags: 0x1 | 0x2 }),
    rawIface('eth7', 6, ['fe80::1/64']),
  );
  const inv = await loadInterfaces(new FakePlatform(state));
  const ids = inv.findings.map((f) => `${f.id}:${f.iface}`).sort();
  assert.deepEqual(ids, ['IFACE_DOWN:eth9', 'IFACE_NO_ADDRESS:eth7', 'IFACE_NO_MULTICAST:eth8']);
  assert.equal(inv.findings.find((f) => f.iface === 'eth9')?.severity, 'warning');
  assert.equal(inv.interfaces.find((i) => i.name === 'eth8') && isEligible(inv.interfaces.find((i) => i.name === 'eth8')!, 4), false);
});

test('joined groups come from /proc/net/igmp and igmp6 by ifindex', async () => {
  const p = new FakePlatform(laptopState({
    igmp: [{ index: 3, device: 'wifi0', count: 1, querier: 'V2',
      groups: [{ group: '239.1.1.1', users: 2, timerRunning: false, timerTicks: 0, reporter: true }] }],
    igmp6: [{ index: 3, device: 'wifi0', group: 'ff05::1:3', users: 1, flags: 4, timer: 0 }],
  }));
  const wifi = (await loadInterfaces(p)).interfaces.find((i) => i.name === 'wifi0');
  assert.equal(wifi?.igmp.querierVersion, 'V2');
  assert.deepEqual(wifi?.groups, [{ family: 4, group: '239.1.1.1', users: 2 }, { family: 6, group: 'ff05::1:3', users: 1 }]);
});
