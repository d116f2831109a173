// The whole packet filter as one model, from what the platform read: nft's JSON (with netdev
// devices from its text form), iptables-nft rules completed from iptables-nft-save (their xt
// matches are opaque in JSON), and the legacy x_tables rules, which the kernel runs beside nft.
import type { FirewallSnapshot } from '../../platform/firewall.js';
import type { Chain, Ruleset } from './model.js';
import { netdevDevices, parseNftJson } from './nft-json.js';
import { parseIptablesSave } from './iptables-save.js';

const hasXt = (c: Chain): boolean => c.rules.some((r) => r.terms.some((t) => t.kind === 'unknown' && t.what.startsWith('xt ')));

/** Fills iptables-nft rules from the save text: same table, chain and position, same rule count. */
function completeXt(chains: Chain[], save: string | undefined, family: 'ip' | 'ip6'): void {
  if (!save) return;
  const saved = new Map(parseIptablesSave(save, family, 'nft').map((c) => [`${c.table}/${c.name}`, c]));
  for (const c of chains) {
    if (c.family !== family || !hasXt(c)) continue;
    const s = saved.get(`${c.table}/${c.name}`);
    if (!s || s.rules.length !== c.rules.length) continue;
    c.rules = c.rules.map((r, i) => {
      const from = s.rules[i] ?? r;
      return { ...r, terms: from.terms, verdict: from.verdict, text: from.text, fromSave: true };
    });
  }
}

export function rulesetOf(snap: FirewallSnapshot): Ruleset {
  const chains = snap.nft !== undefined ? parseNftJson(snap.nft, snap.nftText ? netdevDevices(snap.nftText) : undefined) : [];
  completeXt(chains, snap.nftSave?.v4, 'ip');
  completeXt(chains, snap.nftSave?.v6, 'ip6');
  if (snap.legacy?.v4) chains.push(...parseIptablesSave(snap.legacy.v4, 'ip'));
  if (snap.legacy?.v6) chains.push(...parseIptablesSave(snap.legacy.v6, 'ip6'));
  return { chains };
}
