// Read-only looks at the packet filter, returned as the tools print it (the core judges:
// src/core/firewall/): `nft -j list ruleset` (which also shows iptables-nft rules) and its text
// form (nft 1.0's JSON leaves out netdev chains' devices), iptables-nft-save when the nft
// ruleset holds iptables-nft rules (their matches are opaque in JSON), and the legacy
// backend's iptables-legacy-save/ip6tables-legacy-save. A missing tool or a refusal is
// "unknown", never an error: the firewall check is advisory.
import { run, type ExecResult } from './exec.js';
import { readNftRuleset, readNftText } from './nft-ruleset.js';

export type ToolState = 'ok' | 'missing' | 'failed';

export interface FirewallSnapshot {
  /** Parsed `nft -j list ruleset`, or undefined when nft is missing or refused. */
  nft?: unknown;
  /** `nft list ruleset` text, for netdev chains' devices. */
  nftText?: string;
  /** iptables-nft-save / ip6tables-nft-save text, read when the nft ruleset holds xt expressions. */
  nftSave?: { v4?: string; v6?: string };
  /** Text of iptables-legacy-save (and ip6tables-legacy-save), when those tools exist. */
  legacy?: { v4?: string; v6?: string };
  /** Why a source could not be read (permission, missing tool). */
  unreadable: string[];
  /** Whether nft and ip6tables (either backend) could be read. */
  tools?: { nft: ToolState; ip6tables: ToolState };
  /** The first error line of a tool that ran and failed. */
  errors?: string[];
}

export interface FirewallReader {
  snapshot(): Promise<FirewallSnapshot>;
}

const stateOf = (r: ExecResult): ToolState => (r.code === 0 ? 'ok' : r.code === 127 ? 'missing' : 'failed');
const firstLine = (name: string, r: ExecResult): string => `${name}: ${r.stderr.trim().split('\n')[0] || `exit ${r.code}`}`;

// One snapshot for the whole diagnosis, as nft-ruleset.ts does for nft alone: doctor's firewall
// check and its rp_filter check (netfilter reverse-path rules) both ask at the same moment, and
// each asking ran iptables-legacy-save and ip6tables-legacy-save again (issue 19 item 8). A
// snapshot younger than FRESH_MS is shared; callers read it and never change it.
const FRESH_MS = 2_000;
let last: { at: number; snap: Promise<FirewallSnapshot> } | undefined;

export class LinuxFirewallReader implements FirewallReader {
  snapshot(): Promise<FirewallSnapshot> {
    const now = Date.now();
    if (last && now - last.at <= FRESH_MS) return last.snap;
    const snap = readSnapshot();
    last = { at: now, snap };
    return snap;
  }
}

async function readSnapshot(): Promise<FirewallSnapshot> {
  const snap: FirewallSnapshot = { unreadable: [], errors: [] };
  const [nft, text, v4, v6] =
    await Promise.all([readNftRuleset(), readNftText(), run('iptables-legacy-save', ['-c']), run('ip6tables-legacy-save', ['-c'])]);
  let n6: ExecResult | undefined;
  if (nft.code === 0) {
    try {
      snap.nft = JSON.parse(nft.stdout);
    } catch {
      snap.unreadable.push('nft printed something that is not JSON');
    }
    if (text.code === 0) snap.nftText = text.stdout;
    if (nft.stdout.includes('"xt"')) {
      const [n4, six] = await Promise.all([run('iptables-nft-save', ['-c']), run('ip6tables-nft-save', ['-c'])]);
      n6 = six;
      snap.nftSave = {};
      if (n4.code === 0) snap.nftSave.v4 = n4.stdout;
      if (six.code === 0) snap.nftSave.v6 = six.stdout;
    }
  } else {
    snap.unreadable.push(firstLine('nft', nft));
  }
  if (v4.code === 0 || v6.code === 0) {
    snap.legacy = {};
    if (v4.code === 0 && v4.stdout.trim()) snap.legacy.v4 = v4.stdout;
    if (v6.code === 0 && v6.stdout.trim()) snap.legacy.v6 = v6.stdout;
  }
  const ip6 = [v6, ...(n6 ? [n6] : [])];
  snap.tools = { nft: stateOf(nft),
    ip6tables: ip6.some((r) => r.code === 0) ? 'ok' : ip6.every((r) => r.code === 127) ? 'missing' : 'failed' };
  for (const [name, r] of [['nft', nft], ['ip6tables-legacy-save', v6]] as const) {
    if (r.code !== 0 && r.code !== 127) snap.errors?.push(firstLine(name, r));
  }
  return snap;
}
