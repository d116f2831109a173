// Netfilter reverse-path rules, read-only. IPv6 has no rp_filter sysctl: the only reverse-path
// filtering the kernel does for IPv6 is a netfilter rule, either ip6tables' `-m rpfilter`
// (xt_rpfilter, iptables-extensions(8)) or nftables' `fib saddr ... oif` expression
// (nft(8) "FIB EXPRESSIONS"; firewalld's IPv6_rpfilter installs the latter). The same rules
// can filter IPv4 too (families ip/inet), beside rp_filter and without its counter.
// Missing tools are not an error: most hosts have one of the two, or neither.
import { run } from './exec.js';
import { readNftRuleset } from './nft-ruleset.js';

export type ToolState = 'ok' | 'missing' | 'failed';

export interface NetfilterRpfRule {
  /** Which reader saw it. */
  tool: 'nft' | 'ip6tables';
  /** nft table family (ip, ip6, inet, bridge, netdev); 'ip6' for ip6tables. */
  family: string;
  table: string;
  chain: string;
  /** The rule as text: the ip6tables-save line, or a summary of the nft expression. */
  rule: string;
  /** Packets the rule counted, when it has a counter. */
  packets?: number;
}

export interface NetfilterRpfReport {
  tools: { nft: ToolState; ip6tables: ToolState };
  rules: NetfilterRpfRule[];
  /** The first error line of a tool that ran and failed (no permission, no kernel support). */
  errors: string[];
}

type Json = Record<string, unknown>;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A `fib` expression anywhere in the rule that looks up the packet's source address. */
function findFibSaddr(v: unknown): string[] | undefined {
  if (Array.isArray(v)) {
    for (const x of v) {
      const f = findFibSaddr(x);
      if (f) return f;
    }
    return undefined;
  }
  if (!isObj(v)) return undefined;
  const fib = v.fib;
  if (isObj(fib) && Array.isArray(fib.flags) && fib.flags.includes('saddr')) return fib.flags.map(String);
  for (const x of Object.values(v)) {
    const f = findFibSaddr(x);
    if (f) return f;
  }
  return undefined;
}

function hasXtRpfilter(expr: unknown[]): boolean {
  return expr.some((e) => isObj(e) && isObj(e.xt) && e.xt.name === 'rpfilter');
}

function counterOf(expr: unknown[]): number | undefined {
  for (const e of expr) if (isObj(e) && isObj(e.counter) && typeof e.counter.packets === 'number') return e.counter.packets;
  return undefined;
}

/** Rules of `nft -j list ruleset` that do reverse-path filtering (fib saddr, or xt rpfilter). */
export function parseNftRuleset(text: string): NetfilterRpfRule[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return [];
  }
  const items = isObj(doc) && Array.isArray(doc.nftables) ? doc.nftables : [];
  const out: NetfilterRpfRule[] = [];
  for (const item of items) {
    if (!isObj(item) || !isObj(item.rule)) continue;
    const r = item.rule;
    const expr = Array.isArray(r.expr) ? r.expr : [];
    const fib = findFibSaddr(expr);
    const xt = hasXtRpfilter(expr);
    if (!fib && !xt) continue;
    const verdict = expr.map((e) => (isObj(e) ? Object.keys(e)[0] : undefined)).find((k) => k === 'drop' || k === 'reject' || k === 'accept' || k === 'return' || k === 'jump' || k === 'goto');
    const rule: NetfilterRpfRule = {
      tool: 'nft',
      family: String(r.family ?? ''),
      table: String(r.table ?? ''),
      chain: String(r.chain ?? ''),
      rule: `${fib ? `fib ${fib.join(' . ')}` : 'xt match rpfilter'}${verdict ? ` ${verdict}` : ''}`,
    };
    const packets = counterOf(expr);
    if (packets !== undefined) rule.packets = packets;
    out.push(rule);
  }
  return out;
}

/** `-m rpfilter` lines of ip6tables-save, with their table and chain. */
export function parseIptablesSave(text: string): NetfilterRpfRule[] {
  const out: NetfilterRpfRule[] = [];
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1).trim();
    const m = /^(?:\[(\d+):\d+\]\s+)?-A\s+(\S+)\s+(.*)$/.exec(line.trim());
    if (!m || !/(^|\s)-m\s+rpfilter(\s|$)/.test(m[3] ?? '')) continue;
    const rule: NetfilterRpfRule = { tool: 'ip6tables', family: 'ip6', table, chain: m[2] ?? '', rule: `-A ${m[2]} ${m[3]}` };
    if (m[1] !== undefined) rule.packets = Number(m[1]);
    out.push(rule);
  }
  return out;
}

function stateOf(code: number): ToolState {
  return code === 0 ? 'ok' : code === 127 ? 'missing' : 'failed';
}

/** Reads both rulesets. ip6tables with the nf_tables backend shows the same rules nft does: keep its readable form. */
export async function readNetfilterRpf(): Promise<NetfilterRpfReport> {
  const [nft, ipt] = await Promise.all([readNftRuleset(), run('ip6tables-save', ['-c'])]);
  const report: NetfilterRpfReport = { tools: { nft: stateOf(nft.code), ip6tables: stateOf(ipt.code) }, rules: [], errors: [] };
  const iptRules = ipt.code === 0 ? parseIptablesSave(ipt.stdout) : [];
  const iptIsNft = ipt.code === 0 && /nf_tables/.test(ipt.stdout);
  const nftRules = nft.code === 0 ? parseNftRuleset(nft.stdout) : [];
  report.rules = [...nftRules.filter((r) => !(iptIsNft && r.family === 'ip6' && r.rule.startsWith('xt match'))), ...iptRules];
  for (const [name, r] of [['nft', nft], ['ip6tables-save', ipt]] as const) {
    if (r.code !== 0 && r.code !== 127) report.errors.push(`${name}: ${(r.stderr.trim().split('\n')[0] ?? '') || `exit ${r.code}`}`);
  }
  return report;
}
