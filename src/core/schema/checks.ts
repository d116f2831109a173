// The keyword checks of the schema validator (validate.ts): each builder reads one group of
// keywords of a schema object once and returns a closure that checks a value against them, or
// undefined when the schema has none of them. validate.ts compiles a schema object into the list
// of these, in the order of KEYWORD_CHECKS. Messages never repeat the value (see validate.ts).

export type Schema = boolean | { [k: string]: unknown };

/**
 * Where a value sits, as a chain of keys: the text (`cells[3].peer`) is built only for the one
 * value that fails. Building it for every value cost more than the whole check (issue 17: a
 * 1000-host mesh-report reads 4 million cells).
 */
export interface At { up: At | null; key: string | number }
export type Bad = { at: At | null; message: string };
/** A compiled schema: checks `v`, which sits at key `key` under `up` (the position is built only on failure). */
export type Check = (v: unknown, up: At | null, key?: string | number) => Bad | undefined;
/** A sub-schema's check, compiled on its first use (a $ref inside it may point back up). */
export type Sub = (schema: Schema) => () => Check;
type SchemaObject = { [k: string]: unknown };

export const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
export const below = (up: At | null, key: string | number): At => ({ up, key });
export const here = (up: At | null, key?: string | number): At | null => (key === undefined ? up : { up, key });

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

/** Code points, counted only when the UTF-16 length alone cannot decide (a code point is 1 or 2 units). */
function codePoints(v: string): number {
  let n = 0;
  for (const _ of v) n++;
  return n;
}

const num = (s: SchemaObject, k: string): number | undefined => (typeof s[k] === 'number' ? (s[k] as number) : undefined);

function typeCheck(s: SchemaObject): Check | undefined {
  if (s.type === undefined) return undefined;
  const types = Array.isArray(s.type) ? s.type.map(String) : [String(s.type)];
  const words = `must be ${types.map((t) => (t === 'null' ? 'null' : /^[aeiou]/.test(t) ? `an ${t}` : `a ${t}`)).join(' or ')}`;
  return (v, up, key) => {
    for (const t of types) if (hasType(v, t)) return undefined;
    return { at: here(up, key), message: `${words} (got ${typeName(v)})` };
  };
}

function constCheck(s: SchemaObject): Check | undefined {
  if (!('const' in s)) return undefined;
  const c = s.const;
  return (v, up, key) => (v !== c ? { at: here(up, key), message: `must be ${JSON.stringify(c)}` } : undefined);
}

function enumCheck(s: SchemaObject): Check | undefined {
  if (!Array.isArray(s.enum)) return undefined;
  const e: unknown[] = s.enum;
  const message = `must be one of ${e.map((x) => JSON.stringify(x)).join(', ')}`;
  return (v, up, key) => (!e.includes(v) ? { at: here(up, key), message } : undefined);
}

function rangeCheck(s: SchemaObject): Check | undefined {
  const [min, max, xmin, xmax] = [num(s, 'minimum'), num(s, 'maximum'), num(s, 'exclusiveMinimum'), num(s, 'exclusiveMaximum')];
  if (min === undefined && max === undefined && xmin === undefined && xmax === undefined) return undefined;
  return (v, up, key) => {
    if (typeof v !== 'number') return undefined;
    if (min !== undefined && v < min) return { at: here(up, key), message: `must be at least ${min}` };
    if (max !== undefined && v > max) return { at: here(up, key), message: `must be at most ${max}` };
    if (xmin !== undefined && v <= xmin) return { at: here(up, key), message: `must be more than ${xmin}` };
    if (xmax !== undefined && v >= xmax) return { at: here(up, key), message: `must be less than ${xmax}` };
    return undefined;
  };
}

function stringCheck(s: SchemaObject): Check | undefined {
  const [minLen, maxLen] = [num(s, 'minLength'), num(s, 'maxLength')];
  const pattern = typeof s.pattern === 'string' ? s.pattern : undefined;
  if (minLen === undefined && maxLen === undefined && pattern === undefined) return undefined;
  const re = pattern !== undefined ? new RegExp(pattern, 'u') : undefined;
  const tooShort = minLen === 1 ? 'must not be empty' : `must be at least ${minLen} characters`;
  return (v, up, key) => {
    if (typeof v !== 'string') return undefined;
    // A code point is one or two UTF-16 units: count them only when the length cannot decide.
    if (minLen !== undefined && v.length < 2 * minLen && codePoints(v) < minLen) return { at: here(up, key), message: tooShort };
    if (maxLen !== undefined && v.length > maxLen && codePoints(v) > maxLen) return { at: here(up, key),
      message: `must be at most ${maxLen} characters` };
    if (re && !re.test(v)) return { at: here(up, key), message: `must match ${pattern}` };
    return undefined;
  };
}

function arrayCheck(s: SchemaObject, sub: Sub): Check | undefined {
  const [minItems, maxItems] = [num(s, 'minItems'), num(s, 'maxItems')];
  if (minItems === undefined && maxItems === undefined && s.items === undefined) return undefined;
  const items = s.items !== undefined ? sub(s.items as Schema) : undefined;
  return (v, up, key) => {
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
  };
}

function objectCheck(s: SchemaObject, sub: Sub): Check | undefined {
  const required = Array.isArray(s.required) ? s.required.map(String) : [];
  const props = isObj(s.properties) ? s.properties : {};
  const propChecks = Object.entries(props).map(([k, p]) => [k, sub(p as Schema)] as const);
  const additional = s.additionalProperties;
  if (!required.length && !propChecks.length && additional === undefined) return undefined;
  const extraCheck = isObj(additional) ? sub(additional) : undefined;
  return (v, up, key) => {
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
    if (additional === false && extra.length) {
      return { at: here(up, key), message: `has ${extra.length} field${extra.length === 1 ? '' : 's'} the schema does not allow` };
    }
    if (extraCheck) {
      for (const k of extra) {
        const bad = extraCheck()(v[k], up, key);
        if (bad) return bad;
      }
    }
    return undefined;
  };
}

function allOfCheck(s: SchemaObject, sub: Sub): Check | undefined {
  if (!Array.isArray(s.allOf)) return undefined;
  const all = (s.allOf as Schema[]).map((x) => sub(x));
  return (v, up, key) => {
    for (const one of all) {
      const bad = one()(v, up, key);
      if (bad) return bad;
    }
    return undefined;
  };
}

function anyOfCheck(s: SchemaObject, sub: Sub): Check | undefined {
  if (!Array.isArray(s.anyOf)) return undefined;
  const any = (s.anyOf as Schema[]).map((x) => sub(x));
  return (v, up, key) => (!any.some((c) => !c()(v, up, key))
    ? { at: here(up, key), message: 'matches none of the allowed forms' }
    : undefined);
}

function oneOfCheck(s: SchemaObject, sub: Sub): Check | undefined {
  if (!Array.isArray(s.oneOf)) return undefined;
  const one = (s.oneOf as Schema[]).map((x) => sub(x));
  return (v, up, key) => (one.filter((c) => !c()(v, up, key)).length !== 1
    ? { at: here(up, key), message: 'must match exactly one of the allowed forms' }
    : undefined);
}

function conditionalCheck(s: SchemaObject, sub: Sub): Check | undefined {
  if (s.if === undefined) return undefined;
  const cond = sub(s.if as Schema);
  const then = s.then !== undefined ? sub(s.then as Schema) : undefined;
  const otherwise = s.else !== undefined ? sub(s.else as Schema) : undefined;
  return (v, up, key) => {
    const branch = cond()(v, up, key) ? otherwise : then;
    return branch ? branch()(v, up, key) : undefined;
  };
}

/**
 * Every keyword group, in the order its check runs (after $ref): a value's first violation is
 * reported, so the order decides which one a user sees (its type before its range, say).
 */
export const KEYWORD_CHECKS: ReadonlyArray<(s: SchemaObject, sub: Sub) => Check | undefined> = [
  typeCheck, constCheck, enumCheck, rangeCheck, stringCheck, arrayCheck, objectCheck, allOfCheck, anyOfCheck, oneOfCheck,
  conditionalCheck,
];
