// A small strict JSON Schema validator for documents that come from other hosts (mesh-report's
// inputs), run against the schemas we publish in docs/schemas, so the contract and the check
// cannot drift apart. Why not ajv at run time: it compiles schemas to code, pulls four packages
// into the runtime dependencies, and its messages echo the offending values; here only the
// subset of draft 2020-12 our schemas use is needed. "Strict": a schema keyword this validator
// does not know is an error when the schema is registered, never silently ignored (the unit
// test compares it with ajv over a corpus of documents).
//
// Messages name the field (`cells[3].state`) and what was expected, and never repeat the value:
// it came from another host, and may be an escape sequence or a megabyte of text.

import { KEYWORD_CHECKS, below, here, isObj, type At, type Check, type Schema, type Sub } from './checks.js';

export type { Schema } from './checks.js';

/** The first violation: where (a path like `cells[3].stall.finding`) and what is wrong. */
export interface Violation {
  path: string;
  message: string;
}

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs', 'format', 'examples', 'default', '$comment']);
const KEYWORDS = new Set(['type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'minItems', 'maxItems',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'allOf', 'anyOf', 'oneOf',
  'if', 'then', 'else', '$ref']);

const pathOf = (base: string, key: string | number): string =>
  typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;

/** The text of a position (`cells[3].peer`): built only for the one value that fails. */
function pathText(at: At | null): string {
  const keys: Array<string | number> = [];
  for (let a = at; a; a = a.up) keys.push(a.key);
  let out = '';
  for (let i = keys.length - 1; i >= 0; i--) out = pathOf(out, keys[i] as string | number);
  return out;
}
/** JSON Schemas by $id; `$ref`s resolve against the id of the schema they appear in. */
export class SchemaRegistry {
  private readonly byId = new Map<string, Record<string, unknown>>();

  add(schema: unknown): void {
    if (!isObj(schema) || typeof schema.$id !== 'string') throw new Error('a schema without $id');
    checkKeywords(schema, schema.$id);
    this.byId.set(schema.$id, schema);
  }

  /** The first violation of `doc` against the schema with this $id, or undefined when it conforms. */
  validate(id: string, doc: unknown): Violation | undefined {
    const root = this.byId.get(id);
    if (!root) throw new Error(`no schema ${id}`);
    const bad = this.compile(root, root)(doc, null);
    return bad && { path: pathText(bad.at), message: bad.message };
  }

  private readonly refs = new Map<object, Map<string, { schema: Schema; root: Record<string, unknown> }>>();

  private resolve(ref: string, root: Record<string, unknown>): { schema: Schema; root: Record<string, unknown> } {
    // A $ref always sits in one root: its target is looked up once per schema object holding it.
    let byRoot = this.refs.get(root);
    if (!byRoot) { byRoot = new Map(); this.refs.set(root, byRoot); }
    let r = byRoot.get(ref);
    if (!r) { r = this.resolveOnce(ref, root); byRoot.set(ref, r); }
    return r;
  }

  private resolveOnce(ref: string, root: Record<string, unknown>): { schema: Schema; root: Record<string, unknown> } {
    const [uri = '', pointer = ''] = ref.split('#');
    let doc = root;
    if (uri) {
      const base = String(root.$id ?? '');
      const id = base.includes('/') ? `${base.slice(0, base.lastIndexOf('/') + 1)}${uri}` : uri;
      const found = this.byId.get(id) ?? this.byId.get(uri);
      if (!found) throw new Error(`unresolved $ref ${ref}`);
      doc = found;
    }
    let at: unknown = doc;
    for (const part of pointer.split('/').filter(Boolean)) at = isObj(at) ? at[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
    if (at === undefined) throw new Error(`unresolved $ref ${ref}`);
    return { schema: at as Schema, root: doc };
  }

  /**
   * A schema object compiled once into a list of checks (closures over its keywords, in the order
   * of checks.ts KEYWORD_CHECKS, after $ref), cached per object: a document of a million values walks
   * closures instead of re-reading every keyword of the schema at every value. $refs are compiled
   * on their first use; a $ref chain that never reaches a value (a loop) is an error.
   */
  private readonly compiled = new WeakMap<object, Check>();

  private compile(s: Schema, root: Record<string, unknown>): Check {
    if (s === true) return () => undefined;
    if (s === false) return (_v, up, key) => ({ at: here(up, key), message: 'is not allowed' });
    const hit = this.compiled.get(s);
    if (hit) return hit;
    const steps: Check[] = [];
    const run: Check = (v, up, key) => {
      for (const step of steps) {
        const bad = step(v, up, key);
        if (bad) return bad;
      }
      return undefined;
    };
    // Cached before its keywords are compiled: a schema that refers to itself finds this one.
    this.compiled.set(s, run);
    const sub: Sub = (schema) => {
      let c: Check | undefined;
      return () => (c ??= this.compile(schema, root));
    };
    if (typeof s.$ref === 'string') steps.push(this.refCheck(s.$ref, root));
    for (const make of KEYWORD_CHECKS) {
      const step = make(s, sub);
      if (step) steps.push(step);
    }
    return run;
  }

  /** A $ref's check: resolved and compiled on its first use; a chain that never reaches a value (a loop) throws. */
  private refCheck(ref: string, root: Record<string, unknown>): Check {
    let depth = 0;
    let target: Check | undefined;
    return (v, up, key) => {
      if (!target) { const r = this.resolve(ref, root); target = this.compile(r.schema, r.root); }
      if (++depth > 32) { depth = 0; throw new Error(`$ref loop at ${ref}`); }
      try { return target(v, up, key); } finally { depth--; }
    };
  }
}

function checkKeywords(s: unknown, where: string): void {
  if (typeof s === 'boolean') return;
  if (!isObj(s)) throw new Error(`${where}: a schema must be an object or a boolean`);
  for (const [k, v] of Object.entries(s)) {
    if (ANNOTATIONS.has(k)) {
      if (k === '$defs' && isObj(v)) for (const [n, d] of Object.entries(v)) checkKeywords(d, `${where}/$defs/${n}`);
      continue;
    }
    if (!KEYWORDS.has(k)) throw new Error(`${where}: schema keyword '${k}' is not supported by src/core/schema/validate.ts`);
    if (k === 'properties' && isObj(v)) for (const [n, d] of Object.entries(v)) checkKeywords(d, `${where}/properties/${n}`);
    if (['items', 'additionalProperties', 'if', 'then', 'else'].includes(k) && typeof v !== 'boolean') checkKeywords(v, `${where}/${k}`);
    if (['allOf', 'anyOf', 'oneOf'].includes(k) && Array.isArray(v)) v.forEach((d, i) => checkKeywords(d, `${where}/${k}/${i}`));
  }
}

/**
 * How deep the document nests, walked without recursion (a document nested 100 000 deep parses,
 * but JSON.stringify and any recursive walker then overflow the stack: exit 4). Returns the path
 * of the first value deeper than `max`, or undefined.
 */
export function tooDeep(doc: unknown, max: number): string | undefined {
  // Keys are kept as a chain (At) and turned into text only for the value that is too deep.
  const stack: Array<{ v: unknown; depth: number; at: At | null }> = [{ v: doc, depth: 0, at: null }];
  while (stack.length) {
    const { v, depth, at } = stack.pop() as { v: unknown; depth: number; at: At | null };
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= max) return pathText(at) || '(top)';
    if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (typeof x === 'object' && x !== null) stack.push({ v: x, depth: depth + 1, at: below(at, i) });
      }
    } else {
      // Object keys came from the document: a plain name is shown, anything else by its position.
      let i = 0;
      for (const k in v) {
        const x = (v as Record<string, unknown>)[k];
        if (typeof x === 'object' && x !== null) stack.push(
          { v: x, depth: depth + 1, at: below(at, /^[A-Za-z0-9_-]{1,40}$/.test(k) ? k : `{${i}}`) });
        i++;
      }
    }
  }
  return undefined;
}
