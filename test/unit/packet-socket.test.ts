// struct sockaddr_ll as the packet socket binds it and as recvmsg hands it back with each packet
// (src/platform/capture/sockaddr-ll.ts): the arrival interface and the direction.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AF_PACKET, ETH_P_IP, PACKET_HOST, PACKET_LOOPBACK, PACKET_MULTICAST, PACKET_OUTGOING, decodeSockaddrLl, encodeSockaddrLl,
  type LinkAddress,
} from '../../src/platform/capture/sockaddr-ll.js';

/** What packet_recvmsg writes: family, protocol (network order), ifindex, hatype, pkttype, halen, address. */
function kernelSll(o: { ifindex: number; pktType: number; protocol?: number; halen?: number }): Buffer {
  const b = Buffer.alloc(20, 0xee);
  b.writeUInt16LE(AF_PACKET, 0);
  b.writeUInt16BE(o.protocol ?? ETH_P_IP, 2);
  b.writeInt32LE(o.ifindex, 4);
  b.writeUInt16LE(1, 8); // ARPHRD_ETHER
  b[10] = o.pktType;
  b[11] = o.halen ?? 6;
  Buffer.from([2, 0, 0, 0, 0, 1]).copy(b, 12);
  return b;
}

const fresh = (): LinkAddress => ({ ifindex: -1, pktType: -1, protocol: -1, ownSend: true });

test('sockaddr_ll: the arrival interface and a multicast arrival', () => {
  const out = fresh();
  // Inside a receive block at an offset, as recvmmsg leaves it.
  const block = Buffer.alloc(64);
  kernelSll({ ifindex: 301, pktType: PACKET_MULTICAST }).copy(block, 32);
  assert.equal(decodeSockaddrLl(block, 32, 18, out), true);
  assert.deepEqual(out, { ifindex: 301, pktType: PACKET_MULTICAST, protocol: ETH_P_IP, ownSend: false });
  assert.equal(decodeSockaddrLl(kernelSll({ ifindex: 2, pktType: PACKET_HOST, halen: 0 }), 0, 12, out), true);
  assert.deepEqual([out.ifindex, out.ownSend], [2, false]);
});

test('sockaddr_ll: the host\'s own send (PACKET_OUTGOING) and its loopback copy are not arrivals', () => {
  const out = fresh();
  assert.equal(decodeSockaddrLl(kernelSll({ ifindex: 5, pktType: PACKET_OUTGOING }), 0, 18, out), true);
  assert.deepEqual([out.ifindex, out.ownSend], [5, true]);
  assert.equal(decodeSockaddrLl(kernelSll({ ifindex: 5, pktType: PACKET_LOOPBACK }), 0, 18, out), true);
  assert.equal(out.ownSend, true);
});

test('sockaddr_ll: too short, or another family: not decoded', () => {
  const out = fresh();
  assert.equal(decodeSockaddrLl(kernelSll({ ifindex: 5, pktType: 0 }), 0, 11, out), false);
  assert.equal(decodeSockaddrLl(kernelSll({ ifindex: 5, pktType: 0 }).subarray(0, 10), 0, 20, out), false);
  const inet = kernelSll({ ifindex: 5, pktType: 0 });
  inet.writeUInt16LE(2, 0);
  assert.equal(decodeSockaddrLl(inet, 0, 20, out), false);
});

test('sockaddr_ll: the bind address is every interface (0) for IPv4', () => {
  const b = encodeSockaddrLl(ETH_P_IP, 0);
  assert.equal(b.length, 20);
  assert.deepEqual([b.readUInt16LE(0), b.readUInt16BE(2), b.readInt32LE(4)], [AF_PACKET, 0x0800, 0]);
  assert.equal(b.subarray(8).every((x) => x === 0), true);
});
