// The receive block (src/platform/sockets/recv-block.ts) laid out in ordinary memory: headers
// point at their own slots, and a datagram written the way recvmmsg leaves it (sockaddr, control
// data, payload, msg_len, rewritten namelen / controllen) is read back into the reused Datagram.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  BLOCK_SIZE, CTL, CTL_OFF, IOV_OFF, NAME, NAME_OFF, PAY_OFF, SLOT, VLEN, linkHeaders, messageLength, readDatagram,
} from '../../src/platform/sockets/recv-block.js';
import type { ControlInfo } from '../../src/platform/sockets/cmsg.js';
import type { Datagram } from '../../src/platform/sockets/types.js';
import { ipv4ToInt, ipv6ToBytes } from '../../src/core/kernel/ip.js';

const MMSGHDR = 64;
const IOVEC = 16;
const BASE = 0x7f00_0000_0000n;

const fresh = (): { d: Datagram; ctl: ControlInfo } => ({
  d: { data: Buffer.alloc(0), size: 0, from: { address: '', port: 0, size: 0 }, dst: '', ifindex: 0, ttl: -1 },
  ctl: { dst: '', ifindex: 0, ttl: -1, overflow: -1 },
});

/** One cmsg as put_cmsg writes it: u64 len (header + data), i32 level, i32 type, data, padded to 8. */
function cmsg(level: number, type: number, data: Buffer): Buffer {
  const b = Buffer.alloc((16 + data.length + 7) & ~7);
  b.writeBigUInt64LE(BigInt(16 + data.length), 0);
  b.writeInt32LE(level, 8);
  b.writeInt32LE(type, 12);
  data.copy(b, 16);
  return b;
}
const int32 = (n: number): Buffer => { const b = Buffer.alloc(4); b.writeInt32LE(n); return b; };

/** What the kernel leaves in message i: the payload, the source, control data, msg_len, new lengths. */
function deliver(b: Buffer, i: number, o: { from: Buffer; control: Buffer; payload: Buffer; len?: number }): void {
  const m = i * MMSGHDR;
  o.from.copy(b, NAME_OFF + i * NAME);
  o.control.copy(b, CTL_OFF + i * CTL);
  o.payload.copy(b, PAY_OFF + i * SLOT, 0, Math.min(SLOT, o.payload.length));
  b.writeUInt32LE(o.from.length, m + 8);
  b.writeBigUInt64LE(BigInt(o.control.length), m + 40);
  b.writeUInt32LE(o.len ?? o.payload.length, m + 56);
}

test('linkHeaders: every mmsghdr points at its own name, iovec and control slot; every iovec at its payload slot', () => {
  const b = Buffer.alloc(BLOCK_SIZE);
  linkHeaders(b, BASE);
  for (const i of [0, 1, VLEN - 1]) {
    const m = i * MMSGHDR;
    const iov = IOV_OFF + i * IOVEC;
    assert.equal(b.readBigUInt64LE(m), BASE + BigInt(NAME_OFF + i * NAME));
    assert.equal(b.readUInt32LE(m + 8), NAME);
    assert.equal(b.readBigUInt64LE(m + 16), BASE + BigInt(iov));
    assert.equal(b.readBigUInt64LE(m + 24), 1n);
    assert.equal(b.readBigUInt64LE(m + 32), BASE + BigInt(CTL_OFF + i * CTL));
    assert.equal(b.readBigUInt64LE(m + 40), BigInt(CTL));
    assert.equal(b.readBigUInt64LE(iov), BASE + BigInt(PAY_OFF + i * SLOT));
    assert.equal(b.readBigUInt64LE(iov + 8), BigInt(SLOT));
  }
  // The last payload slot ends the block: nothing the kernel writes runs past it.
  assert.equal(PAY_OFF + VLEN * SLOT, BLOCK_SIZE);
});

test('readDatagram (IPv4): source, port, group and ifindex from PKTINFO, TTL, overflow; lengths reset', () => {
  const b = Buffer.alloc(BLOCK_SIZE);
  linkHeaders(b, BASE);
  const from = Buffer.alloc(16); // sockaddr_in: family, port (network order), address
  from.writeUInt16LE(2, 0);
  from.writeUInt16BE(5001, 2);
  from.writeUInt32BE(ipv4ToInt('198.18.1.7'), 4);
  const pktinfo = Buffer.alloc(12);
  pktinfo.writeInt32LE(3, 0);
  pktinfo.writeUInt32BE(ipv4ToInt('198.18.1.1'), 4);
  pktinfo.writeUInt32BE(ipv4ToInt('239.1.2.3'), 8);
  const control = Buffer.concat([cmsg(0, 8, pktinfo), cmsg(0, 2, int32(7)), cmsg(1, 40, int32(12))]);
  deliver(b, 5, { from, control, payload: Buffer.from('probe') });
  const { d, ctl } = fresh();
  readDatagram(b, 5, messageLength(b, 5), 4, d, ctl);
  assert.deepEqual({ ...d, data: d.data.toString() }, {
    data: 'probe', size: 5, from: { address: '198.18.1.7', port: 5001, size: 5 }, dst: '239.1.2.3', ifindex: 3, ttl: 7,
  });
  assert.equal(ctl.overflow, 12);
  assert.equal(b.readUInt32LE(5 * MMSGHDR + 8), NAME);
  assert.equal(b.readBigUInt64LE(5 * MMSGHDR + 40), BigInt(CTL));
});

test('readDatagram (IPv6): a datagram longer than the slot keeps its real size, its data the slot', () => {
  const b = Buffer.alloc(BLOCK_SIZE);
  linkHeaders(b, BASE);
  const from = Buffer.alloc(28); // sockaddr_in6: family, port, flowinfo, address, scope id
  from.writeUInt16LE(10, 0);
  from.writeUInt16BE(5002, 2);
  Buffer.from(ipv6ToBytes('fe80::1')).copy(from, 8);
  const pktinfo = Buffer.alloc(20);
  Buffer.from(ipv6ToBytes('ff05::1:3')).copy(pktinfo, 0);
  pktinfo.writeInt32LE(4, 16);
  const control = Buffer.concat([cmsg(41, 50, pktinfo), cmsg(41, 52, int32(1))]);
  deliver(b, VLEN - 1, { from, control, payload: Buffer.alloc(SLOT, 0xab), len: 9000 });
  const { d, ctl } = fresh();
  readDatagram(b, VLEN - 1, messageLength(b, VLEN - 1), 6, d, ctl);
  assert.equal(d.size, 9000);
  assert.equal(d.data.length, SLOT);
  assert.deepEqual([d.from.address, d.from.port, d.dst, d.ifindex, d.ttl], ['fe80::1', 5002, 'ff05::1:3', 4, 1]);
  // No SO_RXQ_OVFL in this one: the control data did not say.
  assert.equal(ctl.overflow, -1);
});

test('readDatagram: a controllen the kernel claims beyond the slot is read only within the slot', () => {
  const b = Buffer.alloc(BLOCK_SIZE);
  linkHeaders(b, BASE);
  // Slot 0 is filled by one cmsg of a type nobody reads; slot 1 holds a TTL right after it, which
  // a walk past slot 0 would pick up.
  deliver(b, 0, { from: Buffer.alloc(16), control: cmsg(0, 99, Buffer.alloc(CTL - 16)), payload: Buffer.from('x') });
  b.writeBigUInt64LE(1n << 40n, 40);
  cmsg(0, 2, int32(99)).copy(b, CTL_OFF + CTL);
  const { d, ctl } = fresh();
  readDatagram(b, 0, 1, 4, d, ctl);
  assert.equal(d.ttl, -1);
});
