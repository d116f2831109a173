// The last step of joinAll (join.ts): a Receiver on each receiving socket that holds a group,
// the per-datagram path, and the handle that drains, counts drops and closes per interface.
import type { Datagram, Receiver, RemoteInfo, SocketApi } from '../../platform/sockets/types.js';
import { isMulticast, type Family } from '../kernel/ip.js';
import type { Clock } from '../clock.js';
import type { HeldSocket } from './sockets.js';

/** group: a group joined on this interface for this port; other-group: a group someone else joined (or ours on another port); unicast. */
export type PacketKind = 'group' | 'other-group' | 'unicast';

/** One datagram. The receiving socket reuses the object: valid during the callback only. */
export interface Packet {
  iface: string;
  /** The arrival interface (the kernel's ifindex, PKTINFO). */
  ifindex: number;
  family: Family;
  port: number;
  /** The destination the kernel delivered it to (PKTINFO). */
  dst: string;
  /** The joined group it was sent to (kind 'group'); undefined otherwise. */
  group?: string;
  kind: PacketKind;
  from: RemoteInfo;
  /** The payload (the first 2048 bytes at most: `size` is the datagram's length). */
  data: Buffer;
  size: number;
  /** Received TTL / hop limit; -1 when the kernel did not say. */
  ttl: number;
  /** The clock's now at arrival (JoinDeps.clock). */
  atMs: number;
}

/** Datagrams the kernel dropped on one of our receiving sockets (its buffer was full). */
export interface OwnDrops {
  iface: string;
  family: Family;
  port: number;
  drops: number;
}

/** The live half of a Membership (join.ts): what is received, and closing. */
export interface Receiving {
  /** Sockets opened in all. */
  socketCount: number;
  onPacket(cb: (p: Packet) => void): void;
  onError(cb: (e: Error, iface: string) => void): void;
  /** Per receiving socket, what the kernel dropped on it so far (our own overrun, not the network's). */
  ownDrops(): OwnDrops[];
  /** Reads what the kernel queued on every receiving socket before the run ends (Receiver.drain). */
  drainAll(): number;
  /** Closes the sockets (so the memberships) of one interface that went down or away; how many. */
  release(iface: string): number;
  close(): void;
}

/** The sockets joinAll made: membership sockets (never delivered to) and receiving sockets. */
export interface MadeSockets {
  memberships: readonly HeldSocket[];
  receivers: Iterable<HeldSocket>;
}

/** Starts receiving on every receiving socket that got a group (closing the others) and returns the handle. */
export function startReceiving(api: SocketApi, made: MadeSockets, clock: Clock): Receiving {
  const packetCbs: ((p: Packet) => void)[] = [];
  const errorCbs: ((e: Error, iface: string) => void)[] = [];
  const live = new Map<HeldSocket, Receiver>();
  const unowned = new Set(made.memberships);
  for (const r of made.receivers) {
    // Every join of its port failed on this interface: nothing to receive.
    if (r.groups.length === 0) { api.close(r.fd); continue; }
    const onError = (e: Error) => { for (const cb of errorCbs) cb(e, r.ifname); };
    live.set(r, api.receive(r.fd, r.family, deliverTo(r, packetCbs, clock), onError));
  }
  let closed = false;
  // Drops of receiving sockets already closed (an interface that went away) still count.
  const released: OwnDrops[] = [];
  return {
    socketCount: made.memberships.length + live.size,
    onPacket: (cb) => { packetCbs.push(cb); },
    onError: (cb) => { errorCbs.push(cb); },
    drainAll: () => { let n = 0; for (const r of live.values()) n += r.drain(); return n; },
    ownDrops: () => [...released, ...[...live].map(([s, r]) => ({ iface: s.ifname, family: s.family, port: s.port, drops: r.drops() }))],
    release: (iface) => {
      let n = 0;
      for (const [s, r] of live) {
        if (s.ifname !== iface) continue;
        released.push({ iface: s.ifname, family: s.family, port: s.port, drops: r.drops() });
        r.close();
        live.delete(s);
        n++;
      }
      for (const s of unowned) {
        if (s.ifname !== iface) continue;
        api.close(s.fd);
        unowned.delete(s);
        n++;
      }
      return n;
    },
    close: () => {
      if (closed) return;
      closed = true;
      for (const r of live.values()) r.close();
      for (const s of unowned) api.close(s.fd);
    },
  };
}

/**
 * The per-datagram path of one receiving socket: the kernel's destination decides the group,
 * its ifindex the interface. One Packet object, reused (the hot path allocates nothing).
 */
function deliverTo(r: HeldSocket, cbs: readonly ((p: Packet) => void)[], clock: Clock): (d: Datagram) => void {
  const p: Packet = {
    iface: r.ifname, ifindex: r.ifindex, family: r.family, port: r.port, dst: '', kind: 'group',
    from: { address: '', port: 0, size: 0 }, data: Buffer.alloc(0), size: 0, ttl: -1, atMs: 0,
  };
  // Groups joined on this interface for this port; the set grows with r.groups (rejoins).
  const mine = new Set<string>();
  let known = 0;
  return (d) => {
    // Without SO_BINDTODEVICE every interface's socket sees every datagram: keep our own only.
    if (d.ifindex !== 0 && d.ifindex !== r.ifindex) return;
    for (; known < r.groups.length; known++) mine.add(r.groups[known]?.group ?? '');
    p.dst = d.dst;
    if (mine.has(d.dst)) {
      p.group = d.dst;
      p.kind = 'group';
    } else {
      p.group = undefined;
      p.kind = d.dst !== '' && isMulticast(d.dst) ? 'other-group' : 'unicast';
    }
    p.from = d.from;
    p.data = d.data;
    p.size = d.size;
    p.ttl = d.ttl;
    p.atMs = clock.now();
    for (const cb of cbs) cb(p);
  };
}
