// join-all's silence findings (issue 16): nothing at all is one sentence with the next step; a
// silent pair among receiving ones is named per interface; --expect pairs are left to NO_TRAFFIC.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silenceFindings } from '../../src/core/join-all/silence.js';

const held = [
  { iface: 'wired0', group: '239.1.2.3', port: 5000 }, { iface: 'wifi0', group: '239.1.2.3', port: 5000 },
  { iface: 'wired0', group: '239.1.2.4', port: 5000 }, { iface: 'wifi0', group: '239.1.2.4', port: 5000 },
];

test('nothing at all: one NOTHING_ARRIVED naming the next step (trace), not one per pair', () => {
  const f = silenceFindings(held, () => 0, new Set(), 20_000);
  assert.deepEqual(f.map((x) => x.id), ['NOTHING_ARRIVED']);
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.message,
    /^Nothing arrived in 20\.0 s: no datagram of 239\.1\.2\.3, 239\.1\.2\.4 on wired0, wifi0.*mcast-doctor trace 239\.1\.2\.3:5000/);
});

test('a silent interface among receiving pairs: one NOTHING_RECEIVED for it, listing its groups', () => {
  const f = silenceFindings(held, (i) => (i === 'wired0' ? 10 : 0), new Set(), 5_000);
  assert.deepEqual(f.map((x) => [x.id, x.iface, x.group]), [['NOTHING_RECEIVED', 'wifi0', undefined]]);
  assert.match(f[0]!.message, /Nothing arrived on wifi0 for 239\.1\.2\.3, 239\.1\.2\.4 in 5\.0 s/);
});

test('an --expect pair is not repeated here (NO_TRAFFIC judges it); everything received: nothing', () => {
  const f = silenceFindings(held, (i, g) => (i === 'wifi0' && g === '239.1.2.4' ? 0 : 3), new Set(['wifi0 239.1.2.4']), 5_000);
  assert.deepEqual(f, []);
  assert.deepEqual(silenceFindings(held, () => 1, new Set(), 5_000), []);
  assert.deepEqual(silenceFindings([], () => 0, new Set(), 5_000), []);
});

test('4096 silent groups on one interface make one finding with a bounded evidence list', () => {
  const many = Array.from({ length: 4096 }, (_, i) => ({ iface: 'wifi0', group: `239.2.${i >> 8}.${i & 255}`, port: 5000 }));
  const f =
    silenceFindings([...many, { iface: 'wired0', group: '239.9.9.9', port: 5000 }], (i) => (i === 'wired0' ? 1 : 0), new Set(), 1000);
  assert.equal(f.length, 1);
  assert.match(f[0]!.message, /and 4093 more/);
  assert.equal((f[0]!.evidence.groups as string[]).length, 32);
  assert.equal(f[0]!.evidence.silentGroups, 4096);
});
