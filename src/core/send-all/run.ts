// send-all's core: open one sender per eligible interface, explain what a plain socket would
// have done (DEFAULT_ROUTE_EGRESS, from the kernel's own route lookup) and what TTL 1 means
// (TTL_ONE), then pace the probes. Returns data; the command renders it.
import type { Platform } from '../../platform/types.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { linkKindFindings } from '../kernel/link-findings.js';
import { isLinkLocalGroup, type GroupSpec } from '../group-args.js';
import type { Interface } from '../kernel/interfaces.js';
import { closeSenders, openSenders, type SendResult, type Sender } from './senders.js';
import { pace, type PaceHandle } from './pacer.js';
import { defined } from '../defined.js';
import type { Uses } from '../deps.js';

export interface SendAllOptions {
  group: GroupSpec;
  interfaces: readonly Interface[];
  ttl: number;
  loop: boolean;
  size: number;
  rate: number;
  count?: number;
  durationMs?: number;
  senderId: string;
  onRound?: () => void;
}

export interface SendAllRun {
  results: SendResult[];
  /** Findings known before sending (open failures, TTL_ONE, DEFAULT_ROUTE_EGRESS). */
  findings: Finding[];
  senders: Sender[];
  /** Resolves with the send failures found while sending; sockets are closed by then. */
  done: Promise<{ elapsedMs: number; findings: Finding[] }>;
  stop(): void;
}

/** Messages per sendmmsg: enough to amortise the call, small enough to pace finely. */
export function batchFor(rate: number): number {
  if (rate === 0) return 64;
  return Math.max(1, Math.min(64, Math.ceil(rate / 1000)));
}

export async function egressFinding(platform: Platform, g: GroupSpec, usedOn: readonly string[]): Promise<Finding> {
  const r = await platform.routeGet({ family: g.family, dst: g.group });
  if (r.ok && r.dev) {
    const others = usedOn.filter((n) => n !== r.dev);
    return makeFinding('DEFAULT_ROUTE_EGRESS', {
      iface: r.dev, group: g.group,
      message:
        `A plain socket sending to ${g.group} leaves by ${r.dev} only (the kernel's route to the ` +
        `group)${others.length ? `; ${others.join(', ')} would get nothing without IP_MULTICAST_IF` : ''}.`,
      fix:
        'One transmit socket per interface with IP_MULTICAST_IF (what send-all does), or a route for the group via the intended interface.',
      evidence: { route: r.raw, command: `ip -${g.family} route get ${g.group}`, missed: others },
    });
  }
  return makeFinding('DEFAULT_ROUTE_EGRESS', {
    group: g.group,
    message:
      `A plain socket sending to ${g.group} would fail: the kernel has no route for it (${r.ok ? 'no device in the answer' : r.error}).`,
    fix:
      'Send with IP_MULTICAST_IF (what send-all does), or add a route: ' +
      `ip route add ${g.family === 4 ? '224.0.0.0/4' : 'ff00::/8'} dev IFACE`,
    evidence: { command: `ip -${g.family} route get ${g.group}`, error: r.ok ? null : r.error, missed: [...usedOn] },
  });
}

export async function sendAll(deps: Uses<'platform' | 'sockets'>, o: SendAllOptions): Promise<SendAllRun> {
  const opened = openSenders(deps.sockets, o.interfaces, {
    group: o.group, ttl: o.ttl, loop: o.loop, size: o.size, senderId: o.senderId, batch: batchFor(o.rate),
  });
  const findings = [...opened.findings];
  if (o.ttl === 1 && !isLinkLocalGroup(o.group.group)) {
    findings.push(makeFinding('TTL_ONE', {
      group: o.group.group,
      message: `TTL is 1: ${o.group.group} reaches only the directly attached segments, no router forwards it.`,
      fix: 'Pass --ttl N (N > number of routers on the path) when receivers are behind a multicast router.',
      evidence: { ttl: 1 },
    }));
  }
  findings.push(await egressFinding(deps.platform, o.group, opened.senders.map((s) => s.result.iface)));
  findings.push(...linkKindFindings(o.interfaces, opened.senders.map((s) => ({ iface: s.result.iface, group: o.group.group })), 'send'));
  let handle: PaceHandle | undefined;
  const done = opened.senders.length === 0
    ? Promise.resolve({ elapsedMs: 0, findings: [] as Finding[] })
    : (handle = pace(opened.senders, {
      rate: o.rate, group: o.group.group,
      ...defined({ count: o.count, durationMs: o.durationMs }),
      ...(o.onRound ? { onRound: o.onRound } : {}),
    })).done.then((r) => {
      closeSenders(deps.sockets, opened.senders);
      return r;
    });
  return { results: opened.results, findings, senders: opened.senders, done, stop: () => handle?.stop() };
}
