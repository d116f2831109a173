// Reading mesh documents for mesh-report. They come from other hosts: every one is checked against
// the published schema (docs/schemas/mesh.schema.json, with the finding schema it references)
// before anything reads a field, so a wrong type, a null where an object belongs, `findings:
// [null]` or nesting thousands deep is bad input (exit 2, one line naming the file and the field),
// never an internal error. No message repeats the file's contents: a parse error says where, not
// what (a symlink to /etc/shadow must not print it).
import { UsageError } from '../errors.js';
import { tooDeep, type SchemaRegistry } from '../schema/validate.js';
import type { MeshDocument } from './model.js';

export const MESH_SCHEMA_ID = 'mcast-doctor/mesh.schema.json';
/** Deeper than any document mesh writes (finding evidence is a few levels); bounds every later walk. */
export const MAX_DEPTH = 32;

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

/** JSON.parse's message quotes the text; only the position is kept. */
function parseError(e: unknown, text: string): string {
  const m = /position (\d+)/.exec((e as Error).message ?? '');
  if (!m) return text.trim() === '' ? 'the file is empty' : 'not valid JSON';
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const col = pos - before.lastIndexOf('\n');
  return `not valid JSON (line ${line}, column ${col})`;
}

export function parseMeshDocument(file: string, text: string, schemas: SchemaRegistry): MeshDocument {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new UsageError('BAD_FILE', `${file}: ${parseError(e, text)}`);
  }
  // Friendlier than the schema's words for the usual mistakes (another command's output, an old format).
  if (!isObj(doc)) throw new UsageError('BAD_FILE', `${file}: not a JSON object`);
  if (doc.command !== 'mesh') throw new UsageError('BAD_FILE',
    `${file}: not a mesh document (its "command" is not "mesh"); pass the files written by mesh --json`);
  if (doc.schemaVersion !== 1) throw new UsageError('BAD_FILE', `${file}: this schemaVersion is not supported (1 is)`);
  const deep = tooDeep(doc, MAX_DEPTH);
  if (deep) throw new UsageError('BAD_FILE', `${file}: ${deep}: nested more than ${MAX_DEPTH} levels deep`);
  const bad = schemas.validate(MESH_SCHEMA_ID, doc);
  if (bad) throw new UsageError('BAD_FILE', `${file}: ${bad.path || '(top)'} ${bad.message} (docs/schemas/mesh.schema.json)`);
  return doc as unknown as MeshDocument;
}
