// --collisions: interval sets, the per-MAC count (both strategies), flooded MACs, findings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ipv4ToInt, intToIpv4 } from '../../src/core/kernel/ip.js';
import { GroupSet4 } from '../../src/core/mac-map/group-set.js';
import { countPerMac4 } from '../../src/core/mac-map/count4.js';
import { analyseCollisions, groupsOf } from '../../src/core/mac-map/collisions.js';
import { parseItem } from '../../src/core/mac-map/input.js';
import { macMap } from '../../src/core/mac-map/index.js';
import { assertSilent } from '../helpers/silent.js';

const ip = ipv4ToInt;
const analyse = (args: string[], limit = 10) => analyseCollisions(groupsOf(args.map((a) => parseItem(a))), limit);

test('interval set merges overlaps and adjacency, counts and finds', () => {
  const s = new GroupSet4([[ip('239.1.0.0'), 256], [ip('239.1.0.128'), 256], [ip('239.1.1.128'), 1], [ip('224.0.0.1'), 1]]);
  assert.equal(s.size, 256 + 128 + 1 + 1);
  assert.equal(s.intervalCount, 2);
  assert.ok(s.has(ip('239.1.1.128')));
  assert.ok(!s.has(ip('239.1.1.129')));
  assert.ok(s.has(ip('224.0.0.1')));
  assert.equal(s.countIn(ip('239.1.1.0'), ip('239.1.1.255')), 129);
  assert.deepEqual(s.listIn(ip('239.1.1.126'), ip('239.1.2.0'), 10).map(intToIpv4), ['239.1.1.126', '239.1.1.127', '239.1.1.128']);
});

test('two colliding groups: one shared MAC, listed with both groups', () => {
  const r = analyse(['224.1.2.3', '239.129.2.3', '239.1.2.4']);
  assert.deepEqual(r.groups, { total: 3, ipv4: 3, ipv6: 0 });
  assert.deepEqual(r.macs, { used: 2, shared: 1, groupsOnShared: 2 });
  assert.deepEqual(r.collisions, [{ mac: '01:00:5e:01:02:03', family: 4, count: 2, groups: ['224.1.2.3', '239.129.2.3'] }]);
  assert.equal(r.flooded.count, 0);
  assert.equal(r.truncated, false);
});

test('duplicates are one group, not a collision', () => {
  const r = analyse(['239.1.2.3', '239.1.2.3', '239.1.2.0/30', '239.1.2.3+1']);
  assert.deepEqual(r.macs, { used: 4, shared: 0, groupsOnShared: 0 });
  assert.equal(r.groups.total, 4);
});

test('239.0.0.0/8: every MAC shared by exactly two groups, 512 on a 224.0.0.x MAC', () => {
  const r = analyse(['239.0.0.0/8'], 3);
  assert.deepEqual(r.groups, { total: 2 ** 24, ipv4: 2 ** 24, ipv6: 0 });
  assert.deepEqual(r.macs, { used: 2 ** 23, shared: 2 ** 23, groupsOnShared: 2 ** 24 });
  assert.deepEqual(r.collisions.map((c) => c.groups),
    [['239.0.0.0', '239.128.0.0'], ['239.0.0.1', '239.128.0.1'], ['239.0.0.2', '239.128.0.2']]);
  // 239.0.0.y and 239.128.0.y for y in 0..255.
  assert.equal(r.flooded.count, 512);
  assert.deepEqual(r.flooded.groups[1],
    { group: '239.0.0.1', mac: '01:00:5e:00:00:01', sharesWith: '224.0.0.1', sharesWithName: 'all systems (all hosts)' });
  assert.equal(r.truncated, true);
});

test('a range that is not block-aligned: 239.0.0.1+16777215 misses one group', () => {
  const r = analyse(['239.0.0.1+16777215'], 1);
  assert.deepEqual(r.macs, { used: 2 ** 23, shared: 2 ** 23 - 1, groupsOnShared: 2 ** 24 - 2 });
  assert.equal(r.flooded.count, 511);
});

test('all of 224.0.0.0/4: 32 groups on every MAC', () => {
  const r = analyse(['224.0.0.0/4'], 1);
  assert.deepEqual(r.macs, { used: 2 ** 23, shared: 2 ** 23, groupsOnShared: 2 ** 28 });
  assert.equal(r.collisions[0]?.count, 32);
  assert.equal(r.flooded.count, 31 * 256);
});

test('property: the Map and the typed-array counts agree', () => {
  fc.assert(fc.property(
    fc.array(
      fc.tuple(fc.integer({ min: 0xe0000000, max: 0xefff0000 }), fc.integer({ min: 1, max: 3000 })),
      { minLength: 1, maxLength: 30 },
    ),
    (ranges) => {
      const set = new GroupSet4(ranges);
      // A small set goes through the Map; pad with a far block to force the typed array too.
      const far: [number, number] = [ip('238.0.0.0'), 1 << 17];
      const big = new GroupSet4([...ranges, far]);
      const farOnly = new GroupSet4([far]);
      const small = countPerMac4(set, 5);
      const large = countPerMac4(big, 5);
      const farCount = countPerMac4(farOnly, 5);
      assert.equal(large.used >= small.used, true);
      // Brute force over the groups of the small set.
      const per = new Map<number, number>();
      for (const [s, e] of set.intervals()) for (let g = s; g <= e; g++) per.set(g & 0x7fffff, (per.get(g & 0x7fffff) ?? 0) + 1);
      assert.equal(small.used, per.size);
      assert.equal(small.shared, [...per.values()].filter((c) => c > 1).length);
      assert.equal(farCount.shared, 0);
    },
  ), { numRuns: 25 });
});

test('property: a group in a range is listed among the groups of its shared MAC', () => {
  fc.assert(fc.property(fc.integer({ min: 0, max: (1 << 23) - 1 }), fc.integer({ min: 1, max: 31 }), (low, hi) => {
    const a = (0xe0000000 | low) >>> 0;
    const b = (0xe0000000 | (hi << 23) | low) >>> 0;
    const r = analyseCollisions({ v4: [[a, 1], [b, 1]], v6: [] }, 5);
    assert.deepEqual(r.collisions[0]?.groups, [intToIpv4(a), intToIpv4(b)]);
  }), { numRuns: 200 });
});

test('IPv6: distinct groups on one low-32 collide; scope variants of one id do not', () => {
  const r = analyse(['ff05::1:0:fb', 'ff02::fb', 'ff05::fb', 'ff02::1', 'ff01::1']);
  assert.deepEqual(r.collisions.map((c) => [c.mac, c.groups]), [
    ['33:33:00:00:00:fb', ['ff02::fb', 'ff05::fb', 'ff05::1:0:fb']],
  ]);
  assert.equal(r.macs.shared, 1);
  assert.deepEqual(analyse(['ff3e::8000:1', 'ff3e::1:8000:1']).collisions[0]?.mac, '33:33:80:00:00:01');
});

test('IPv6 ranges: /120 and G+N expand; too wide is refused', () => {
  const r = analyse(['ff05::100/120', 'ff0e::1:0:100+256']);
  assert.equal(r.groups.ipv6, 512);
  assert.equal(r.macs.shared, 256);
  assert.deepEqual(r.collisions[0]?.groups, ['ff05::100', 'ff0e::1:0:100']);
  // The same ids at another scope are scope variants: no collision.
  assert.equal(analyse(['ff05::100/120', 'ff0e::100+256']).macs.shared, 0);
  assert.throws(() => parseItem('ff05::/96'), { exitCode: 2, code: 'RANGE_TOO_LARGE' });
});

test('macMap: findings for lookups, collisions, and the core stays silent', async () => {
  const items = ['224.1.2.3', '239.129.2.3', '239.0.0.251', '224.0.0.251'].map((a) => parseItem(a));
  const r = await assertSilent(() => macMap({ items, collisions: false, host: false, limit: 10 }));
  assert.equal(r.mode, 'lookup');
  const ids = r.findings.map((f) => `${f.id} ${f.group ?? ''}`).sort();
  assert.deepEqual(ids,
    ['FLOODED_MAC 239.0.0.251', 'LINK_LOCAL_GROUP 224.0.0.251', 'MAC_COLLISION 224.0.0.251', 'MAC_COLLISION 224.1.2.3']);
  const big = await assertSilent(() => macMap({ items: [parseItem('239.0.0.0/8')], collisions: true, host: false, limit: 2 }));
  const mc = big.findings.filter((f) => f.id === 'MAC_COLLISION');
  assert.equal(mc.length, 3, 'two listed, one summary');
  assert.match(mc[2]?.message ?? '', /^8388606 more MACs are shared/);
  assert.equal(big.findings.filter((f) => f.id === 'FLOODED_MAC').length, 3);
});

test('macMap refuses mixed modes with a usage error', async () => {
  await assert.rejects(macMap({ items: [parseItem('239.1.0.0/16')], collisions: false, host: false, limit: 10 }), { exitCode: 2 });
  await assert.rejects(macMap({ items: [parseItem('01:00:5e:01:02:03')], collisions: true, host: false, limit: 10 }), { exitCode: 2 });
  await assert.rejects(macMap({ items: [], collisions: false, host: false, limit: 10 }), { exitCode: 2 });
  await assert.rejects(macMap({ items: [parseItem('239.1.2.3')], collisions: false, host: false, limit: 0 }), { exitCode: 2 });
});
