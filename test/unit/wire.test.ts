import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFrame, FrameScanner, LINKTYPE, decodeCode8, decodeCode16, encodeCode8, decodeIgmp } from '../../src/core/wire/index.js';
import {
  ether, hex, icmp6, igmpSimple, igmpV3Query, igmpV3Report, ipv4, ipv6, mldV1, mldV2Query, mldV2Report,
  ROUTER_ALERT_V4, udp,
} from '../helpers/packets.js';

const IGMP = 2;

test('floating-point codes: RFC 3376 section 4.1.1 and RFC 3810 section 5.1.3', () => {
  assert.equal(decodeCode8(100), 100); // below 128: the value itself
  assert.equal(decodeCode8(0x80), 0x10 << 3); // exp 0, mant 0: 128
  assert.equal(decodeCode8(0x8a), 0x1a << 3); // 208
  assert.equal(decodeCode8(0xff), 0x1f << 10); // 31744, the largest
  assert.equal(decodeCode16(10000), 10000);
  assert.equal(decodeCode16(0x8000), 0x1000 << 3);
  assert.equal(decodeCode16(0xffff), 0x1fff << 10); // 8387584 ms, the largest
  for (let v = 0; v <= 31744; v++) {
    const c = encodeCode8(v);
    assert.ok(decodeCode8(c) <= v, `encode(${v})`);
  }
  assert.equal(encodeCode8(125), 125);
  assert.equal(decodeCode8(encodeCode8(256)), 256);
});

test('an IGMPv2 report written byte by byte (RFC 2236 section 2)', () => {
  // type 0x16, max resp 0, checksum 0xf8fa (worked out by hand), group 239.1.2.3
  const m = decodeIgmp(hex('16 00 f8 fa ef 01 02 03'), 0, 8);
  assert.deepEqual(m, { proto: 'igmp', igmpType: 0x16, checksumOk: true, length: 8, kind: 'report', version: 2, group: '239.1.2.3' });
  const bad = decodeIgmp(hex('16 00 f8 fb ef 01 02 03'), 0, 8);
  assert.equal((bad as { checksumOk: boolean }).checksumOk, false);
});

test('IGMP queries: version by length and code (RFC 3376 section 7.1), v3 fields', () => {
  const frame = (m: Buffer) => ether(0x0800, ipv4({ src: '198.18.1.1', dst: '224.0.0.1', proto: IGMP, options: ROUTER_ALERT_V4 }, m));
  const v1 = decodeFrame(frame(igmpSimple(0x11, 0, '0.0.0.0')), LINKTYPE.ethernet);
  assert.equal(v1.igmp?.kind, 'query');
  assert.equal(v1.igmp?.version, 1);
  const v2 = decodeFrame(frame(igmpSimple(0x11, 100, '239.1.2.3')), LINKTYPE.ethernet);
  assert.deepEqual(v2.igmp, { proto: 'igmp', igmpType: 0x11, checksumOk: true, length: 8, kind: 'query', version: 2,
    group: '239.1.2.3', general: false, maxRespCode: 100, maxRespMs: 10_000, sources: [] });
  assert.equal(v2.l3?.routerAlert, true);
  assert.equal(v2.l3?.ttl, 1);
  assert.equal(v2.srcMac, '02:00:00:00:00:01');
  const v3 = decodeFrame(frame(igmpV3Query(
    { code: 0x8a, group: '232.1.1.1', s: true, qrv: 2, qqic: 0x90, sources: ['198.18.1.9', '198.18.1.10'] })), LINKTYPE.ethernet);
  assert.deepEqual(v3.igmp, { proto: 'igmp', igmpType: 0x11, checksumOk: true, length: 20, kind: 'query', version: 3,
    group: '232.1.1.1', general: false, maxRespCode: 0x8a, maxRespMs: 20_800, suppress: true, qrv: 2, qqic: 0x90,
    qqiSec: 256, sources: ['198.18.1.9', '198.18.1.10'] });
  assert.equal(v3.malformed, undefined);
  const gen = decodeFrame(frame(igmpV3Query({ code: 100, group: '0.0.0.0', qrv: 2, qqic: 125 })), LINKTYPE.ethernet);
  assert.equal(gen.igmp?.kind === 'query' && gen.igmp.general, true);
  assert.equal(gen.igmp?.kind === 'query' && gen.igmp.qqiSec, 125);
});

test('IGMP reports and leaves, v1/v2/v3 with group records', () => {
  const f = (m: Buffer) =>
    decodeFrame(ether(0x0800, ipv4({ src: '198.18.1.2', dst: '224.0.0.22', proto: IGMP, options: ROUTER_ALERT_V4 }, m)), LINKTYPE.ethernet);
  assert.equal(f(igmpSimple(0x12, 0, '239.9.9.9')).igmp?.version, 1);
  const leave = f(igmpSimple(0x17, 0, '239.9.9.9')).igmp;
  assert.equal(leave?.kind, 'leave');
  const r = f(igmpV3Report([{ type: 4, group: '239.1.1.1' }, { type: 1, group: '232.1.1.1', sources: ['198.18.1.1'], aux: 1 }])).igmp;
  assert.ok(r && r.kind === 'report' && r.version === 3);
  assert.deepEqual(r.records, [
    { recordType: 4, recordName: 'CHANGE_TO_EXCLUDE_MODE', group: '239.1.1.1', sources: [], auxWords: 0 },
    { recordType: 1, recordName: 'MODE_IS_INCLUDE', group: '232.1.1.1', sources: ['198.18.1.1'], auxWords: 1 },
  ]);
  assert.equal(r.checksumOk, true);
});

test('MLD: v1 query/report/done, v2 query with its 16-bit code, v2 report, behind Hop-by-Hop Router Alert', () => {
  const src = 'fe80::1';
  const f = (dst: string, m: Buffer) => decodeFrame(
    ether(0x86dd, ipv6({ src, dst, next: 58, hbhRouterAlert: true }, icmp6(src, dst, m))),
    LINKTYPE.ethernet,
  );
  const q1 = f('ff02::1', mldV1(130, 10000, '::'));
  assert.equal(q1.mld?.kind, 'query');
  assert.equal(q1.mld?.version, 1);
  assert.equal(q1.l3?.routerAlert, true);
  assert.equal(q1.l3?.ttl, 1);
  assert.equal(q1.l3?.protocol, 58);
  assert.equal(q1.mld?.checksumOk, true);
  const q2 = f('ff02::1', mldV2Query({ code: 0x8123, group: 'ff05::1:3', qrv: 2, qqic: 125, sources: ['fd00:198:18:1::1'] }));
  assert.deepEqual(q2.mld, { proto: 'mld', icmpType: 130, checksumOk: true, length: 44, kind: 'query', version: 2,
    group: 'ff05::1:3', general: false, maxRespCode: 0x8123, maxRespMs: 0x1123 << 3, suppress: false, qrv: 2, qqic: 125,
    qqiSec: 125, sources: ['fd00:198:18:1::1'] });
  assert.equal(f('ff05::1:3', mldV1(131, 0, 'ff05::1:3')).mld?.kind, 'report');
  assert.equal(f('ff02::2', mldV1(132, 0, 'ff05::1:3')).mld?.kind, 'done');
  const r2 = f('ff02::16', mldV2Report([{ type: 2, group: 'ff05::1:3' }, { type: 5, group: 'ff3e::1', sources: ['fd00::9'] }]));
  assert.ok(r2.mld?.kind === 'report' && r2.mld.version === 2);
  assert.deepEqual(r2.mld.records.map((r) => [r.recordName, r.group, r.sources]), [
    ['MODE_IS_EXCLUDE', 'ff05::1:3', []], ['ALLOW_NEW_SOURCES', 'ff3e::1', ['fd00::9']],
  ]);
  // An ICMPv6 message that is not MLD (neighbour solicitation) is neither mld nor malformed.
  const ns = f('ff02::1:ff00:1', Buffer.from([135, 0, 0, 0, 0, 0, 0, 0, ...new Uint8Array(16)]));
  assert.equal(ns.mld, undefined);
  assert.equal(ns.malformed, undefined);
});

test('UDP over IPv4 with a VLAN tag, DSCP and TTL; the hot-path scanner agrees', () => {
  const payload = Buffer.from('hello');
  const frame =
    ether(0x0800, ipv4({ src: '198.18.1.1', dst: '239.1.2.3', ttl: 7, tos: 46 << 2, proto: 17 }, udp(40000, 5000, payload)), { vlan: 42 });
  const d = decodeFrame(frame, LINKTYPE.ethernet);
  assert.equal(d.vlan, 42);
  assert.deepEqual(d.l3, { family: 4, src: '198.18.1.1', dst: '239.1.2.3', ttl: 7, dscp: 46, ecn: 0, protocol: 17,
    totalLength: 20 + 8 + 5, headerLength: 20, routerAlert: false, routerAlertValue: -1, fragment: false });
  assert.deepEqual(d.udp, { sport: 40000, dport: 5000, payloadOffset: 18 + 28, payloadLength: 5 });
  const s = new FrameScanner();
  assert.equal(s.scan(frame, frame.length, LINKTYPE.ethernet), true);
  assert.equal(s.srcText(), '198.18.1.1');
  assert.equal(s.dport, 5000);
  // Ethernet pads short frames to 60 bytes: the padding is not part of the datagram.
  const padded = Buffer.concat([frame, Buffer.alloc(20)]);
  assert.equal(decodeFrame(padded, LINKTYPE.ethernet).udp?.payloadLength, 5);
});

test('Linux cooked captures (SLL, SLL2) and raw IP find the same IP header', () => {
  const ip = ipv6({ src: 'fd00:198:18:1::1', dst: 'ff05::1:3', hop: 5, next: 17 }, udp(1, 2, Buffer.alloc(3)));
  const sll = Buffer.concat([hex('0000 0001 0006 020000000009 0000 86dd'), ip]);
  const d1 = decodeFrame(sll, LINKTYPE.linuxSll);
  assert.equal(d1.srcMac, '02:00:00:00:00:09');
  assert.equal(d1.l3?.dst, 'ff05::1:3');
  assert.equal(d1.l3?.ttl, 5);
  const sll2 = Buffer.concat([hex('86dd 0000 00000003 0001 00 06 020000000009 0000'), ip]);
  assert.equal(decodeFrame(sll2, LINKTYPE.linuxSll2).udp?.dport, 2);
  assert.equal(decodeFrame(ip, LINKTYPE.raw).l3?.src, 'fd00:198:18:1::1');
});

test('malformed frames are marked with a reason, with the layers before kept', () => {
  const good = ether(0x0800, ipv4({ src: '198.18.1.1', dst: '224.0.0.22', proto: IGMP }, igmpV3Report([{ type: 2, group: '239.1.1.1' }])));
  const cases: [Buffer, RegExp][] = [
    [good.subarray(0, 10), /Ethernet: frame shorter/],
    [good.subarray(0, 14 + 12), /IPv4: header cut short/],
    [ether(0x0800, ipv4({ src: '198.18.1.1', dst: '239.1.1.1', proto: 17, totalLen: 400 }, udp(1, 2, Buffer.alloc(4)))),
      /total length 400 beyond/],
    [ether(0x0800, ipv4({ src: '198.18.1.1', dst: '239.1.1.1', proto: 17 }, udp(1, 2, Buffer.alloc(4), 100))), /UDP: length 100/],
    [ether(0x0800, ipv4({ src: '198.18.1.1', dst: '239.1.1.1', proto: 17, options: Buffer.from([0x94, 0x09, 0, 0]) },
      udp(1, 2, Buffer.alloc(4)))), /option 148 has a bad length/],
    [ether(0x0800, ipv4({ src: '198.18.1.1', dst: '224.0.0.1', proto: IGMP }, igmpSimple(0x11, 0, '0.0.0.0').subarray(0, 6))),
      /IGMP: message cut short/],
    [ether(0x0800, ipv4({ src: '198.18.1.1', dst: '224.0.0.1', proto: IGMP }, igmpSimple(0x11, 1, '0.0.0.0').subarray(0, 6))),
      /IGMP: message cut short/],
    [ether(0x0800, ipv4({ src: '198.18.1.1', dst: '224.0.0.1', proto: IGMP }, igmpSimple(0x42, 0, '0.0.0.0'))), /unknown type 0x42/],
    [ether(0x0800, ipv4({ src: '198.18.1.1', dst: '224.0.0.1', proto: IGMP },
      Buffer.concat([igmpSimple(0x11, 1, '0.0.0.0'), Buffer.alloc(2)]))), /query of 10 bytes/],
    [ether(0x86dd, ipv6({ src: 'fe80::1', dst: 'ff02::1', next: 58, payloadLen: 500 }, Buffer.alloc(24))),
      /IPv6: payload length 500 beyond/],
  ];
  for (const [frame, reason] of cases) {
    const d = decodeFrame(frame, LINKTYPE.ethernet);
    assert.match(d.malformed ?? '(none)', reason);
  }
  // IGMPv3 report whose record count exceeds what it holds
  const r = igmpV3Report([{ type: 2, group: '239.1.1.1' }]);
  r.writeUInt16BE(3, 6);
  assert.match(decodeFrame(ether(0x0800, ipv4({ src: '198.18.1.1', dst: '224.0.0.22', proto: IGMP }, r)), LINKTYPE.ethernet).malformed ??
    '', /record 2 is cut short/);
  // bad IPv4 header checksum
  const bad = Buffer.from(good);
  bad[14 + 8] = 9;
  assert.match(decodeFrame(bad, LINKTYPE.ethernet).malformed ?? '', /checksum/);
  assert.equal(decodeFrame(bad, LINKTYPE.ethernet).l3?.ttl, 9);
});

test('non-IP frames and a later fragment are not malformed, and carry no UDP', () => {
  const arp = ether(0x0806, Buffer.alloc(28));
  assert.deepEqual(decodeFrame(arp, LINKTYPE.ethernet), { linkType: 1, srcMac: '02:00:00:00:00:01', etherType: 0x0806 });
  const frag = ether(0x0800, ipv4({ src: '198.18.1.1', dst: '239.1.1.1', proto: 17, frag: 100 }, Buffer.alloc(40)));
  const d = decodeFrame(frag, LINKTYPE.ethernet);
  assert.equal(d.malformed, undefined);
  assert.equal(d.udp, undefined);
  assert.equal(d.l3?.fragment, true);
});
