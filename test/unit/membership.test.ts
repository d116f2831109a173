import { test } from 'node:test';
import assert from 'node:assert/strict';
import { joinAll, type Packet } from '../../src/core/membership/join.js';
import { verifyMemberships } from '../../src/core/membership/verify.js';
import { loadInterfaces } from '../../src/core/kernel/interfaces.js';
import { parseGroupArgs } from '../../src/core/group-args.js';
import { laptopState, rawIface } from '../helpers/fake-platform.js';
import type { FakeSocketOptions } from '../helpers/fake-sockets.js';
import { FakeHost } from '../helpers/fake-host.js';
import { assertSilent } from '../helpers/silent.js';
import { resolve } from '../../src/host.js';

/**
 * A FakeHost over `state` whose socket door has `sockets`' limits and failures: the slice joinAll
 * takes, resolved as a command resolves it, the fakes to look into, the interfaces loaded.
 */
async function setup(state = laptopState(), sockets: FakeSocketOptions = {}) {
  const host = new FakeHost(state, { sockets });
  const inv = await loadInterfaces(host.fakePlatform);
  const deps = { ...await resolve(host, 'platform', 'sockets'), clock: host.clock };
  return { deps, platform: host.fakePlatform, sockets: host.fakeSockets, interfaces: inv.interfaces };
}

const groups = (...g: string[]) => parseGroupArgs(g, { defaultPort: 5000 });

test('every group on every eligible interface, by ifindex: memberships on unbound sockets, '
  + 'one receiving socket per interface and port', async () => {
  const { deps, sockets, interfaces } = await setup();
  const m = await assertSilent(() => joinAll(deps, { groups: groups('239.1.1.1', '239.1.1.2'), interfaces, receive: true }));
  assert.deepEqual(m.results.map((r) => `${r.iface} ${r.group} ${r.status}`), [
    'wired0 239.1.1.1 joined', 'wifi0 239.1.1.1 joined', 'wired0 239.1.1.2 joined', 'wifi0 239.1.1.2 joined',
  ]);
  assert.deepEqual(m.findings, []);
  const open = sockets.open();
  assert.equal(open.length, 4, 'a membership socket and a receiving socket per interface');
  const holders = open.filter((s) => s.memberships.length > 0);
  const receivers = open.filter((s) => s.bound);
  assert.equal(holders.length, 2);
  for (const s of holders) {
    assert.equal(s.bound, undefined, 'membership sockets are never bound: nothing is delivered to them');
    assert.equal(s.memberships.length, 2);
  }
  assert.deepEqual(holders.map((s) => s.memberships.map((r) => r.ifindex)), [[2, 2], [3, 3]]);
  for (const s of receivers) {
    assert.deepEqual(s.bound, { address: '0.0.0.0', port: 5000 });
    assert.equal(s.memberships.length, 0);
    assert.equal(s.multicastAll, true, 'the receiving socket takes the groups held on its device; PKTINFO tells them apart');
  }
  assert.deepEqual(receivers.map((s) => s.device).sort(), ['wifi0', 'wired0']);
  m.close();
  assert.equal(sockets.open().length, 0, 'close() closes every socket');
});

test('ENOBUFS: a new socket per limit, every group joined, MAX_MEMBERSHIPS once with the sysctl', async () => {
  const { deps, interfaces } = await setup(laptopState({ sysctls: { 'net.ipv4.igmp_max_memberships': '5' } }), { maxMemberships: 5 });
  const m = await joinAll(deps, { groups: groups('239.1.1.1+12'), interfaces, receive: true });
  assert.equal(m.results.filter((r) => r.status === 'joined').length, 24);
  assert.equal(m.socketCount, 8, '3 membership sockets (5+5+2) and a receiving one on each of 2 interfaces');
  const max = m.findings.filter((f) => f.id === 'MAX_MEMBERSHIPS');
  assert.equal(max.length, 1);
  assert.equal(max[0]?.severity, 'info');
  assert.match(max[0]!.message, /allows 5 memberships per socket.*3 sockets per interface/);
  assert.equal(max[0]?.evidence.limit, 5);
  assert.ok(!m.findings.some((f) => f.id === 'JOIN_FAILED'));
  m.close();
});

test('IPv6 ENOMEM splits too; ENOBUFS on a fresh socket is a failure, not a loop', async () => {
  const two = await setup(laptopState(), { maxMemberships: 2 });
  const v6 = await joinAll(two.deps, { groups: groups('ff05::1+3'), interfaces: two.interfaces, receive: true });
  assert.equal(v6.results.filter((r) => r.status === 'joined').length, 6);
  assert.match(v6.findings.find((f) => f.id === 'MAX_MEMBERSHIPS')!.message, /ENOMEM, net\.core\.optmem_max/);
  const none = await setup(laptopState(), { maxMemberships: 0 });
  const zero = await joinAll(none.deps, { groups: groups('239.1.1.1'), interfaces: none.interfaces, receive: true });
  assert.deepEqual(zero.results.map((r) => r.status), ['failed', 'failed']);
  assert.equal(zero.findings.filter((f) => f.id === 'JOIN_FAILED').length, 2);
});

test('a refused join is a result and a JOIN_FAILED with the errno sentence; other interfaces carry on', async () => {
  const { deps, interfaces } = await setup(laptopState(), { failures: { 'join 3': 'ENODEV' } });
  const m = await joinAll(deps, { groups: groups('239.1.1.1'), interfaces, receive: true });
  assert.deepEqual(m.results.map((r) => `${r.iface} ${r.status} ${r.errno ?? ''}`), ['wired0 joined ', 'wifi0 failed ENODEV']);
  const f = m.findings.find((x) => x.id === 'JOIN_FAILED');
  assert.equal(f?.iface, 'wifi0');
  assert.match(f!.message, /wifi0 cannot take the membership of 239\.1\.1\.1 \(ENODEV\)/);
  assert.match(f!.fix, /ip addr show dev wifi0/);
});

test('a port held by another program: the bind failure says so', async () => {
  const { deps, interfaces } = await setup(laptopState(), { failures: { bind: 'EADDRINUSE' } });
  const m = await joinAll(deps, { groups: groups('239.1.1.1'), interfaces, receive: true });
  assert.match(m.findings[0]!.message, /cannot bind port 5000 on wired0 \(EADDRINUSE\)/);
});

test('down, no MULTICAST and address-less interfaces are skipped with the reason; loopback never listed', async () => {
  const state = laptopState();
  state.interfaces.push(
    rawIface('eth9', 4, ['198.18.9.2/24'], { flags: 0x2 | 0x1000, operstate: 'down' }),
    rawIface('eth8', 5, ['198.18.8.2/24'], { flags: 0x1 | 0x2 }),
    rawIface('eth7', 6, ['fe80::7/64']),
  );
  const { deps, interfaces } = await setup(state);
  const m = await joinAll(deps, { groups: groups('239.1.1.1', 'ff05::1'), interfaces, receive: false });
  const of = (g: string) => Object.fromEntries(m.results.filter((r) => r.group === g).map((r) => [r.iface, r.skipReason ?? r.status]));
  assert.deepEqual(of('239.1.1.1'), { wired0: 'joined', wifi0: 'joined', eth9: 'down', eth8: 'no-multicast', eth7: 'no-address' });
  assert.deepEqual(of('ff05::1'), { wired0: 'joined', wifi0: 'joined', eth9: 'down', eth8: 'no-multicast', eth7: 'joined' });
});

test('SSM joins carry the source; receive:false binds nothing', async () => {
  const { deps, sockets, interfaces } = await setup();
  const m = await joinAll(deps, { groups: groups('198.18.1.1,232.1.1.1'), interfaces, receive: false });
  assert.ok(m.results.every((r) => r.status === 'joined' && r.source === '198.18.1.1'));
  for (const s of sockets.open()) {
    assert.equal(s.bound, undefined);
    assert.equal(s.memberships[0]?.source, '198.18.1.1');
  }
});

test('a datagram\'s interface is the kernel\'s ifindex and its group the kernel\'s destination (PKTINFO); '
  + 'unicast and others\' groups are told apart', async () => {
  const { deps, sockets, interfaces } = await setup();
  const one = await joinAll(deps, { groups: groups('239.1.1.1'), interfaces, receive: true });
  const got: { iface: string; group?: string; kind: string; data: string }[] = [];
  // The Packet is reused by the receiver: copy what is kept.
  one.onPacket((p: Packet) => got.push({ iface: p.iface, ...(p.group ? { group: p.group } : {}), kind: p.kind, data: p.data.toString() }));
  assert.ok(sockets.deliver(3, '239.1.1.1', Buffer.from('hello')));
  assert.deepEqual(got, [{ iface: 'wifi0', group: '239.1.1.1', kind: 'group', data: 'hello' }],
    'only the arrival interface\'s socket keeps it');
  got.length = 0;
  sockets.deliver(2, '198.18.1.2', Buffer.from('to me'));
  assert.deepEqual(got, [{ iface: 'wired0', kind: 'unicast', data: 'to me' }]);
  got.length = 0;
  sockets.sockets.get(sockets.open()[0]!.fd)!.memberships.push({ family: 4, group: '239.7.7.7', ifindex: 2 });
  sockets.deliver(2, '239.7.7.7', Buffer.from('theirs'));
  assert.deepEqual(got, [{ iface: 'wired0', kind: 'other-group', data: 'theirs' }]);
  assert.deepEqual(one.ownDrops().map((d) => `${d.iface}:${d.port}=${d.drops}`), ['wired0:5000=0', 'wifi0:5000=0']);
  one.close();
});

test('verifyMemberships: MEMBERSHIP_MISSING for a joined pair /proc/net/igmp lacks', async () => {
  const state = laptopState({
    igmp: [{
      index: 2, device: 'wired0', count: 1, querier: 'V3',
      groups: [{ group: '239.1.1.1', users: 1, timerRunning: false, timerTicks: 0, reporter: true }],
    }],
    igmp6: [
      { index: 2, device: 'wired0', group: 'ff05::1', users: 1, flags: 4, timer: 0 },
      { index: 3, device: 'wifi0', group: 'ff05::1', users: 1, flags: 4, timer: 0 },
    ],
  });
  const { deps, platform, interfaces } = await setup(state);
  const m = await joinAll(deps, { groups: groups('239.1.1.1', 'ff05:0::1'), interfaces, receive: false });
  const missing = await verifyMemberships(platform, m.results);
  assert.deepEqual(missing.map((f) => `${f.id} ${f.iface} ${f.group}`), ['MEMBERSHIP_MISSING wifi0 239.1.1.1']);
  assert.equal(missing[0]?.severity, 'error');
});
