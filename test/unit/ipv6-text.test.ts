// The one IPv6 formatter (src/core/kernel/ip.ts ipv6Text): RFC 5952 text from 16 bytes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { compressIpv6, ipv6Text, ipv6ToBytes } from '../../src/core/kernel/ip.js';

const words = (...w: number[]): Uint8Array => {
  const b = new Uint8Array(16);
  w.forEach((x, k) => { b[2 * k] = x >> 8; b[2 * k + 1] = x & 255; });
  return b;
};

test('RFC 5952 section 4: the recommended text', () => {
  // 4.1 leading zeros dropped; 4.3 lowercase.
  assert.equal(ipv6Text(words(0x2001, 0x0db8, 0, 0, 0, 0, 0, 0x0001)), '2001:db8::1');
  assert.equal(ipv6Text(words(0x2001, 0xdb8, 0xaaaa, 0xbbbb, 0xcccc, 0xdddd, 0xeeee, 0xffff)), '2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff');
  // 4.2.1 shortest: "::" as long as possible.
  assert.equal(ipv6Text(words(0x2001, 0xdb8, 0, 0, 0, 0, 2, 1)), '2001:db8::2:1');
  // 4.2.2 a single zero group is never "::".
  assert.equal(ipv6Text(words(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1)), '2001:db8:0:1:1:1:1:1');
  // 4.2.3 the longest run; the first one on a tie.
  assert.equal(ipv6Text(words(0x2001, 0, 0, 1, 0, 0, 0, 1)), '2001:0:0:1::1');
  assert.equal(ipv6Text(words(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1)), '2001:db8::1:0:0:1');
  // Ends and the whole.
  assert.equal(ipv6Text(words()), '::');
  assert.equal(ipv6Text(words(0, 0, 0, 0, 0, 0, 0, 1)), '::1');
  assert.equal(ipv6Text(words(1)), '1::');
  assert.equal(ipv6Text(words(0xff02, 0, 0, 0, 0, 1, 0xff00, 2)), 'ff02::1:ff00:2');
  assert.equal(ipv6Text(words(0, 0, 1, 0, 0, 0, 0, 0)), '0:0:1::');
});

test('IPv4-mapped keeps its dotted tail (section 5); IPv4-compatible is plain hex', () => {
  assert.equal(ipv6Text(words(0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201)), '::ffff:192.0.2.1');
  assert.equal(ipv6Text(words(0, 0, 0, 0, 0, 0, 0xc000, 0x0201)), '::c000:201');
  assert.equal(ipv6Text(words(0, 0, 0, 0, 1, 0xffff, 0xc000, 0x0201)), '::1:ffff:c000:201', 'not mapped: a word before ffff');
  assert.equal(compressIpv6('::FFFF:192.0.2.1'), '::ffff:192.0.2.1');
});

test('bytes at an offset, and any text in its canonical form', () => {
  const buf = new Uint8Array(40).fill(0xee);
  buf.set(words(0xfe80, 0, 0, 0, 0x0200, 0x5eff, 0xfe00, 0x5301), 20);
  assert.equal(ipv6Text(buf, 20), 'fe80::200:5eff:fe00:5301');
  assert.equal(compressIpv6('FF02:0000:0000:0000:0000:0000:0000:0001'), 'ff02::1');
  assert.equal(compressIpv6('2001:db8:0:0:1::1'), '2001:db8::1:0:0:1');
  assert.equal(compressIpv6('fe80::1%eth0'), 'fe80::1');
});

test('same text as the WHATWG URL serializer (RFC 5952 compression) for any non-mapped address', () => {
  // Words drawn mostly from 0 so zero runs of every length and position occur.
  const word = fc.oneof(fc.constant(0), fc.constant(0), fc.integer({ min: 0, max: 0xffff }));
  fc.assert(fc.property(fc.array(word, { minLength: 8, maxLength: 8 }), (w) => {
    const b = words(...w);
    const text = ipv6Text(b);
    assert.deepEqual(ipv6ToBytes(text), b, 'round trip');
    const mapped = w.slice(0, 5).every((x) => x === 0) && w[5] === 0xffff;
    if (!mapped) assert.equal(text, new URL(`http://[${w.map((x) => x.toString(16)).join(':')}]/`).hostname.slice(1, -1));
  }), { numRuns: 2000 });
});
