// Firewall findings: rules that silence the host's IGMP/MLD (the host never answers queries, so
// snooping switches prune it after the membership interval) or drop multicast data.
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { FirewallReader } from '../../platform/firewall.js';
import { blockingNftRules, type BlockingRule } from './nft-rules.js';
import { blockingIptablesRules } from './iptables-save.js';

export interface FirewallReport {
  readable: boolean;
  unreadable: string[];
  rules: BlockingRule[];
  findings: Finding[];
}

/** Forward-only rules do not touch the host's own reports or reception. */
const touchesHost = (r: BlockingRule): boolean => r.hook === undefined || r.hook === 'input' || r.hook === 'output' || r.hook === 'prerouting';

export async function checkFirewall(reader: FirewallReader, interfaces?: readonly string[]): Promise<FirewallReport> {
  const snap = await reader.snapshot();
  const rules = [
    ...(snap.nft ? blockingNftRules(snap.nft) : []),
    ...(snap.legacy?.v4 ? blockingIptablesRules(snap.legacy.v4, 'ip') : []),
    ...(snap.legacy?.v6 ? blockingIptablesRules(snap.legacy.v6, 'ip6') : []),
  ].filter(touchesHost).filter((r) => {
    const dev = r.iifname ?? r.oifname;
    return !interfaces || !dev || interfaces.includes(dev);
  });
  const findings: Finding[] = [];
  for (const r of rules) {
    const dev = r.iifname ?? r.oifname;
    const where = `${r.source === 'nft' ? 'nft' : 'iptables'} ${r.family} ${r.table} ${r.chain}${r.handle !== undefined ? ` (handle ${r.handle})` : ''}`;
    const evidence = { rule: r.text, verdict: r.verdict, hook: r.hook, packets: r.packets };
    const direction = r.hook === 'output' ? 'leaving' : 'arriving';
    if (r.stops.includes('igmp') || r.stops.includes('mld')) {
      const proto = r.stops.includes('igmp') ? 'IGMP' : 'MLD';
      const loc = dev ? { iface: dev } : {};
      findings.push(makeFinding('FIREWALL_DROPS_IGMP', {
        ...loc,
        // A drop policy may be deliberate with accept rules we could not read: less certain.
        severity: r.verdict === 'policy-drop' ? 'warning' : 'error',
        message: `${where} drops ${proto} ${direction}${dev ? ` on ${dev}` : ''}: the host ${r.hook === 'output' ? 'never sends its reports' : 'never sees the queries'}, so snooping switches prune it.`,
        fix: r.source === 'nft'
          ? `nft insert rule ${r.family} ${r.table} ${r.chain} ${proto === 'IGMP' ? 'meta l4proto igmp' : 'icmpv6 type { mld-listener-query, mld-listener-report, mld2-listener-report, mld-listener-done }'} accept`
          : `${r.family === 'ip6' ? 'ip6tables' : 'iptables'} -I ${r.chain} -p ${proto === 'IGMP' ? 'igmp' : 'ipv6-icmp'} -j ACCEPT`,
        evidence,
      }));
    }
    if (r.stops.includes('multicast')) {
      const loc = dev ? { iface: dev } : {};
      findings.push(makeFinding('FIREWALL_DROPS_MULTICAST', {
        ...loc,
        message: `${where} drops multicast ${direction}${dev ? ` on ${dev}` : ''}.`,
        fix: 'Allow the group and port (for example: nft insert rule inet filter input ip daddr 239.0.0.0/8 udp dport PORT accept).',
        evidence,
      }));
    }
  }
  return { readable: snap.nft !== undefined || snap.legacy !== undefined, unreadable: snap.unreadable, rules, findings };
}
