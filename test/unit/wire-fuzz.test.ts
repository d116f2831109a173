// Decoders never throw: random bytes, and valid frames cut and bit-flipped at random.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeFrame, FrameScanner, LINKTYPE } from '../../src/core/wire/index.js';
import { ether, icmp6, igmpV3Query, igmpV3Report, ipv4, ipv6, mldV2Query, mldV2Report, ROUTER_ALERT_V4, udp } from '../helpers/packets.js';

const LINKS = [LINKTYPE.ethernet, LINKTYPE.linuxSll, LINKTYPE.linuxSll2, LINKTYPE.raw, 12, 999];

const seeds: Buffer[] = [
  ether(0x0800, ipv4({ src: '198.18.1.1', dst: '224.0.0.1', proto: 2, options: ROUTER_ALERT_V4 },
    igmpV3Query({ code: 0x8a, group: '0.0.0.0', qrv: 2, qqic: 125, sources: ['198.18.1.5'] }))),
  ether(0x0800, ipv4({ src: '198.18.1.2', dst: '224.0.0.22', proto: 2 },
    igmpV3Report([{ type: 4, group: '239.1.1.1' }, { type: 1, group: '232.1.1.1', sources: ['198.18.1.1'] }]))),
  ether(0x0800, ipv4({ src: '198.18.1.1', dst: '239.1.2.3', proto: 17 }, udp(1, 2, Buffer.alloc(50)))),
  ether(0x86dd, ipv6({ src: 'fe80::1', dst: 'ff02::1', next: 58, hbhRouterAlert: true },
    icmp6('fe80::1', 'ff02::1', mldV2Query({ code: 0x9000, group: '::', qrv: 2, qqic: 125 })))),
  ether(0x86dd, ipv6({ src: 'fe80::1', dst: 'ff02::16', next: 58, hbhRouterAlert: true },
    icmp6('fe80::1', 'ff02::16', mldV2Report([{ type: 2, group: 'ff05::1', sources: ['fd00::1'] }])))),
  ether(0x0800, ipv4({ src: '198.18.1.1', dst: '239.1.2.3', proto: 17 }, udp(1, 2, Buffer.alloc(50))), { vlan: 7 }),
];

const scanner = new FrameScanner();

function exercise(bytes: Uint8Array, link: number, wireLen?: number): void {
  const d = decodeFrame(bytes, link, wireLen);
  assert.equal(typeof d, 'object');
  scanner.scan(bytes, bytes.length, link, wireLen);
  scanner.control();
  if (scanner.ip.family !== 0 && scanner.ip.srcOff >= 0) { scanner.srcText(); scanner.dstText(); }
  scanner.srcMac();
}

test('random bytes on every link type', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), fc.constantFrom(...LINKS), fc.option(fc.nat(300)), (bytes, link, wire) => {
    exercise(bytes, link, wire ?? undefined);
  }), { numRuns: 3000 });
});

test('valid frames cut short and with bytes changed', () => {
  fc.assert(fc.property(
    fc.constantFrom(...seeds), fc.nat(), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    (seed, cut, flips) => {
      const b = Buffer.from(seed.subarray(0, cut % (seed.length + 1)));
      for (const [at, v] of flips) if (b.length) b[at % b.length] = v;
      exercise(b, LINKTYPE.ethernet, seed.length);
      exercise(b, LINKTYPE.ethernet);
    }), { numRuns: 5000 });
});

test('every valid seed decodes without a malformed marker', () => {
  for (const s of seeds) assert.equal(decodeFrame(s, LINKTYPE.ethernet).malformed, undefined);
});
