// One socket's receive block (recv.ts): the native memory recvmmsg(2) reads into, laid out once
// and reused for every batch. VLEN struct mmsghdr, then VLEN struct iovec, then per message a
// sockaddr slot, a control slot and a payload slot. Pure over a Buffer and its native address,
// so a unit test can lay one out in ordinary memory and read a datagram the way the kernel
// leaves it (test/unit/recv-block.test.ts).
import { SIZEOF_IOVEC, SIZEOF_MMSGHDR } from './constants.js';
import { readControl, v4Name, v6Name, type ControlInfo } from './cmsg.js';
import type { Datagram } from './types.js';

/** Messages per recvmmsg call, and payload bytes kept of each (longer ones: size says so). */
export const VLEN = 64;
export const SLOT = 2048;
/** Control bytes per message: PKTINFO + TTL + RXQ_OVFL fit with room to spare (cmsg.ts). */
export const CTL = 128;
/** sockaddr_in6 is 28 bytes. */
export const NAME = 32;

export const IOV_OFF = VLEN * SIZEOF_MMSGHDR;
export const NAME_OFF = IOV_OFF + VLEN * SIZEOF_IOVEC;
export const CTL_OFF = NAME_OFF + VLEN * NAME;
export const PAY_OFF = CTL_OFF + VLEN * CTL;
export const BLOCK_SIZE = PAY_OFF + VLEN * SLOT;

/**
 * Points every header of the block at its own slots. `base` is the native address of b[0]: the
 * kernel follows these pointers, so they are addresses, not offsets.
 */
export function linkHeaders(b: Buffer, base: bigint): void {
  for (let i = 0; i < VLEN; i++) {
    const m = i * SIZEOF_MMSGHDR;
    const iov = IOV_OFF + i * SIZEOF_IOVEC;
    // struct msghdr (LP64): name @0, namelen @8, iov @16, iovlen @24, control @32, controllen @40.
    b.writeBigUInt64LE(base + BigInt(NAME_OFF + i * NAME), m);
    b.writeUInt32LE(NAME, m + 8);
    b.writeBigUInt64LE(base + BigInt(iov), m + 16);
    b.writeBigUInt64LE(1n, m + 24);
    b.writeBigUInt64LE(base + BigInt(CTL_OFF + i * CTL), m + 32);
    b.writeBigUInt64LE(BigInt(CTL), m + 40);
    b.writeBigUInt64LE(base + BigInt(PAY_OFF + i * SLOT), iov);
    b.writeBigUInt64LE(BigInt(SLOT), iov + 8);
  }
}

/** msg_len of message i: the datagram's length as recvmmsg reported it (MSG_TRUNC: its real length). */
export const messageLength = (b: Buffer, i: number): number => b.readUInt32LE(i * SIZEOF_MMSGHDR + 56);

/**
 * Fills the reused `d` (and `ctl`) from message i of a batch, then resets the two lengths the
 * kernel rewrote (namelen, controllen) for the next call. Allocates nothing but a view and the
 * address strings (cached in cmsg.ts).
 */
export function readDatagram(b: Buffer, i: number, len: number, family: 4 | 6, d: Datagram, ctl: ControlInfo): void {
  const m = i * SIZEOF_MMSGHDR;
  const name = NAME_OFF + i * NAME;
  const pay = PAY_OFF + i * SLOT;
  d.size = len;
  d.data = b.subarray(pay, pay + Math.min(len, SLOT));
  if (family === 4) {
    d.from.address = v4Name(b.readUInt32BE(name + 4));
  } else {
    d.from.address = v6Name(b, name + 8);
  }
  d.from.port = b.readUInt16BE(name + 2);
  d.from.size = len;
  readControl(b, CTL_OFF + i * CTL, Math.min(CTL, Number(b.readBigUInt64LE(m + 40))), ctl);
  d.dst = ctl.dst;
  d.ifindex = ctl.ifindex;
  d.ttl = ctl.ttl;
  // The kernel rewrote these: reset for the next call.
  b.writeUInt32LE(NAME, m + 8);
  b.writeBigUInt64LE(BigInt(CTL), m + 40);
}
