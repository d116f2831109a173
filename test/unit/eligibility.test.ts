// The one eligibility rule (src/core/kernel/eligibility.ts) and its NO_ELIGIBLE_INTERFACE builder.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInterfaces, type Interface } from '../../src/core/kernel/interfaces.js';
import { eligibleFamilies, isEligible, noEligibleInterface, whyIneligible } from '../../src/core/kernel/eligibility.js';
import { usable, type LinkSample } from '../../src/platform/link-watch.js';
import { FakePlatform, laptopState, rawIface } from '../helpers/fake-platform.js';

/** The laptop plus one interface per way of not being usable, modelled by the real loader. */
async function zoo(): Promise<Map<string, Interface>> {
  const state = laptopState();
  state.interfaces.push(
    rawIface('down0', 4, ['198.18.9.2/24'], { flags: 0x2 | 0x1000, operstate: 'down' }),
    rawIface('nocarrier0', 5, ['198.18.5.2/24'], { operstate: 'lowerlayerdown' }),
    rawIface('dormant0', 6, ['198.18.6.2/24'], { operstate: 'dormant' }),
    rawIface('nomc0', 7, ['198.18.7.2/24'], { flags: 0x1 | 0x2 }),
    rawIface('v6only0', 8, ['fe80::8/64']),
    rawIface('bare0', 9, []),
    rawIface('dummy0', 10, ['198.18.10.2/24'], { operstate: 'unknown' }),
  );
  const inv = await loadInterfaces(new FakePlatform(state));
  return new Map(inv.interfaces.map((i) => [i.name, i]));
}

test('each way of not being usable has its reason, checked in order', async () => {
  const z = await zoo();
  const why = (name: string, need: Parameters<typeof whyIneligible>[1]): string => whyIneligible(z.get(name)!, need) ?? 'ok';
  assert.deepEqual(
    ['lo', 'wired0', 'down0', 'nocarrier0', 'dormant0', 'nomc0', 'v6only0', 'bare0', 'dummy0'].map((n) => `${n}:${why(n, [4])}`),
    ['lo:loopback', 'wired0:ok', 'down0:down', 'nocarrier0:no-carrier', 'dormant0:no-carrier', 'nomc0:no-multicast', 'v6only0:no-address',
      'bare0:no-address', 'dummy0:ok'],
  );
  // IPv6: a link-local address is enough (MLD reports from it).
  assert.equal(why('v6only0', [6]), 'ok');
  // Either family: eligible when one of them is.
  assert.equal(why('v6only0', [4, 6]), 'ok');
  assert.equal(why('bare0', [4, 6]), 'no-address');
  // A capture needs a link only: no MULTICAST flag, no address are fine; down, no carrier, loopback are not.
  assert.deepEqual(['lo', 'down0', 'nocarrier0', 'nomc0', 'bare0'].map((n) => why(n, 'capture')),
    ['loopback', 'down', 'no-carrier', 'ok', 'ok']);
  assert.equal(isEligible(z.get('wired0')!, 6), true);
  assert.deepEqual(eligibleFamilies(z.get('v6only0')!), [6]);
  assert.deepEqual(eligibleFamilies(z.get('wired0')!, 4), [4]);
  assert.deepEqual(eligibleFamilies(z.get('nocarrier0')!), []);
});

test('the link watcher calls up exactly what the rule lets a capture use', async () => {
  for (const [flags, operstate] of [[0x1003, 'up'], [0x1003, 'unknown'], [0x1003, 'lowerlayerdown'], [0x1003, 'dormant'], [0x1002, 'up'],
    [0x1002, 'down']] as const) {
    const s: LinkSample = { present: true, ifindex: 2, flags, operstate, carrierDowns: 0 };
    // The same /sys reading through the inventory loader.
    const [i] =
      (await loadInterfaces(new FakePlatform(laptopState({ interfaces: [rawIface('eth0', 2, [], { flags, operstate })] })))).interfaces;
    assert.equal(usable(s), whyIneligible(i!, 'capture') === undefined, `${flags.toString(16)} ${operstate}`);
  }
});

test('NO_ELIGIBLE_INTERFACE: one message naming each interface and its reason', async () => {
  const z = await zoo();
  const sel = ['lo', 'down0', 'nocarrier0', 'nomc0', 'bare0'].map((n) => z.get(n)!);
  const f = noEligibleInterface(sel, [4], 'join these groups', { group: '239.1.2.3' });
  assert.equal(f.id, 'NO_ELIGIBLE_INTERFACE');
  assert.equal(f.severity, 'error');
  assert.equal(f.group, '239.1.2.3');
  assert.equal(f.message,
    'No selected interface can join these groups (it needs one up with a carrier, the MULTICAST flag and an IPv4 address; '
    + 'loopback never counts): down0 is down, nocarrier0 has no carrier (operstate lowerlayerdown), nomc0 lacks the MULTICAST flag, '
    + 'bare0 has no IPv4 address.');
  assert.deepEqual(f.evidence, {
    need: ['ipv4'],
    interfaces: [
      { name: 'lo', reason: 'loopback' }, { name: 'down0', reason: 'down' }, { name: 'nocarrier0', reason: 'no-carrier' },
      { name: 'nomc0', reason: 'no-multicast' }, { name: 'bare0', reason: 'no-address' },
    ],
  });
  assert.match(noEligibleInterface([z.get('bare0')!], [4, 6], 'listen for queriers').message, /bare0 has no IPv4 or IPv6 address\.$/);
  assert.match(noEligibleInterface([z.get('down0')!], 'capture', 'capture on').message,
    /^No selected interface can capture on \(it needs one up with a carrier; loopback never counts\): down0 is down\.$/);
  assert.match(noEligibleInterface([], [6], 'send to this group').message, /: no interface matches --iface\/--exclude-iface\.$/);
  assert.match(noEligibleInterface([z.get('lo')!], [4], 'send to this group').message, /: only loopback is selected\.$/);
  assert.equal(noEligibleInterface([], [4], 'send to this group').group, undefined, 'no group unless told');
});

test('NO_ELIGIBLE_INTERFACE names at most 8 interfaces, all are in the evidence', async () => {
  const state = laptopState(
    { interfaces: Array.from({ length: 12 }, (_, k) => rawIface(`eth${k}`, k + 2, [], { flags: 0x2 | 0x1000, operstate: 'down' })) });
  const inv = await loadInterfaces(new FakePlatform(state));
  const f = noEligibleInterface(inv.interfaces, [4], 'join these groups');
  assert.match(f.message, /eth7 is down and 4 more\.$/);
  assert.doesNotMatch(f.message, /eth8/);
  assert.equal((f.evidence.interfaces as unknown[]).length, 12);
});
