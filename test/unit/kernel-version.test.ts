// The kernel's IGMP version state (src/core/querier-check/kernel-version.ts): the Querier column and
// force_igmp_version decide; an S,G join in v1/v2 mode is SSM_NOT_SIGNALLED, in V3 nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { igmpMode, modeWords, ssmFindings } from '../../src/core/querier-check/kernel-version.js';
import type { Interface } from '../../src/core/kernel/interfaces.js';

const iface = (querierVersion: string | undefined, forceVersion = 0): Interface => ({
  name: 'wifi0', igmp: { ...(querierVersion ? { querierVersion } : {}), forceVersion }, mld: { forceVersion: 0 },
} as unknown as Interface);
const join = { iface: 'wifi0', group: '232.1.1.1', source: '198.18.2.1' };

test('mode: the Querier column, or the sysctl that pins it', () => {
  assert.deepEqual([igmpMode(iface('V3')).version, igmpMode(iface('V3')).cause], [3, 'none']);
  assert.deepEqual([igmpMode(iface('V2')).version, igmpMode(iface('V2')).cause], [2, 'querier']);
  assert.deepEqual([igmpMode(iface('V3', 2)).version, igmpMode(iface('V3', 2)).cause], [2, 'forced']);
  assert.equal(igmpMode(iface(undefined)).version, 3);
});

test('S,G joins in IGMPv2 mode: SSM_NOT_SIGNALLED with the revert time; V3 and any-source joins: nothing', () => {
  const [f] = ssmFindings([iface('V2')], [join]);
  assert.equal(f?.id, 'SSM_NOT_SIGNALLED');
  assert.match(f!.message, /\(198\.18\.2\.1, 232\.1\.1\.1\) on wifi0 is not signalled.*Querier V2.*reverts to IGMPv3 260 s after/);
  assert.deepEqual(ssmFindings([iface('V3')], [join]), []);
  assert.deepEqual(ssmFindings([iface('V2')], []), []);
  const forced = ssmFindings([iface('V3', 2)], [join])[0]!;
  assert.match(forced.message, /force_igmp_version=2/);
  assert.equal(forced.fix, 'sysctl -w net.ipv4.conf.wifi0.force_igmp_version=0');
  assert.match(modeWords(igmpMode(iface('V2')), 60).until, /about 200 s from now/);
});
