import { defined } from '../defined.js';
// One model of a packet filter, whichever tool wrote it: nft's JSON (src/core/firewall/nft-json.ts)
// and iptables-save text (iptables-save.ts) both become chains of rules made of terms, and one
// evaluator (evaluate.ts) walks a described packet through them as the kernel would: base chains
// by hook and priority, rules in order, jumps and gotos, the policy last.

export type Verdict =
  | { kind: 'accept' | 'drop' | 'reject' | 'return' | 'continue' }
  | { kind: 'jump' | 'goto'; target: string };

/** One value on the right of a match: a name or number, an address prefix, or a range. */
export type Value = string | number | { prefix: { addr: string; len: number } } | { range: [Value, Value] };

/**
 * A match term. `key` names the packet field the way nft's JSON does (`meta.l4proto`,
 * `ip.saddr`, `icmpv6.type`, `ct.state`...); `values` is a set (any element matches).
 * `unknown` terms are matches this reader does not model: they may or may not match.
 */
export type Term =
  | { kind: 'match'; key: string; op: '==' | '!=' | '<' | '>' | '<=' | '>='; values: Value[] }
  | { kind: 'vmap'; key: string; entries: Array<{ values: Value[]; verdict: Verdict }> }
  | { kind: 'fib'; flags: string[] }
  | { kind: 'unknown'; what: string };

export interface Rule {
  /** nft's rule handle (iptables-legacy has none; iptables-nft rules get theirs from nft). */
  handle?: number;
  /** 1-based position in its chain, for iptables (`iptables -L CHAIN --line-numbers`). */
  position: number;
  terms: Term[];
  verdict: Verdict;
  packets?: number;
  /** A readable form for messages and evidence. */
  text: string;
  /** An iptables-nft rule whose terms were read from iptables-save (nft's JSON hides xt matches). */
  fromSave?: boolean;
}

export type Tool = 'nft' | 'iptables-legacy';

export interface Chain {
  tool: Tool;
  /** ip, ip6, inet, netdev, bridge, arp (iptables: ip or ip6). */
  family: string;
  table: string;
  name: string;
  /** Base chains only. */
  hook?: string;
  prio?: number;
  policy?: 'accept' | 'drop';
  /** netdev ingress/egress devices; undefined when the reader could not tell. */
  devices?: string[];
  rules: Rule[];
}

export interface Ruleset {
  /** Named sets and maps are resolved into the rules that use them. */
  chains: Chain[];
}

export const chainKey = (tool: Tool, family: string, table: string, name: string): string => `${tool}/${family}/${table}/${name}`;

/** Where a rule lives, for messages: `nft inet filter input handle 7`. */
export interface RuleRef {
  tool: Tool;
  family: string;
  table: string;
  chain: string;
  handle?: number;
  position?: number;
  /** The chain's policy rather than a rule. */
  policy?: boolean;
  text: string;
  packets?: number;
  /** Written by iptables (legacy, or nft-backed and read from iptables-save). */
  iptables?: boolean;
}

export function refOf(c: Chain, r?: Rule): RuleRef {
  const iptables = c.tool === 'iptables-legacy' || c.rules.some((x) => x.fromSave);
  const base = { tool: c.tool, family: c.family, table: c.table, chain: c.name, ...(iptables ? { iptables } : {}) };
  if (!r) return { ...base, policy: true, text: `policy ${c.policy ?? 'accept'}` };
  return { ...base, ...defined({ handle: r.handle }), position: r.position, text: r.text, ...defined({ packets: r.packets }) };
}

export function describeRef(r: RuleRef): string {
  if (!r.iptables) {
    const where = `nft ${r.family} ${r.table} ${r.chain}`;
    return r.policy ? `${where} (${r.text})` : `${where} handle ${r.handle ?? '?'} (${r.text})`;
  }
  const tool = r.family === 'ip6' ? 'ip6tables' : 'iptables';
  return r.policy
    ? `${tool} -t ${r.table} ${r.chain} (${r.text})`
    : `${tool} -t ${r.table} ${r.chain} rule ${r.position ?? '?'} (${r.text})`;
}
