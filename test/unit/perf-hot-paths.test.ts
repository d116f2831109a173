// The hot-path rewrites of issue 9 give the answers of the code they replaced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { intToIpv4, ipv4ToInt } from '../../src/core/kernel/ip.js';
import { ipMreqn } from '../../src/platform/sockets/sockaddr.js';

const reference = (addr: string): number => {
  const p = addr.split('.').map(Number);
  return (((p[0] ?? 0) << 24) | ((p[1] ?? 0) << 16) | ((p[2] ?? 0) << 8) | (p[3] ?? 0)) >>> 0;
};

test('ipv4ToInt digit by digit equals the split/map version and inverts intToIpv4', () => {
  fc.assert(fc.property(fc.ipV4(), (a) => {
    assert.equal(ipv4ToInt(a), reference(a));
    assert.equal(intToIpv4(ipv4ToInt(a)), a);
  }), { numRuns: 2000 });
  assert.equal(ipv4ToInt('255.255.255.255'), 0xffffffff);
  assert.equal(ipv4ToInt('0.0.0.0'), 0);
});

test('ip_mreqn: group, interface address and index in place (any address left zero)', () => {
  assert.deepEqual([...ipMreqn('239.1.2.3', 7)], [239, 1, 2, 3, 0, 0, 0, 0, 7, 0, 0, 0]);
  assert.deepEqual([...ipMreqn('239.1.2.3', 2, '198.18.1.2')], [239, 1, 2, 3, 198, 18, 1, 2, 2, 0, 0, 0]);
});
