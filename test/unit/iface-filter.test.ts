import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ifacePatternMatches, selectInterfaces } from '../../src/core/kernel/iface-filter.js';
import { UsageError } from '../../src/core/errors.js';

const all = ['lo', 'eth0', 'eth1', 'wlan0', 'eth0.100'].map((name) => ({ name }));

test('eth+ matches every name starting with eth (smcroute form)', () => {
  assert.deepEqual(selectInterfaces(all, { include: ['eth+'] }).map((i) => i.name), ['eth0', 'eth1', 'eth0.100']);
});

test('globs and exact names', () => {
  assert.ok(ifacePatternMatches('eth*', 'eth0.100'));
  assert.ok(ifacePatternMatches('eth?', 'eth1'));
  assert.ok(!ifacePatternMatches('eth?', 'eth0.100'));
  assert.ok(!ifacePatternMatches('eth0', 'eth0.100'), 'the dot is literal, not a wildcard');
  assert.deepEqual(selectInterfaces(all, { include: ['wlan0', 'lo'] }).map((i) => i.name), ['lo', 'wlan0']);
});

test('exclusions apply after inclusion', () => {
  assert.deepEqual(selectInterfaces(all, { include: ['eth+'], exclude: ['eth0*'] }).map((i) => i.name), ['eth1']);
});

test('an unknown exact name is bad input, a pattern that matches nothing is not', () => {
  assert.throws(() => selectInterfaces(all, { include: ['nope0'] }), (e: unknown) => e instanceof UsageError && e.exitCode === 2);
  assert.deepEqual(selectInterfaces(all, { include: ['br+'] }), []);
});
