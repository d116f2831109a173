// mac-map mapping, scopes and names: RFC examples and hand-worked values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ipv4ToInt, ipv6ToBytes, intToIpv4 } from '../../src/core/kernel/ip.js';
import { classifyMac, ipv4GroupToMac, ipv4GroupsOfMac, ipv6GroupToMac, mac4Index, parseMac } from '../../src/core/mac-map/mac.js';
import { describeGroup4, describeGroup6 } from '../../src/core/mac-map/scope.js';
import { lookup } from '../../src/core/mac-map/lookup.js';
import { parseItem } from '../../src/core/mac-map/input.js';

const mac4 = (g: string): string => ipv4GroupToMac(ipv4ToInt(g));
const mac6 = (g: string): string => ipv6GroupToMac(ipv6ToBytes(g));

test('IPv4 -> MAC: 01:00:5e + low 23 bits (RFC 1112 6.4)', () => {
  assert.equal(mac4('224.0.0.1'), '01:00:5e:00:00:01');
  assert.equal(mac4('224.0.0.251'), '01:00:5e:00:00:fb');
  // Worked by hand: 1.2.3 -> 01:02:03; 239.129 = 0xef81, the 0x80 bit of the second octet is dropped.
  assert.equal(mac4('224.1.2.3'), '01:00:5e:01:02:03');
  assert.equal(mac4('239.129.2.3'), '01:00:5e:01:02:03');
  assert.equal(mac4('239.255.255.250'), '01:00:5e:7f:ff:fa');
  assert.equal(mac4('239.128.0.0'), '01:00:5e:00:00:00');
  assert.equal(mac4('232.1.1.1'), '01:00:5e:01:01:01');
});

test('IPv6 -> MAC: 33:33 + low 32 bits (RFC 2464 7)', () => {
  assert.equal(mac6('ff02::1'), '33:33:00:00:00:01');
  assert.equal(mac6('ff02::1:ff00:2'), '33:33:ff:00:00:02');
  assert.equal(mac6('ff02::fb'), '33:33:00:00:00:fb');
  assert.equal(mac6('ff0e::1234:5678'), '33:33:12:34:56:78');
  assert.equal(mac6('ff05::1:3'), '33:33:00:01:00:03');
});

test('MAC -> the 32 IPv4 groups, ascending, each mapping back', () => {
  const groups = ipv4GroupsOfMac(0x010203).map(intToIpv4);
  assert.equal(groups.length, 32);
  assert.equal(groups[0], '224.1.2.3');
  assert.equal(groups[1], '224.129.2.3');
  assert.equal(groups[31], '239.129.2.3');
  assert.ok(groups.includes('239.1.2.3'));
  for (const g of groups) assert.equal(mac4(g), '01:00:5e:01:02:03');
});

test('MAC text forms, and what a MAC carries', () => {
  assert.deepEqual(parseMac('01:00:5e:01:02:03'), [1, 0, 0x5e, 1, 2, 3]);
  assert.deepEqual(parseMac('01-00-5E-01-02-03'), [1, 0, 0x5e, 1, 2, 3]);
  assert.deepEqual(parseMac('0100.5e01.0203'), [1, 0, 0x5e, 1, 2, 3]);
  assert.deepEqual(parseMac('1:0:5e:1:2:3'), [1, 0, 0x5e, 1, 2, 3]);
  assert.equal(parseMac('01:00:5e:01:02'), undefined);
  assert.equal(parseMac('01:00-5e:01:02:03'), undefined);
  assert.deepEqual(classifyMac([1, 0, 0x5e, 0x7f, 0xff, 0xff]), { family: 4, index: 0x7fffff });
  assert.deepEqual(classifyMac([1, 0, 0x5e, 0x80, 0, 1]), { family: undefined });
  assert.deepEqual(classifyMac([0x33, 0x33, 0xff, 0, 0, 2]), { family: 6, low32: 0xff000002 });
  assert.deepEqual(classifyMac([0, 0x11, 0x22, 0x33, 0x44, 0x55]), { family: undefined });
});

test('property: an IPv4 group is among the 32 groups of its MAC, and all 32 map to that MAC', () => {
  fc.assert(fc.property(fc.integer({ min: 0xe0000000, max: 0xefffffff }), (g) => {
    const back = ipv4GroupsOfMac(mac4Index(g));
    assert.ok(back.includes(g));
    assert.equal(new Set(back).size, 32);
    for (const o of back) assert.equal(ipv4GroupToMac(o), ipv4GroupToMac(g));
  }));
});

test('property: an IPv6 group matches the pattern of its MAC (low 32 bits)', () => {
  fc.assert(fc.property(fc.uint8Array({ minLength: 15, maxLength: 15 }), (rest) => {
    const bytes = Uint8Array.from([0xff, ...rest]);
    const mac = parseMac(ipv6GroupToMac(bytes));
    assert.ok(mac);
    const t = classifyMac(mac);
    assert.equal(t.family, 6);
    const r = lookup(parseItem(ipv6GroupToMac(bytes)));
    assert.ok(r.kind === 'mac' && r.pattern);
    const tail = [...bytes.slice(12)].map((b) => b.toString(16).padStart(2, '0')).join('');
    assert.equal(r.pattern.replaceAll(':', '').slice(-8), tail);
  }));
});

test('scopes and blocks of IPv4 groups (RFC 5771, 4607, 3180, 2365)', () => {
  const s = (g: string) => describeGroup4(ipv4ToInt(g));
  assert.equal(s('224.0.0.5').scope, 'link-local');
  assert.equal(s('224.0.0.5').name, 'OSPF all routers');
  assert.equal(s('224.0.1.1').block, 'Internetwork Control Block');
  assert.equal(s('224.0.1.1').name, 'NTP');
  assert.equal(s('232.1.2.3').scope, 'ssm');
  assert.equal(s('233.1.2.3').scope, 'glop');
  assert.equal(s('233.1.2.3').note, 'static allocation of AS 258');
  assert.equal(s('233.252.0.1').scope, 'global');
  assert.equal(s('239.255.255.250').scope, 'local');
  assert.equal(s('239.255.255.250').name, 'SSDP (UPnP discovery)');
  assert.equal(s('239.253.1.1').scope, 'local');
  assert.equal(s('239.192.0.1').scope, 'organization-local');
  assert.equal(s('239.195.255.255').scope, 'organization-local');
  assert.equal(s('239.196.0.0').scope, 'admin');
  assert.equal(s('239.1.2.3').scope, 'admin');
  assert.equal(s('225.1.1.1').scope, 'reserved');
  const names: Record<string, string> = {
    '224.0.0.1': 'all systems (all hosts)', '224.0.0.2': 'all routers', '224.0.0.22': 'IGMPv3 membership reports',
    '224.0.0.251': 'mDNS', '224.0.0.252': 'LLMNR', '224.0.0.13': 'all PIM routers', '224.0.0.18': 'VRRP',
    '224.0.0.9': 'RIPv2 routers', '224.0.0.6': 'OSPF designated routers', '224.0.1.129': 'PTP primary (default domain)',
    '224.0.0.107': 'PTP peer delay',
  };
  for (const [g, n] of Object.entries(names)) assert.equal(s(g).name, n, g);
});

test('scopes and names of IPv6 groups (RFC 4291 2.7, 7346, 4607)', () => {
  const s = (g: string) => describeGroup6(ipv6ToBytes(g));
  assert.equal(s('ff01::1').scope, 'interface-local');
  assert.equal(s('ff02::1').scope, 'link-local');
  assert.equal(s('ff05::2').scope, 'site-local');
  assert.equal(s('ff08::101').scope, 'organization-local');
  assert.equal(s('ff0e::101').scope, 'global');
  assert.equal(s('ff0e::101').name, 'NTP');
  assert.equal(s('ff02::fb').name, 'mDNS');
  assert.equal(s('ff05::fb').name, 'mDNS');
  assert.equal(s('ff02::c').name, 'SSDP (UPnP discovery)');
  assert.equal(s('ff05::c').name, 'SSDP (UPnP discovery)');
  assert.equal(s('ff02::16').name, 'all MLDv2-capable routers (MLDv2 reports)');
  assert.equal(s('ff02::1:ff00:2').range, 'ff02::1:ff00:0/104');
  assert.match(s('ff02::1:ff00:2').name ?? '', /solicited-node/);
  assert.equal(s('ff3e::8000:1').scope, 'ssm');
  assert.equal(s('ff15::1').block, 'transient (dynamically assigned)');
  assert.equal(s('ff15::fb').name, undefined, 'variable-scope names hold for flags 0 only');
  assert.equal(s('ff0e::1:fb').name, undefined);
});

test('lookup of an IPv6 MAC lists the well-known groups with those low 32 bits', () => {
  const r = lookup(parseItem('33:33:00:00:00:fb'));
  assert.ok(r.kind === 'mac' && r.family === 6);
  assert.deepEqual(r.wellKnown?.map((g) => g.group), ['ff01::fb', 'ff02::fb', 'ff05::fb', 'ff08::fb', 'ff0e::fb']);
  const sn = lookup(parseItem('33:33:ff:00:00:02'));
  assert.ok(sn.kind === 'mac');
  assert.deepEqual(sn.wellKnown?.map((g) => g.group), ['ff02::1:ff00:2']);
  const v4 = lookup(parseItem('0100.5e7f.fffa'));
  assert.ok(v4.kind === 'mac' && v4.family === 4);
  assert.ok(v4.groups?.some((g) => g.group === '239.255.255.250' && g.name === 'SSDP (UPnP discovery)'));
});
