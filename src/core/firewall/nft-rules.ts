// Finds nftables rules (and chains) that stop IGMP/MLD or multicast data, from the JSON form of
// `nft -j list ruleset` (libnftables-json(5)). iptables-nft rules appear there too, their
// targets as {"xt": {"type": "target", "name": "REJECT"}}.

export interface BlockingRule {
  source: 'nft' | 'iptables-legacy';
  family: string;
  table: string;
  chain: string;
  hook?: string;
  handle?: number;
  verdict: 'drop' | 'reject' | 'policy-drop';
  /** What the rule stops. */
  stops: Array<'igmp' | 'mld' | 'multicast'>;
  iifname?: string;
  oifname?: string;
  /** Packets counted by the rule's counter, when it has one. */
  packets?: number;
  /** A readable form of the rule for the evidence. */
  text: string;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json | undefined => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined);

const IGMP = new Set(['igmp', 2, '2']);
const ICMPV6 = new Set(['ipv6-icmp', 'icmpv6', 58, '58']);
const MLD_TYPES = new Set(['mld-listener-query', 'mld-listener-report', 'mld-listener-done', 'mld2-listener-report', 130, 131, 132, 143]);

function isMulticastRight(right: unknown): boolean {
  const r = obj(right);
  const prefix = obj(r?.prefix);
  const addr = typeof right === 'string' ? right : typeof prefix?.addr === 'string' ? prefix.addr : undefined;
  if (!addr) return false;
  if (addr.includes(':')) return addr.toLowerCase().startsWith('ff');
  const first = Number(addr.split('.')[0]);
  return first >= 224 && first <= 239;
}

/** One rule's matches, read loosely: anything we do not understand narrows nothing we report. */
function analyzeExprs(exprs: unknown[]): { stops: Set<BlockingRule['stops'][number]>; verdict?: BlockingRule['verdict']; iifname?: string;
  oifname?: string; packets?: number; accepts: Set<string> } {
  const stops = new Set<BlockingRule['stops'][number]>();
  const accepts = new Set<string>();
  let verdict: BlockingRule['verdict'] | undefined;
  let iifname: string | undefined;
  let oifname: string | undefined;
  let packets: number | undefined;
  let icmpv6 = false;
  let mldType = false;
  for (const e of exprs) {
    const x = obj(e);
    if (!x) continue;
    const m = obj(x.match);
    if (m) {
      const left = obj(m.left);
      const meta = obj(left?.meta);
      const payload = obj(left?.payload);
      const key = meta?.key ?? (payload ? `${String(payload.protocol)}.${String(payload.field)}` : undefined);
      const right = m.right;
      if (m.op !== '==' && m.op !== 'in') continue;
      if ((key === 'l4proto' || key === 'ip.protocol') && IGMP.has(right as string)) stops.add('igmp');
      if ((key === 'l4proto' || key === 'ip6.nexthdr') && ICMPV6.has(right as string)) icmpv6 = true;
      if (key === 'icmpv6.type' && MLD_TYPES.has(right as string)) mldType = true;
      if ((key === 'ip.daddr' || key === 'ip6.daddr') && isMulticastRight(right)) stops.add('multicast');
      if (key === 'pkttype' && right === 'multicast') stops.add('multicast');
      if (key === 'iifname' && typeof right === 'string') iifname = right;
      if (key === 'oifname' && typeof right === 'string') oifname = right;
      continue;
    }
    const counter = obj(x.counter);
    if (counter && typeof counter.packets === 'number') packets = counter.packets;
    if ('drop' in x) verdict = 'drop';
    if ('reject' in x) verdict = 'reject';
    if ('accept' in x) accepts.add('accept');
    const xt = obj(x.xt);
    // ip6tables' --icmpv6-type shows only as an opaque xt match: the type is not visible, so a
    // drop of ICMPv6 with such a match may be MLD (the caller says it is unsure).
    if (xt?.type === 'match' && xt.name === 'icmp6') mldType = true;
    if (xt?.type === 'target' && (xt.name === 'REJECT' || xt.name === 'DROP')) verdict = xt.name === 'DROP' ? 'drop' : 'reject';
  }
  if (icmpv6 && mldType) stops.add('mld');
  const out: ReturnType<typeof analyzeExprs> = { stops, accepts };
  if (verdict) out.verdict = verdict;
  if (iifname) out.iifname = iifname;
  if (oifname) out.oifname = oifname;
  if (packets !== undefined) out.packets = packets;
  return out;
}

/** Rules and drop policies in input/output hooks that stop IGMP, MLD or multicast data. */
export function blockingNftRules(ruleset: unknown): BlockingRule[] {
  const items = obj(ruleset)?.nftables;
  if (!Array.isArray(items)) return [];
  const chains = new Map<string, { hook?: string; policy?: string; family: string; table: string; name: string }>();
  const out: BlockingRule[] = [];
  const acceptedIn = new Map<string, Set<string>>();
  for (const it of items) {
    const c = obj(obj(it)?.chain);
    if (c) {
      const key = `${String(c.family)}/${String(c.table)}/${String(c.name)}`;
      const entry: {
        hook?: string;
        policy?: string;
        family: string;
        table: string;
        name: string;
      } = { family: String(c.family), table: String(c.table), name: String(c.name) };
      if (typeof c.hook === 'string') entry.hook = c.hook;
      if (typeof c.policy === 'string') entry.policy = c.policy;
      chains.set(key, entry);
    }
  }
  for (const it of items) {
    const r = obj(obj(it)?.rule);
    if (!r || !Array.isArray(r.expr)) continue;
    const key = `${String(r.family)}/${String(r.table)}/${String(r.chain)}`;
    const chain = chains.get(key);
    const a = analyzeExprs(r.expr);
    if (a.accepts.size && a.stops.size) {
      const set = acceptedIn.get(key) ?? new Set<string>();
      for (const s of a.stops) set.add(s);
      acceptedIn.set(key, set);
    }
    if (!a.verdict || a.stops.size === 0) continue;
    const rule: BlockingRule = {
      source: 'nft', family: String(r.family), table: String(r.table), chain: String(r.chain),
      verdict: a.verdict, stops: [...a.stops], text: `${String(r.family)} ${String(r.table)} ${String(r.chain)}: ${describe(a)}`,
    };
    if (chain?.hook) rule.hook = chain.hook;
    if (typeof r.handle === 'number') rule.handle = r.handle;
    if (a.iifname) rule.iifname = a.iifname;
    if (a.oifname) rule.oifname = a.oifname;
    if (a.packets !== undefined) rule.packets = a.packets;
    out.push(rule);
  }
  // A drop policy on an input/output chain stops IGMP unless some rule there accepts it.
  for (const [key, c] of chains) {
    if (c.policy !== 'drop' || (c.hook !== 'input' && c.hook !== 'output')) continue;
    if (c.family !== 'inet' && c.family !== 'ip') continue;
    if (acceptedIn.get(key)?.has('igmp')) continue;
    out.push({ source: 'nft', family: c.family, table: c.table, chain: c.name, hook: c.hook, verdict: 'policy-drop', stops: ['igmp'],
      text: `${c.family} ${c.table} ${c.name}: policy drop and no rule accepting igmp` });
  }
  return out;
}

function describe(a: ReturnType<typeof analyzeExprs>): string {
  const parts: string[] = [];
  if (a.iifname) parts.push(`iifname ${a.iifname}`);
  if (a.oifname) parts.push(`oifname ${a.oifname}`);
  parts.push([...a.stops].join('+'));
  parts.push(a.verdict ?? '');
  return parts.join(' ');
}
