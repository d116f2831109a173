// The differential: what the wire carried, against what each stage of the host counted, names
// the first stage where the group's packets stop. Pure: facts in, paths and findings out.
// Order is the packet's: membership on the arrival interface -> reverse-path filter -> IP
// routing/netfilter (InMcastPkts) -> local delivery (InDelivers) -> a socket on the port ->
// that socket's buffer. The first break found on an interface ends its path.
import { makeFinding } from '../findings/catalog.js';
import type { Finding } from '../findings/model.js';
import { shortfall, stagesOf } from './counters.js';
import type { IfacePath, SocketFact, TraceDiagnosis, TraceFacts } from './model.js';
import { kib, mbps, owner, reasonSummary, socketName } from './words.js';

/** Does this socket get GROUP:PORT? Bound to the port, to the wildcard or the group itself. */
export function receivesGroup(s: SocketFact, group: string, port: number, family: 4 | 6): boolean {
  if (s.localPort !== port) return false;
  if (s.family === family) return s.localAddress === group || s.localAddress === (family === 4 ? '0.0.0.0' : '::');
  // A dual-stack [::] socket also takes IPv4 unless IPV6_V6ONLY (not visible here: assumed off, the default).
  return family === 4 && s.localAddress === '::';
}

/** Reasons that act before routing accepts a multicast packet, then those after it. */
const BEFORE_IP = ['NETFILTER_DROP', 'IP_RPFILTER', 'OTHERHOST', 'IP_INADDRERRORS', 'IP_INVALID_SOURCE', 'IP_CSUM', 'IP_INHDR',
  'PKT_TOO_SMALL', 'IP_INVALID_DEST'];
const AFTER_IP = ['NETFILTER_DROP', 'SOCKET_FILTER', 'XFRM_POLICY', 'IP_NOPROTO', 'UDP_CSUM'];

export function diagnoseTrace(f: TraceFacts): TraceDiagnosis {
  const stages = stagesOf(f.deltas, f.family);
  const receivers = f.sockets.filter((s) => receivesGroup(s, f.group, f.port, f.family));
  const findings: Finding[] = [];
  const target = `${f.family === 6 ? `[${f.group}]` : f.group}:${f.port}`;
  const secs = Math.max(f.seconds, 0.001);
  const paths: IfacePath[] = f.wire.map((w) => ({
    iface: w.iface,
    wire: { packets: w.packets, pps: Math.round(w.packets / secs), bitsPerSecond: Math.round((w.bytes * 8) / secs), sources: w.sources },
    membership: f.joinedByUs ? 'held-by-trace'
      : f.membershipIfaces.includes(w.iface) ? 'here' : f.membershipIfaces.length > 0 ? 'elsewhere' : 'nowhere',
    steps:
      [{ step: 'wire', status: w.packets > 0 ? 'ok' : 'broken', detail: `${w.packets} packets (${Math.round(w.packets / secs)} pps)` }],
  }));
  const totalWire = f.wire.reduce((n, w) => n + w.packets, 0);
  if (totalWire === 0) {
    findings.push(makeFinding('NO_TRAFFIC', {
      group: f.group,
      message:
        `Nothing for ${target} on the wire of ${f.wire.map((w) => w.iface).join(', ') || 'any selected interface'} in ${f.seconds} s: ` +
        'the break is before this host (sender, TTL, switch or router).',
      evidence: { seconds: f.seconds, interfaces: f.wire.map((w) => w.iface) },
    }));
    return { stages, paths, receivers, findings };
  }
  const passed: IfacePath[] = [];
  for (const p of paths) {
    if (p.wire.packets === 0) continue;
    const rate = `${p.wire.packets} packets (${p.wire.pps} pps)`;
    if (p.membership === 'elsewhere' || p.membership === 'nowhere') {
      const id = p.membership === 'elsewhere' ? 'MEMBERSHIP_WRONG_IFACE' : 'GROUP_NOT_JOINED';
      const message = p.membership === 'elsewhere'
        ? `The membership of ${f.group} is on ${f.membershipIfaces.join(', ')} but the stream arrives on ${p.iface} (${rate}): ` +
          'the kernel discards it there (the application joined without an interface, or on the wrong one).'
        : `${f.group} arrives on ${p.iface} (${rate}) but no socket on this host joined it: the kernel discards it before UDP.`;
      findings.push(makeFinding(
        id,
        {
          iface: p.iface,
          group: f.group,
          message,
          evidence: { arrivesOn: p.iface, packets: p.wire.packets, membershipOn: f.membershipIfaces, ipAccepted: stages.ipAccepted },
        },
      ));
      p.steps.push({ step: 'membership', status: 'broken',
        detail: p.membership === 'elsewhere' ? `held on ${f.membershipIfaces.join(', ')}` : 'not joined' });
      p.breakId = id;
      continue;
    }
    p.steps.push({ step: 'membership', status: 'ok', detail: p.membership === 'held-by-trace' ? 'held by trace --join' : 'held here' });
    const rpf = f.rpf[p.iface];
    if (rpf && !rpf.accepted) {
      const via = rpf.routeBackDev
        ? ` (source ${rpf.source} routes back via ${rpf.routeBackDev})`
        : ` (source ${rpf.source}: ${rpf.kernelError ?? 'no route back'})`;
      findings.push(makeFinding('KERNEL_DROP', {
        iface: p.iface, group: f.group, source: rpf.source,
        message:
          `${target} arrives on ${p.iface} at ${p.wire.pps} pps; the reverse-path filter drops all of it${via}. ` +
          `TcpExt IPReversePathFilter +${stages.rpfDrops ?? '?'}${reasonSummary(f.reasons, ['IP_RPFILTER'])}.`,
        fix:
          `sysctl -w net.ipv4.conf.${p.iface}.rp_filter=2 (loose; ` +
          `and net.ipv4.conf.all.rp_filter <= 2), or ip route add ${rpf.source}/32 dev ${p.iface}`,
        evidence: { reason: 'IP_RPFILTER', rpfDrops: stages.rpfDrops, routeBackDev: rpf.routeBackDev, wirePackets: p.wire.packets,
          ...(f.reasons ? { kernelReasons: f.reasons.reasons } : {}) },
      }));
      p.steps.push({ step: 'ip', status: 'broken', detail: `rp_filter drops (IP_RPFILTER), route back via ${rpf.routeBackDev ?? '?'}` });
      p.breakId = 'KERNEL_DROP';
      continue;
    }
    passed.push(p);
  }
  const okWire = passed.reduce((n, p) => n + p.wire.packets, 0);
  if (okWire > 0) findings.push(...hostStages(f, stages, passed, receivers, okWire, target));
  return { stages, paths, receivers, findings };
}

/** The namespace-wide stages, for the packets that passed membership and reverse path. */
function hostStages(
  f: TraceFacts,
  stages: ReturnType<typeof stagesOf>,
  passed: IfacePath[],
  receivers: SocketFact[],
  okWire: number,
  target: string,
): Finding[] {
  const ifaces = passed.map((p) => p.iface).join(', ');
  const mark = (step: IfacePath['steps'][number]['step'], status: 'ok' | 'broken', detail: string, id?: string): void => {
    for (const p of passed) {
      p.steps.push({ step, status, detail });
      if (id) p.breakId = id;
    }
  };
  const kernelDrop = (where: string, missing: number, relevant: string[], counters: Record<string, number | null>): Finding => {
    const named = f.firewallRule ? `: nftables/iptables drops it (${f.firewallRule})` : '';
    const top = reasonSummary(f.reasons, relevant);
    mark('ip', 'broken', `${missing} dropped ${where}`, 'KERNEL_DROP');
    return makeFinding('KERNEL_DROP', {
      group: f.group, ...(passed.length === 1 && passed[0] ? { iface: passed[0].iface } : {}),
      message: `${target} arrives on ${ifaces} (${okWire} packets) but the kernel dropped ${missing} of them ${where}${named}${top}.`,
      evidence: { wirePackets: okWire, missing, ...counters, ...(f.firewallRule ? { rule: f.firewallRule } : {}),
        ...(f.reasons ? { kernelReasons: f.reasons.reasons, reasonsScope: 'host' } : {}) },
    });
  };
  // IPv6 counts InMcastPkts before netfilter and the membership check: the step says nothing there.
  const beforeIp = f.family === 4 ? shortfall(okWire, stages.ipAccepted) : 0;
  const filtered = beforeIp > 0 ? sourceFiltered(f, passed) : undefined;
  if (filtered) {
    mark('ip', 'broken', `source ${filtered.source} not in the INCLUDE list`, 'KERNEL_DROP');
    return [makeFinding('KERNEL_DROP', {
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
    })];
  }
  if (beforeIp > 0) return [kernelDrop('before IP accepted them (routing or netfilter prerouting)', beforeIp, BEFORE_IP,
    { ipAccepted: stages.ipAccepted, rpfDrops: stages.rpfDrops })];
  mark('ip', 'ok', `accepted (InMcastPkts +${stages.ipAccepted ?? '?'})`);
  const afterIp = shortfall(Math.min(okWire, stages.ipAccepted ?? okWire), stages.delivered);
  if (afterIp > 0) return [kernelDrop('after routing, before UDP (netfilter input)', afterIp, AFTER_IP,
    { ipAccepted: stages.ipAccepted, delivered: stages.delivered })];
  if (f.upToIp) return [];
  if (receivers.length === 0) {
    mark('socket', 'broken', `no socket on port ${f.port}`, 'NO_SOCKET_ON_PORT');
    return [noSocket(f, stages.noSocketMulticast, okWire, target, ifaces)];
  }
  mark('socket', 'ok', receivers.map(socketName).join('; '));
  const out: Finding[] = [];
  for (const s of receivers.filter((r) => r.dropsDuring > 0)) out.push(overflow(f, s, passed, okWire));
  mark('application', out.length ? 'broken' : 'ok', out.length ? `${out.length} socket(s) overflowed` : 'delivered',
    out.length ? 'APP_SOCKET_OVERFLOW' : undefined);
  return out;
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
