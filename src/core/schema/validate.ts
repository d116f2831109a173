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

export type Schema = boolean | { [k: string]: unknown };

/** The first violation: where (a path like `cells[3].stall.finding`) and what is wrong. */
export interface Violation {
  path: string;
  message: string;
}

const ANNOTATIONS = new Set(['$schema', '$id', 'title', 'description', '$defs', 'format', 'examples', 'default', '$comment']);
const KEYWORDS = new Set(['type', 'const', 'enum', 'required', 'properties', 'additionalProperties', 'items', 'minItems', 'maxItems',
  'minimum', 'maximum', 'exclusiveMinimum', 'exclusiveMaximum', 'minLength', 'maxLength', 'pattern', 'allOf', 'anyOf', 'oneOf',
  'if', 'then', 'else', '$ref']);

const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'number') return !Number.isFinite(v) ? 'a number out of range' : Number.isInteger(v) ? 'an integer' : 'a number';
  if (typeof v === 'object') return 'an object';
  return `a ${typeof v}`;
}

function hasType(v: unknown, t: string): boolean {
  switch (t) {
    case 'null': return v === null;
    case 'boolean': return typeof v === 'boolean';
    case 'string': return typeof v === 'string';
    // JSON.parse turns 1e999 into Infinity: no schema of ours means that.
    case 'number': return typeof v === 'number' && Number.isFinite(v);
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'array': return Array.isArray(v);
    case 'object': return isObj(v);
    default: throw new Error(`schema type '${t}' is not supported`);
  }
}

const pathOf = (base: string, key: string | number): string =>
  typeof key === 'number' ? `${base}[${key}]` : base ? `${base}.${key}` : key;

/**
 * Where a value sits, as a chain of keys: the text (`cells[3].peer`) is built only for the one
 * value that fails. Building it for every value cost more than the whole check (issue 17: a
 * 1000-host mesh-report reads 4 million cells).
 */
interface At { up: At | null; key: string | number }
function pathText(at: At | null): string {
  const keys: Array<string | number> = [];
  for (let a = at; a; a = a.up) keys.push(a.key);
  let out = '';
  for (let i = keys.length - 1; i >= 0; i--) out = pathOf(out, keys[i] as string | number);
  return out;
}
const below = (up: At | null, key: string | number): At => ({ up, key });

/** Per schema object: its types as a list, its pattern compiled (asked once, not per value). */
const typesOf = new WeakMap<object, string[]>();
const patterns = new Map<string, RegExp>();
function regexOf(p: string): RegExp {
  let r = patterns.get(p);
  if (!r) { r = new RegExp(p, 'u'); patterns.set(p, r); }
  return r;
}
/** Code points, counted only when the UTF-16 length alone cannot decide (a code point is 1 or 2 units). */
function codePoints(v: string): number {
  let n = 0;
  for (const _ of v) n++;
  return n;
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
    const bad = this.check(root, root, doc, null, 0);
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

  private check(s: Schema, root: Record<string, unknown>, v: unknown, at: At | null, refs: number): { at: At | null; message: string } | undefined {
    if (s === true) return undefined;
    if (s === false) return { at, message: 'is not allowed' };
    const fail = (message: string): { at: At | null; message: string } => ({ at, message });
    if (typeof s.$ref === 'string') {
      if (refs > 32) throw new Error(`$ref loop at ${s.$ref}`);
      const r = this.resolve(s.$ref, root);
      const bad = this.check(r.schema, r.root, v, at, refs + 1);
      if (bad) return bad;
    }
    if (s.type !== undefined) {
      let types = typesOf.get(s);
      if (!types) { types = Array.isArray(s.type) ? s.type.map(String) : [String(s.type)]; typesOf.set(s, types); }
      let ok = false;
      for (const t of types) if (hasType(v, t)) { ok = true; break; }
      if (!ok) return fail(`must be ${types.map((t) => (t === 'null' ? 'null' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(' or ')} (got ${typeName(v)})`);
    }
    if ('const' in s && v !== s.const) return fail(`must be ${JSON.stringify(s.const)}`);
    if (Array.isArray(s.enum) && !s.enum.includes(v as never)) return fail(`must be one of ${s.enum.map((e) => JSON.stringify(e)).join(', ')}`);
    if (typeof v === 'number') {
      if (typeof s.minimum === 'number' && v < s.minimum) return fail(`must be at least ${s.minimum}`);
      if (typeof s.maximum === 'number' && v > s.maximum) return fail(`must be at most ${s.maximum}`);
      if (typeof s.exclusiveMinimum === 'number' && v <= s.exclusiveMinimum) return fail(`must be more than ${s.exclusiveMinimum}`);
      if (typeof s.exclusiveMaximum === 'number' && v >= s.exclusiveMaximum) return fail(`must be less than ${s.exclusiveMaximum}`);
    }
    if (typeof v === 'string') {
      if (typeof s.minLength === 'number' && v.length < 2 * s.minLength && codePoints(v) < s.minLength) return fail(s.minLength === 1 ? 'must not be empty' : `must be at least ${s.minLength} characters`);
      if (typeof s.maxLength === 'number' && v.length > s.maxLength && codePoints(v) > s.maxLength) return fail(`must be at most ${s.maxLength} characters`);
      if (typeof s.pattern === 'string' && !regexOf(s.pattern).test(v)) return fail(`must match ${s.pattern}`);
    }
    if (Array.isArray(v)) {
      if (typeof s.minItems === 'number' && v.length < s.minItems) return fail(`must hold at least ${s.minItems} items`);
      if (typeof s.maxItems === 'number' && v.length > s.maxItems) return fail(`must hold at most ${s.maxItems} items`);
      if (s.items !== undefined) {
        for (let i = 0; i < v.length; i++) {
          const bad = this.check(s.items as Schema, root, v[i], below(at, i), refs);
          if (bad) return bad;
        }
      }
    }
    if (isObj(v)) {
      if (Array.isArray(s.required)) {
        for (const k of s.required) if (!Object.hasOwn(v, String(k))) return { at: below(at, String(k)), message: 'is missing' };
      }
      const props = isObj(s.properties) ? s.properties : {};
      for (const k in props) {
        if (!Object.hasOwn(v, k)) continue;
        const bad = this.check(props[k] as Schema, root, v[k], below(at, k), refs);
        if (bad) return bad;
      }
      if (s.additionalProperties !== undefined) {
        const extra = Object.keys(v).filter((k) => !Object.hasOwn(props, k));
        // The extra names came from the document: counted, never printed.
        if (s.additionalProperties === false && extra.length) return fail(`has ${extra.length} field${extra.length === 1 ? '' : 's'} the schema does not allow`);
        if (isObj(s.additionalProperties)) {
          for (const k of extra) {
            const bad = this.check(s.additionalProperties, root, v[k], at, refs);
            if (bad) return bad;
          }
        }
      }
    }
    if (Array.isArray(s.allOf)) {
      for (const sub of s.allOf as Schema[]) {
        const bad = this.check(sub, root, v, at, refs);
        if (bad) return bad;
      }
    }
    if (Array.isArray(s.anyOf) && !(s.anyOf as Schema[]).some((sub) => !this.check(sub, root, v, at, refs))) return fail('matches none of the allowed forms');
    if (Array.isArray(s.oneOf) && (s.oneOf as Schema[]).filter((sub) => !this.check(sub, root, v, at, refs)).length !== 1) return fail('must match exactly one of the allowed forms');
    if (s.if !== undefined) {
      const branch = this.check(s.if as Schema, root, v, at, refs) ? s.else : s.then;
      if (branch !== undefined) {
        const bad = this.check(branch as Schema, root, v, at, refs);
        if (bad) return bad;
      }
    }
    return undefined;
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
        if (typeof x === 'object' && x !== null) stack.push({ v: x, depth: depth + 1, at: below(at, /^[A-Za-z0-9_-]{1,40}$/.test(k) ? k : `{${i}}`) });
        i++;
      }
    }
  }
  return undefined;
}
