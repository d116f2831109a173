// mesh-report's core: the per-host documents merged into the whole matrix. Rows are every
// (sender host, interface), columns every (receiver host, interface); a cell comes from the
// receiver's own document. One verdict per ordered host pair (sender -> receiver).
//
// Bounded (issue 17): documents are folded in one at a time (MeshMerger.add) and dropped, so a
// thousand 1 MB documents never sit in memory together. What is kept per ordered pair is a few
// numbers and the cells that lost or stopped (pairs.ts); every cell is kept only while the mesh
// has at most CELL_CAP of them (a 128-endpoint mesh), past that only the lossy and stopped ones.
// Hosts heard without a document stop being tracked at HOST_CAP (a forged document naming a
// million peers). The work is O(cells + hosts x documents): the pairs the matrix has.
import { UsageError } from '../errors.js';
import { DistinctCounter, hashString } from '../join-all/distinct.js';
import type { Finding } from '../findings/model.js';
import type { MeshCell, MeshDocument, PairStatus } from './model.js';
import { listPairs, type PairAgg } from './pairs.js';
import { reportFindings } from './report-findings.js';

export interface Endpoint { host: string; iface: string }

export interface ReportCell extends Omit<MeshCell, 'peer' | 'peerIface' | 'iface'> {
  from: Endpoint;
  to: Endpoint;
}

export interface ReportPair {
  from: string;
  to: string;
  status: PairStatus;
  received: number;
  expected: number;
  worstLossPct: number;
  reasons: string[];
}

export interface ReportHost {
  id: string;
  hostname: string;
  /** Where the document came from; null for a peer heard but without a document. */
  file: string | null;
  /**
   * An address its probes came from (its document's first sending interface's), to tell apart
   * hosts that share a hostname; null for a peer heard that sent no document.
   */
  address: string | null;
  interfaces: string[];
  pass: boolean | null;
  findings: Finding[];
}

/** What the report holds fewer of than the mesh had (all zero for a mesh within the caps). */
export interface Omitted {
  /** Cells not listed: past CELL_CAP, only lossy and stopped cells are. */
  cells: number;
  /** Pairs not listed: past PAIR_CAP, failing pairs first, then the rest in order. */
  pairs: number;
  /** Failing pairs not named in verdict.reasons (REASON_CAP). */
  reasons: number;
  /** Peers without a document past HOST_CAP (distinct, estimated past 256), and interfaces past IFACE_CAP per host: not tracked. */
  hosts: number;
  interfaces: number;
}

export interface MeshReport {
  group: string | null;
  maxLossPct: number;
  hosts: ReportHost[];
  rows: Endpoint[];
  columns: Endpoint[];
  cells: ReportCell[];
  pairs: ReportPair[];
  /** pass: no error finding (core/exit.ts); reasons: one per failing pair. */
  verdict: { pass: boolean; failedPairs: number; pairs: number; reasons: string[] };
  omitted: Omitted;
  /** Every cell the documents held, listed or not. */
  totalCells: number;
  /** MESH_PAIRS_FAILED, MESH_GROUPS_DIFFER (./report-findings.ts): the exit code comes from them. */
  findings: Finding[];
}

export interface LoadedDoc { file: string; doc: MeshDocument }

/** Cells listed in full up to here: 128 x 128 endpoints (64 hosts of 2 interfaces), about 16 MB of JSON. */
export const CELL_CAP = 65_536;
/** Pairs listed up to here (256 hosts); a pair is about 150 bytes of JSON. */
export const PAIR_CAP = 65_536;
/** Failing pairs named one by one in verdict.reasons. */
export const REASON_CAP = 1000;
/** Hosts tracked (with or without a document): far above any mesh Ansible drives. */
export const HOST_CAP = 16_384;
/** Interfaces tracked per host. */
export const IFACE_CAP = 64;

interface HostState extends ReportHost {
  index: number;
  /** Its endpoints, one object per interface, shared by every cell that names it. */
  endpoints: Map<string, Endpoint>;
  /** Interfaces seen only as a sender in cells: rows, not listed interfaces. */
  senderOnly: string[];
  /** Receiving documents: index among the documents, and the pairs heard (sender host index -> aggregate). */
  doc: number;
  heard: Map<number, PairAgg> | null;
}

export class MeshMerger {
  private readonly hosts: HostState[] = [];
  private readonly byId = new Map<string, HostState>();
  private readonly docs: HostState[] = [];
  private readonly groups = new Set<string>();
  private maxLoss = 0;
  private cells: ReportCell[] = [];
  private totalCells = 0;
  private lossyOnly = false;
  private readonly omitted: Omitted = { cells: 0, pairs: 0, reasons: 0, hosts: 0, interfaces: 0 };
  /** Hosts past HOST_CAP, counted once each in fixed memory (exact to 256, estimated beyond). */
  private readonly untracked = new DistinctCounter();

  /** Folds one document in; the document can be dropped afterwards. */
  add(file: string, doc: MeshDocument): void {
    const seen = this.byId.get(doc.host.id);
    if (seen?.file != null) {
      throw new UsageError('BAD_FILE',
        `${file} and ${seen.file} are the same run of ${doc.host.hostname} (${doc.host.id}); pass each host's document once`);
    }
    const me = seen ?? this.newHost(doc.host.id, doc.host.hostname, true);
    if (!me) return; // unreachable: a host with a document is always tracked
    me.file = file;
    me.hostname = doc.host.hostname;
    const sending = doc.interfaces.find((i) => i.sent > 0 && i.addresses.length > 0) ?? doc.interfaces.find((i) => i.addresses.length > 0);
    me.address = sending?.addresses[0] ?? null;
    me.pass = doc.verdict.pass;
    me.findings = doc.findings;
    me.doc = this.docs.length;
    me.heard = new Map();
    this.docs.push(me);
    for (const i of doc.interfaces) this.addIface(me, i.name, 'listed');
    this.maxLoss = Math.max(this.maxLoss, doc.settings.maxLossPct);
    this.groups.add(`${doc.settings.group}:${doc.settings.port}`);
    // Peers heard that sent no document still get rows: their traffic is evidence.
    for (const p of doc.peers) {
      const h = this.byId.get(p.id) ?? this.newHost(p.id, p.hostname, false);
      if (h) for (const i of p.interfaces) this.addIface(h, i, 'listed');
    }
    for (const c of doc.cells) this.addCell(me, c);
  }

  private newHost(id: string, hostname: string, withDoc: boolean): HostState | undefined {
    if (!withDoc && this.hosts.length >= HOST_CAP) { this.untracked.add(hashString(id)); return undefined; }
    const h: HostState = {
      id,
      hostname,
      file: null,
      address: null,
      interfaces: [],
      pass: null,
      findings: [],
      index: this.hosts.length,
      endpoints: new Map(),
      senderOnly: [],
      doc: -1,
      heard: null,
    };
    this.hosts.push(h);
    this.byId.set(id, h);
    return h;
  }

  /**
   * The endpoint of (host, iface). 'listed': an interface the host's document or a peer list names
   * (a row, and a column for a host with a document); 'sender': seen only as a cell's sender (a
   * row); 'receiver': seen only as a cell's receiver (no column: the document did not list it).
   */
  private addIface(h: HostState, iface: string, how: 'listed' | 'sender' | 'receiver'): Endpoint | undefined {
    let e = h.endpoints.get(iface);
    if (!e) {
      if (h.endpoints.size >= IFACE_CAP) { this.omitted.interfaces++; return undefined; }
      e = { host: h.id, iface };
      h.endpoints.set(iface, e);
    }
    // A host's few interfaces (IFACE_CAP): these scans are short.
    if (how === 'listed' && !h.interfaces.includes(iface)) {
      h.interfaces.push(iface);
      h.senderOnly = h.senderOnly.filter((x) => x !== iface);
    } else if (how === 'sender' && !h.interfaces.includes(iface) && !h.senderOnly.includes(iface)) {
      h.senderOnly.push(iface);
    }
    return e;
  }

  private addCell(to: HostState, c: MeshCell): void {
    this.totalCells++;
    const from = this.byId.get(c.peer) ?? this.newHost(c.peer, c.peer, false);
    const fromEp = from && this.addIface(from, c.peerIface, 'sender');
    const toEp = this.addIface(to, c.iface, 'receiver');
    if (!from || !fromEp || !toEp) { this.omitted.cells++; return; }
    let agg = to.heard?.get(from.index);
    if (!agg) {
      agg = { received: 0, expected: 0, worst: 0, notes: null };
      to.heard?.set(from.index, agg);
    }
    agg.received += c.received;
    agg.expected += c.expected;
    agg.worst = Math.max(agg.worst, c.lossPct);
    if (c.stall || c.lossPct > 0) (agg.notes ??= []).push({
      fromIface: c.peerIface,
      toIface: c.iface,
      lossPct: c.lossPct,
      ...(c.stall ? { stall: c.stall } : {}),
    });
    this.keepCell(c, fromEp, toEp);
  }

  private keepCell(c: MeshCell, from: Endpoint, to: Endpoint): void {
    const lossy = c.stall !== undefined || c.lossPct > 0;
    if (this.lossyOnly && !lossy) { this.omitted.cells++; return; }
    if (this.cells.length >= CELL_CAP) {
      if (this.lossyOnly) { this.omitted.cells++; return; }
      // Past the cap the matrix cannot be listed whole: keep what a reader needs, the bad cells.
      this.lossyOnly = true;
      const kept = this.cells.filter((k) => k.stall !== undefined || k.lossPct > 0);
      this.omitted.cells += this.cells.length - kept.length;
      this.cells = kept;
      if (!lossy || this.cells.length >= CELL_CAP) { this.omitted.cells++; return; }
    }
    const cell: ReportCell = {
      received: c.received, duplicates: c.duplicates, reordered: c.reordered, expected: c.expected, lossPct: c.lossPct,
      ttl: c.ttl, ttlSource: c.ttlSource, delayMs: c.delayMs, firstSeenS: c.firstSeenS, lastSeenS: c.lastSeenS, state: c.state, from, to,
    };
    if (c.stall) cell.stall = c.stall;
    this.cells.push(cell);
  }

  /** maxLossPct: the report's own threshold; undefined takes the largest the hosts ran with. */
  finish(maxLossPct?: number): MeshReport {
    const max = maxLossPct ?? this.maxLoss;
    const ordered = [...this.hosts].sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
    const rows: Endpoint[] = [];
    const columns: Endpoint[] = [];
    for (const h of ordered) {
      for (const iface of h.interfaces) {
        const e = h.endpoints.get(iface);
        if (!e) continue;
        rows.push(e);
        if (h.file !== null) columns.push(e);
      }
    }
    // A sender interface seen only in cells (not in any document or peer list) still gets its row.
    for (const h of ordered) for (const iface of h.senderOnly) rows.push(h.endpoints.get(iface) ?? { host: h.id, iface });
    const receivers = ordered.filter((h) => h.file !== null);
    const listed = listPairs(ordered, receivers, (from, to) => to.heard?.get(from.index), max, { pairs: PAIR_CAP, reasons: REASON_CAP });
    this.omitted.pairs = listed.total - listed.pairs.length;
    this.omitted.reasons = listed.failed - listed.reasons.length;
    const reasons = [...listed.reasons];
    if (this.omitted.reasons > 0) reasons.push(`and ${this.omitted.reasons} more failing pairs`);
    const groups = [...this.groups];
    if (groups.length > 1) reasons.push(`the documents are of different groups (${groups.join(', ')})`);
    const findings = reportFindings(listed.pairs, listed.failed, listed.total, groups);
    return {
      group: groups.length === 1 ? (groups[0] ?? null) : null,
      maxLossPct: max,
      hosts: ordered.map((h) => ({
        id: h.id,
        hostname: h.hostname,
        file: h.file,
        address: h.address,
        interfaces: h.interfaces,
        pass: h.pass,
        findings: h.findings,
      })),
      rows,
      columns,
      cells: this.cells,
      pairs: listed.pairs,
      verdict: { pass: !findings.some((f) => f.severity === 'error'), failedPairs: listed.failed, pairs: listed.total, reasons },
      omitted: { ...this.omitted, hosts: this.untracked.count() },
      totalCells: this.totalCells,
      findings,
    };
  }
}

/** All documents at once (tests, small meshes): the same fold. */
export function mergeMesh(docs: readonly LoadedDoc[], maxLossPct?: number): MeshReport {
  const m = new MeshMerger();
  for (const { file, doc } of docs) m.add(file, doc);
  return m.finish(maxLossPct);
}
