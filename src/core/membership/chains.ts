// Which socket takes a membership (sockets.ts says why there are two kinds): a chain of
// membership-only sockets per (interface, family), a new link at the kernel's per-socket limit,
// and the receiving socket of (interface, family, port), opened at the first group of its port.
// A step of joinAll (join.ts) on its own so that the limit and ENOBUFS paths can be tested apart.
import type { MembershipRequest, SocketApi } from '../../platform/sockets/types.js';
import { isSocketError } from '../kernel/socket-error.js';
import type { Family } from '../kernel/ip.js';
import type { Interface } from '../kernel/interfaces.js';
import { openMembershipSocket, openReceiveSocket, type HeldSocket } from './sockets.js';

/** The first time a chain grew: where, and the errno (ENOBUFS for the known IPv4 limit). */
export interface Split {
  iface: string;
  family: Family;
  errno: string;
}

/** A group as a socket holds it; one object per group, shared by its interfaces' sockets (never changed). */
export type HeldGroup = HeldSocket['groups'][number];

/** The kernel says "no more on this socket": ENOBUFS (IPv4 igmp_max_memberships), ENOMEM (IPv6 optmem_max). */
const isSocketFull = (code: string): boolean => code === 'ENOBUFS' || code === 'ENOMEM';

// Numeric keys, no string per membership (4096 groups x N interfaces, issue 9: garbage, and the
// collector was a third of the time).
const chainKey = (i: Interface, family: Family): number => i.index * 2 + (family === 6 ? 1 : 0);
const receiverKey = (i: Interface, family: Family, port: number): number => (i.index * 65536 + port) * 2 + (family === 6 ? 1 : 0);

export class SocketChains {
  /** Membership sockets per (interface, family), in the order they were opened. */
  readonly chains = new Map<number, HeldSocket[]>();
  /** Every membership socket, in the order they were opened. */
  readonly all: HeldSocket[] = [];
  /** Receiving sockets per (interface, family, port), with the groups each takes. */
  readonly receivers = new Map<number, HeldSocket>();
  /** Set at the first split, so that MAX_MEMBERSHIPS is said once. */
  split: Split | undefined;

  /**
   * perSocket: the IPv4 memberships per socket known beforehand (net.ipv4.igmp_max_memberships),
   * Infinity when unknown: the next socket opens at the limit instead of after an ENOBUFS (an
   * exception per socket: 410 of them for 4096 groups x 2, issue 9).
   */
  constructor(private readonly api: SocketApi, private readonly perSocket: number) {}

  /** The receiving socket of (interface, family, port), opened at its first group. Throws SocketError. */
  receiver(i: Interface, family: Family, port: number): HeldSocket {
    const key = receiverKey(i, family, port);
    let r = this.receivers.get(key);
    if (!r) {
      r = openReceiveSocket(this.api, { ifname: i.name, ifindex: i.index, family, port });
      this.receivers.set(key, r);
    }
    return r;
  }

  /** Joins on the last socket of the interface's chain, growing it when full; the socket's place in the chain. Throws SocketError. */
  join(i: Interface, req: MembershipRequest, held: HeldGroup): number {
    const chain = this.chainOf(i, req.family);
    let s = chain[chain.length - 1];
    // At the known limit: a new link. Only for plain IPv4 joins: a socket holding SSM joins counts
    // its sources against other limits (igmp_max_msf), so it is left to the ENOBUFS path below.
    const full = s !== undefined && s.groups.length >= this.perSocket;
    if (s && full && req.family === 4 && req.source === undefined && s.groups.every((x) => x.source === undefined)) {
      this.split ??= { iface: i.name, family: 4, errno: 'ENOBUFS' };
      s = undefined;
    }
    if (!s) s = this.grow(i, req.family, chain);
    try {
      this.api.join(s.fd, req);
    } catch (e) {
      // Full socket: open the next one and try once more there (smcroute does the same). The
      // ENOBUFS path stays for a limit lowered meanwhile, and for IPv6 (optmem_max, no count).
      // A fresh socket that refuses is a failure, not a loop.
      if (!isSocketError(e) || !isSocketFull(e.code) || s.groups.length === 0) throw e;
      this.split ??= { iface: i.name, family: req.family, errno: e.code };
      s = this.grow(i, req.family, chain);
      this.api.join(s.fd, req);
    }
    s.groups.push(held);
    return chain.length - 1;
  }

  /** The most membership sockets any (interface, family) needed. */
  longestChain(): number {
    return Math.max(...[...this.chains.values()].map((c) => c.length));
  }

  private chainOf(i: Interface, family: Family): HeldSocket[] {
    const key = chainKey(i, family);
    let chain = this.chains.get(key);
    if (!chain) {
      chain = [];
      this.chains.set(key, chain);
    }
    return chain;
  }

  private grow(i: Interface, family: Family, chain: HeldSocket[]): HeldSocket {
    const s = openMembershipSocket(this.api, { ifname: i.name, ifindex: i.index, family });
    this.all.push(s);
    chain.push(s);
    return s;
  }
}
