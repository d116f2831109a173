import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressIpv6, familyOf, inPrefix, ipv6ToBytes, isMulticast, networkOf } from '../../src/core/kernel/ip.js';

test('multicast ranges: 224.0.0.0/4 and ff00::/8', () => {
  assert.ok(isMulticast('224.0.0.1'));
  assert.ok(isMulticast('239.255.255.255'));
  assert.ok(!isMulticast('223.255.255.255'));
  assert.ok(!isMulticast('240.0.0.1'));
  assert.ok(isMulticast('ff02::1'));
  assert.ok(!isMulticast('fe80::1'));
  assert.ok(!isMulticast('not an address'));
});

test('prefix membership', () => {
  assert.ok(inPrefix('198.18.1.77', '198.18.1.0', 24));
  assert.ok(!inPrefix('198.18.2.1', '198.18.1.0', 24));
  assert.ok(inPrefix('10.0.0.1', '0.0.0.0', 0));
  assert.ok(inPrefix('fd00:198:18:1::9', 'fd00:198:18:1::', 64));
  assert.ok(!inPrefix('fd00:198:18:2::9', 'fd00:198:18:1::', 64));
  assert.ok(!inPrefix('198.18.1.1', 'fd00::', 8));
});

test('network addresses and IPv6 text', () => {
  assert.equal(networkOf('198.18.1.77', 24), '198.18.1.0');
  assert.equal(networkOf('fd00:198:18:1::2', 64), 'fd00:198:18:1::');
  assert.equal(compressIpv6('ff02:0:0:0:0:0:0:1'), 'ff02::1');
  assert.deepEqual([...ipv6ToBytes('::ffff:198.18.0.1').slice(10)], [255, 255, 198, 18, 0, 1]);
  assert.equal(familyOf('198.18.0.1'), 4);
  assert.equal(familyOf('::1'), 6);
});
