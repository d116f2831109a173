// IPv6 has no rp_filter sysctl (net.ipv6.conf.* has no such knob): the kernel filters IPv6 by
// reverse path only through netfilter (ip6tables -m rpfilter, nft fib saddr). Said per interface
// when IPv6 is in scope (-6), or once when such a rule is loaded; a healthy IPv4 audit stays quiet.
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { NetfilterRpfReport, NetfilterRpfRule } from '../firewall/rpfilter-rules.js';

/** Rules that can see IPv6 packets: nft families ip6, inet, bridge, netdev; ip6tables. */
export function ipv6Rules(nf: NetfilterRpfReport | undefined): NetfilterRpfRule[] {
  return (nf?.rules ?? []).filter((r) => r.family !== 'ip' && r.family !== 'arp');
}

function describe(rules: readonly NetfilterRpfRule[]): string {
  return rules.map(
    (r) => `${r.tool} ${r.family} ${r.table}/${r.chain}: ${r.rule}${r.packets !== undefined ? ` [${r.packets} pkts]` : ''}`).join('; ');
}

export function ipv6Findings(nf: NetfilterRpfReport | undefined, ipv6Ifaces: readonly string[], ipv6InScope: boolean): Finding[] {
  const rules = ipv6Rules(nf);
  const unreadable = nf?.errors[0];
  const ruleText = rules.length
    ? `${rules.length} netfilter rule${rules.length === 1 ? '' : 's'} filter${rules.length === 1 ? 's' : ''} by reverse path ` +
      `instead: ${describe(rules)}.`
    : unreadable
      ? `the netfilter rulesets could not be read (${unreadable}), so an rpfilter/fib saddr rule may still be loaded: run as root to see.`
      : 'no netfilter rpfilter/fib saddr rule is loaded, so nothing is dropped by source route.';
  const fix = rules.length
    ? 'Make sure each source reaches this host on the interface its route points back to, or relax the rule (nft: fib saddr . ' +
      'iif oif missing drop only drops sources with no route back via the arrival interface).'
    : 'Nothing to do.';
  const evidence = { rules, tools: nf?.tools ?? null, confirm: 'nft -j list ruleset; ip6tables-save' };
  if (ipv6InScope) {
    return ipv6Ifaces.map((iface) => makeFinding('IPV6_NO_RPFILTER', {
      iface,
      message: `${iface}: IPv6 has no rp_filter sysctl; ${ruleText}`,
      fix,
      evidence,
    }));
  }
  if (rules.length === 0) return [];
  return [makeFinding('IPV6_NO_RPFILTER', { message: `IPv6 has no rp_filter sysctl; ${ruleText}`, fix, evidence })];
}
