// A failed socket call, as the platform throws it and the core recognises it; errno numbers to
// Node-style codes (ENOBUFS...) from Node's own table of this platform. Pure: no OS call, so the
// core may import it (the platform re-exports it from sockets/errno.ts).
import { constants } from 'node:os';

const names = new Map<number, string>();
for (const [name, n] of Object.entries(constants.errno)) if (!names.has(n)) names.set(n, name);

export function errnoName(n: number): string {
  return names.get(n) ?? `ERRNO_${n}`;
}

/** A failed socket call: `code` is the errno name, `op` the call ("setsockopt(IP_ADD_MEMBERSHIP)"). */
export class SocketError extends Error {
  readonly code: string;
  readonly errno: number;
  readonly op: string;

  constructor(op: string, errno: number) {
    const code = errnoName(errno);
    super(`${op}: ${code}`);
    this.name = 'SocketError';
    this.code = code;
    this.errno = errno;
    this.op = op;
  }
}

export function isSocketError(e: unknown): e is SocketError {
  return e instanceof SocketError;
}
