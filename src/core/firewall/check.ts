// Firewall findings: the fate of the packets the host's multicast needs (probe.ts), walked
// through the ruleset as the kernel would (evaluate.ts). A query dropped on the way in, or a
// report on the way out, silences the host (snooping switches prune it after the membership
// interval); a drop of multicast data on the way in starves the receiver. Each finding names
// the rule that decides, with its handle (nft) or position (iptables) and its counter.
import type { Finding } from '../findings/model.js';
import { makeFinding } from '../findings/catalog.js';
import type { FirewallReader, FirewallSnapshot } from '../../platform/firewall.js';
import { describeRef, type RuleRef, type Ruleset } from './model.js';
import { rulesetOf } from './ruleset.js';
import { fateOf, type Fate } from './evaluate.js';
import { dataIn, igmpQuery, igmpReport, mldQuery, mldReport, type Probe } from './probe.js';
import { defined } from '../defined.js';

/** One decided (or possible) drop, for the doctor's details and the stall diagnosis. */
export interface BlockingRule {
  probe: Probe['kind'];
  direction: 'in' | 'out';
  interfaces: string[];
  verdict: 'drop' | 'reject';
  /** Certain: every rule before it was decided. */
  certain: boolean;
  rule: RuleRef;
  doubts: RuleRef[];
}

export interface FirewallReport {
  readable: boolean;
  unreadable: string[];
  /** Drops the walk decided (certain or behind undecidable accepts). */
  rules: BlockingRule[];
  /** Drops that depend on what this tool cannot know (a source address, a port): not findings for IGMP/MLD. */
  conditional: BlockingRule[];
  findings: Finding[];
}

export interface FirewallOptions {
  /** Querier addresses heard per interface: decide `ip saddr` matches instead of leaving them open. */
  queriers?: ReadonlyMap<string, string>;
  /** The stream in question (trace): the data probe carries its group and port instead of "any". */
  group?: string;
  port?: number;
}

const refKey = (r: RuleRef): string => `${r.tool}/${r.family}/${r.table}/${r.chain}/${r.handle ?? r.position ?? 'policy'}`;

function probesFor(iface: string, opts: FirewallOptions): Probe[] {
  const q = opts.queriers?.get(iface);
  const q4 = q && !q.includes(':') ? q : undefined;
  const q6 = q && q.includes(':') ? q : undefined;
  const data = opts.group ? [dataIn(iface, opts.group.includes(':') ? 6 : 4, opts.group, opts.port)] : [dataIn(iface, 4), dataIn(iface, 6)];
  return [igmpQuery(iface, q4), igmpReport(iface), mldQuery(iface, q6), mldReport(iface), ...data];
}

/** Merges per-interface fates into one entry per (rule, probe kind). */
function collect(into: Map<string, BlockingRule>, p: Probe, rule: RuleRef, verdict: 'drop' | 'reject', certain: boolean,
  doubts: RuleRef[]): void {
  const key = `${p.kind}|${refKey(rule)}|${certain}`;
  const have = into.get(key);
  if (have) {
    if (!have.interfaces.includes(p.iface)) have.interfaces.push(p.iface);
    return;
  }
  into.set(key, { probe: p.kind, direction: p.direction, interfaces: [p.iface], verdict, certain, rule, doubts });
}

/** A conditional drop of data counts only when the rule aims at multicast (daddr or pkttype). */
function aimsAtMulticast(rs: Ruleset, ref: RuleRef): boolean {
  const c = rs.chains.find((x) => x.tool === ref.tool && x.family === ref.family && x.table === ref.table && x.name === ref.chain);
  const r = c?.rules.find((x) => x.position === ref.position);
  return !!r?.terms.some((t) => t.kind === 'match' && t.op === '==' && (t.key.endsWith('.daddr') || t.key === 'meta.pkttype'));
}

export async function checkFirewall(
  reader: FirewallReader,
  interfaces: readonly string[] = [],
  opts: FirewallOptions = {},
): Promise<FirewallReport> {
  const snap = await reader.snapshot();
  const rs = rulesetOf(snap);
  const decided = new Map<string, BlockingRule>();
  const conditional = new Map<string, BlockingRule>();
  for (const iface of interfaces) {
    for (const p of probesFor(iface, opts)) {
      const fate: Fate = fateOf(rs, p);
      if (fate.verdict !== 'accept' && fate.by) collect(decided, p, fate.by, fate.verdict, fate.doubts.length === 0, fate.doubts);
      for (const m of fate.maybe) collect(conditional, p, m, 'drop', false, []);
    }
  }
  const rules = [...decided.values()];
  const cond = [...conditional.values()].filter((c) => !rules.some((r) => r.probe === c.probe && refKey(r.rule) === refKey(c.rule)));
  const findings = [...rules.map(findingOf),
    ...cond.filter((c) => (c.probe === 'data4' || c.probe === 'data6') && aimsAtMulticast(rs, c.rule)).map(findingOf)];
  const readable = !nftRefused(snap) && (snap.nft !== undefined || snap.legacy !== undefined);
  return { readable, unreadable: snap.unreadable, rules, conditional: cond, findings };
}

/**
 * nft refused (root without CAP_NET_ADMIN, as in a container): the nf_tables ruleset, where
 * firewalld's and iptables-nft's rules live, was not seen, even if iptables-legacy-save printed an
 * empty legacy ruleset (it reads /proc/net/ip_tables_names without any capability): not readable,
 * never "no blocking rule" (issue 16).
 */
function nftRefused(snap: FirewallSnapshot): boolean {
  return snap.nft === undefined
    && snap.unreadable.some((u) => u.startsWith('nft:') && /not permitted|permission denied|must be root/i.test(u));
}

const WHAT: Record<Probe['kind'], string> = {
  'igmp-query': 'IGMP queries', 'igmp-report': "the host's IGMP reports",
  'mld-query': 'MLD queries', 'mld-report': "the host's MLD reports",
  data4: 'multicast', data6: 'IPv6 multicast',
};

function fixFor(b: BlockingRule): string {
  const r = b.rule;
  const igmp = b.probe.startsWith('igmp');
  if (b.probe === 'data4' || b.probe === 'data6') {
    return r.iptables
      ? `Allow the group and port before that rule (for example: ${r.family === 'ip6' ? 'ip6tables' : 'iptables'} -I ${r.chain} ` +
        `${r.position ?? 1} -d ${b.probe === 'data4' ? '239.0.0.0/8' : 'ff00::/8'} -p udp --dport PORT -j ACCEPT).`
      : `Allow the group and port before that rule (for example: nft insert rule ${r.family} ${r.table} ` +
        `${r.chain}${r.handle !== undefined ? ` position ${r.handle}` : ''} ` +
        `${b.probe === 'data4' ? 'ip daddr 239.0.0.0/8' : 'ip6 daddr ff00::/8'} udp dport PORT accept).`;
  }
  if (r.table === 'firewalld' && !r.iptables) {
    return igmp
      ? 'firewall-cmd --permanent --add-protocol=igmp && firewall-cmd --reload'
      : 'firewall-cmd --permanent --add-protocol=ipv6-icmp && firewall-cmd --reload';
  }
  if (r.iptables) {
    const tool = r.family === 'ip6' ? 'ip6tables' : 'iptables';
    const table = r.table === 'filter' ? '' : ` -t ${r.table}`;
    const at = r.policy ? '' : ` ${r.position ?? 1}`;
    return igmp
      ? `${tool}${table} -I ${r.chain}${at} -p igmp -j ACCEPT`
      : `${tool}${table} -I ${r.chain}${at} -p ipv6-icmp --icmpv6-type ${b.probe === 'mld-query' ? '130' : '143'} -j ACCEPT`;
  }
  const match = igmp
    ? 'meta l4proto igmp'
    : 'icmpv6 type { mld-listener-query, mld-listener-report, mld2-listener-report, mld-listener-done }';
  return r.policy || r.handle === undefined
    ? `nft add rule ${r.family} ${r.table} ${r.chain} ${match} accept`
    : `nft insert rule ${r.family} ${r.table} ${r.chain} position ${r.handle} ${match} accept`;
}

function findingOf(b: BlockingRule): Finding {
  const data = b.probe === 'data4' || b.probe === 'data6';
  const dir = b.direction === 'out' ? 'leaving' : 'arriving';
  const on = b.interfaces.length === 1 ? ` on ${b.interfaces[0]}` : ` on ${b.interfaces.join(', ')}`;
  const verb = b.verdict === 'reject' && b.certain ? 'rejects' : 'drops';
  const where = describeRef(b.rule);
  const unless = b.doubts.length
    ? ` unless an earlier rule this tool cannot decide accepts it first (${b.doubts.map(describeRef).join('; ')})`
    : '';
  const consequence = data
    ? (b.certain
      ? ': receivers on this host never see the streams.'
      : ' when the group and port match the rule: receivers of those streams on this host never see them.')
    : b.direction === 'out'
      ? ': the host never announces its memberships, so snooping switches prune it.'
      : ': the host never answers them, so snooping switches prune it.';
  const evidence = {
    rule: where,
    ruleRef: b.rule,
    probe: b.probe,
    interfaces: b.interfaces,
    certain: b.certain,
    doubts: b.doubts,
    ...defined({ packets: b.rule.packets }),
  };
  const loc = b.interfaces.length === 1 ? { iface: b.interfaces[0] as string } : {};
  if (data) {
    return makeFinding('FIREWALL_DROPS_MULTICAST', {
      ...loc,
      ...(b.certain && b.doubts.length === 0 ? { severity: 'error' as const } : {}),
      message: `${where} ${verb} ${WHAT[b.probe]} ${dir}${on}${unless}${consequence}`,
      fix: fixFor(b),
      evidence,
    });
  }
  return makeFinding('FIREWALL_DROPS_IGMP', {
    ...loc,
    severity: b.doubts.length ? 'warning' : 'error',
    message: `${where} ${verb} ${WHAT[b.probe]} ${dir}${on}${unless}${consequence}`,
    fix: fixFor(b),
    evidence,
  });
}
