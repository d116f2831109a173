// join-all's core, reused by sniff and mesh: join each group on every eligible interface, one
// membership per (interface, group) by ifindex, and report a result for every pair.
// Memberships are held on membership-only sockets (split at the kernel's per-socket limit); one
// receiving socket per (interface, family, port), bound to its device, takes the traffic. Each
// datagram's group is its destination as the kernel delivered it (PKTINFO) and its interface the
// kernel's ifindex: a payload can never redirect a datagram to another group (issue 17).
import type { Platform } from '../../platform/types.js';
import type { MembershipRequest } from '../../platform/sockets/types.js';
import { isSocketError, type SocketError } from '../kernel/socket-error.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { GroupSpec } from '../group-args.js';
import type { Interface } from '../kernel/interfaces.js';
import { whyIneligible, type Ineligible } from '../kernel/eligibility.js';
import type { Family } from '../kernel/ip.js';
import { joinErrnoSentence } from './errno-text.js';
import { SocketChains, type Split } from './chains.js';
import { startReceiving, type Receiving } from './receiving.js';
import type { Uses } from '../deps.js';

/** `clock` (the Host's) stamps each datagram's arrival (Packet.atMs). */
export type JoinDeps = Uses<'platform' | 'sockets' | 'clock'>;

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

export type { OwnDrops, Packet, PacketKind } from './receiving.js';

export interface Membership extends Receiving {
  results: JoinResult[];
  /** JOIN_FAILED for each failure, MAX_MEMBERSHIPS once when sockets were split. */
  findings: Finding[];
}

/** The steps: read the IPv4 per-socket limit, join each (group, interface) pair, say MAX_MEMBERSHIPS if a chain grew, start receiving. */
export async function joinAll(deps: JoinDeps, opts: JoinOptions): Promise<Membership> {
  const v4Limit = await v4MembershipLimit(deps.platform, opts.groups);
  const made = new SocketChains(deps.sockets, Number.isInteger(v4Limit) && v4Limit >= 1 ? v4Limit : Infinity);
  const { results, findings } = joinEach(made, opts);
  if (made.split) findings.push(await maxMembershipsFinding(deps.platform, made, made.split, v4Limit));
  const live = startReceiving(deps.sockets, { memberships: made.all, receivers: made.receivers.values() }, deps.clock);
  return { results, findings, ...live };
}

/** net.ipv4.igmp_max_memberships, read only when IPv4 groups are asked for; NaN otherwise or unreadable. */
async function v4MembershipLimit(platform: Platform, groups: readonly GroupSpec[]): Promise<number> {
  return groups.some((g) => g.family === 4) ? Number(await platform.sysctl('net.ipv4.igmp_max_memberships')) : NaN;
}

/** Joins every group on every non-loopback interface: a result per pair, a JOIN_FAILED per failure. */
function joinEach(made: SocketChains, opts: JoinOptions): { results: JoinResult[]; findings: Finding[] } {
  const results: JoinResult[] = [];
  const findings: Finding[] = [];
  const targets = opts.interfaces.filter((i) => !i.loopback);
  const reasonFor = eligibilityOnce();
  for (const g of opts.groups) {
    // One held-group record per group, shared by its interfaces' sockets (never changed).
    const held = g.source !== undefined ? { group: g.group, source: g.source } : { group: g.group };
    for (const i of targets) {
      const base: JoinResult = { iface: i.name, ifindex: i.index, family: g.family, group: g.group, port: g.port, status: 'joined' };
      if (g.source !== undefined) base.source = g.source;
      const reason = reasonFor(i, g.family);
      if (reason) {
        results.push({ ...base, status: 'skipped', skipReason: reason });
        continue;
      }
      const req: MembershipRequest = g.source !== undefined
        ? { family: g.family, group: g.group, ifindex: i.index, source: g.source }
        : { family: g.family, group: g.group, ifindex: i.index };
      try {
        const rx = opts.receive ? made.receiver(i, g.family, g.port) : undefined;
        base.socket = made.join(i, req, held);
        rx?.groups.push(held);
        results.push(base);
      } catch (e) {
        if (!isSocketError(e)) throw e;
        const failed = joinFailure(e, base);
        results.push(failed.result);
        findings.push(failed.finding);
      }
    }
  }
  return { results, findings };
}

/**
 * The eligibility rule once per (interface, family), not an address filter per membership: the
 * hot loop is 4096 groups x N interfaces (issue 9). Numeric keys, no string per membership.
 */
function eligibilityOnce(): (i: Interface, f: Family) => SkipReason | undefined {
  const reasons = new Map<number, SkipReason | undefined>();
  return (i, f) => {
    const k = i.index * 2 + (f === 6 ? 1 : 0);
    if (!reasons.has(k)) reasons.set(k, whyIneligible(i, [f]));
    return reasons.get(k);
  };
}

/** A refused bind or join: the pair's failed result and its JOIN_FAILED, with the errno sentence. */
function joinFailure(e: SocketError, base: JoinResult): { result: JoinResult; finding: Finding } {
  const sentence = e.op === 'bind'
    ? {
      message: `cannot bind port ${base.port} on ${base.iface} (${e.code}): another program holds it without SO_REUSEPORT`,
      fix: `ss -ulnp 'sport = :${base.port}' shows who; pick another --port`,
    }
    : joinErrnoSentence(e.code, base.iface, base.group);
  return {
    result: { ...base, status: 'failed', errno: e.code, op: e.op, message: sentence.message },
    finding: makeFinding('JOIN_FAILED', {
      iface: base.iface, group: base.group, ...(base.source !== undefined ? { source: base.source } : {}),
      message: `${sentence.message}.`, fix: sentence.fix, evidence: { errno: e.code, op: e.op },
    }),
  };
}

/** MAX_MEMBERSHIPS (info): the kernel's per-socket limit was met, the memberships spread over several sockets. */
async function maxMembershipsFinding(platform: Platform, made: SocketChains, split: Split, v4Limit: number): Promise<Finding> {
  // Read once already when IPv4 groups were asked for.
  const limit = Number.isNaN(v4Limit) ? await platform.sysctl('net.ipv4.igmp_max_memberships') : String(v4Limit);
  const v4 = split.family === 4;
  const sysctl = v4 ? 'net.ipv4.igmp_max_memberships' : 'net.core.optmem_max';
  const perIface = made.longestChain();
  return makeFinding('MAX_MEMBERSHIPS', {
    iface: split.iface,
    message: (v4
      ? `The kernel allows ${limit ?? 'a limited number of'} memberships per socket (net.ipv4.igmp_max_memberships): `
      : `The kernel refused more IPv6 memberships on one socket (${split.errno}, net.core.optmem_max): `)
      + `memberships were spread over ${perIface} sockets per interface.`,
    fix: `Nothing to do here (done automatically); a program holding many groups on one socket needs: sysctl -w ${sysctl}=N`,
    evidence: {
      errno: split.errno, sysctl, limit: limit === undefined ? null : Number(limit),
      socketsPerInterface: perIface, sockets: made.all.length,
    },
  });
}
