// join-all's core, reused by sniff: join each group on every eligible interface, one
// membership per (interface, group) by ifindex, and report a result for every pair.
// Receive sockets are bound to the port and to their device with IP_MULTICAST_ALL off, so
// each packet is attributed to the interface it arrived on.
import type { Platform } from '../../platform/types.js';
import type { MembershipRequest, Receiver, RemoteInfo, SocketApi } from '../../platform/sockets/types.js';
import { isSocketError } from '../../platform/sockets/errno.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { GroupSpec } from '../group-args.js';
import { addressesOf, type Interface } from '../interfaces.js';
import type { Family } from '../ip.js';
import { joinErrnoSentence } from './errno-text.js';
import { openMembershipSocket, type HeldSocket } from './sockets.js';

export interface JoinDeps {
  sockets: SocketApi;
  platform: Platform;
}

export interface JoinOptions {
  groups: readonly GroupSpec[];
  /** The selected interfaces (the model); eligibility is decided here, per family. */
  interfaces: readonly Interface[];
  /** Bind to each group's port and deliver packets (join-all); false: memberships only (sniff). */
  receive: boolean;
}

export type SkipReason = 'down' | 'no-multicast' | 'no-address';

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

export interface Packet {
  iface: string;
  ifindex: number;
  family: Family;
  port: number;
  /** The group, when the receiving socket holds only one (else read it from the probe payload). */
  group?: string;
  from: RemoteInfo;
  data: Buffer;
  /** Date.now() at arrival. */
  atMs: number;
}

export interface Membership {
  results: JoinResult[];
  /** JOIN_FAILED for each failure, MAX_MEMBERSHIPS once when sockets were split. */
  findings: Finding[];
  /** Sockets opened in all. */
  socketCount: number;
  onPacket(cb: (p: Packet) => void): void;
  onError(cb: (e: Error, iface: string) => void): void;
  /** Closes the sockets (so the memberships) of one interface that went down or away; how many. */
  release(iface: string): number;
  close(): void;
}

/** Why an interface cannot carry the family, or undefined when it can (interfaces.ts isEligible). */
export function skipReason(i: Interface, family: Family): SkipReason | undefined {
  if (!i.up) return 'down';
  if (!i.multicast) return 'no-multicast';
  if (addressesOf(i, family).length === 0) return 'no-address';
  return undefined;
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

  const open = (i: Interface, family: Family, port: number): HeldSocket => {
    const s = openMembershipSocket(api, { ifname: i.name, ifindex: i.index, family, port, receive: opts.receive });
    all.push(s);
    return s;
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
    if (!reasons.has(k)) reasons.set(k, skipReason(i, f));
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
      const key = (i.index * 65536 + g.port) * 2 + (g.family === 6 ? 1 : 0);
      let chain = chains.get(key);
      if (!chain) { chain = []; chains.set(key, chain); }
      const req: MembershipRequest = g.source !== undefined
        ? { family: g.family, group: g.group, ifindex: i.index, source: g.source }
        : { family: g.family, group: g.group, ifindex: i.index };
      try {
        let s = chain[chain.length - 1];
        if (s && g.family === 4 && g.source === undefined && s.groups.length >= perSocket && s.groups.every((x) => x.source === undefined)) {
          split ??= { iface: i.name, family: 4, errno: 'ENOBUFS' };
          s = undefined;
        }
        if (!s) { s = open(i, g.family, g.port); chain.push(s); }
        try {
          api.join(s.fd, req);
        } catch (e) {
          // Full socket: open the next one and try once more there (smcroute does the same).
          if (!isSocketError(e) || !isSocketFull(e.code) || s.groups.length === 0) throw e;
          split ??= { iface: i.name, family: g.family, errno: e.code };
          s = open(i, g.family, g.port);
          chain.push(s);
          api.join(s.fd, req);
        }
        s.groups.push(held);
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
  const receivers = new Map<HeldSocket, Receiver>();
  const unowned = new Set(all);
  if (opts.receive) {
    for (const s of all) {
      const single = s.groups.length === 1 ? s.groups[0]?.group : undefined;
      if (s.groups.length === 0) continue;
      receivers.set(s, api.receive(s.fd, s.family, (data, from) => {
        const p: Packet = { iface: s.ifname, ifindex: s.ifindex, family: s.family, port: s.port, from, data, atMs: Date.now() };
        if (single !== undefined) p.group = single;
        for (const cb of packetCbs) cb(p);
      }, (e) => { for (const cb of errorCbs) cb(e, s.ifname); }));
      unowned.delete(s);
    }
  }
  let closed = false;
  return {
    results,
    findings,
    socketCount: all.length,
    onPacket: (cb) => { packetCbs.push(cb); },
    onError: (cb) => { errorCbs.push(cb); },
    release: (iface) => {
      let n = 0;
      for (const s of all) {
        if (s.ifname !== iface || (!receivers.has(s) && !unowned.has(s))) continue;
        receivers.get(s)?.close();
        if (unowned.has(s)) api.close(s.fd);
        receivers.delete(s);
        unowned.delete(s);
        n++;
      }
      return n;
    },
    close: () => {
      if (closed) return;
      closed = true;
      for (const r of receivers.values()) r.close();
      for (const s of unowned) api.close(s.fd);
    },
  };
}
