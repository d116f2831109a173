// Netfilter reverse-path rules, judged from the ruleset the platform read. IPv6 has no
// rp_filter sysctl: the only reverse-path filtering the kernel does for IPv6 is a netfilter
// rule, either ip6tables' `-m rpfilter` (xt_rpfilter, iptables-extensions(8)) or nftables'
// `fib saddr ... oif` expression (nft(8) "FIB EXPRESSIONS"; firewalld's IPv6_rpfilter installs
// the latter). The same rules can filter IPv4 too (families ip/inet), beside rp_filter and
// without its counter. Missing tools are not an error: most hosts have one of the two, or neither.
import type { FirewallSnapshot, ToolState } from '../../platform/firewall.js';
import { rulesetOf } from './ruleset.js';

export type { ToolState };

export interface NetfilterRpfRule {
  /** Which reader saw it. */
  tool: 'nft' | 'ip6tables' | 'iptables';
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

/** Rules that filter by reverse path: a `fib saddr` lookup, or the rpfilter match. */
export function netfilterRpf(snap: FirewallSnapshot): NetfilterRpfReport {
  const rules: NetfilterRpfRule[] = [];
  for (const c of rulesetOf(snap).chains) {
    for (const r of c.rules) {
      const rpf =
        r.terms.some((t) => (t.kind === 'fib' && t.flags.includes('saddr')) || (t.kind === 'unknown' && t.what === 'xt match rpfilter'));
      if (!rpf) continue;
      const iptables = c.tool === 'iptables-legacy' || r.fromSave;
      const rule: NetfilterRpfRule = { tool: iptables ? (c.family === 'ip6' ? 'ip6tables' : 'iptables') : 'nft', family: c.family,
        table: c.table, chain: c.name, rule: r.text };
      if (r.packets !== undefined) rule.packets = r.packets;
      rules.push(rule);
    }
  }
  return { tools: snap.tools ?? { nft: snap.nft !== undefined ? 'ok' : 'failed', ip6tables: snap.legacy?.v6 ? 'ok' : 'missing' }, rules,
    errors: snap.errors ?? [] };
}

/** Reads the ruleset through `reader` and keeps its reverse-path rules. */
export async function readNetfilterRpf(reader: { snapshot(): Promise<FirewallSnapshot> }): Promise<NetfilterRpfReport> {
  return netfilterRpf(await reader.snapshot());
}
