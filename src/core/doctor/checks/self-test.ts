// Self-test: send the probe out of each interface (TTL 1, loopback off) and watch every other
// interface for it, so the matrix says which uplinks share a segment. Reported, not required: a
// laptop's uplinks are usually different networks, and then nothing crossing is the healthy
// answer. Uplinks that do share a segment are worth knowing: an application that joins on both
// gets every packet twice.
//
// Arrivals are seen with a packet socket, not with UDP sockets: the kernel drops a packet whose
// source is one of its own addresses before any UDP socket sees it (fib_validate_source,
// "martian source", unless accept_local=1), and every probe here comes from this host. ONE packet
// socket for all interfaces (Services.packets, platform/capture/packet-socket.ts), not a libpcap
// capture per interface: each of those cost the kernel RCU grace periods, 25 s at 300 interfaces
// (issue 19 item 8). The groups are still joined on every interface so that snooping switches
// forward the probes.
import { makeFinding } from '../../findings/catalog.js';
import type { Finding } from '../../findings/model.js';
import { parseGroupArg, type GroupSpec } from '../../group-args.js';
import { isEligible } from '../../kernel/eligibility.js';
import type { Interface } from '../../kernel/interfaces.js';
import { joinAll } from '../../membership/join.js';
import { decodeProbe } from '../../probe/format.js';
import { sendAll } from '../../send-all/run.js';
import { senderIdFor } from '../../send-all/setup.js';
import { decodeFrame } from '../../wire/frame.js';
import { LINKTYPE } from '../../wire/link.js';
import type { CheckOutcome, DoctorCheck, DoctorContext } from '../types.js';
import { captureRemedy } from '../../capture-remedy.js';
import type { ArrivalListener, PacketSockets } from '../../../platform/capture/packet-types.js';

/** Administratively scoped, site-local (239.255/16, RFC 2365): never leaves the site. */
export const SELF_TEST_GROUP = '239.255.77.77:5077';
const PROBES = 20;
/**
 * Per second per interface: the 20 probes over ~0.2 s (they were 0.5 s at 40/s, the largest part
 * of doctor's time at 300 interfaces once the captures were one socket). Still spread, so that a
 * snooping switch that learns the joins a moment late forwards most of them.
 */
const RATE = 100;
/** After the last probe: flight time, generous for a Wi-Fi AP that holds multicast until its DTIM beacon. */
const SETTLE_MS = 300;
/** The probes are ~100 bytes: the IP, UDP and probe headers with the sender id and interface name. */
const SNAPLEN = 512;

/** Probes heard: by the interface they were sent from, then the one they arrived on. */
type Heard = Map<string, Map<string, number>>;

interface MatrixRow {
  from: string;
  heardOn: Record<string, number>;
}

/** Why the self-test does not run here (turned off, IPv6 only, fewer than two interfaces), or its interfaces. */
function selfTestScope(ctx: DoctorContext): { skip: CheckOutcome } | { ifaces: Interface[] } {
  if (!ctx.opts.selfTest) return { skip: { findings: [], skipped: 'disabled (--no-self-test)' } };
  if (ctx.opts.family === 6) return { skip: { findings: [], skipped: 'IPv4 only' } };
  const ifaces = ctx.eligible.filter((i) => isEligible(i, 4));
  if (ifaces.length < 2) {
    return { skip: { findings: [],
      skipped: `${ifaces.length} IPv4 interface${ifaces.length === 1 ? '' : 's'}: nothing to compare` } };
  }
  return { ifaces };
}

/**
 * Counts our probes by (interface they were sent from, interface they arrived on). The packet
 * socket does not deliver what this host sends; a probe seen on its own interface anyway is not
 * an arrival. Only the selected interfaces count, whatever a probe claims: `heard` stays bounded.
 */
function listenForProbes(packets: PacketSockets, ifaces: readonly Interface[], p: Probing): ArrivalListener {
  const { group, senderId, heard, readErrors } = p;
  const byIndex = new Map(ifaces.map((i) => [i.index, i.name]));
  const names = new Set(byIndex.values());
  return packets.listenUdp({ group: group.group, port: group.port, snaplen: SNAPLEN }, ({ ifindex, data }) => {
    const to = byIndex.get(ifindex);
    if (to === undefined) return;
    const f = decodeFrame(data, LINKTYPE.raw);
    if (!f.udp) return;
    const probe = decodeProbe(data, f.udp.payloadOffset, f.udp.payloadLength);
    if (!probe || probe.senderId !== senderId || probe.ifname === to || !names.has(probe.ifname)) return;
    let row = heard.get(probe.ifname);
    if (!row) heard.set(probe.ifname, row = new Map());
    row.set(to, (row.get(to) ?? 0) + 1);
  }, (e) => { if (readErrors.length < 10) readErrors.push(e.message); });
}

/**
 * Every pair, zeros included (n x (n - 1) cells: 89 700 at 300 interfaces). Plain loops over the
 * nested map: building each cell from a `from>to` string key took ~250 ms there, after the wait.
 */
function matrixOf(ifaces: readonly Interface[], heard: Heard): MatrixRow[] {
  return ifaces.map((from) => {
    const got = heard.get(from.name);
    const heardOn: Record<string, number> = {};
    for (const to of ifaces) if (to !== from) heardOn[to.name] = got?.get(to.name) ?? 0;
    return { from: from.name, heardOn };
  });
}

/** The pairs that heard each other, in the interfaces' order. */
function sharedSegment(ifaces: readonly Interface[], heard: Heard, group: GroupSpec): Finding[] {
  const shared = ifaces.flatMap((from) => {
    const got = heard.get(from.name);
    if (!got) return [];
    return ifaces.filter((to) => to !== from && got.has(to.name)).map((to) => ({ from: from.name, to: to.name, n: got.get(to.name)! }));
  });
  if (shared.length === 0) return [];
  return [makeFinding('SHARED_SEGMENT', {
    message:
      `${shared.map((s) => `${s.from} -> ${s.to} (${s.n}/${PROBES})`).join(', ')}: these uplinks reach each other; ` +
      'a receiver joined on both gets every packet twice.',
    evidence: { group: group.group, probes: PROBES, shared },
  })];
}

/** What one run listens for: the group, this host's sender id, and the probes heard so far. */
interface Probing {
  group: GroupSpec;
  senderId: string;
  heard: Heard;
  /** recvmmsg failures (the next wake-up reads again): said among the problems, the counts may be low. */
  readErrors: string[];
}

/** Sends the probes out of every interface, waits for the last ones to arrive, and closes the listener. */
async function probeAcross(ctx: DoctorContext, listener: ArrivalListener, ifaces: Interface[], p: Probing): Promise<CheckOutcome> {
  let membership;
  try {
    const deps = { platform: ctx.deps.platform, sockets: await ctx.deps.sockets(), clock: ctx.deps.clock };
    membership = await joinAll(deps, { groups: [p.group], interfaces: ifaces, receive: false });
    const tx = await sendAll(deps, { group: p.group, interfaces: ifaces, ttl: 1, loop: false, size: 64 + p.senderId.length,
      rate: RATE, count: PROBES, senderId: p.senderId });
    const sent = await tx.done;
    // The last probes are in flight for a moment; then read what is queued before closing.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    listener.drain();
    const matrix = matrixOf(ifaces, p.heard);
    const problems =
      [...tx.findings, ...sent.findings, ...membership.findings].filter((f) => f.severity === 'error').map((f) => f.message);
    // Many uplinks on one segment can fill the one socket's buffer: then the counts are low, and say so.
    const { dropped } = listener.stats();
    if (dropped > 0) {
      problems.push(`the capture dropped ${dropped} probes (its receive buffer was full): `
        + 'the counts are lower than what arrived');
    }
    for (const e of new Set(p.readErrors)) problems.push(`reading the capture failed: ${e}`);
    return { findings: sharedSegment(ifaces, p.heard, p.group), ...lostProbesGap(dropped, p.readErrors.length),
      details: { group: SELF_TEST_GROUP, probesPerInterface: PROBES, matrix, sendResults: tx.results, problems } };
  } finally {
    listener.close();
    membership?.close();
  }
}

/**
 * Probes the capture lost (buffer full, failed reads) may be the ones that crossed: the matrix
 * cannot say "nothing crosses" then. A gap, so the verdict is incomplete rather than healthy.
 */
function lostProbesGap(dropped: number, readErrors: number): Pick<CheckOutcome, 'gaps'> {
  if (dropped === 0 && readErrors === 0) return {};
  const lost = [dropped > 0 ? `dropped ${dropped} probes (its receive buffer was full)` : '',
    readErrors > 0 ? `failed ${readErrors} read${readErrors === 1 ? '' : 's'}` : ''].filter(Boolean).join(' and ');
  return { gaps: [{
    check: 'self-test',
    reason: `the capture ${lost}: uplinks that share a segment may be missed`,
    remedy: 'run doctor again when the host is less busy, or test the pair with join-all and send-all',
  }] };
}

export const selfTestCheck: DoctorCheck = {
  id: 'self-test',
  title: 'Self-test: the probe sent out of each interface, heard on which',
  linuxOnly: true,
  async run(ctx) {
    const scope = selfTestScope(ctx);
    if ('skip' in scope) return scope.skip;
    const p: Probing = {
      group: parseGroupArg(SELF_TEST_GROUP, { defaultPort: 5077, allowRanges: false })[0]!,
      senderId: senderIdFor(ctx.deps.platform.hostname()),
      heard: new Map(),
      readErrors: [],
    };
    // Listening first: when the capture cannot open (no CAP_NET_RAW, no koffi), nothing was joined.
    let listener: ArrivalListener;
    try {
      listener = listenForProbes(await ctx.deps.packets(), scope.ifaces, p);
    } catch (e) {
      return { findings: [], skipped: `capture not possible here: ${(e as Error).message}`, remedy: captureRemedy(e) };
    }
    return probeAcross(ctx, listener, scope.ifaces, p);
  },
};
