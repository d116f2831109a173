// From what the trackers counted to the mesh document: one cell per (peer, peer interface,
// local interface) stream, its loss (a stopped stream also lost the probes of its silence), the
// peers, and the verdict against --expect-peers and --max-loss.
import type { StreamStats } from '../probe/tracker.js';
import { checkStall, eventsPerIface, type Stopped } from '../stall/detect.js';
import { hostnameOf, lossPct, type MeshCell, type MeshPeer, type MeshSettings } from './model.js';
import { defined } from '../defined.js';

export interface StreamRow {
  /** The local interface the stream arrived on. */
  iface: string;
  stats: StreamStats;
}

export interface MeasureOptions {
  selfId: string;
  joinedAtMs: number;
  endMs: number;
  graceMs: number;
  /** The peers' run length (the same --duration everywhere): their end is not a stall. */
  peerDurationMs?: number;
  /** TTL seen on the wire for (local iface, sender id, sender iface), from the capture. */
  wireTtl?: (iface: string, senderId: string, senderIface: string) => number | undefined;
}

export interface Measured {
  cells: MeshCell[];
  /** Stopped cells, grouped per local interface and by time (one event each). */
  stops: Stopped<MeshCell>[][];
}

const secs = (ms: number, from: number): number => Math.round(((ms - from) / 1000) * 10) / 10;

export function measure(rows: readonly StreamRow[], o: MeasureOptions): Measured {
  const cells: MeshCell[] = [];
  const stopped: Stopped<MeshCell>[] = [];
  for (const { iface, stats: s } of rows) {
    // Our own probes come back through IP_MULTICAST_LOOP: not a peer.
    if (s.senderId === o.selfId || s.unique === 0) continue;
    const check = checkStall(
      s,
      { joinedAtMs: o.joinedAtMs, endMs: o.endMs, graceMs: o.graceMs, ...defined({ senderDurationMs: o.peerDurationMs }) },
    );
    const expected = s.expected + check.missedTail;
    const wire = o.wireTtl?.(iface, s.senderId, s.senderIface);
    const cell: MeshCell = {
      peer: s.senderId, peerIface: s.senderIface, iface,
      received: s.unique, duplicates: s.duplicates, reordered: s.reordered,
      expected, lossPct: lossPct(s.unique, expected),
      ttl: wire ?? s.lastTtl ?? null, ttlSource: wire !== undefined ? 'wire' : s.lastTtl !== undefined ? 'sent' : null,
      delayMs: s.delayMs ? { min: round3(s.delayMs.min), avg: round3(s.delayMs.avg), max: round3(s.delayMs.max) } : null,
      firstSeenS: secs(s.firstAtMs, o.joinedAtMs), lastSeenS: secs(s.lastAtMs, o.joinedAtMs),
      state: 'ok',
    };
    cells.push(cell);
    if (check.stopped) {
      cell.state = 'stalled';
      stopped.push({ item: cell, check });
    }
  }
  cells.sort((a, b) => a.peer.localeCompare(b.peer) || a.peerIface.localeCompare(b.peerIface) || a.iface.localeCompare(b.iface));
  return { cells, stops: eventsPerIface(stopped, (c) => c.iface) };
}

const round3 = (x: number): number => Math.round(x * 1000) / 1000;

/** Marks loss states and builds the peers with their pair verdict. */
export function judgeMesh(cells: MeshCell[], settings: MeshSettings): {
  peers: MeshPeer[];
  verdict: { pass: boolean; peersHeard: number; reasons: string[] };
} {
  const byPeer = new Map<string, MeshCell[]>();
  for (const c of cells) {
    if (c.state !== 'stalled') c.state = c.lossPct > settings.maxLossPct ? 'loss' : 'ok';
    const list = byPeer.get(c.peer) ?? [];
    list.push(c);
    byPeer.set(c.peer, list);
  }
  const peers: MeshPeer[] = [];
  for (const [id, list] of byPeer) {
    const reasons: string[] = [];
    for (const c of list) {
      if (c.stall) reasons.push(`${c.peerIface} -> ${c.iface} stopped ${c.stall.atS} s after the join (${c.stall.finding})`);
      else if (c.state === 'loss') reasons.push(`${c.peerIface} -> ${c.iface} lost ${c.lossPct}% (more than ${settings.maxLossPct}%)`);
    }
    peers.push({
      id, hostname: hostnameOf(id),
      interfaces: [...new Set(list.map((c) => c.peerIface))].sort(),
      heardOn: [...new Set(list.map((c) => c.iface))].sort(),
      received: list.reduce((a, c) => a + c.received, 0),
      expected: list.reduce((a, c) => a + c.expected, 0),
      worstLossPct: Math.max(...list.map((c) => c.lossPct)),
      status: reasons.length ? 'fail' : 'pass',
      reasons,
    });
  }
  peers.sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
  const reasons = peers.filter((p) => p.status === 'fail').map((p) => `${p.hostname}: ${p.reasons.join('; ')}`);
  if (settings.expectPeers !== null && peers.length < settings.expectPeers) {
    reasons.unshift(`${peers.length} peer${peers.length === 1 ? '' : 's'} heard, ${settings.expectPeers} expected`);
  }
  return { peers, verdict: { pass: reasons.length === 0, peersHeard: peers.length, reasons } };
}
