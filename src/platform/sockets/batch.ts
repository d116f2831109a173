// A preallocated sendmmsg(2) batch: one native block holds the mmsghdr array, the iovecs, the
// destination sockaddr and `slots` payloads. Callers stamp payloads in place; send() makes one
// libc call and allocates nothing (the send-all hot path, issue 9's performance target).
import { SocketError } from './errno.js';
import { MSG_DONTWAIT, SIZEOF_IOVEC, SIZEOF_MMSGHDR, SIZEOF_SOCKADDR_IN6 } from './constants.js';
import { writeSockaddr } from './sockaddr.js';
import { allocNative, freeNative, lastErrno, type Libc } from './libc.js';
import type { BatchOptions, BatchSender, Fd } from './types.js';

const EAGAIN = 11;
const ENOBUFS = 105;
/** UIO_MAXIOV: the kernel caps vlen at 1024. */
const MAX_SLOTS = 1024;

export function makeBatchSender(libc: Libc, fd: Fd, o: BatchOptions): BatchSender {
  const n = Math.max(1, Math.min(MAX_SLOTS, Math.floor(o.slots)));
  const size = Math.max(1, Math.floor(o.size));
  const hdrOff = 0;
  const iovOff = n * SIZEOF_MMSGHDR;
  const saOff = iovOff + n * SIZEOF_IOVEC;
  const payOff = saOff + 32; // sockaddr_in6 (28) rounded up to 8
  const block = allocNative(payOff + n * size);
  const b = block.buf;
  const saLen = writeSockaddr(b, saOff, o.family, o.dst, o.port);
  if (saLen > SIZEOF_SOCKADDR_IN6) throw new Error('sockaddr too long');
  const slots: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const m = hdrOff + i * SIZEOF_MMSGHDR;
    const iov = iovOff + i * SIZEOF_IOVEC;
    const pay = payOff + i * size;
    // struct msghdr (LP64): msg_name @0, msg_namelen @8, msg_iov @16, msg_iovlen @24,
    // msg_control @32, msg_controllen @40, msg_flags @48; mmsghdr.msg_len @56.
    b.writeBigUInt64LE(block.base + BigInt(saOff), m);
    b.writeUInt32LE(saLen, m + 8);
    b.writeBigUInt64LE(block.base + BigInt(iov), m + 16);
    b.writeBigUInt64LE(1n, m + 24);
    b.writeBigUInt64LE(block.base + BigInt(pay), iov);
    b.writeBigUInt64LE(BigInt(size), iov + 8);
    slots.push(b.subarray(pay, pay + size));
  }
  let freed = false;
  return {
    slots,
    send(count: number): number {
      if (freed) throw new Error('batch sender used after free');
      const vlen = Math.max(0, Math.min(n, count));
      if (vlen === 0) return 0;
      const rc = libc.sendmmsg(fd, block.ptr, vlen, MSG_DONTWAIT);
      if (rc >= 0) return rc;
      const errno = lastErrno();
      // A full socket buffer or qdisc: not an error, the pacer retries.
      if (errno === EAGAIN || errno === ENOBUFS) return 0;
      throw new SocketError('sendmmsg', errno);
    },
    free(): void {
      if (freed) return;
      freed = true;
      freeNative(block);
    },
  };
}
