// Reading mesh documents for mesh-report: a file that is not a mesh document is bad input
// (exit 2, naming the file), not an internal error. The check is structural: the fields the
// merge reads, with their types (the full contract is docs/schemas/mesh.schema.json).
import { UsageError } from '../errors.js';
import type { MeshDocument } from './model.js';
import type { LoadedDoc } from './merge.js';

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function problem(doc: unknown): string | undefined {
  if (!isObj(doc)) return 'not a JSON object';
  if (doc.command !== 'mesh') return `not a mesh document (command: ${JSON.stringify(doc.command ?? null)}); pass the files written by mesh --json`;
  if (doc.schemaVersion !== 1) return `schemaVersion ${JSON.stringify(doc.schemaVersion)} is not supported (1 is)`;
  if (!isObj(doc.host) || typeof doc.host.id !== 'string' || typeof doc.host.hostname !== 'string') return 'host.id / host.hostname missing';
  if (!isObj(doc.settings) || typeof doc.settings.group !== 'string' || typeof doc.settings.maxLossPct !== 'number') return 'settings missing';
  if (!Array.isArray(doc.interfaces) || !doc.interfaces.every((i) => isObj(i) && typeof i.name === 'string')) return 'interfaces missing';
  if (!Array.isArray(doc.peers) || !doc.peers.every((p) => isObj(p) && typeof p.id === 'string' && Array.isArray(p.interfaces))) return 'peers missing';
  if (!Array.isArray(doc.cells)) return 'cells missing';
  for (const c of doc.cells) {
    if (!isObj(c) || typeof c.peer !== 'string' || typeof c.peerIface !== 'string' || typeof c.iface !== 'string'
      || typeof c.received !== 'number' || typeof c.expected !== 'number' || typeof c.lossPct !== 'number') return 'a cell lacks peer/peerIface/iface/received/expected/lossPct';
  }
  if (!isObj(doc.verdict) || typeof doc.verdict.pass !== 'boolean') return 'verdict missing';
  if (!Array.isArray(doc.findings)) return 'findings missing';
  return undefined;
}

export function parseMeshDocument(file: string, text: string): MeshDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError('BAD_FILE', `${file}: not JSON (${(e as Error).message})`);
  }
  const why = problem(doc);
  if (why) throw new UsageError('BAD_FILE', `${file}: ${why}`);
  return doc as MeshDocument;
}

/** The same host twice (a file passed twice, or two runs of one host) would double its column. */
export function checkDistinct(docs: readonly LoadedDoc[]): void {
  const seen = new Map<string, string>();
  for (const d of docs) {
    const other = seen.get(d.doc.host.id);
    if (other !== undefined) throw new UsageError('BAD_FILE', `${d.file} and ${other} are the same run of ${d.doc.host.hostname} (${d.doc.host.id}); pass each host's document once`);
    seen.set(d.doc.host.id, d.file);
  }
}
