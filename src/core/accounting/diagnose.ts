// The differential: what the wire carried, against what each stage of the host counted, names
// the first stage where the group's packets stop. Pure: facts in, paths and findings out.
// Order is the packet's: membership on the arrival interface -> reverse-path filter -> IP
// routing/netfilter (InMcastPkts) -> local delivery (InDelivers) -> a socket on the port ->
// that socket's buffer. The first break found on an interface ends its path. The steps per
// interface are here; the namespace-wide ones, from IP on, in host-stages.ts.
import { makeFinding } from '../findings/catalog.js';
import type { Finding } from '../findings/model.js';
import { stagesOf, type Stages } from './counters.js';
import type { IfacePath, SocketFact, TraceDiagnosis, TraceFacts } from './model.js';
import { reasonSummary } from './words.js';
import { hostStages } from './host-stages.js';

/** Does this socket get GROUP:PORT? Bound to the port, to the wildcard or the group itself. */
export function receivesGroup(s: SocketFact, group: string, port: number, family: 4 | 6): boolean {
  if (s.localPort !== port) return false;
  if (s.family === family) return s.localAddress === group || s.localAddress === (family === 4 ? '0.0.0.0' : '::');
  // A dual-stack [::] socket also takes IPv4 unless IPV6_V6ONLY (not visible here: assumed off, the default).
  return family === 4 && s.localAddress === '::';
}

export function diagnoseTrace(f: TraceFacts): TraceDiagnosis {
  const stages = stagesOf(f.deltas, f.family);
  const receivers = f.sockets.filter((s) => receivesGroup(s, f.group, f.port, f.family));
  const target = `${f.family === 6 ? `[${f.group}]` : f.group}:${f.port}`;
  const paths = wirePaths(f);
  if (f.wire.every((w) => w.packets === 0)) return { stages, paths, receivers, findings: [noTraffic(f, target)] };
  const findings: Finding[] = [];
  const passed: IfacePath[] = [];
  for (const p of paths) {
    if (p.wire.packets === 0) continue;
    const broken = membershipBreak(f, p, stages) ?? reversePathBreak(f, p, stages, target);
    if (broken) findings.push(broken);
    else passed.push(p);
  }
  const okWire = passed.reduce((n, p) => n + p.wire.packets, 0);
  if (okWire > 0) findings.push(...hostStages({ f, stages, passed, okWire, target }, receivers));
  return { stages, paths, receivers, findings };
}

/** Each interface's path, its first step the wire: what the capture counted there. */
function wirePaths(f: TraceFacts): IfacePath[] {
  const secs = Math.max(f.seconds, 0.001);
  return f.wire.map((w) => ({
    iface: w.iface,
    wire: { packets: w.packets, pps: Math.round(w.packets / secs), bitsPerSecond: Math.round((w.bytes * 8) / secs), sources: w.sources },
    membership: f.joinedByUs ? 'held-by-trace'
      : f.membershipIfaces.includes(w.iface) ? 'here' : f.membershipIfaces.length > 0 ? 'elsewhere' : 'nowhere',
    steps:
      [{ step: 'wire', status: w.packets > 0 ? 'ok' : 'broken', detail: `${w.packets} packets (${Math.round(w.packets / secs)} pps)` }],
  }));
}

function noTraffic(f: TraceFacts, target: string): Finding {
  return makeFinding('NO_TRAFFIC', {
    group: f.group,
    message:
      `Nothing for ${target} on the wire of ${f.wire.map((w) => w.iface).join(', ') || 'any selected interface'} in ${f.seconds} s: ` +
      'the break is before this host (sender, TTL, switch or router).',
    evidence: { seconds: f.seconds, interfaces: f.wire.map((w) => w.iface) },
  });
}

/** The membership step of one interface's path: the finding when the group is not joined there. */
function membershipBreak(f: TraceFacts, p: IfacePath, stages: Stages): Finding | undefined {
  if (p.membership === 'here' || p.membership === 'held-by-trace') {
    p.steps.push({ step: 'membership', status: 'ok', detail: p.membership === 'held-by-trace' ? 'held by trace --join' : 'held here' });
    return undefined;
  }
  const rate = `${p.wire.packets} packets (${p.wire.pps} pps)`;
  const id = p.membership === 'elsewhere' ? 'MEMBERSHIP_WRONG_IFACE' : 'GROUP_NOT_JOINED';
  const message = p.membership === 'elsewhere'
    ? `The membership of ${f.group} is on ${f.membershipIfaces.join(', ')} but the stream arrives on ${p.iface} (${rate}): ` +
      'the kernel discards it there (the application joined without an interface, or on the wrong one).'
    : `${f.group} arrives on ${p.iface} (${rate}) but no socket on this host joined it: the kernel discards it before UDP.`;
  p.steps.push({ step: 'membership', status: 'broken',
    detail: p.membership === 'elsewhere' ? `held on ${f.membershipIfaces.join(', ')}` : 'not joined' });
  p.breakId = id;
  return makeFinding(id, {
    iface: p.iface,
    group: f.group,
    message,
    evidence: { arrivesOn: p.iface, packets: p.wire.packets, membershipOn: f.membershipIfaces, ipAccepted: stages.ipAccepted },
  });
}

/** The reverse-path step of one interface's path (IPv4): the finding when rp_filter drops the busiest source. */
function reversePathBreak(f: TraceFacts, p: IfacePath, stages: Stages, target: string): Finding | undefined {
  const rpf = f.rpf[p.iface];
  if (!rpf || rpf.accepted) return undefined;
  const via = rpf.routeBackDev
    ? ` (source ${rpf.source} routes back via ${rpf.routeBackDev})`
    : ` (source ${rpf.source}: ${rpf.kernelError ?? 'no route back'})`;
  p.steps.push({ step: 'ip', status: 'broken', detail: `rp_filter drops (IP_RPFILTER), route back via ${rpf.routeBackDev ?? '?'}` });
  p.breakId = 'KERNEL_DROP';
  return makeFinding('KERNEL_DROP', {
    iface: p.iface, group: f.group, source: rpf.source,
    message:
      `${target} arrives on ${p.iface} at ${p.wire.pps} pps; the reverse-path filter drops all of it${via}. ` +
      `TcpExt IPReversePathFilter +${stages.rpfDrops ?? '?'}${reasonSummary(f.reasons, ['IP_RPFILTER'])}.`,
    fix:
      `sysctl -w net.ipv4.conf.${p.iface}.rp_filter=2 (loose; ` +
      `and net.ipv4.conf.all.rp_filter <= 2), or ip route add ${rpf.source}/32 dev ${p.iface}`,
    evidence: { reason: 'IP_RPFILTER', rpfDrops: stages.rpfDrops, routeBackDev: rpf.routeBackDev, wirePackets: p.wire.packets,
      ...(f.reasons ? { kernelReasons: f.reasons.reasons } : {}) },
  });
}
