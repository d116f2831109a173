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

type Bad = { at: At | null; message: string };
/** A compiled schema: checks `v`, which sits at key `key` under `up` (the position is built only on failure). */
type Check = (v: unknown, up: At | null, key?: string | number) => Bad | undefined;
const here = (up: At | null, key?: string | number): At | null => (key === undefined ? up : { up, key });

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
   * the keywords are listed below), cached per object: a document of a million values walks
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
    this.compiled.set(s, run);
    const sub = (schema: Schema, r = root): (() => Check) => {
      let c: Check | undefined;
      return () => (c ??= this.compile(schema, r));
    };
    if (typeof s.$ref === 'string') {
      const ref = s.$ref;
      let depth = 0;
      let target: Check | undefined;
      steps.push((v, up, key) => {
        if (!target) { const r = this.resolve(ref, root); target = this.compile(r.schema, r.root); }
        if (++depth > 32) { depth = 0; throw new Error(`$ref loop at ${ref}`); }
        try { return target(v, up, key); } finally { depth--; }
      });
    }
    if (s.type !== undefined) {
      const types = Array.isArray(s.type) ? s.type.map(String) : [String(s.type)];
      const words = `must be ${types.map((t) => (t === 'null' ? 'null' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(' or ')}`;
      steps.push((v, up, key) => {
        for (const t of types) if (hasType(v, t)) return undefined;
        return { at: here(up, key), message: `${words} (got ${typeName(v)})` };
      });
    }
    if ('const' in s) {
      const c = s.const;
      steps.push((v, up, key) => (v !== c ? { at: here(up, key), message: `must be ${JSON.stringify(c)}` } : undefined));
    }
    if (Array.isArray(s.enum)) {
      const e: unknown[] = s.enum;
      steps.push((v, up, key) => (!e.includes(v) ? { at: here(up, key), message: `must be one of ${e.map((x) => JSON.stringify(x)).join(', ')}` } : undefined));
    }
    const num = (k: string): number | undefined => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
    const [min, max, xmin, xmax] = [num('minimum'), num('maximum'), num('exclusiveMinimum'), num('exclusiveMaximum')];
    if (min !== undefined || max !== undefined || xmin !== undefined || xmax !== undefined) {
      steps.push((v, up, key) => {
        if (typeof v !== 'number') return undefined;
        if (min !== undefined && v < min) return { at: here(up, key), message: `must be at least ${min}` };
        if (max !== undefined && v > max) return { at: here(up, key), message: `must be at most ${max}` };
        if (xmin !== undefined && v <= xmin) return { at: here(up, key), message: `must be more than ${xmin}` };
        if (xmax !== undefined && v >= xmax) return { at: here(up, key), message: `must be less than ${xmax}` };
        return undefined;
      });
    }
    const [minLen, maxLen] = [num('minLength'), num('maxLength')];
    const pattern = typeof s.pattern === 'string' ? s.pattern : undefined;
    if (minLen !== undefined || maxLen !== undefined || pattern !== undefined) {
      const re = pattern !== undefined ? new RegExp(pattern, 'u') : undefined;
      steps.push((v, up, key) => {
        if (typeof v !== 'string') return undefined;
        // A code point is one or two UTF-16 units: count them only when the length cannot decide.
        if (minLen !== undefined && v.length < 2 * minLen && codePoints(v) < minLen) return { at: here(up, key), message: minLen === 1 ? 'must not be empty' : `must be at least ${minLen} characters` };
        if (maxLen !== undefined && v.length > maxLen && codePoints(v) > maxLen) return { at: here(up, key), message: `must be at most ${maxLen} characters` };
        if (re && !re.test(v)) return { at: here(up, key), message: `must match ${pattern}` };
        return undefined;
      });
    }
    const [minItems, maxItems] = [num('minItems'), num('maxItems')];
    if (minItems !== undefined || maxItems !== undefined || s.items !== undefined) {
      const items = s.items !== undefined ? sub(s.items as Schema) : undefined;
      steps.push((v, up, key) => {
        if (!Array.isArray(v)) return undefined;
        if (minItems !== undefined && v.length < minItems) return { at: here(up, key), message: `must hold at least ${minItems} items` };
        if (maxItems !== undefined && v.length > maxItems) return { at: here(up, key), message: `must hold at most ${maxItems} items` };
        if (!items) return undefined;
        const check = items();
        const at = here(up, key);
        for (let i = 0; i < v.length; i++) {
          const bad = check(v[i], at, i);
          if (bad) return bad;
        }
        return undefined;
      });
    }
    const required = Array.isArray(s.required) ? s.required.map(String) : [];
    const props = isObj(s.properties) ? s.properties : {};
    const propChecks = Object.entries(props).map(([k, p]) => [k, sub(p as Schema)] as const);
    const additional = s.additionalProperties;
    if (required.length || propChecks.length || additional !== undefined) {
      const extraCheck = isObj(additional) ? sub(additional) : undefined;
      steps.push((v, up, key) => {
        if (!isObj(v)) return undefined;
        const at = here(up, key);
        for (const k of required) if (!Object.hasOwn(v, k)) return { at: below(at, k), message: 'is missing' };
        for (const [k, check] of propChecks) {
          if (!Object.hasOwn(v, k)) continue;
          const bad = check()(v[k], at, k);
          if (bad) return bad;
        }
        if (additional === undefined) return undefined;
        const extra = Object.keys(v).filter((k) => !Object.hasOwn(props, k));
        // The extra names came from the document: counted, never printed.
        if (additional === false && extra.length) return { at: here(up, key), message: `has ${extra.length} field${extra.length === 1 ? '' : 's'} the schema does not allow` };
        if (extraCheck) {
          for (const k of extra) {
            const bad = extraCheck()(v[k], up, key);
            if (bad) return bad;
          }
        }
        return undefined;
      });
    }
    if (Array.isArray(s.allOf)) for (const one of (s.allOf as Schema[]).map((x) => sub(x))) steps.push((v, up, key) => one()(v, up, key));
    if (Array.isArray(s.anyOf)) {
      const any = (s.anyOf as Schema[]).map((x) => sub(x));
      steps.push((v, up, key) => (!any.some((c) => !c()(v, up, key)) ? { at: here(up, key), message: 'matches none of the allowed forms' } : undefined));
    }
    if (Array.isArray(s.oneOf)) {
      const one = (s.oneOf as Schema[]).map((x) => sub(x));
      steps.push((v, up, key) => (one.filter((c) => !c()(v, up, key)).length !== 1 ? { at: here(up, key), message: 'must match exactly one of the allowed forms' } : undefined));
    }
    if (s.if !== undefined) {
      const cond = sub(s.if as Schema);
      const then = s.then !== undefined ? sub(s.then as Schema) : undefined;
      const otherwise = s.else !== undefined ? sub(s.else as Schema) : undefined;
      steps.push((v, up, key) => {
        const branch = cond()(v, up, key) ? otherwise : then;
        return branch ? branch()(v, up, key) : undefined;
      });
    }
    return run;
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
