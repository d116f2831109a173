// The mesh document: what one host saw of every other host, per interface pair.
// Rows are (peer, peer interface), columns are this host's interfaces; docs/schemas/mesh.schema.json.
// mesh-report merges the documents of many hosts into the whole matrix (merge.ts).
import type { Coverage } from '../coverage.js';
import type { Finding } from '../findings/model.js';
import type { QuerySummary } from '../stall/queries.js';

export type CellState = 'ok' | 'loss' | 'stalled';

export interface MeshCell {
  /** Sender id of the peer (hostname plus a random suffix). */
  peer: string;
  peerIface: string;
  /** This host's interface the probes arrived on. */
  iface: string;
  /** Distinct probes received. */
  received: number;
  duplicates: number;
  reordered: number;
  /** Probes the peer sent while this cell was listening: the sequence range seen, plus the tail a stall lost. */
  expected: number;
  lossPct: number;
  /** TTL of the last probe as seen on the wire (capture), else as the sender set it. */
  ttl: number | null;
  ttlSource: 'wire' | 'sent' | null;
  /** Receiver clock minus sender clock; null across hosts without --assume-synced. */
  delayMs: { min: number; avg: number; max: number } | null;
  /** Seconds after this host's join. */
  firstSeenS: number;
  lastSeenS: number;
  state: CellState;
  stall?: { atS: number; finding: 'SNOOPING_TIMEOUT' | 'STREAM_STOPPED' };
}

export interface MeshInterface {
  name: string;
  index: number;
  addresses: string[];
  /** The group membership on this interface. */
  joined: boolean;
  /** Probes sent out of this interface. */
  sent: number;
  /** Why the interface takes no part (down, no address, join or send failure). */
  note?: string;
}

export type PairStatus = 'pass' | 'fail' | 'no-data';

export interface MeshPeer {
  id: string;
  hostname: string;
  /** Peer interfaces heard (from the probes). */
  interfaces: string[];
  /** This host's interfaces that heard it. */
  heardOn: string[];
  received: number;
  expected: number;
  /** Worst cell of the pair. */
  worstLossPct: number;
  status: PairStatus;
  reasons: string[];
}

export interface MeshSettings {
  group: string;
  port: number;
  family: 4 | 6;
  rate: number;
  ttl: number;
  durationS: number;
  expectPeers: number | null;
  maxLossPct: number;
  membershipIntervalS: number;
  membershipIntervalSource: 'default' | 'user' | 'querier';
  assumeSynced: boolean;
}

/** The stall detector's query summary, less the interval it derives (the document carries its own). */
export type QueryView = Omit<QuerySummary, 'membershipIntervalS'>;

export interface MeshDocument {
  schemaVersion: 1;
  command: 'mesh';
  host: { id: string; hostname: string };
  startedAt: string;
  /** Seconds from the join to the end. */
  elapsedS: number;
  settings: MeshSettings;
  interfaces: MeshInterface[];
  peers: MeshPeer[];
  cells: MeshCell[];
  queries: QueryView[];
  /** pass: no error finding (the first rule of core/exit.ts exitFor); reasons: the failing pairs. */
  verdict: { pass: boolean; peersHeard: number; reasons: string[] };
  findings: Finding[];
  /** What the run could not see (no capture: queries and TTL not observed); absent in older documents. */
  coverage?: Coverage;
}

/** "web-1-3fa2" -> "web-1": sender ids are the hostname plus a dash and 4 hex digits (transmit setup). */
export { hostnameOf } from '../probe/format.js';

export function lossPct(received: number, expected: number): number {
  if (expected <= 0) return 0;
  return Math.round(Math.max(0, ((expected - received) / expected) * 100) * 100) / 100;
}
