// Struct layouts checked byte by byte against <netinet/in.h>, <linux/in6.h> and RFC 3678.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { groupSourceReq, ipMreqn, ipv6Mreq, sockaddr } from '../../src/platform/sockets/sockaddr.js';
import { SocketError, errnoName } from '../../src/platform/sockets/errno.js';

test('sockaddr_in and sockaddr_in6', () => {
  assert.equal(sockaddr(4, '239.1.2.3', 5000).toString('hex'), '0200' + '1388' + 'ef010203' + '0000000000000000');
  const s6 = sockaddr(6, 'ff05::1', 5000);
  assert.equal(s6.length, 28);
  assert.equal(s6.subarray(0, 8).toString('hex'), '0a00' + '1388' + '00000000');
  assert.equal(s6.subarray(8, 24).toString('hex'), 'ff050000000000000000000000000001');
});

test('ip_mreqn by index, ipv6_mreq, group_source_req', () => {
  assert.equal(ipMreqn('239.1.2.3', 7).toString('hex'), 'ef010203' + '00000000' + '07000000');
  assert.equal(ipv6Mreq('ff05::1', 3).toString('hex'), 'ff050000000000000000000000000001' + '03000000');
  const g = groupSourceReq(4, '232.1.1.1', '198.18.1.1', 5);
  assert.equal(g.length, 264);
  assert.equal(g.readUInt32LE(0), 5);
  assert.equal(g.subarray(8, 16).toString('hex'), '0200' + '0000' + 'e8010101');
  assert.equal(g.subarray(136, 144).toString('hex'), '0200' + '0000' + 'c6120101');
});

test('errno numbers become Node-style codes', () => {
  assert.equal(errnoName(105), 'ENOBUFS');
  assert.equal(errnoName(19), 'ENODEV');
  assert.equal(errnoName(98), 'EADDRINUSE');
  assert.equal(errnoName(101), 'ENETUNREACH');
  const e = new SocketError('setsockopt(IP_ADD_MEMBERSHIP)', 105);
  assert.equal(e.code, 'ENOBUFS');
  assert.match(e.message, /IP_ADD_MEMBERSHIP.*ENOBUFS/);
});
