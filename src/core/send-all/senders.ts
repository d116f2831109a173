// send-all's sockets: one per eligible interface, its egress pinned with IP_MULTICAST_IF by
// index (IPV6_MULTICAST_IF), TTL and loop set, and a preallocated sendmmsg batch whose slots
// hold the probe header for (interface, group). A failure is that interface's result.
import type { BatchSender, Fd, SocketApi } from '../../platform/sockets/types.js';
import { isSocketError } from '../kernel/socket-error.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { GroupSpec } from '../group-args.js';
import type { Interface } from '../kernel/interfaces.js';
import type { Family } from '../kernel/ip.js';
import { makeProbeBuffer } from '../probe/format.js';
import type { SkipReason } from '../membership/join.js';
import { whyIneligible } from '../kernel/eligibility.js';
import { sendErrnoSentence } from '../membership/errno-text.js';

export interface SendOptions {
  group: GroupSpec;
  ttl: number;
  loop: boolean;
  /** Payload bytes (probe header included). */
  size: number;
  senderId: string;
  /** Messages per sendmmsg call. */
  batch: number;
}

export interface SendResult {
  iface: string;
  ifindex: number;
  family: Family;
  status: 'sent' | 'failed' | 'skipped';
  sent: number;
  /** Packets per second over the run. */
  rate: number;
  skipReason?: SkipReason;
  errno?: string;
  op?: string;
  message?: string;
}

export interface Sender {
  result: SendResult;
  fd: Fd;
  batch: BatchSender;
  seq: number;
  done: boolean;
}

export interface OpenedSenders {
  senders: Sender[];
  results: SendResult[];
  findings: Finding[];
}

export function sendFailure(r: SendResult, e: { code: string; op: string }, group: string): Finding {
  const s = sendErrnoSentence(e.code, r.iface, group);
  r.status = 'failed';
  r.errno = e.code;
  r.op = e.op;
  r.message = s.message;
  return makeFinding('SEND_FAILED',
    { iface: r.iface, group, message: `${s.message}.`, fix: s.fix, evidence: { errno: e.code, op: e.op, sentBefore: r.sent } });
}

export function openSenders(api: SocketApi, interfaces: readonly Interface[], o: SendOptions): OpenedSenders {
  const senders: Sender[] = [];
  const results: SendResult[] = [];
  const findings: Finding[] = [];
  const g = o.group;
  for (const i of interfaces.filter((x) => !x.loopback)) {
    const r: SendResult = { iface: i.name, ifindex: i.index, family: g.family, status: 'sent', sent: 0, rate: 0 };
    results.push(r);
    const reason = whyIneligible(i, [g.family]);
    if (reason) {
      r.status = 'skipped';
      r.skipReason = reason;
      continue;
    }
    let fd: Fd | undefined;
    try {
      fd = api.udp(g.family);
      api.multicastIf(fd, g.family, i.index);
      api.multicastTtl(fd, g.family, o.ttl);
      api.multicastLoop(fd, g.family, o.loop);
      try { api.sendBuffer(fd, 4 * 1024 * 1024); } catch { /* capped by net.core.wmem_max: fine */ }
      const batch = api.batchSender(fd, { family: g.family, dst: g.group, port: g.port, slots: o.batch, size: o.size });
      const header = makeProbeBuffer({ senderId: o.senderId, ifname: i.name, ifindex: i.index, group: g.group, ttl: o.ttl }, o.size);
      for (const slot of batch.slots) header.copy(slot);
      senders.push({ result: r, fd, batch, seq: 0, done: false });
    } catch (e) {
      if (fd !== undefined) api.close(fd);
      if (!isSocketError(e)) throw e;
      findings.push(sendFailure(r, e, g.group));
    }
  }
  return { senders, results, findings };
}

export function closeSenders(api: SocketApi, senders: readonly Sender[]): void {
  for (const s of senders) {
    s.batch.free();
    api.close(s.fd);
  }
}
