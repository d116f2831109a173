// The one reader of `nft -j list ruleset` (libnftables-json(5)): tables' chains, their rules as
// terms (model.ts), named sets and verdict maps resolved into the rules that use them. What it
// does not model becomes an `unknown` term, so a rule is never read as matching more (or less)
// than it does. iptables-nft rules appear here too; their `xt` matches are opaque in JSON and are
// filled from iptables-save by merge.ts. Bounded: a hostile or huge ruleset is cut at MAX_ITEMS.
import type { Chain, Rule, Term, Value, Verdict } from './model.js';

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);
const str = (v: unknown): string => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : '');

export const MAX_ITEMS = 200_000;

type Named = Map<string, { elems: unknown[]; isMap: boolean }>;

/** One right-hand value (or set of them) as a list, or undefined when it is beyond this reader. */
function values(v: unknown, named: Named, scope: string): Value[] | undefined {
  if (typeof v === 'string') {
    if (!v.startsWith('@')) return [v];
    const set = named.get(`${scope}/${v.slice(1)}`);
    return set && !set.isMap ? values(set.elems, named, scope) : undefined;
  }
  if (typeof v === 'number') return [v];
  if (typeof v === 'boolean') return [String(v)];
  if (Array.isArray(v)) {
    const out: Value[] = [];
    for (const x of v) {
      const one = values(x, named, scope);
      if (!one) return undefined;
      out.push(...one);
    }
    return out;
  }
  const o = obj(v);
  if (!o) return undefined;
  const prefix = obj(o.prefix);
  if (prefix && typeof prefix.addr === 'string' && typeof prefix.len === 'number') return [
    { prefix: { addr: prefix.addr, len: prefix.len } }];
  if (Array.isArray(o.range) && o.range.length === 2) {
    const [a, b] = o.range as unknown[];
    if ((typeof a === 'string' || typeof a === 'number') && (typeof b === 'string' || typeof b === 'number')) return [{ range: [a, b] }];
    return undefined;
  }
  if ('set' in o) return values(o.set, named, scope);
  if (obj(o.elem)) return values(obj(o.elem)?.val, named, scope);
  return undefined;
}

/** A match's left side as a field key (`meta.l4proto`, `ip.saddr`, `ct.state`). */
function keyOf(left: unknown): string | undefined {
  const l = obj(left);
  const meta = obj(l?.meta);
  if (meta && typeof meta.key === 'string') return `meta.${meta.key}`;
  const payload = obj(l?.payload);
  if (payload && typeof payload.protocol === 'string' && typeof payload.field === 'string') return `${payload.protocol}.${payload.field}`;
  const ct = obj(l?.ct);
  if (ct && typeof ct.key === 'string' && ct.dir === undefined) return `ct.${ct.key}`;
  return undefined;
}

function verdictOf(x: Json): Verdict | undefined {
  for (const k of ['accept', 'drop', 'return', 'continue'] as const) if (k in x) return { kind: k };
  if ('reject' in x) return { kind: 'reject' };
  for (const k of ['jump', 'goto'] as const) {
    const t = obj(x[k]);
    if (t && typeof t.target === 'string') return { kind: k, target: t.target };
  }
  const xt = obj(x.xt);
  if (xt?.type === 'target') {
    const name = str(xt.name);
    if (name === 'ACCEPT') return { kind: 'accept' };
    if (name === 'DROP') return { kind: 'drop' };
    if (name === 'REJECT') return { kind: 'reject' };
    if (name === 'RETURN') return { kind: 'return' };
  }
  return undefined;
}

const OPS = new Map<unknown, Extract<Term, { kind: 'match' }>['op']>(
  [['==', '=='], ['in', '=='], ['!=', '!='], ['<', '<'], ['>', '>'], ['<=', '<='], ['>=', '>=']]);

function termOf(x: Json, named: Named, scope: string): Term | undefined {
  const m = obj(x.match);
  if (m) {
    const fib = obj(obj(m.left)?.fib);
    if (fib) return { kind: 'fib', flags: Array.isArray(fib.flags) ? fib.flags.map(str) : [] };
    const key = keyOf(m.left);
    const op = OPS.get(m.op);
    const vals = values(m.right, named, scope);
    if (!key || !op || !vals) return { kind: 'unknown', what: `match ${JSON.stringify(m.left).slice(0, 60)}` };
    return { kind: 'match', key, op, values: vals };
  }
  const vm = obj(x.vmap);
  if (vm) {
    const key = keyOf(vm.key);
    let data: unknown = obj(vm.data)?.set ?? vm.data;
    if (typeof data === 'string' && data.startsWith('@')) data = named.get(`${scope}/${data.slice(1)}`)?.elems;
    if (!key || !Array.isArray(data)) return { kind: 'unknown', what: 'vmap' };
    const entries: Extract<Term, { kind: 'vmap' }>['entries'] = [];
    for (const e of data) {
      const pair = Array.isArray(e) ? e : undefined;
      const v = pair ? values(pair[0], named, scope) : undefined;
      const verdict = pair ? verdictOf(obj(pair[1]) ?? {}) : undefined;
      if (!v || !verdict) return { kind: 'unknown', what: 'vmap' };
      entries.push({ values: v, verdict });
    }
    return { kind: 'vmap', key, entries };
  }
  const xt = obj(x.xt);
  if (xt?.type === 'match') return { kind: 'unknown', what: `xt match ${str(xt.name)}` };
  return undefined;
}

/** Readable text of one rule, close to nft's own syntax. */
export function ruleText(terms: readonly Term[], v: Verdict, extra = ''): string {
  const val = (x: Value): string => (typeof x === 'object'
    ? ('prefix' in x ? `${x.prefix.addr}/${x.prefix.len}` : `${String(x.range[0])}-${String(x.range[1])}`) : String(x));
  const vals = (xs: readonly Value[]): string => (xs.length === 1 ? val(xs[0] as Value) : `{ ${xs.map(val).join(', ')} }`);
  const verdict = (x: Verdict): string => ('target' in x ? `${x.kind} ${x.target}` : x.kind);
  const parts = terms.map((t) => {
    if (t.kind === 'match') return `${t.key.replace('.', ' ')} ${t.op === '==' ? '' : `${t.op} `}${vals(t.values)}`;
    if (t.kind === 'vmap') return `${t.key.replace('.', ' ')} vmap { ` +
      `${t.entries.map((e) => `${vals(e.values)} : ${verdict(e.verdict)}`).join(', ')} }`;
    if (t.kind === 'fib') return `fib ${t.flags.join(' . ')}`;
    return t.what;
  });
  if (v.kind !== 'continue' || parts.length === 0) parts.push(verdict(v) + extra);
  return parts.join(' ');
}

function ruleOf(r: Json, named: Named, family: string, position: number): Rule {
  const scope = `${family}/${str(r.table)}`;
  const terms: Term[] = [];
  let verdict: Verdict = { kind: 'continue' };
  let packets: number | undefined;
  let extra = '';
  for (const e of Array.isArray(r.expr) ? r.expr : []) {
    const x = obj(e);
    if (!x) continue;
    const counter = obj(x.counter);
    if (counter && typeof counter.packets === 'number') packets = counter.packets;
    const v = verdictOf(x);
    if (v) {
      verdict = v;
      const rej = obj(x.reject);
      if (rej) {
        extra = rej.type ? ` with ${str(rej.type)}${rej.expr ? ` type ${str(rej.expr)}` : ''}` : '';
        // `reject with icmp ...` in a mixed family carries a hidden nfproto dependency: nft adds it, JSON omits it.
        if ((family === 'inet' || family === 'netdev' || family === 'bridge') && (rej.type === 'icmp' || rej.type === 'icmpv6')) {
          terms.push({ kind: 'match', key: 'meta.nfproto', op: '==', values: [rej.type === 'icmp' ? 'ipv4' : 'ipv6'] });
        }
      }
      break;
    }
    const t = termOf(x, named, scope);
    if (t) terms.push(t);
  }
  const rule: Rule = { position, terms, verdict, text: ruleText(terms, verdict, extra) };
  if (typeof r.handle === 'number') rule.handle = r.handle;
  if (packets !== undefined) rule.packets = packets;
  return rule;
}

/** Chains (with their rules) of an `nft -j list ruleset` document; `devices` fills netdev chains whose JSON lacks them. */
export function parseNftJson(doc: unknown, devices?: ReadonlyMap<string, string[]>): Chain[] {
  const raw = obj(doc)?.nftables;
  const items = Array.isArray(raw) ? raw.slice(0, MAX_ITEMS) : [];
  const named: Named = new Map();
  const chains = new Map<string, Chain>();
  for (const it of items) {
    const set = obj(obj(it)?.set) ?? obj(obj(it)?.map);
    if (set) named.set(`${str(set.family)}/${str(set.table)}/${str(set.name)}`,
      { elems: Array.isArray(set.elem) ? set.elem : [], isMap: 'map' in set });
    const c = obj(obj(it)?.chain);
    if (!c) continue;
    const chain: Chain = { tool: 'nft', family: str(c.family), table: str(c.table), name: str(c.name), rules: [] };
    if (typeof c.hook === 'string') chain.hook = c.hook;
    if (typeof c.prio === 'number') chain.prio = c.prio;
    if (c.policy === 'drop' || c.policy === 'accept') chain.policy = c.policy;
    const dev = c.dev ?? c.devices;
    const devs = typeof dev === 'string' ? [dev] : Array.isArray(dev) ? dev.map(str) : devices?.get(`${chain.table}/${chain.name}`);
    if (chain.family === 'netdev' && devs) chain.devices = devs;
    chains.set(`${chain.family}/${chain.table}/${chain.name}`, chain);
  }
  for (const it of items) {
    const r = obj(obj(it)?.rule);
    if (!r) continue;
    const family = str(r.family);
    const chain = chains.get(`${family}/${str(r.table)}/${str(r.chain)}`);
    if (chain) chain.rules.push(ruleOf(r, named, family, chain.rules.length + 1));
  }
  return [...chains.values()];
}

/** netdev chains' devices from `nft list ruleset` text (nft 1.0's JSON leaves them out): `table/chain` -> names. */
export function netdevDevices(text: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let table: string | undefined;
  let chain: string | undefined;
  for (const line of text.split('\n').slice(0, MAX_ITEMS)) {
    const t = /^\s*table\s+(\S+)\s+(\S+)\s*\{/.exec(line);
    if (t) table = t[1] === 'netdev' ? t[2] : undefined;
    const c = /^\s*chain\s+(\S+)\s*\{/.exec(line);
    if (c) chain = c[1];
    const d = /hook\s+\S+\s+(?:device\s+("[^"]*"|\S+)|devices\s*=\s*\{([^}]*)\})/.exec(line);
    if (d && table && chain) {
      const list = (d[1] ?? d[2] ?? '').split(',').map((s) => s.trim().replace(/^"|"$/g, '')).filter(Boolean);
      out.set(`${table}/${chain}`, list);
    }
  }
  return out;
}
