// mesh's run: join the group on every eligible interface (membership/join.ts), send the probe out
// of every eligible interface (transmit/send-all.ts: one socket per interface, paced), count what
// arrives per peer stream (receive/stats.ts), watch IGMP on the wire, and at the end assemble the
// document with the stall diagnosis. Returns data; the command renders it.
import type { Platform } from '../../platform/types.js';
import type { SocketApi } from '../../platform/sockets/types.js';
import type { FirewallReader } from '../../platform/firewall.js';
import type { CaptureFactory } from '../../platform/capture/types.js';
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import { linkKindFindings } from '../kernel/link-findings.js';
import type { GroupSpec } from '../group-args.js';
import type { IfaceSelection } from '../kernel/iface-filter.js';
import { addressesOf, loadInterfaces } from '../kernel/interfaces.js';
import { isEligible, noEligibleInterface } from '../kernel/eligibility.js';
import { joinAll } from '../membership/join.js';
import { verifyMemberships } from '../membership/verify.js';
import { ReceiveStats } from '../join-all/stats.js';
import { receiveHealth } from '../join-all/health.js';
import { sendAll } from '../send-all/run.js';
import { checkSize, senderIdFor } from '../send-all/setup.js';
import { graceFor } from '../stall/detect.js';
import { gatherCauses, type IfaceCauses } from '../stall/evidence.js';
import { membershipView } from '../stall/diagnose.js';
import { measure, type StreamRow } from './build.js';
import { assembleDocument } from './document.js';
import type { MeshCell, MeshDocument, MeshInterface, MeshSettings } from './model.js';
import { startWireWatch } from '../stall/wire-watch.js';
import { STALL_WATCH_CHECK } from '../join-all/stalls.js';
import { isoNow, systemClock, type Clock } from '../clock.js';

export interface MeshDeps {
  platform: Platform;
  sockets: SocketApi;
  firewall: FirewallReader;
  /** libpcap, loaded lazily; undefined or failing: no capture (TTL as sent, queries not observed). */
  capture?: () => Promise<CaptureFactory>;
  /** The wall clock (the Host's); absent: the system's. */
  clock?: Clock;
}

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
}

export interface MeshRun {
  done: Promise<MeshDocument>;
  stop(): void;
}

export async function startMesh(deps: MeshDeps, o: MeshOptions, hooks: MeshHooks): Promise<MeshRun> {
  const g = o.group;
  const p = deps.platform;
  const hostname = p.hostname();
  const hostId = senderIdFor(hostname);
  const inv = await loadInterfaces(p, { selection: o.selection, family: g.family });
  const listed = inv.interfaces.filter((i) => !i.loopback);
  const eligible = listed.filter((i) => isEligible(i, g.family));
  const size = checkSize(undefined, eligible, g.family, hostId, false);

  const m = await joinAll(deps, { groups: [g], interfaces: inv.interfaces, receive: true });
  const clock = deps.clock ?? systemClock;
  const startedAt = isoNow(clock);
  const joinedAtMs = clock.now();
  const findings: Finding[] = [
    ...inv.findings.filter((f) => m.results.some((r) => r.iface === f.iface && r.status === 'skipped')),
    ...m.findings,
    ...await verifyMemberships(p, m.results),
    // Every interface joined is also sent on (one sender per eligible interface).
    ...linkKindFindings(inv.interfaces, m.results.filter((r) => r.status === 'joined'), 'join and send'),
  ];
  const stats = new ReceiveStats({ joinedAtMs, localHost: hostname, assumeSynced: o.assumeSynced, clock });
  m.onPacket((pk) => { stats.add(pk); });
  const receiveErrors: Finding[] = [];
  m.onError((e, iface) => { receiveErrors.push(makeFinding('JOIN_FAILED', { iface, message: `Receiving on ${iface} failed: ${e.message}.`, evidence: { error: e.message } })); });

  const joined = m.results.filter((r) => r.status === 'joined');
  const watch = await startWireWatch(deps.capture, joined.map((r) => {
    const i = listed.find((x) => x.name === r.iface);
    return { iface: r.iface, addresses: i ? addressesOf(i, g.family).map((a) => a.address) : [], ...(i?.mac ? { mac: i.mac } : {}) };
  }), g.family, { group: g.group, port: g.port });

  // IP_MULTICAST_LOOP off: mesh is between hosts; our own probes would only be noise.
  const tx = await sendAll({ sockets: deps.sockets, platform: p }, {
    group: g, interfaces: inv.interfaces, ttl: o.ttl, loop: false, size, rate: o.rate, durationMs: o.durationMs, senderId: hostId,
  });
  // send-all's advice on plain sockets (egress route, TTL 1) is not mesh's subject.
  findings.push(...tx.findings.filter((f) => f.id === 'SEND_FAILED'));

  const ifaceView = (): MeshInterface[] => listed.map((i) => {
    const j = m.results.find((r) => r.iface === i.name);
    const s = tx.results.find((r) => r.iface === i.name);
    const v: MeshInterface = { name: i.name, index: i.index, addresses: addressesOf(i, g.family).map((a) => a.address), joined: j?.status === 'joined', sent: s?.sent ?? 0 };
    const note = j?.status === 'skipped' ? `skipped: ${j.skipReason}` : j?.status === 'failed' ? j.message : s?.status === 'failed' ? s.message : undefined;
    if (note) v.note = note;
    return v;
  });
  hooks.started({
    hostId,
    interfaces: ifaceView(),
    findings: [...findings],
    ...(watch.unavailable ? { captureUnavailable: watch.unavailable } : {}),
  });

  const rowsNow = (): StreamRow[] => stats.snapshot().flatMap((r) => r.streams.map((s) => ({ iface: r.iface, stats: s })));
  const graceMs = graceFor(o.durationMs);
  const tick = setInterval(() => {
    const now = clock.now();
    hooks.tick(measure(rowsNow(), { selfId: hostId, joinedAtMs, endMs: now, graceMs, wireTtl: watch.ttl }).cells, now - joinedAtMs);
  }, o.intervalMs);

  // The run lasts --duration even where no sender could open (receiving still tells something).
  let stopListening!: () => void;
  const listening = new Promise<void>((resolve) => { stopListening = resolve; });
  const timer = setTimeout(stopListening, eligible.length ? o.durationMs : 0);
  const done = (async (): Promise<MeshDocument> => {
    const [sent] = await Promise.all([tx.done, listening]);
    clearTimeout(timer);
    clearInterval(tick);
    // What the kernel queued before the end counts (Receiver.drain).
    m.drainAll();
    watch.close();
    const ownDrops = m.ownDrops();
    m.close();
    const endMs = clock.now();
    // Our own socket's overrun, a storm of senders, forged probes: said once, not drowned in cells.
    findings.push(...sent.findings, ...receiveErrors, ...receiveHealth(stats.snapshot(), stats.ifaces(), ownDrops));
    if (eligible.length === 0) {
      findings.unshift(noEligibleInterface(inv.interfaces, [g.family], 'take part in the mesh', { group: g.group }));
    }
    const rows = rowsNow();
    const queries = joined.map((r) => watch.queries.summary(r.iface));
    const membership = membershipView(o.membershipIntervalS, queries);
    const settings: MeshSettings = {
      group: g.group, port: g.port, family: g.family, rate: o.rate, ttl: o.ttl, durationS: o.durationMs / 1000,
      expectPeers: o.expectPeers, maxLossPct: o.maxLossPct,
      membershipIntervalS: membership.intervalS, membershipIntervalSource: membership.source, assumeSynced: o.assumeSynced,
    };
    const measureOpts = { joinedAtMs, endMs, graceMs, peerDurationMs: o.durationMs, wireTtl: watch.ttl };
    const stopped = measure(rows, { ...measureOpts, selfId: hostId }).stops;
    let causes = new Map<string, IfaceCauses>();
    // Firewall and route lookups only when something stopped: a healthy run asks nothing more.
    if (stopped.length) {
      const ifaces = [...new Set(stopped.flatMap((ev) => ev.map((s) => s.item.iface)))];
      causes = await gatherCauses({ platform: p, firewall: deps.firewall }, ifaces, (iface) => watch.queries.summary(iface));
    }
    const doc = assembleDocument({
      host: { id: hostId, hostname }, startedAt, settings, interfaces: ifaceView(), rows,
      measure: measureOpts, membership, queries, findings,
    }, causes);
    // No capture: a stop cannot be told apart (queries not observed) and TTLs are as sent.
    doc.coverage = { notRun: watch.notRun(STALL_WATCH_CHECK), interrupted: null };
    return doc;
  })();
  return { done, stop: () => { tx.stop(); stopListening(); } };
}
