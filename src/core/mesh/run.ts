// mesh's run: join the group on every eligible interface (membership/join.ts), send the probe out
// of every eligible interface (transmit/send-all.ts: one socket per interface, paced), count what
// arrives per peer stream (receive/stats.ts), watch IGMP on the wire, and at the end assemble the
// document with the stall diagnosis. Returns data; the command renders it.
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { linkKindFindings } from '../kernel/link-findings.js';
import type { GroupSpec } from '../group-args.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { addressesOf, type Interface, type InterfaceInventory } from '../kernel/interfaces.js';
import { leftOf, loadAwaitingCarrier, waitedFor, type CarrierWait } from '../kernel/carrier-wait.js';
import { isEligible, noEligibleInterface } from '../kernel/eligibility.js';
import { joinAll, type JoinResult, type Membership } from '../membership/join.js';
import { verifyMemberships } from '../membership/verify.js';
import { ReceiveStats } from '../join-all/stats.js';
import { receiveHealth } from '../join-all/health.js';
import { sendAll, type SendAllRun } from '../send-all/run.js';
import { checkSize, senderIdFor } from '../send-all/setup.js';
import { graceFor } from '../stall/detect.js';
import { gatherCauses, type IfaceCauses } from '../stall/evidence.js';
import { membershipView } from '../stall/diagnose.js';
import { measure } from './build.js';
import { interfaceView, rowsNow } from './view.js';
import { assembleDocument } from './document.js';
import type { MeshCell, MeshDocument, MeshInterface, MeshSettings } from './model.js';
import { startWireWatch, type WireWatch } from '../stall/wire-watch.js';
import { STALL_WATCH_CHECK } from '../join-all/stalls.js';
import { isoNow, type Clock } from '../clock.js';
import type { Loads, Uses } from '../deps.js';

/**
 * What mesh touches of the Host (src/core/deps.ts). `capture`: libpcap, loaded on first use;
 * failing, no capture (TTLs as sent, queries not observed: a gap). `firewall`: read only for the
 * interfaces where a stream stopped.
 */
export type MeshDeps = Uses<'platform' | 'sockets' | 'firewall' | 'clock'> & Loads<'capture'>;

export interface MeshOptions {
  group: GroupSpec;
  selection: IfaceSelection;
  rate: number;
  ttl: number;
  durationMs: number;
  expectPeers: number | null;
  maxLossPct: number;
  /** --membership-interval: the switches' own, in seconds. */
  membershipIntervalS?: number;
  assumeSynced: boolean;
  intervalMs: number;
  /** A signal: ends the wait for a first carrier (the run is ended by stop()). */
  abort?: AbortSignal;
}

export interface MeshStart {
  hostId: string;
  interfaces: MeshInterface[];
  findings: Finding[];
  captureUnavailable?: string;
}

export interface MeshHooks {
  started(s: MeshStart): void;
  /** Live view: cells so far (no stall diagnosis yet). */
  tick(cells: MeshCell[], elapsedMs: number): void;
  /** Before waiting for the first carrier on these interfaces (none selected has one yet). */
  waitingForCarrier?: ((names: string[], maxMs: number | undefined) => void) | undefined;
}

export interface MeshRun {
  done: Promise<MeshDocument>;
  stop(): void;
}

/** Everything a mesh run holds from the joins to its end. */
interface MeshRunning {
  o: MeshOptions;
  deps: MeshDeps;
  clock: Clock;
  hostId: string;
  hostname: string;
  inv: InterfaceInventory;
  /** The selected interfaces but loopback: one row each in the document. */
  listed: Interface[];
  /** Those that can take part (joined and sent on). */
  eligible: Interface[];
  m: Membership;
  startedAt: string;
  joinedAtMs: number;
  findings: Finding[];
  receiveErrors: Finding[];
  stats: ReceiveStats;
  watch: WireWatch;
  tx: SendAllRun;
  graceMs: number;
  /** The wait for a first carrier before the joins (kernel/carrier-wait.ts): how long, for whom. */
  carrier: Pick<CarrierWait, 'waitedMs' | 'awaited'>;
  /** What is left of --duration after that wait: how long it sends and listens. */
  runMs: number;
}

/**
 * The steps: join the group on every eligible interface and check the memberships; count what
 * arrives and watch the wire; send the probe on every eligible interface; report the start; tick
 * the live cells; after --duration (or stop()) close and assemble the document.
 */
export async function startMesh(deps: MeshDeps, o: MeshOptions, hooks: MeshHooks): Promise<MeshRun> {
  const { clock } = deps;
  const j = await joinMesh(deps, o, hooks);
  const { m, joinedAtMs } = j;
  const stats = new ReceiveStats({ joinedAtMs, localHost: j.hostname, assumeSynced: o.assumeSynced, clock });
  m.onPacket((pk) => { stats.add(pk); });
  const receiveErrors: Finding[] = [];
  m.onError((e, iface) => {
    receiveErrors.push(makeFinding('JOIN_FAILED', {
      iface, message: `Receiving on ${iface} failed: ${e.message}.`, evidence: { error: e.message },
    }));
  });
  const watch = await watchWire(deps.capture, j.listed, m.results.filter((r) => r.status === 'joined'), o.group);
  const tx = await sendProbes(deps, o, j);
  // send-all's advice on plain sockets (egress route, TTL 1) is not mesh's subject.
  j.findings.push(...tx.findings.filter((f) => f.id === 'SEND_FAILED'));
  const r: MeshRunning = { ...j, o, deps, clock, receiveErrors, stats, watch, tx, graceMs: graceFor(o.durationMs) };
  hooks.started({
    hostId: j.hostId,
    interfaces: interfaceView(j.listed, m.results, tx.results, o.group.family),
    findings: [...j.findings],
    ...(watch.unavailable ? { captureUnavailable: watch.unavailable } : {}),
  });
  const tick = setInterval(() => {
    const now = clock.now();
    const live = measure(rowsNow(stats), { selfId: j.hostId, joinedAtMs, endMs: now, graceMs: r.graceMs, wireTtl: watch.ttl });
    hooks.tick(live.cells, now - joinedAtMs);
  }, o.intervalMs);

  // The run lasts --duration even where no sender could open (receiving still tells something).
  let stopListening!: () => void;
  const listening = new Promise<void>((resolve) => { stopListening = resolve; });
  const timer = setTimeout(stopListening, j.eligible.length ? j.runMs : 0);
  const done = (async (): Promise<MeshDocument> => {
    const [sent] = await Promise.all([tx.done, listening]);
    clearTimeout(timer);
    clearInterval(tick);
    return endMesh(r, sent.findings);
  })();
  return { done, stop: () => { tx.stop(); stopListening(); } };
}

/** What joinMesh finds: the interfaces, the memberships, the probe's size. */
type MeshJoined = Pick<MeshRunning,
  'hostId' | 'hostname' | 'inv' | 'listed' | 'eligible' | 'm' | 'startedAt' | 'joinedAtMs' | 'findings' | 'carrier' | 'runMs'>
  & { size: number };

/**
 * Loads the interfaces (waiting for a first carrier when all are up without one, as join-all does:
 * kernel/carrier-wait.ts), sizes the probe, joins the group, checks the memberships (skipped
 * interfaces' reasons, /proc, link kinds).
 */
async function joinMesh(deps: MeshDeps, o: MeshOptions, hooks: MeshHooks): Promise<MeshJoined> {
  const g = o.group;
  const { clock } = deps;
  const hostname = deps.platform.hostname();
  const hostId = senderIdFor(hostname);
  const carrier = await loadAwaitingCarrier(deps.platform, { selection: o.selection, family: g.family }, [g.family], {
    clock, durationMs: o.durationMs, abort: o.abort, onWait: hooks.waitingForCarrier,
  });
  const inv = carrier.inventory;
  const listed = inv.interfaces.filter((i) => !i.loopback);
  const eligible = listed.filter((i) => isEligible(i, g.family));
  // Before joining: a probe too big for an interface's MTU is a usage error, not a run.
  const size = checkSize(undefined, eligible, g.family, hostId, false);
  const m = await joinAll(deps, { groups: [g], interfaces: inv.interfaces, receive: true });
  const startedAt = isoNow(clock);
  const joinedAtMs = clock.now();
  const findings: Finding[] = [
    ...inv.findings.filter((f) => m.results.some((r) => r.iface === f.iface && r.status === 'skipped')),
    ...m.findings,
    ...await verifyMemberships(deps.platform, m.results),
    // Every interface joined is also sent on (one sender per eligible interface).
    ...linkKindFindings(inv.interfaces, m.results.filter((r) => r.status === 'joined'), 'join and send'),
  ];
  const runMs = leftOf(o.durationMs, carrier);
  return { hostId, hostname, inv, listed, eligible, size, m, startedAt, joinedAtMs, findings, carrier, runMs };
}

/** IGMP queries and the probes' TTL on the wire of each interface joined (nothing when libpcap is missing). */
function watchWire(
  capture: MeshDeps['capture'], listed: readonly Interface[], joined: readonly JoinResult[], g: GroupSpec,
): Promise<WireWatch> {
  return startWireWatch(capture, joined.map((r) => {
    const i = listed.find((x) => x.name === r.iface);
    return { iface: r.iface, addresses: i ? addressesOf(i, g.family).map((a) => a.address) : [], ...(i?.mac ? { mac: i.mac } : {}) };
  }), g.family, { group: g.group, port: g.port });
}

/** The probe out of every eligible interface, paced at --rate for --duration. */
function sendProbes(deps: MeshDeps, o: MeshOptions, j: Pick<MeshJoined, 'inv' | 'size' | 'hostId' | 'runMs'>): Promise<SendAllRun> {
  // IP_MULTICAST_LOOP off: mesh is between hosts; our own probes would only be noise.
  return sendAll(deps, {
    group: o.group, interfaces: j.inv.interfaces, ttl: o.ttl, loop: false, size: j.size, rate: o.rate,
    durationMs: j.runMs, senderId: j.hostId,
  });
}

/** Reads the last datagrams and the drops, closes the sockets and the wire watch, and assembles the document. */
async function endMesh(r: MeshRunning, sendFindings: readonly Finding[]): Promise<MeshDocument> {
  const { m, watch, stats, o, findings } = r;
  const g = o.group;
  // What the kernel queued before the end counts (Receiver.drain).
  m.drainAll();
  watch.close();
  const ownDrops = m.ownDrops();
  m.close();
  const endMs = r.clock.now();
  // Our own socket's overrun, a storm of senders, forged probes: said once, not drowned in cells.
  findings.push(...sendFindings, ...r.receiveErrors, ...receiveHealth(stats.snapshot(), stats.ifaces(), ownDrops));
  if (r.eligible.length === 0) {
    findings.unshift(noEligibleInterface(r.inv.interfaces, [g.family], 'take part in the mesh',
      { group: g.group, ...waitedFor(r.carrier) }));
  }
  const rows = rowsNow(stats);
  const queries = m.results.filter((x) => x.status === 'joined').map((x) => watch.queries.summary(x.iface));
  const membership = membershipView(o.membershipIntervalS, queries);
  const measureOpts = { joinedAtMs: r.joinedAtMs, endMs, graceMs: r.graceMs, peerDurationMs: o.durationMs, wireTtl: watch.ttl };
  const causes = await stopCauses(r, measure(rows, { ...measureOpts, selfId: r.hostId }).stops);
  const doc = assembleDocument({
    host: { id: r.hostId, hostname: r.hostname }, startedAt: r.startedAt, settings: meshSettings(o, membership),
    interfaces: interfaceView(r.listed, m.results, r.tx.results, g.family), rows, measure: measureOpts, membership, queries, findings,
  }, causes);
  // No capture: a stop cannot be told apart (queries not observed) and TTLs are as sent.
  doc.coverage = { notRun: watch.notRun(STALL_WATCH_CHECK), interrupted: null };
  return doc;
}

/** The run's settings as the document records them. */
function meshSettings(o: MeshOptions, membership: ReturnType<typeof membershipView>): MeshSettings {
  const g = o.group;
  return {
    group: g.group, port: g.port, family: g.family, rate: o.rate, ttl: o.ttl, durationS: o.durationMs / 1000,
    expectPeers: o.expectPeers, maxLossPct: o.maxLossPct,
    membershipIntervalS: membership.intervalS, membershipIntervalSource: membership.source, assumeSynced: o.assumeSynced,
  };
}

/** Firewall and route lookups for the interfaces where a stream stopped; a healthy run asks nothing more. */
async function stopCauses(r: MeshRunning, stopped: ReturnType<typeof measure>['stops']): Promise<Map<string, IfaceCauses>> {
  if (stopped.length === 0) return new Map();
  const ifaces = [...new Set(stopped.flatMap((ev) => ev.map((s) => s.item.iface)))];
  const queries = (iface: string) => r.watch.queries.summary(iface);
  return gatherCauses(r.deps, ifaces, queries);
}
