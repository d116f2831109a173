// The namespace-wide stages of trace's differential (diagnose.ts), for the packets that passed
// membership and the reverse-path filter on their interface: IP routing/netfilter (InMcastPkts),
// local delivery (InDelivers), a socket on the port, that socket's buffer. The counters are the
// namespace's, not an interface's: a break marks every interface that got this far.
import { makeFinding } from '../findings/catalog.js';
import type { Finding } from '../findings/model.js';
import { shortfall, type Stages } from './counters.js';
import type { IfacePath, SocketFact, TraceFacts } from './model.js';
import { kib, mbps, owner, reasonSummary, socketName } from './words.js';

/** Reasons that act before routing accepts a multicast packet, then those after it. */
const BEFORE_IP = ['NETFILTER_DROP', 'IP_RPFILTER', 'OTHERHOST', 'IP_INADDRERRORS', 'IP_INVALID_SOURCE', 'IP_CSUM', 'IP_INHDR',
  'PKT_TOO_SMALL', 'IP_INVALID_DEST'];
const AFTER_IP = ['NETFILTER_DROP', 'SOCKET_FILTER', 'XFRM_POLICY', 'IP_NOPROTO', 'UDP_CSUM'];

/** The packets that reached the host stages: the interfaces they came by and how many. */
export interface Passed {
  f: TraceFacts;
  stages: Stages;
  /** The paths of the interfaces whose packets got this far; each stage adds its step to all. */
  passed: IfacePath[];
  /** Their packets on the wire. */
  okWire: number;
  /** GROUP:PORT as the messages name it. */
  target: string;
}

/** The host stages in order; the first that breaks ends them (its finding, or the overflows). */
export function hostStages(at: Passed, receivers: SocketFact[]): Finding[] {
  const ip = ipStage(at);
  if (ip) return [ip];
  if (at.f.upToIp) return [];
  return socketStage(at, receivers);
}

/** Adds a step to every passed path; a broken one names the finding. */
function mark(passed: IfacePath[], step: IfacePath['steps'][number]['step'], status: 'ok' | 'broken', detail: string, id?: string): void {
  for (const p of passed) {
    p.steps.push({ step, status, detail });
    if (id) p.breakId = id;
  }
}

/** Routing and netfilter: packets the IP counters say were dropped before (or after) IP accepted them. */
function ipStage(at: Passed): Finding | undefined {
  const { f, stages, okWire } = at;
  // IPv6 counts InMcastPkts before netfilter and the membership check: the step says nothing there.
  const beforeIp = f.family === 4 ? shortfall(okWire, stages.ipAccepted) : 0;
  if (beforeIp > 0) {
    const filtered = sourceFiltered(f, at.passed);
    if (filtered) return sourceFilterDrop(at, filtered);
    return kernelDrop(at, 'before IP accepted them (routing or netfilter prerouting)', beforeIp, BEFORE_IP,
      { ipAccepted: stages.ipAccepted, rpfDrops: stages.rpfDrops });
  }
  mark(at.passed, 'ip', 'ok', `accepted (InMcastPkts +${stages.ipAccepted ?? '?'})`);
  const afterIp = shortfall(Math.min(okWire, stages.ipAccepted ?? okWire), stages.delivered);
  if (afterIp > 0) return kernelDrop(at, 'after routing, before UDP (netfilter input)', afterIp, AFTER_IP,
    { ipAccepted: stages.ipAccepted, delivered: stages.delivered });
  return undefined;
}

/** A socket on the port, then each one's buffer. */
function socketStage(at: Passed, receivers: SocketFact[]): Finding[] {
  const { f, stages, passed, okWire, target } = at;
  if (receivers.length === 0) {
    mark(passed, 'socket', 'broken', `no socket on port ${f.port}`, 'NO_SOCKET_ON_PORT');
    return [noSocket(f, stages.noSocketMulticast, okWire, target, passed.map((p) => p.iface).join(', '))];
  }
  mark(passed, 'socket', 'ok', receivers.map(socketName).join('; '));
  const out = receivers.filter((r) => r.dropsDuring > 0).map((s) => overflow(f, s, passed, okWire));
  mark(passed, 'application', out.length ? 'broken' : 'ok', out.length ? `${out.length} socket(s) overflowed` : 'delivered',
    out.length ? 'APP_SOCKET_OVERFLOW' : undefined);
  return out;
}

function kernelDrop(at: Passed, where: string, missing: number, relevant: string[], counters: Record<string, number | null>): Finding {
  const { f, passed, okWire, target } = at;
  const named = f.firewallRule ? `: nftables/iptables drops it (${f.firewallRule})` : '';
  const top = reasonSummary(f.reasons, relevant);
  const ifaces = passed.map((p) => p.iface).join(', ');
  mark(passed, 'ip', 'broken', `${missing} dropped ${where}`, 'KERNEL_DROP');
  return makeFinding('KERNEL_DROP', {
    group: f.group, ...(passed.length === 1 && passed[0] ? { iface: passed[0].iface } : {}),
    message: `${target} arrives on ${ifaces} (${okWire} packets) but the kernel dropped ${missing} of them ${where}${named}${top}.`,
    evidence: { wirePackets: okWire, missing, ...counters, ...(f.firewallRule ? { rule: f.firewallRule } : {}),
      ...(f.reasons ? { kernelReasons: f.reasons.reasons, reasonsScope: 'host' } : {}) },
  });
}

/** A source-specific membership (INCLUDE) that leaves the stream's source out: dropped at route input. */
function sourceFilterDrop(at: Passed, filtered: { iface: string; source: string; included: string[] }): Finding {
  const { f, stages, passed, okWire, target } = at;
  mark(passed, 'ip', 'broken', `source ${filtered.source} not in the INCLUDE list`, 'KERNEL_DROP');
  return makeFinding('KERNEL_DROP', {
    iface: filtered.iface, group: f.group, source: filtered.source,
    message:
      `${target} arrives on ${filtered.iface} from ${filtered.source} but the membership there is source-specific (INCLUDE ` +
      `${filtered.included.join(', ')}): the kernel discards every other source at route input (IpExt InMcastPkts ` +
      `+${stages.ipAccepted ?? '?'} of ${okWire}).`,
    fix:
      `Join (S,G) with the stream's source ${filtered.source} (IP_ADD_SOURCE_MEMBERSHIP), or join the group without a source filter; ` +
      `or send from ${filtered.included[0] ?? 'the included source'}.`,
    evidence: { reason: 'SOURCE_FILTER', included: filtered.included, source: filtered.source, wirePackets: okWire,
      ipAccepted: stages.ipAccepted },
  });
}

/** An interface whose group membership includes only other sources than its busiest one. */
function sourceFiltered(f: TraceFacts, passed: IfacePath[]): { iface: string; source: string; included: string[] } | undefined {
  for (const p of passed) {
    const included = f.sourceFilters?.[p.iface];
    const source = p.wire.sources[0]?.source;
    if (included && included.length > 0 && source && !included.includes(source)) return { iface: p.iface, source, included };
  }
  return undefined;
}

function noSocket(f: TraceFacts, ignored: number | null, okWire: number, target: string, ifaces: string): Finding {
  // Candidates: bound to the group on another port, to the port on a unicast address, or to the
  // wildcard on another port (a receiver started with the wrong port), owners known first.
  const elsewhere = f.sockets.filter((s) => s.family === f.family || s.localAddress === '::')
    .sort((a, b) => Number(b.localAddress === f.group) - Number(a.localAddress === f.group) || b.owners.length - a.owners.length);
  const named = elsewhere.slice(0, 3).map((s) => `${owner(s)} is bound to ` +
    `${socketName(s)}${s.localPort === f.port ? ' (a unicast address: it never receives multicast)' : ''}`);
  return makeFinding('NO_SOCKET_ON_PORT', {
    group: f.group,
    message:
      `${target} reaches this host on ${ifaces} (${okWire} packets) but nobody listens on port ${f.port} (Udp IgnoredMulti ` +
      `+${ignored ?? '?'})${named.length ? `: ${named.join('; ')}` : ''}.`,
    evidence: { port: f.port, ignoredMulti: ignored, wirePackets: okWire, otherSockets: elsewhere.slice(0, 8).map(socketName) },
  });
}

function overflow(f: TraceFacts, s: SocketFact, passed: IfacePath[], okWire: number): Finding {
  const bps = passed.reduce((n, p) => n + p.wire.bitsPerSecond, 0);
  const buf = s.rcvbuf !== undefined ? `its receive buffer of ${kib(s.rcvbuf)}` : 'its receive buffer';
  const max = f.rmemMax !== undefined ? ` (rmem_max is ${kib(f.rmemMax)})` : '';
  // The kernel doubles SO_RCVBUF and caps the request at rmem_max: past 2 x rmem_max only the sysctl helps.
  const capped = s.rcvbuf !== undefined && f.rmemMax !== undefined && s.rcvbuf >= 2 * f.rmemMax;
  return makeFinding('APP_SOCKET_OVERFLOW', {
    group: f.group,
    message:
      `${owner(s)} overflowed ${s.dropsDuring} times in ${f.seconds} s (of ${okWire} packets): ` +
      `${buf} is too small for ${mbps(bps)}${max}, or it reads too slowly.`,
    fix: capped
      ? `Raise the limit, then the application's buffer: sysctl -w net.core.rmem_max=${Math.max(8 << 20, f.rmemMax ?? 0)}; ` +
        'setsockopt(SO_RCVBUF) in the application.'
      : 'Raise SO_RCVBUF in the application (setsockopt SO_RCVBUF, ' +
        `up to net.core.rmem_max${f.rmemMax !== undefined ? ` = ${kib(f.rmemMax)}` : ''}), or read faster (recvmmsg, a dedicated thread).`,
    evidence: {
      socket: socketName(s),
      inode: s.inode,
      owners: s.owners,
      drops: s.drops,
      dropsDuring: s.dropsDuring,
      rcvbuf: s.rcvbuf,
      rmemMax: f.rmemMax,
      rxQueue: s.rxQueue,
      bitsPerSecond: bps,
    },
  });
}
