// One helper for optional fields: `{ group, ...defined({ source: g.source, port: o.port }) }` in
// place of one `...(g.source !== undefined ? { source: g.source } : {})` per field. The output
// keeps absent fields absent (JSON, deepEqual and `'x' in o` see no `x: undefined`).
// docs/decisions.md "Optional fields: defined()": where it is used and where not.

/** The object without its undefined-valued keys. */
export function defined<T extends object>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: { [K in keyof T]?: Exclude<T[K], undefined> } = {};
  for (const k in o) {
    const v = o[k];
    if (v !== undefined) out[k] = v as Exclude<T[typeof k], undefined>;
  }
  return out;
}
