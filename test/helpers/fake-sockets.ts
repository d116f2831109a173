// A SocketApi made of plain data: records every call, enforces a per-socket membership limit
// like net.ipv4.igmp_max_memberships, fails chosen calls with chosen errnos, and lets a test
// deliver datagrams to receivers and read what batch senders sent.
import { constants } from 'node:os';
import { SocketError } from '../../src/platform/sockets/errno.js';
import type { BatchOptions, BatchSender, Datagram, Fd, MembershipRequest, Receiver, RemoteInfo,
  SocketApi } from '../../src/platform/sockets/types.js';
import { isMulticast, type Family } from '../../src/core/kernel/ip.js';

export interface FakeSocket {
  fd: Fd;
  family: Family;
  device?: string;
  bound?: { address: string; port: number };
  multicastAll: boolean;
  memberships: MembershipRequest[];
  multicastIf?: number;
  ttl?: number;
  loop?: boolean;
  closed: boolean;
  onDatagram?: (d: Datagram) => void;
  /** What drops() reports (the kernel's count of datagrams dropped on the socket). */
  drops: number;
  sent: Buffer[];
}

export interface FakeSocketOptions {
  /** Memberships per socket before ENOBUFS (IPv4) / ENOMEM (IPv6). */
  maxMemberships?: number;
  /** Fail a call: key "op ifindex" (join 3) or "op" -> errno name. */
  failures?: Record<string, string>;
  /** Messages the kernel takes per sendmmsg call (default all). */
  acceptPerCall?: number;
}

function err(op: string, code: string): SocketError {
  const n = (constants.errno as Record<string, number>)[code];
  if (n === undefined) throw new Error(`unknown errno ${code}`);
  return new SocketError(op, n);
}

export class FakeSockets implements SocketApi {
  readonly sockets = new Map<Fd, FakeSocket>();
  private next = 100;
  constructor(public opts: FakeSocketOptions = {}) {}

  private s(fd: Fd): FakeSocket {
    const s = this.sockets.get(fd);
    if (!s || s.closed) throw err('fake', 'EBADF');
    return s;
  }
  private fail(op: string, ifindex?: number): void {
    const f = this.opts.failures ?? {};
    const code = (ifindex !== undefined ? f[`${op} ${ifindex}`] : undefined) ?? f[op];
    if (code) throw err(op, code);
  }

  udp(family: Family): Fd {
    this.fail('socket');
    const fd = this.next++;
    this.sockets.set(fd, { fd, family, multicastAll: true, memberships: [], closed: false, sent: [], drops: 0 });
    return fd;
  }
  close(fd: Fd): void { this.s(fd).closed = true; }
  reuse(fd: Fd): void { this.s(fd); }
  bindToDevice(fd: Fd, ifname: string): void { this.fail('bindToDevice'); this.s(fd).device = ifname; }
  bind(fd: Fd, _family: Family, address: string, port: number): void { this.fail('bind'); this.s(fd).bound = { address, port }; }
  v6only(fd: Fd): void { this.s(fd); }
  multicastAll(fd: Fd, _f: Family, on: boolean): void { this.s(fd).multicastAll = on; }
  join(fd: Fd, r: MembershipRequest): void {
    const s = this.s(fd);
    this.fail('join', r.ifindex);
    if (s.memberships.some((m) => m.group === r.group && m.ifindex === r.ifindex && m.source === r.source)) {
      throw err('setsockopt(IP_ADD_MEMBERSHIP)', 'EADDRINUSE');
    }
    if (this.opts.maxMemberships !== undefined && s.memberships.length >= this.opts.maxMemberships) {
      throw err('setsockopt(IP_ADD_MEMBERSHIP)', r.family === 4 ? 'ENOBUFS' : 'ENOMEM');
    }
    s.memberships.push(r);
  }
  leave(fd: Fd, r: MembershipRequest): void {
    const s = this.s(fd);
    s.memberships = s.memberships.filter((m) => !(m.group === r.group && m.ifindex === r.ifindex));
  }
  multicastIf(fd: Fd, _f: Family, ifindex: number): void { this.fail('multicastIf', ifindex); this.s(fd).multicastIf = ifindex; }
  multicastTtl(fd: Fd, _f: Family, ttl: number): void { this.s(fd).ttl = ttl; }
  multicastLoop(fd: Fd, _f: Family, on: boolean): void { this.s(fd).loop = on; }
  sendBuffer(fd: Fd): void { this.s(fd); }
  receiveBuffer(fd: Fd): void { this.s(fd); }

  batchSender(fd: Fd, o: BatchOptions): BatchSender {
    const s = this.s(fd);
    const slots = Array.from({ length: o.slots }, () => Buffer.alloc(o.size));
    return {
      slots,
      send: (n: number) => {
        this.fail('send', s.multicastIf);
        const k = Math.min(n, this.opts.acceptPerCall ?? n);
        for (let i = 0; i < k; i++) s.sent.push(Buffer.from(slots[i]!));
        return k;
      },
      free: () => undefined,
    };
  }

  receive(fd: Fd, _family: Family, onDatagram: (d: Datagram) => void): Receiver {
    const s = this.s(fd);
    s.onDatagram = onDatagram;
    return { close: () => { s.closed = true; }, drops: () => s.drops, drain: () => 0 };
  }

  /**
   * Delivers a datagram sent to `dst` arriving on `ifindex` to every open receiving socket, with
   * PKTINFO as the kernel gives it (each receiver keeps its own interface's). Returns whether a
   * membership of (ifindex, dst) is held, i.e. whether the kernel would have passed a group's
   * datagram up at all (unicast: always).
   */
  deliver(ifindex: number, dst: string, data: Buffer,
    from: RemoteInfo = { address: '198.18.1.1', port: 40000, size: data.length }): boolean {
    const held = !isMulticast(dst) || this.holds(ifindex, dst);
    if (!held) return false;
    let any = false;
    for (const s of this.sockets.values()) {
      if (s.closed || !s.onDatagram) continue;
      s.onDatagram({ data, size: data.length, from, dst, ifindex, ttl: 64 });
      any = true;
    }
    return any;
  }

  private holds(ifindex: number, group: string): boolean {
    return [...this.sockets.values()].some((s) => !s.closed && s.memberships.some((m) => m.ifindex === ifindex && m.group === group));
  }

  open(): FakeSocket[] { return [...this.sockets.values()].filter((s) => !s.closed); }
}
