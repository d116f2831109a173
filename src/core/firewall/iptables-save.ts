// Rules of iptables-legacy-save output that stop IGMP, MLD or multicast data. (With the nft
// backend the same rules are read from `nft -j list ruleset` instead.)
import type { BlockingRule } from './nft-rules.js';

const HOOK: Record<string, string> = { INPUT: 'input', OUTPUT: 'output', FORWARD: 'forward', PREROUTING: 'prerouting' };

function option(tokens: string[], ...names: string[]): string | undefined {
  for (let i = 0; i < tokens.length - 1; i++) if (names.includes(tokens[i] ?? '')) return tokens[i + 1];
  return undefined;
}

export function blockingIptablesRules(text: string, family: 'ip' | 'ip6'): BlockingRule[] {
  const out: BlockingRule[] = [];
  let table = 'filter';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('*')) table = line.slice(1);
    if (!line.startsWith('-A ')) continue;
    const t = line.split(/\s+/);
    const chain = t[1] ?? '';
    const target = option(t, '-j', '--jump');
    if (target !== 'DROP' && target !== 'REJECT') continue;
    const proto = option(t, '-p', '--protocol')?.toLowerCase();
    const dst = option(t, '-d', '--destination') ?? '';
    const icmpType = option(t, '--icmpv6-type');
    const stops: BlockingRule['stops'] = [];
    if (proto === 'igmp' || proto === '2') stops.push('igmp');
    if ((proto === 'ipv6-icmp' || proto === 'icmpv6' || proto === '58') && icmpType && /^(13[012]|143)$/.test(icmpType)) stops.push('mld');
    const first = dst.split('/')[0] ?? '';
    if (first && (first.toLowerCase().startsWith('ff') || (Number(first.split('.')[0]) >= 224 && Number(first.split('.')[0]) <= 239))) stops.push('multicast');
    if (option(t, '--pkt-type') === 'multicast') stops.push('multicast');
    if (stops.length === 0) continue;
    const rule: BlockingRule = { source: 'iptables-legacy', family, table, chain, verdict: target === 'DROP' ? 'drop' : 'reject', stops, text: line };
    const hook = HOOK[chain];
    if (hook) rule.hook = hook;
    const iif = option(t, '-i', '--in-interface');
    const oif = option(t, '-o', '--out-interface');
    if (iif) rule.iifname = iif;
    if (oif) rule.oifname = oif;
    out.push(rule);
  }
  return out;
}
