// mesh-report's core: the per-host documents merged into the whole matrix. Rows are every
// (sender host, interface), columns every (receiver host, interface); a cell comes from the
// receiver's own document. One verdict per ordered host pair (sender -> receiver).
import type { Finding } from '../findings/model.js';
import { hostnameOf, type MeshCell, type MeshDocument, type PairStatus } from './model.js';

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
  interfaces: string[];
  pass: boolean | null;
  findings: Finding[];
}

export interface MeshReport {
  group: string | null;
  maxLossPct: number;
  hosts: ReportHost[];
  rows: Endpoint[];
  columns: Endpoint[];
  cells: ReportCell[];
  pairs: ReportPair[];
  verdict: { pass: boolean; failedPairs: number; pairs: number; reasons: string[] };
}

export interface LoadedDoc { file: string; doc: MeshDocument }

const key = (e: Endpoint): string => `${e.host}\u0000${e.iface}`;

/** maxLossPct: the report's own threshold; undefined takes the largest the hosts ran with. */
export function mergeMesh(docs: readonly LoadedDoc[], maxLossPct?: number): MeshReport {
  const max = maxLossPct ?? Math.max(0, ...docs.map((d) => d.doc.settings.maxLossPct));
  const hosts = new Map<string, ReportHost>();
  for (const { file, doc } of docs) {
    hosts.set(doc.host.id, {
      id: doc.host.id, hostname: doc.host.hostname, file,
      interfaces: doc.interfaces.map((i) => i.name), pass: doc.verdict.pass, findings: doc.findings,
    });
  }
  // Peers heard that sent no document still get rows: their traffic is evidence.
  for (const { doc } of docs) {
    for (const p of doc.peers) {
      const h = hosts.get(p.id);
      if (!h) hosts.set(p.id, { id: p.id, hostname: p.hostname, file: null, interfaces: [...p.interfaces], pass: null, findings: [] });
      else for (const i of p.interfaces) if (!h.interfaces.includes(i)) h.interfaces.push(i); // a host's few interfaces
    }
  }
  const ordered = [...hosts.values()].sort((a, b) => a.hostname.localeCompare(b.hostname) || a.id.localeCompare(b.id));
  const rows: Endpoint[] = [];
  const columns: Endpoint[] = [];
  for (const h of ordered) {
    for (const iface of h.interfaces) {
      rows.push({ host: h.id, iface });
      if (h.file !== null) columns.push({ host: h.id, iface });
    }
  }
  // One Endpoint object per (host, interface), shared by its cells; cells grouped per receiver
  // and sender as they are made. At 1000 hosts x 2 interfaces there are 4 million cells: no
  // per-cell key strings, endpoints or spreads (the old merge: O(hosts^4), 100 hosts 21 s).
  const cache = (): ((host: string, iface: string) => Endpoint) & { made: Endpoint[] } => {
    const byHost = new Map<string, Map<string, Endpoint>>();
    const made: Endpoint[] = [];
    const get = (host: string, iface: string): Endpoint => {
      let m = byHost.get(host);
      if (!m) { m = new Map(); byHost.set(host, m); }
      let e = m.get(iface);
      if (!e) { e = { host, iface }; m.set(iface, e); made.push(e); }
      return e;
    };
    return Object.assign(get, { made });
  };
  const sender = cache();
  const receiver = cache();
  const cells: ReportCell[] = [];
  const byPair = new Map<string, Map<string, ReportCell[]>>();
  for (const { doc } of docs) {
    const fromHere = new Map<string, ReportCell[]>();
    byPair.set(doc.host.id, fromHere);
    for (const c of doc.cells) {
      const cell: ReportCell = {
        received: c.received, duplicates: c.duplicates, reordered: c.reordered, expected: c.expected, lossPct: c.lossPct,
        ttl: c.ttl, ttlSource: c.ttlSource, delayMs: c.delayMs, firstSeenS: c.firstSeenS, lastSeenS: c.lastSeenS, state: c.state,
        from: sender(c.peer, c.peerIface), to: receiver(doc.host.id, c.iface),
      };
      if (c.stall) cell.stall = c.stall;
      cells.push(cell);
      const list = fromHere.get(c.peer);
      if (list) list.push(cell); else fromHere.set(c.peer, [cell]);
    }
  }
  // A sender interface seen only in cells (not in any document or peer list) still gets its row.
  const rowKeys = new Set(rows.map(key));
  for (const e of sender.made) if (!rowKeys.has(key(e))) { rows.push(e); rowKeys.add(key(e)); }

  const pairs: ReportPair[] = [];
  for (const from of ordered) {
    for (const to of ordered) {
      if (from.id === to.id || to.file === null) continue;
      pairs.push(judgePair(from, to, byPair.get(to.id)?.get(from.id) ?? [], max));
    }
  }
  const failed = pairs.filter((p) => p.status === 'fail');
  const reasons = failed.map((p) => `${hostnameOf(p.from)} -> ${hostnameOf(p.to)}: ${p.reasons.join('; ')}`);
  const groups = [...new Set(docs.map((d) => `${d.doc.settings.group}:${d.doc.settings.port}`))];
  if (groups.length > 1) reasons.push(`the documents are of different groups (${groups.join(', ')})`);
  return {
    group: groups.length === 1 ? (groups[0] ?? null) : null,
    maxLossPct: max,
    hosts: ordered,
    rows,
    columns,
    cells,
    pairs,
    verdict: { pass: reasons.length === 0, failedPairs: failed.length, pairs: pairs.length, reasons },
  };
}

function judgePair(from: ReportHost, to: ReportHost, cells: readonly ReportCell[], max: number): ReportPair {
  const received = cells.reduce((a, c) => a + c.received, 0);
  const expected = cells.reduce((a, c) => a + c.expected, 0);
  const worst = cells.reduce((a, c) => Math.max(a, c.lossPct), 0);
  const reasons: string[] = [];
  if (cells.length === 0) {
    // A peer without a document is only a row: we cannot tell whether it was meant to be heard.
    if (from.file === null) return { from: from.id, to: to.id, status: 'no-data', received, expected, worstLossPct: 0, reasons: ['no document from the sender'] };
    reasons.push(`${to.hostname} never heard ${from.hostname}`);
  }
  for (const c of cells) {
    if (c.stall) reasons.push(`${c.from.iface} -> ${c.to.iface} stopped ${c.stall.atS.toFixed(1)} s after the join (${c.stall.finding})`);
    else if (c.lossPct > max) reasons.push(`${c.from.iface} -> ${c.to.iface} lost ${c.lossPct}% (more than ${max}%)`);
  }
  return { from: from.id, to: to.id, status: reasons.length ? 'fail' : 'pass', received, expected, worstLossPct: worst, reasons };
}
