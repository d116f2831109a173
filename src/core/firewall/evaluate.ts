// Walks one described packet (probe.ts) through a ruleset (model.ts) as netfilter would:
// every base chain on the packet's path, hook by hook and by priority within a hook (an accept
// ends only its own base chain; a drop ends everything), rules in order (the first terminal
// verdict wins, the policy comes last), jumps return, gotos do not. Rules whose matches cannot be
// decided (a source address never heard, an xt match whose text we lack) are kept aside: a
// later certain drop is reported with them as doubts, and a drop that only might happen is
// `maybe`, never a certain verdict.
import { chainKey, refOf, type Chain, type Rule, type RuleRef, type Ruleset, type Term, type Verdict } from './model.js';
import { fieldOf, type Probe } from './probe.js';
import { and, anyOf, compare, not, type Tri } from './values.js';

export interface Fate {
  verdict: 'accept' | 'drop' | 'reject';
  /** The rule (or policy) that decided a drop/reject. */
  by?: RuleRef;
  /** Earlier rules that might have accepted the packet before `by` (undecidable matches). */
  doubts: RuleRef[];
  /** Rules that might drop the packet, if fields we do not know match. */
  maybe: RuleRef[];
}

/** nft's limit on nested jumps is 16 (NFT_JUMP_STACK_SIZE); deeper means a loop in a hostile ruleset. */
const MAX_DEPTH = 16;

const HOOKS: Record<'in' | 'out', string[]> = { in: ['ingress', 'prerouting', 'input'], out: ['output', 'postrouting', 'egress'] };

function appliesTo(c: Chain, p: Probe): Tri {
  if (c.family === 'netdev') {
    if (c.devices === undefined) return 'U';
    return c.devices.includes(p.iface) ? 'T' : 'F';
  }
  if (c.family === 'inet') return 'T';
  return c.family === (p.family === 4 ? 'ip' : 'ip6') ? 'T' : 'F';
}

/** Base chains the packet meets, in the kernel's order. */
export function pathOf(rs: Ruleset, p: Probe): Array<{ chain: Chain; applies: Tri }> {
  const out: Array<{ chain: Chain; applies: Tri }> = [];
  for (const hook of HOOKS[p.direction]) {
    const chains = rs.chains.filter((c) => c.hook === hook && appliesTo(c, p) !== 'F');
    chains.sort((a, b) => (a.prio ?? 0) - (b.prio ?? 0));
    for (const chain of chains) out.push({ chain, applies: appliesTo(chain, p) });
  }
  return out;
}

function term(t: Term, p: Probe): Tri {
  if (t.kind === 'unknown' || t.kind === 'fib') return 'U';
  if (t.kind === 'vmap') return 'T';
  const field = fieldOf(p, t.key);
  if (field === 'absent') return 'F';
  const values = t.values;
  if (field === undefined) return 'U';
  if (t.op === '==') return anyOf(t.key, field, values);
  if (t.op === '!=') return not(anyOf(t.key, field, values));
  let acc: Tri = 'F';
  for (const v of values) {
    const r = compare(t.key, field, t.op, v);
    if (r === 'T') return 'T';
    if (r === 'U') acc = 'U';
  }
  return acc;
}

/** A rule's condition and the verdict it takes; a vmap picks the verdict from the packet. */
function ruleOutcome(r: Rule, p: Probe): { cond: Tri; verdict: Verdict } {
  let cond: Tri = 'T';
  for (const t of r.terms) cond = and(cond, term(t, p));
  const vmap = r.terms.find((t): t is Extract<Term, { kind: 'vmap' }> => t.kind === 'vmap');
  if (!vmap || cond === 'F') return { cond, verdict: r.verdict };
  const field = fieldOf(p, vmap.key);
  if (field === 'absent') return { cond: 'F', verdict: r.verdict };
  let unsure: Verdict | undefined;
  for (const e of vmap.entries) {
    const hit = field === undefined ? 'U' : anyOf(vmap.key, field, e.values);
    if (hit === 'T') return { cond, verdict: e.verdict };
    if (hit === 'U') unsure ??= e.verdict;
  }
  return unsure ? { cond: 'U', verdict: unsure } : { cond: 'F', verdict: r.verdict };
}

interface Walk {
  end: 'accept' | 'drop' | 'reject' | 'return';
  by?: RuleRef;
  doubts: RuleRef[];
  maybe: RuleRef[];
}

function walk(c: Chain, p: Probe, depth: number, byKey: Map<string, Chain>): Walk {
  const doubts: RuleRef[] = [];
  const maybe: RuleRef[] = [];
  for (const r of c.rules) {
    const { cond, verdict } = ruleOutcome(r, p);
    if (cond === 'F') continue;
    const k = verdict.kind;
    if (k === 'continue') continue;
    if (k === 'jump' || k === 'goto') {
      const target = byKey.get(chainKey(c.tool, c.family, c.table, verdict.target));
      if (!target || depth >= MAX_DEPTH) {
        if (cond === 'T') doubts.push(refOf(c, r));
        continue;
      }
      const sub = walk(target, p, depth + 1, byKey);
      if (cond === 'U') {
        // It may or may not go there: what it would meet there only might happen.
        if (sub.end === 'drop' || sub.end === 'reject') maybe.push(...(sub.by ? [sub.by] : []), ...sub.maybe);
        else doubts.push(refOf(c, r));
        maybe.push(...sub.maybe);
        continue;
      }
      doubts.push(...sub.doubts);
      maybe.push(...sub.maybe);
      if (sub.end !== 'return') return { ...sub, doubts, maybe };
      if (k === 'goto') return { end: 'return', doubts, maybe };
      continue;
    }
    if (cond === 'U') {
      if (k === 'drop' || k === 'reject') maybe.push(refOf(c, r));
      else doubts.push(refOf(c, r));
      continue;
    }
    if (k === 'return') return { end: 'return', doubts, maybe };
    return { end: k, by: refOf(c, r), doubts, maybe };
  }
  return { end: 'return', doubts, maybe };
}

/** The packet's fate through every base chain on its path. */
export function fateOf(rs: Ruleset, p: Probe): Fate {
  const byKey = new Map(rs.chains.map((c) => [chainKey(c.tool, c.family, c.table, c.name), c]));
  const maybe: RuleRef[] = [];
  for (const { chain, applies } of pathOf(rs, p)) {
    const w = walk(chain, p, 0, byKey);
    // The end of a base chain is its policy.
    const end = w.end === 'return' ? (chain.policy === 'drop' ? 'drop' : 'accept') : w.end;
    const by = w.end === 'return' ? refOf(chain) : w.by;
    maybe.push(...w.maybe);
    if (end === 'accept') continue;
    if (applies === 'U') {
      // A netdev chain whose devices we could not read: it might be on this interface.
      if (by) maybe.push(by);
      continue;
    }
    return { verdict: end, ...(by ? { by } : {}), doubts: w.doubts, maybe };
  }
  return { verdict: 'accept', doubts: [], maybe };
}
