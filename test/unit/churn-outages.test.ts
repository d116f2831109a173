// The steps of followChurn on their own (core/membership/outages.ts and churn.ts untilUsable):
// an interface's outages counted and timed from link events, and the wait for a returned
// interface to carry its families again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { recordDown, recordUp, startCount, summaryOf, type DownLink } from '../../src/core/membership/outages.js';
import { untilUsable } from '../../src/core/membership/churn.js';
import { loadInterfaces, type Interface } from '../../src/core/kernel/interfaces.js';
import { FakePlatform, laptopState, rawIface } from '../helpers/fake-platform.js';

const down = (atMs: number, reason: 'down' | 'gone', ifindex = 3): DownLink =>
  ({ kind: 'down', iface: 'wifi0', ifindex, atMs, reason, operstate: reason === 'gone' ? 'absent' : 'down' });
const rejoined = { rejoined: 2, failed: 0, skipped: 0 };

async function wifi(index: number, addrs: string[]): Promise<Interface> {
  const state = laptopState({ interfaces: [rawIface('wifi0', index, addrs)] });
  return (await loadInterfaces(new FakePlatform(state))).interfaces.find((i) => i.name === 'wifi0')!;
}

test('a down, gone while down, then back under a new ifindex: one outage, timed from the first down', async () => {
  const c = startCount({ iface: 'wifi0', ifindex: 3, families: [4] });
  const ev = recordDown(c, down(1_000, 'down'));
  assert.deepEqual(ev, { type: 'iface_down', iface: 'wifi0', ifindex: 3, atMs: 1_000, reason: 'down', operstate: 'down' });
  assert.equal(recordDown(c, down(1_500, 'gone')), undefined, 'already down: not released or reported again');
  assert.deepEqual(summaryOf(c, 2_000), { iface: 'wifi0', downs: 1, ups: 0, gone: 0, downMs: 1_000, ifindexes: [3], down: true },
    'an outage under way counts to now');
  const up = recordUp(c, await wifi(9, ['198.18.2.2/24']), rejoined, 4_000);
  assert.deepEqual(up, { type: 'iface_up', iface: 'wifi0', ifindex: 9, previousIfindex: 3, atMs: 4_000, downMs: 3_000, ...rejoined });
  assert.deepEqual(summaryOf(c, 10_000), { iface: 'wifi0', downs: 1, ups: 1, gone: 0, downMs: 3_000, ifindexes: [3, 9], down: false });

  recordDown(c, down(11_000, 'gone', 9));
  recordUp(c, await wifi(9, ['198.18.2.2/24']), rejoined, 11_500);
  const s = summaryOf(c, 20_000);
  assert.deepEqual([s.downs, s.ups, s.gone, s.downMs, s.ifindexes], [2, 2, 1, 3_500, [3, 9]], 'the same ifindex is kept once');
});

test('an interface down at the start: its first up is its first join, not a return from an outage', async () => {
  const c = startCount({ iface: 'wifi0', ifindex: 3, families: [4], downAtStart: true });
  assert.equal(summaryOf(c, 0).down, true);
  const up = recordUp(c, await wifi(3, ['198.18.2.2/24']), rejoined, 5_000);
  assert.equal(up.downAtStart, true);
  assert.equal(up.downMs, 0);
  assert.equal(summaryOf(c, 6_000).downs, 0);
});

test('untilUsable: waits for the address the family needs, gives up when stale, '
  + 'and after the grace takes an up interface as it is', async () => {
  let now = 0;
  const clock = { now: () => now };
  const noAddr = await wifi(9, []);
  const withAddr = await wifi(9, ['198.18.2.2/24']);
  const seen = [noAddr, noAddr, withAddr];
  let loads = 0;
  const load = async () => { now += 100; return seen[Math.min(loads++, seen.length - 1)]; };
  assert.equal(await untilUsable(load, [4], () => false, clock, 3_000), withAddr);
  assert.equal(loads, 3, 'polled until the address came');

  loads = 0;
  assert.equal(await untilUsable(load, [4], () => true, clock, 3_000), undefined, 'a newer event (or close) ends the wait');
  assert.equal(loads, 1);

  now = 0;
  assert.equal(await untilUsable(async () => { now += 2_000; return noAddr; }, [4], () => false, clock, 3_000), noAddr,
    'after the grace: up without an address is taken (its joins say why)');
  assert.equal(await untilUsable(async () => undefined, [4], () => false, clock, 0), undefined, 'never came back');
});
