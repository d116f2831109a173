// Reverse-path checks of many queriers (src/core/querier-check/rpf-batch.ts): one lookup per
// (interface, matched route), in one batch, bounded; the verdict shared by the route's sources.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteIndex, checkReversePaths, rpfKey } from '../../src/core/querier-check/rpf-batch.js';
import { FakePlatform, laptopState } from '../helpers/fake-platform.js';

const routes = [
  { dst: 'default', dev: 'wired0' },
  { dst: '198.18.1.0/24', dev: 'wired0' },
  { dst: '198.18.2.0/24', dev: 'wifi0' },
  { dst: '198.18.2.2', table: 'local', type: 'local', dev: 'wifi0' },
  { dst: '224.0.0.0/4', type: 'multicast', dev: 'wifi0' },
];

test('longest prefix over every table; multicast routes ignored; "none" without a default', () => {
  const ix = new RouteIndex(routes);
  assert.equal(ix.match('198.18.2.77'), '198.18.2.0/24');
  assert.equal(ix.match('198.18.2.2'), '198.18.2.2 table local (local)');
  assert.equal(ix.match('10.9.9.9'), 'default');
  assert.equal(new RouteIndex(routes.slice(1)).match('10.9.9.9'), 'none');
});

test('10 000 sources on two routes: two lookup pairs in one batch, every source a verdict', async () => {
  const p = new FakePlatform(laptopState({
    routePrefixes: routes,
    routes: {
      '224.0.0.1 198.18.2.10 wifi0': { ok: true, dev: 'lo', raw: {} },
      '224.0.0.1 10.0.0.0 wifi0': { ok: false, error: 'RTNETLINK answers: Invalid argument' },
      '198.18.2.10  ': { ok: true, dev: 'wifi0', raw: {} },
      '10.0.0.0  ': { ok: true, dev: 'wired0', raw: {} },
    },
  }));
  const asks = [{ source: '198.18.2.10', iface: 'wifi0' }, ...Array.from({ length: 10_000 },
    (_, i) => ({ source: `10.0.${i >> 8}.${i & 255}`, iface: 'wifi0' })), { source: '198.18.2.11', iface: 'wifi0' }];
  const b = await checkReversePaths(p, asks);
  assert.deepEqual(p.batches, [4]);
  assert.equal(b.lookups, 4);
  assert.equal(b.skipped, 0);
  assert.equal(b.verdicts.size, 10_002);
  assert.deepEqual(b.verdicts.get(rpfKey('198.18.2.11', 'wifi0')),
    { source: '198.18.2.11', iface: 'wifi0', accepted: true, route: '198.18.2.0/24', routeBackDev: 'wifi0', askedAs: '198.18.2.10' });
  const spoofed = b.verdicts.get(rpfKey('10.0.39.15', 'wifi0'))!;
  assert.deepEqual([spoofed.accepted, spoofed.kernelError, spoofed.routeBackDev, spoofed.askedAs],
    [false, 'RTNETLINK answers: Invalid argument', 'wired0', '10.0.0.0']);
});

test('at most maxRoutes routes asked: the rest counted as skipped', async () => {
  const many = Array.from({ length: 10 }, (_, i) => ({ dst: `10.${i}.0.0/16`, dev: 'wired0' }));
  const p = new FakePlatform(laptopState({ routePrefixes: many }));
  const b = await checkReversePaths(p, many.map((_, i) => ({ source: `10.${i}.1.1`, iface: 'wifi0' })), 4);
  assert.equal(b.verdicts.size, 4);
  assert.equal(b.skipped, 6);
  assert.deepEqual(p.batches, [8]);
});
