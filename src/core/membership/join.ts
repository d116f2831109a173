// join-all's core, reused by sniff and mesh: join each group on every eligible interface, one
// membership per (interface, group) by ifindex, and report a result for every pair.
// Memberships are held on membership-only sockets (split at the kernel's per-socket limit); one
// receiving socket per (interface, family, port), bound to its device, takes the traffic. Each
// datagram's group is its destination as the kernel delivered it (PKTINFO) and its interface the
// kernel's ifindex: a payload can never redirect a datagram to another group (issue 17).
import type { Platform } from '../../platform/types.js';
import type { Datagram, MembershipRequest, Receiver, RemoteInfo, SocketApi } from '../../platform/sockets/types.js';
import { isSocketError } from '../kernel/socket-error.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { GroupSpec } from '../group-args.js';
import type { Interface } from '../kernel/interfaces.js';
import { whyIneligible, type Ineligible } from '../kernel/eligibility.js';
import { isMulticast, type Family } from '../kernel/ip.js';
import { joinErrnoSentence } from './errno-text.js';
import { openMembershipSocket, openReceiveSocket, type HeldSocket } from './sockets.js';
import { systemClock, type Clock } from '../clock.js';

export interface JoinDeps {
  sockets: SocketApi;
  platform: Platform;
  /** Stamps each datagram's arrival (Packet.atMs); absent: the system's clock. */
  clock?: Clock;
}

export interface JoinOptions {
  groups: readonly GroupSpec[];
  /** The selected interfaces (the model); eligibility is decided here, per family. */
  interfaces: readonly Interface[];
  /** Bind to each group's port and deliver packets (join-all); false: memberships only (sniff). */
  receive: boolean;
}

/** Why a membership was not made on an interface: the eligibility rule's reason (kernel/eligibility.ts). */
export type SkipReason = Ineligible;

export interface JoinResult {
  iface: string;
  ifindex: number;
  family: Family;
  group: string;
  source?: string;
  port: number;
  status: 'joined' | 'failed' | 'skipped';
  /** Which socket of the interface's chain holds it (0-based), when joined. */
  socket?: number;
  errno?: string;
  op?: string;
  skipReason?: SkipReason;
  /** The errno sentence and fix, when failed. */
  message?: string;
}

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

export interface Membership {
  results: JoinResult[];
  /** JOIN_FAILED for each failure, MAX_MEMBERSHIPS once when sockets were split. */
  findings: Finding[];
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

/** The kernel says "no more on this socket": ENOBUFS (IPv4 igmp_max_memberships), ENOMEM (IPv6 optmem_max). */
const isSocketFull = (code: string): boolean => code === 'ENOBUFS' || code === 'ENOMEM';

export async function joinAll(deps: JoinDeps, opts: JoinOptions): Promise<Membership> {
  const api = deps.sockets;
  const chains = new Map<number, HeldSocket[]>();
  const all: HeldSocket[] = [];
  const results: JoinResult[] = [];
  const findings: Finding[] = [];
  let split: { iface: string; family: Family; errno: string } | undefined;

  const open = (i: Interface, family: Family): HeldSocket => {
    const s = openMembershipSocket(api, { ifname: i.name, ifindex: i.index, family });
    all.push(s);
    return s;
  };
  // Receiving sockets per (interface, family, port), opened at the first group of that port.
  const receivers = new Map<number, HeldSocket>();
  const receiveSocket = (i: Interface, family: Family, port: number): HeldSocket => {
    const key = (i.index * 65536 + port) * 2 + (family === 6 ? 1 : 0);
    let r = receivers.get(key);
    if (!r) {
      r = openReceiveSocket(api, { ifname: i.name, ifindex: i.index, family, port });
      receivers.set(key, r);
    }
    return r;
  };

  const targets = opts.interfaces.filter((i) => !i.loopback);
  // The IPv4 limit per socket, known beforehand: the next socket opens at the limit instead of
  // after an ENOBUFS (an exception per socket: 410 of them for 4096 groups x 2, issue 9). The
  // ENOBUFS path below stays for a limit lowered meanwhile, and for IPv6 (optmem_max, no count).
  const v4Limit = opts.groups.some((g) => g.family === 4) ? Number(await deps.platform.sysctl('net.ipv4.igmp_max_memberships')) : NaN;
  const perSocket = Number.isInteger(v4Limit) && v4Limit >= 1 ? v4Limit : Infinity;
  // Hot loop (4096 groups x N interfaces, issue 9): eligibility once per (interface, family),
  // not an address filter per membership.
  // Numeric keys, no string per membership (garbage, and the collector was a third of the time).
  const reasons = new Map<number, SkipReason | undefined>();
  const reasonFor = (i: Interface, f: Family): SkipReason | undefined => {
    const k = i.index * 2 + (f === 6 ? 1 : 0);
    if (!reasons.has(k)) reasons.set(k, whyIneligible(i, [f]));
    return reasons.get(k);
  };
  // One held-group record per group, shared by its interfaces' sockets (never changed).
  for (const g of opts.groups) {
    const held = g.source !== undefined ? { group: g.group, source: g.source } : { group: g.group };
    for (const i of targets) {
      const base: JoinResult = { iface: i.name, ifindex: i.index, family: g.family, group: g.group, port: g.port, status: 'joined' };
      if (g.source !== undefined) base.source = g.source;
      const reason = reasonFor(i, g.family);
      if (reason) {
        results.push({ ...base, status: 'skipped', skipReason: reason });
        continue;
      }
      const key = i.index * 2 + (g.family === 6 ? 1 : 0);
      let chain = chains.get(key);
      if (!chain) { chain = []; chains.set(key, chain); }
      const req: MembershipRequest = g.source !== undefined
        ? { family: g.family, group: g.group, ifindex: i.index, source: g.source }
        : { family: g.family, group: g.group, ifindex: i.index };
      try {
        const rx = opts.receive ? receiveSocket(i, g.family, g.port) : undefined;
        let s = chain[chain.length - 1];
        const full = s !== undefined && s.groups.length >= perSocket;
        if (s && full && g.family === 4 && g.source === undefined && s.groups.every((x) => x.source === undefined)) {
          split ??= { iface: i.name, family: 4, errno: 'ENOBUFS' };
          s = undefined;
        }
        if (!s) { s = open(i, g.family); chain.push(s); }
        try {
          api.join(s.fd, req);
        } catch (e) {
          // Full socket: open the next one and try once more there (smcroute does the same).
          if (!isSocketError(e) || !isSocketFull(e.code) || s.groups.length === 0) throw e;
          split ??= { iface: i.name, family: g.family, errno: e.code };
          s = open(i, g.family);
          chain.push(s);
          api.join(s.fd, req);
        }
        s.groups.push(held);
        rx?.groups.push(held);
        base.socket = chain.length - 1;
        results.push(base);
      } catch (e) {
        if (!isSocketError(e)) throw e;
        const sentence = e.op === 'bind'
          ? { message: `cannot bind port ${g.port} on ${i.name} (${e.code}): another program holds it without SO_REUSEPORT`, fix: `ss -ulnp 'sport = :${g.port}' shows who; pick another --port` }
          : joinErrnoSentence(e.code, i.name, g.group);
        results.push({ ...base, status: 'failed', errno: e.code, op: e.op, message: sentence.message });
        findings.push(makeFinding('JOIN_FAILED', {
          iface: i.name, group: g.group, ...(g.source !== undefined ? { source: g.source } : {}),
          message: `${sentence.message}.`, fix: sentence.fix, evidence: { errno: e.code, op: e.op },
        }));
      }
    }
  }

  if (split) {
    // Read once already when IPv4 groups were asked for.
    const limit = Number.isNaN(v4Limit) ? await deps.platform.sysctl('net.ipv4.igmp_max_memberships') : String(v4Limit);
    const v4 = split.family === 4;
    const perIface = Math.max(...[...chains.values()].map((c) => c.length));
    findings.push(makeFinding('MAX_MEMBERSHIPS', {
      iface: split.iface,
      message: v4
        ? `The kernel allows ${limit ?? 'a limited number of'} memberships per socket (net.ipv4.igmp_max_memberships): memberships were spread over ${perIface} sockets per interface.`
        : `The kernel refused more IPv6 memberships on one socket (${split.errno}, net.core.optmem_max): memberships were spread over ${perIface} sockets per interface.`,
      fix: v4
        ? 'Nothing to do here (done automatically); a program holding many groups on one socket needs: sysctl -w net.ipv4.igmp_max_memberships=N'
        : 'Nothing to do here (done automatically); a program holding many groups on one socket needs: sysctl -w net.core.optmem_max=N',
      evidence: { errno: split.errno, sysctl: v4 ? 'net.ipv4.igmp_max_memberships' : 'net.core.optmem_max', limit: limit === undefined ? null : Number(limit), socketsPerInterface: perIface, sockets: all.length },
    }));
  }

  const packetCbs: ((p: Packet) => void)[] = [];
  const errorCbs: ((e: Error, iface: string) => void)[] = [];
  const live = new Map<HeldSocket, Receiver>();
  const unowned = new Set(all);
  for (const r of receivers.values()) {
    if (r.groups.length === 0) { api.close(r.fd); continue; }
    const onError = (e: Error) => { for (const cb of errorCbs) cb(e, r.ifname); };
    live.set(r, api.receive(r.fd, r.family, deliverTo(r, packetCbs, deps.clock ?? systemClock), onError));
  }
  let closed = false;
  // Drops of receiving sockets already closed (an interface that went away) still count.
  const released: OwnDrops[] = [];
  return {
    results,
    findings,
    socketCount: all.length + live.size,
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
  const p: Packet = { iface: r.ifname, ifindex: r.ifindex, family: r.family, port: r.port, dst: '', kind: 'group', from: { address: '', port: 0, size: 0 }, data: Buffer.alloc(0), size: 0, ttl: -1, atMs: 0 };
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
