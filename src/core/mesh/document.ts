// Assembling the mesh document from a run's parts (pure: the run and the unit tests share it).
import type { Finding } from '../findings/model.js';
import { hasError, sortFindings } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { Stopped } from '../stall/detect.js';
import type { MembershipIntervalView } from '../stall/diagnose.js';
import type { IfaceCauses } from '../stall/evidence.js';
import type { QuerySummary } from '../stall/queries.js';
import { judgeMesh, measure, type MeasureOptions, type Measured, type StreamRow } from './build.js';
import type { MeshCell, MeshDocument, MeshInterface, MeshPeer, MeshSettings } from './model.js';
import { explainStops } from './stalls.js';
import { silenceFindings } from '../join-all/silence.js';
import { isLinkLocalGroup } from '../group-args.js';

export interface DocumentParts {
  host: { id: string; hostname: string };
  startedAt: string;
  settings: MeshSettings;
  interfaces: MeshInterface[];
  rows: readonly StreamRow[];
  measure: Omit<MeasureOptions, 'selfId'>;
  membership: MembershipIntervalView;
  queries: QuerySummary[];
  /** Setup findings (joins, sends, interfaces). */
  findings: Finding[];
}

/** The stops found, so that the caller can gather their causes (async) before assembling. */
export function stopsOf(p: Pick<DocumentParts, 'rows' | 'measure' | 'host'>): Stopped<unknown>[][] {
  return measure(p.rows, { ...p.measure, selfId: p.host.id }).stops;
}

export function assembleDocument(p: DocumentParts, causes: Map<string, IfaceCauses>): MeshDocument {
  const m = measure(p.rows, { ...p.measure, selfId: p.host.id });
  // The stops are explained before judgeMesh marks each cell ok or loss (it writes their state).
  const stalls = stallFindings(p, m, causes);
  const { peers, verdict } = judgeMesh(m.cells, p.settings);
  const missing = peersMissing(p, peers);
  const findings = [
    ...p.findings,
    ...stalls,
    ...(missing ? [missing] : []),
    ...silentInterfaces(p, m.cells),
    ...peers.flatMap((peer) => lossFinding(p.settings, peer, m.cells) ?? []),
  ];
  return {
    schemaVersion: 1,
    command: 'mesh',
    host: p.host,
    startedAt: p.startedAt,
    elapsedS: Math.round((p.measure.endMs - p.measure.joinedAtMs) / 100) / 10,
    settings: p.settings,
    interfaces: p.interfaces,
    peers,
    cells: m.cells,
    queries: p.queries,
    // Every failing reason is also an error finding (MESH_LOSS, MESH_PEERS_MISSING, the stop's own):
    // pass is what exitFor says of the findings.
    verdict: { ...verdict, pass: verdict.pass && !hasError(findings) },
    findings: sortFindings(findings),
  };
}

/** Each stop explained with what the IGMP watch heard on its interface (stalls.ts). */
function stallFindings(p: DocumentParts, m: Measured, causes: Map<string, IfaceCauses>): Finding[] {
  const empty = (iface: string): QuerySummary => ({ iface, captured: false, queries: 0, queriers: [], answered: false, reportsSent: 0 });
  return explainStops(m.stops, {
    group: p.settings.group, cells: m.cells, membership: p.membership, causes,
    queries: (iface) => p.queries.find((q) => q.iface === iface) ?? empty(iface),
  });
}

/** --expect-peers N and fewer heard. */
function peersMissing(p: DocumentParts, peers: readonly MeshPeer[]): Finding | undefined {
  if (p.settings.expectPeers === null || peers.length >= p.settings.expectPeers) return undefined;
  const secs = ((p.measure.endMs - p.measure.joinedAtMs) / 1000).toFixed(1);
  const names = peers.length ? ` (heard: ${peers.map((x) => x.hostname).join(', ')})` : '';
  return makeFinding('MESH_PEERS_MISSING', {
    message:
      `${peers.length} peer${peers.length === 1 ? '' : 's'} heard in ${secs} s, ${p.settings.expectPeers} expected${names}.` +
      ttlOneHint(p.settings),
    evidence: { heard: peers.map((x) => x.id), expected: p.settings.expectPeers, ttl: p.settings.ttl },
    ...(ttlOneHint(p.settings) ? { fix: TTL_FIX } : {}),
  });
}

/**
 * An interface that heard no peer at all for the whole run (issue 16); nothing anywhere: one
 * sentence with the next step. An error where peers were expected.
 */
function silentInterfaces(p: DocumentParts, cells: readonly MeshCell[]): Finding[] {
  const held = p.interfaces.filter((i) => i.joined).map((i) => ({ iface: i.name, group: p.settings.group, port: p.settings.port }));
  const heard = (iface: string): number => cells.filter((c) => c.iface === iface).reduce((n, c) => n + c.received, 0);
  return silenceFindings(held, heard, new Set(), p.measure.endMs - p.measure.joinedAtMs, {
    ...(p.settings.expectPeers !== null && p.settings.expectPeers > 0 ? { severity: 'error' as const } : {}),
    nextStep:
      'run mesh on the other hosts at the same time, with the same group and port (docs/examples/mesh.yml); ' +
      'if they ran, compare with mcast-doctor mesh-report *.json',
  });
}

/** A peer some of whose paths to this host lost more than --max-loss. */
function lossFinding(s: MeshSettings, peer: MeshPeer, cells: readonly MeshCell[]): Finding | undefined {
  const lossy = cells.filter((c) => c.peer === peer.id && c.state === 'loss');
  if (lossy.length === 0) return undefined;
  return makeFinding('MESH_LOSS', {
    group: s.group,
    message:
      `${peer.hostname} -> this host lost more than ${s.maxLossPct}%: ` +
      `${lossy.map((c) => `${c.peerIface} -> ${c.iface} ${c.lossPct}% (${c.received}/${c.expected})`).join(', ')}.`,
    evidence: {
      peer: peer.id,
      cells: lossy.map((c) => ({
        peerIface: c.peerIface,
        iface: c.iface,
        received: c.received,
        expected: c.expected,
        lossPct: c.lossPct,
      })),
    },
  });
}

/**
 * Missing peers and this host's own --ttl 1 (issue 19 item 7): a peer behind a router never hears
 * this host's probes, whatever else is right (a router forwards only TTL above its threshold, 1
 * at least: TTL_NOT_FORWARDED). Said only when the group is routable and the TTL is 1.
 */
const TTL_FIX = 'Run mesh with --ttl N (N > the routers between the hosts) on every host, with a multicast router between the segments; ' +
  "then check the peers' own runs (mesh-report *.json).";

function ttlOneHint(s: MeshSettings): string {
  if (s.ttl > 1 || isLinkLocalGroup(s.group)) return '';
  const word = s.family === 4 ? 'TTL' : 'hop limit';
  return ` This host sends with ${word} 1 (--ttl 1): a peer on another segment, behind a router, never hears it; ` +
    'if the missing peers are there, run every host with --ttl N.';
}
