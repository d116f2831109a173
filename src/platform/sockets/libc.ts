// The libc functions behind SocketApi, bound with koffi. Loaded only by linux.ts, which is
// itself only reached through a dynamic import (mac-map and friends never load koffi).
// errno is read with koffi.errno() right after the failing call, before anything else runs.
import os from 'node:os';
import koffi from 'koffi';
import { SocketError } from './errno.js';

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  bind(fd: number, addr: Buffer, len: number): number;
  close(fd: number): number;
  /** msgvec is a native pointer from koffi.alloc. */
  sendmmsg(fd: number, msgvec: unknown, vlen: number, flags: number): number;
  recvmmsg(fd: number, msgvec: unknown, vlen: number, flags: number, timeout: null): number;
  getsockopt(fd: number, level: number, name: number, value: Buffer, len: Buffer): number;
  epoll_create1(flags: number): number;
  epoll_ctl(epfd: number, op: number, fd: number, event: Buffer): number;
  /** Also called with .async(...args, callback) on a koffi worker thread (receive readiness). */
  /** syscall(2), variadic: each argument after the number is given as ('int', value) pairs (pidfd_open, pidfd_getfd). */
  syscall: (nr: number, ...typedArgs: Array<string | number>) => number | bigint;
  epoll_wait: ((epfd: number, events: unknown, max: number, timeoutMs: number) => number)
    & { async(epfd: number, events: unknown, max: number, timeoutMs: number, cb: (err: unknown, n: number) => void): void };
}

let libc: Libc | undefined;

export function loadLibc(): Libc {
  if (libc) return libc;
  if (process.platform !== 'linux') throw new Error(`socket options need Linux (this is ${process.platform})`);
  // The struct encoders write host-order ints as little-endian (sockaddr.ts).
  if (os.endianness() !== 'LE') throw new Error('socket options are implemented for little-endian Linux only');
  const lib = koffi.load('libc.so.6');
  libc = {
    socket: lib.func('int socket(int, int, int)') as Libc['socket'],
    setsockopt: lib.func('int setsockopt(int, int, int, void *, uint32_t)') as Libc['setsockopt'],
    bind: lib.func('int bind(int, void *, uint32_t)') as Libc['bind'],
    close: lib.func('int close(int)') as Libc['close'],
    sendmmsg: lib.func('int sendmmsg(int, void *, unsigned int, int)') as Libc['sendmmsg'],
    recvmmsg: lib.func('int recvmmsg(int, void *, unsigned int, int, void *)') as Libc['recvmmsg'],
    getsockopt: lib.func('int getsockopt(int, int, int, void *, void *)') as Libc['getsockopt'],
    epoll_create1: lib.func('int epoll_create1(int)') as Libc['epoll_create1'],
    epoll_ctl: lib.func('int epoll_ctl(int, int, int, void *)') as Libc['epoll_ctl'],
    epoll_wait: lib.func('int epoll_wait(int, void *, int, int)') as Libc['epoll_wait'],
    syscall: lib.func('long syscall(long, ...)') as Libc['syscall'],
  };
  return libc;
}

/** Throws SocketError(op, errno) when a libc call returned -1. */
export function check(op: string, rc: number): number {
  if (rc < 0) throw new SocketError(op, koffi.errno());
  return rc;
}

export function lastErrno(): number {
  return koffi.errno();
}

/** Native memory with a Buffer view over it and its address (for pointers inside structs). */
export interface NativeBlock {
  ptr: unknown;
  base: bigint;
  buf: Buffer;
}

export function allocNative(bytes: number): NativeBlock {
  const ptr: unknown = koffi.alloc('uint8_t', bytes);
  const buf = Buffer.from(koffi.view(ptr, bytes));
  buf.fill(0);
  return { ptr, base: koffi.address(ptr), buf };
}

export function freeNative(b: NativeBlock): void {
  koffi.free(b.ptr);
}
