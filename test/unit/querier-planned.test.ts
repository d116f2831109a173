import { test } from 'node:test';
import assert from 'node:assert/strict';
import { assertUnicast, checkPlanned } from '../../src/core/querier-check/planned.js';
import { lowestOf, usableRange4, usableRange6 } from '../../src/core/querier-check/usable-range.js';
import { UsageError } from '../../src/core/errors.js';
import { FakePlatform, laptopState } from '../helpers/fake-platform.js';
import { assertSilent } from '../helpers/silent.js';
import type { RouteGetResult } from '../../src/platform/types.js';

const REFUSED: RouteGetResult = { ok: false, error: 'RTNETLINK answers: Invalid argument' };
const MCAST: RouteGetResult = { ok: true, type: 'multicast', dev: 'lo', raw: {} };

/** The laptop with the kernel's answers recorded in the lab for one source. */
function laptop(rp: { all?: number; wifi0?: number }, routes: Record<string, RouteGetResult>): FakePlatform {
  return new FakePlatform(laptopState({
    sysctls: { 'net.ipv4.conf.all.rp_filter': String(rp.all ?? 0), 'net.ipv4.conf.wifi0.rp_filter': String(rp.wifi0 ?? 0) },
    routes,
  }));
}

test('usable IPv4 range: prefix minus network, broadcast and the host\'s own addresses', () => {
  const r = usableRange4({ family: 4, address: '198.18.2.2', prefixLen: 24 }, ['198.18.2.2', '198.18.1.2', '198.18.2.254']);
  assert.equal(r.prefix, '198.18.2.0/24');
  assert.deepEqual(r.ranges, ['198.18.2.1', '198.18.2.3-198.18.2.253']);
  assert.deepEqual(r.excluded, ['198.18.2.2', '198.18.2.254']);
  assert.equal(r.size, '252');
  assert.equal(lowestOf(r), '198.18.2.1');
  assert.deepEqual(usableRange4({ family: 4, address: '198.18.5.0', prefixLen: 31 }, ['198.18.5.0']).ranges, ['198.18.5.1']);
  assert.deepEqual(usableRange4({ family: 4, address: '198.18.5.4', prefixLen: 30 }, ['198.18.5.5', '198.18.5.6']).ranges, []);
});

test('usable IPv6 range is link-local, with the host\'s own link-local excluded', () => {
  const r = usableRange6(['fe80::1']);
  assert.equal(r.prefix, 'fe80::/64');
  assert.deepEqual(r.excluded, ['fe80::1']);
  assert.equal(lowestOf(r), undefined, 'fe80::1 is taken');
});

test('bad addresses are usage errors (exit 2)', () => {
  for (const bad of ['nope', '239.1.1.1', 'ff02::1', '0.0.0.0', '255.255.255.255', '::', '198.18.1']) {
    assert.throws(() => assertUnicast(bad), (e: unknown) => e instanceof UsageError && e.exitCode === 2, bad);
  }
  assert.equal(assertUnicast('198.19.0.1'), 4);
  assert.equal(assertUnicast('fe80::1'), 6);
});

test('off-subnet address under strict rp_filter, route back via the other uplink: dropped, loose would accept', async () => {
  const p = laptop({ all: 1 }, {
    '224.0.0.1 198.19.0.1 wifi0': REFUSED,
    '198.19.0.1  ': { ok: true, dev: 'wired0', gateway: '198.18.1.1', raw: {} },
  });
  const r = await assertSilent(() => checkPlanned({ platform: p }, '198.19.0.1', 'wifi0'));
  assert.equal(r.verdict, 'dropped');
  assert.equal(r.onSubnet, false);
  assert.deepEqual(r.modes, { off: true, strict: false, loose: true });
  assert.equal(r.rpFilter?.mode, 'strict');
  assert.match(r.reason, /route back to it leaves by wired0/);
  assert.match(r.reason, /Loose mode \(2\) would accept it/);
  assert.deepEqual(r.findings.map((f) => f.id), ['QUERIER_RPF_DROP', 'QUERIER_OFF_SUBNET']);
  assert.equal(r.suggestion, '198.18.2.1');
  assert.deepEqual(r.usable[0]?.excluded, ['198.18.2.2']);
});

test('on-subnet address: accepted in every mode, no finding', async () => {
  const p = laptop({ all: 1 }, { '224.0.0.1 198.18.2.1 wifi0': MCAST, '198.18.2.1  ': { ok: true, dev: 'wifi0', raw: {} } });
  const r = await checkPlanned({ platform: p }, '198.18.2.1', 'wifi0');
  assert.equal(r.verdict, 'accepted');
  assert.equal(r.prefix, '198.18.2.0/24');
  assert.deepEqual(r.modes, { off: true, strict: true, loose: true });
  assert.deepEqual(r.findings, []);
});

test('loose mode accepts an off-subnet address with a route back: warning only', async () => {
  const p = laptop({ wifi0: 2 }, { '224.0.0.1 198.19.0.1 wifi0': MCAST, '198.19.0.1  ': { ok: true, dev: 'wired0', raw: {} } });
  const r = await checkPlanned({ platform: p }, '198.19.0.1', 'wifi0');
  assert.equal(r.verdict, 'accepted');
  assert.match(r.reason, /Strict mode \(1\) would drop it/);
  assert.deepEqual(r.findings.map((f) => [f.id, f.severity]), [['QUERIER_OFF_SUBNET', 'warning']]);
});

test('no route back at all: loose drops too, only rp_filter 0 accepts', async () => {
  const p = laptop({ wifi0: 2 },
    { '224.0.0.1 198.19.0.1 wifi0': REFUSED, '198.19.0.1  ': { ok: false, error: 'RTNETLINK answers: Network is unreachable' } });
  const r = await checkPlanned({ platform: p }, '198.19.0.1', 'wifi0');
  assert.equal(r.verdict, 'dropped');
  assert.deepEqual(r.modes, { off: true, strict: false, loose: false });
  assert.match(r.reason, /no route back/);
});

test('the host\'s own address is martian in every mode', async () => {
  const p = laptop({}, { '224.0.0.1 198.18.2.2 wifi0': REFUSED, '198.18.2.2  ': { ok: true, type: 'local', dev: 'lo', raw: {} } });
  const r = await checkPlanned({ platform: p }, '198.18.2.2', 'wifi0');
  assert.equal(r.verdict, 'dropped');
  assert.equal(r.ownAddress, true);
  assert.deepEqual(r.modes, { off: false, strict: false, loose: false });
});

test('MLD: link-local accepted, global dropped with MLD_QUERIER_NOT_LINK_LOCAL', async () => {
  const p = laptop({}, {});
  const ok = await checkPlanned({ platform: p }, 'fe80::1', 'wifi0');
  assert.equal(ok.verdict, 'accepted');
  assert.equal(ok.linkLocal, true);
  assert.deepEqual(ok.findings, []);
  const bad = await checkPlanned({ platform: p }, 'fd00:198:18:2::1', 'wifi0');
  assert.equal(bad.verdict, 'dropped');
  assert.equal(bad.onSubnet, true);
  assert.deepEqual(bad.findings.map((f) => f.id), ['MLD_QUERIER_NOT_LINK_LOCAL']);
});

test('an unknown interface is a usage error', async () => {
  await assert.rejects(checkPlanned({ platform: laptop({}, {}) }, '198.18.2.1', 'nope0'), (e: unknown) => e instanceof UsageError);
});
