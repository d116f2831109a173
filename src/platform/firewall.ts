// Read-only looks at the packet filter: `nft -j list ruleset` (which also shows iptables-nft
// rules) and, where the legacy backend is in use, `iptables-legacy-save`/`ip6tables-legacy-save`.
// A missing tool or a refusal is "unknown", never an error: the firewall check is advisory.
import { run } from './exec.js';
import { readNftRuleset } from './nft-ruleset.js';

export interface FirewallSnapshot {
  /** Parsed `nft -j list ruleset`, or undefined when nft is missing or refused. */
  nft?: unknown;
  /** Text of iptables-legacy-save (and ip6tables-legacy-save), when those tools exist. */
  legacy?: { v4?: string; v6?: string };
  /** Why a source could not be read (permission, missing tool). */
  unreadable: string[];
}

export interface FirewallReader {
  snapshot(): Promise<FirewallSnapshot>;
}

export class LinuxFirewallReader implements FirewallReader {
  async snapshot(): Promise<FirewallSnapshot> {
    const snap: FirewallSnapshot = { unreadable: [] };
    const nft = await readNftRuleset();
    if (nft.code === 0) {
      try {
        snap.nft = JSON.parse(nft.stdout);
      } catch {
        snap.unreadable.push('nft printed something that is not JSON');
      }
    } else {
      snap.unreadable.push(`nft: ${nft.stderr.trim().split('\n')[0] || `exit ${nft.code}`}`);
    }
    const v4 = await run('iptables-legacy-save', []);
    const v6 = await run('ip6tables-legacy-save', []);
    if (v4.code === 0 || v6.code === 0) {
      snap.legacy = {};
      if (v4.code === 0 && v4.stdout.trim()) snap.legacy.v4 = v4.stdout;
      if (v6.code === 0 && v6.stdout.trim()) snap.legacy.v6 = v6.stdout;
    }
    return snap;
  }
}
