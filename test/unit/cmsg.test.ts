// The receive path's ancillary-data decoder (src/platform/sockets/cmsg.ts): the group of a
// datagram is the destination the kernel wrote in IP_PKTINFO / IPV6_PKTINFO, its interface the
// kernel's ifindex. Buffers are laid out as the kernel writes them (put_cmsg: cmsghdr of 16 bytes,
// data, padding to 8), then broken in the ways a short or truncated control buffer breaks them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { readControl, type ControlInfo } from '../../src/platform/sockets/cmsg.js';
import { ipv4ToInt, ipv6ToBytes } from '../../src/core/kernel/ip.js';

const SOL_SOCKET = 1, SO_RXQ_OVFL = 40, IPPROTO_IP = 0, IP_TTL = 2, IP_PKTINFO = 8;
const IPPROTO_IPV6 = 41, IPV6_PKTINFO = 50, IPV6_HOPLIMIT = 52;

/** One cmsg as put_cmsg writes it: cmsg_len = 16 + data (unpadded), the next one at CMSG_ALIGN. */
function cmsg(level: number, type: number, data: Buffer, len = 16 + data.length): Buffer {
  const b = Buffer.alloc((16 + data.length + 7) & ~7);
  b.writeBigUInt64LE(BigInt(len), 0);
  b.writeInt32LE(level, 8);
  b.writeInt32LE(type, 12);
  data.copy(b, 16);
  return b;
}
const int32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32LE(n); return b; };
/** struct in_pktinfo: ipi_ifindex, ipi_spec_dst (a local address), ipi_addr (the header's destination). */
function inPktinfo(ifindex: number, specDst: string, dst: string): Buffer {
  const b = Buffer.alloc(12);
  b.writeInt32LE(ifindex, 0);
  b.writeUInt32BE(ipv4ToInt(specDst), 4);
  b.writeUInt32BE(ipv4ToInt(dst), 8);
  return b;
}
/** struct in6_pktinfo: ipi6_addr (the destination), ipi6_ifindex. */
function in6Pktinfo(dst: string, ifindex: number): Buffer {
  const b = Buffer.alloc(20);
  Buffer.from(ipv6ToBytes(dst)).copy(b, 0);
  b.writeInt32LE(ifindex, 16);
  return b;
}
const fresh = (): ControlInfo => ({ dst: 'stale', ifindex: 99, ttl: 99, overflow: 99 });
/** The control area at an offset inside a larger block, as in the receiver's native slots. */
function decode(ctl: Buffer, len = ctl.length): ControlInfo {
  const block = Buffer.alloc(ctl.length + 64, 0xaa);
  ctl.copy(block, 24);
  return readControl(block, 24, len, fresh());
}

test('IPv4: the group is ipi_addr (not the local spec_dst), the interface ipi_ifindex; TTL and RXQ_OVFL too', () => {
  const ctl = Buffer.concat([
    cmsg(SOL_SOCKET, SO_RXQ_OVFL, int32(5)),
    cmsg(IPPROTO_IP, IP_PKTINFO, inPktinfo(7, '198.18.0.2', '239.1.2.3')),
    cmsg(IPPROTO_IP, IP_TTL, int32(1)),
  ]);
  assert.deepEqual(decode(ctl), { dst: '239.1.2.3', ifindex: 7, ttl: 1, overflow: 5 });
  // Unicast to the host: the destination is its own address, which no group equals.
  assert.deepEqual(decode(cmsg(IPPROTO_IP, IP_PKTINFO, inPktinfo(3, '198.18.0.2', '198.18.0.2'))),
    { dst: '198.18.0.2', ifindex: 3, ttl: -1, overflow: -1 });
});

test('IPv6: the group is ipi6_addr, the interface ipi6_ifindex; the hop limit', () => {
  const ctl = Buffer.concat([cmsg(IPPROTO_IPV6, IPV6_PKTINFO, in6Pktinfo('ff05::1:3', 9)), cmsg(IPPROTO_IPV6, IPV6_HOPLIMIT, int32(64))]);
  assert.deepEqual(decode(ctl), { dst: 'ff05::1:3', ifindex: 9, ttl: 64, overflow: -1 });
  assert.deepEqual(decode(cmsg(IPPROTO_IPV6, IPV6_PKTINFO, in6Pktinfo('ff02::1', 2))).dst, 'ff02::1');
});

test('nothing said: every field reset to "absent", whatever the previous datagram left', () => {
  assert.deepEqual(decode(Buffer.alloc(0)), { dst: '', ifindex: 0, ttl: -1, overflow: -1 });
  // An unknown cmsg (IP_RECVERR-like) is skipped; the one after it still read.
  const ctl =
    Buffer.concat([cmsg(IPPROTO_IP, 11, Buffer.alloc(20, 0xff)), cmsg(IPPROTO_IP, IP_PKTINFO, inPktinfo(4, '0.0.0.0', '239.9.9.9'))]);
  assert.equal(decode(ctl).dst, '239.9.9.9');
});

test('malformed or truncated control data never yields a group, and never reads past it', () => {
  const good = cmsg(IPPROTO_IP, IP_PKTINFO, inPktinfo(7, '198.18.0.2', '239.1.2.3'));
  const none = { dst: '', ifindex: 0, ttl: -1, overflow: -1 };
  // msg_controllen cut by MSG_CTRUNC: the cmsg claims 28 bytes, 20 are there.
  assert.deepEqual(decode(good, 20), none);
  assert.deepEqual(decode(good, 15), none, 'not even a header');
  // A PKTINFO whose cmsg_len leaves no room for the struct: skipped, not read from the bytes after.
  const short = Buffer.concat([cmsg(IPPROTO_IP, IP_PKTINFO, Buffer.alloc(4), 20), cmsg(IPPROTO_IP, IP_TTL, int32(3))]);
  assert.deepEqual(decode(short), { ...none, ttl: 3 });
  const short6 = cmsg(IPPROTO_IPV6, IPV6_PKTINFO, in6Pktinfo('ff05::1', 9), 16 + 16);
  assert.deepEqual(decode(short6), none);
  // cmsg_len below the header (0 would loop forever), or with its high word set: the walk ends.
  for (const len of [0, 8, 15, 2 ** 32 + 28]) {
    const bad = Buffer.from(good);
    bad.writeBigUInt64LE(BigInt(len), 0);
    assert.deepEqual(decode(Buffer.concat([bad, good])), none, `cmsg_len ${len}`);
  }
  // A length past the end of the whole block (controllen larger than what was handed in).
  const block = Buffer.concat([Buffer.alloc(8), good]);
  assert.deepEqual(readControl(block, 8, 4096, fresh()), { ...none, dst: '239.1.2.3', ifindex: 7 });
});

test('random control bytes never throw and stay within the buffer', () => {
  fc.assert(fc.property(fc.uint8Array({ maxLength: 160 }), fc.nat(200), (bytes, len) => {
    const b = Buffer.from(bytes);
    const out = readControl(b, 0, len, fresh());
    assert.equal(typeof out.dst, 'string');
  }), { numRuns: 2000 });
});
