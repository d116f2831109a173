// The one reader of iptables-save / ip6tables-save text (legacy or nf_tables backend): tables,
// chains with their policies and rules as terms (model.ts), in the order the kernel walks them.
// Options this reader does not model become `unknown` terms: they may match or not.
import type { Chain, Rule, Term, Tool, Value, Verdict } from './model.js';
import { MAX_ITEMS } from './nft-json.js';

const HOOK: Record<string, string> =
  { PREROUTING: 'prerouting', INPUT: 'input', FORWARD: 'forward', OUTPUT: 'output', POSTROUTING: 'postrouting' };
/** The priorities the x_tables register at (include/uapi/linux/netfilter_ipv4.h NF_IP_PRI_*). */
const PRIO: Record<string, number> = { raw: -300, mangle: -150, nat: -100, filter: 0, security: 50 };

/** Splits a line like a shell would for iptables-save's quoting (comments hold spaces). */
function tokens(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(line); m; m = re.exec(line)) out.push(m[1] ?? m[2] ?? '');
  return out;
}

const list = (v: string): Value[] => v.split(',').map((x) => (/^\d+:\d+$/.test(x)
  ? { range: [Number(x.split(':')[0]), Number(x.split(':')[1])] as [Value, Value] } : /^\d+$/.test(x) ? Number(x) : x));

function addrs(v: string): Value[] {
  return v.split(',').map((a) => {
    const [addr = '', len] = a.split('/');
    return len !== undefined && /^\d+$/.test(len) ? { prefix: { addr, len: Number(len) } } : addr;
  });
}

interface Parsed { terms: Term[]; verdict: Verdict; packets?: number }

/** A rule's options read left to right: the terms so far, and what a later option depends on. */
class RuleTerms {
  readonly terms: Term[] = [];
  /** `!` before the next option. */
  neg = false;
  /** The protocol (-p): --dport means something only for udp and tcp. */
  private proto: string | undefined;
  /** The last -m module, to name the options of one this reader does not model. */
  private mod = '';

  constructor(private readonly family: 'ip' | 'ip6') {}

  private add(key: string, values: Value[]): void {
    this.terms.push({ kind: 'match', key, op: this.neg ? '!=' : '==', values });
  }

  /** A match option this reader models, with its value `v`; false when it is not one. */
  option(o: string, v: string): boolean {
    const family = this.family;
    switch (o) {
      case '-p': case '--protocol':
        this.proto = v.toLowerCase();
        if (this.proto !== 'all') this.add('meta.l4proto', [this.proto]);
        return true;
      case '-s': case '--source': this.add(`${family}.saddr`, addrs(v)); return true;
      case '-d': case '--destination': this.add(`${family}.daddr`, addrs(v)); return true;
      case '-i': case '--in-interface': this.add('meta.iifname', [v]); return true;
      case '-o': case '--out-interface': this.add('meta.oifname', [v]); return true;
      case '-m': case '--match':
        this.mod = v;
        if (v === 'rpfilter') this.terms.push({ kind: 'unknown', what: 'xt match rpfilter' });
        return true;
      case '--pkt-type': this.add('meta.pkttype', [v.toLowerCase()]); return true;
      case '--dst-type':
        if (v === 'MULTICAST') this.add(`${family}.daddr`,
          [family === 'ip' ? { prefix: { addr: '224.0.0.0', len: 4 } } : { prefix: { addr: 'ff00::', len: 8 } }]);
        else this.terms.push({ kind: 'unknown', what: `addrtype --dst-type ${v}` });
        return true;
      case '--icmpv6-type': this.add('icmpv6.type', [/^\d+/.exec(v)?.[0] ?? v]); return true;
      case '--ctstate': case '--state': this.add('ct.state', v.toLowerCase().split(',')); return true;
      case '--dport': case '--dports': case '--destination-port': case '--sport': case '--sports': case '--source-port':
        if (this.proto === 'udp' || this.proto === 'tcp') this.add(
          `${this.proto}.${o === '--sport' || o === '--sports' || o === '--source-port' ? 'sport' : 'dport'}`, list(v));
        else this.terms.push({ kind: 'unknown', what: `${o} ${v}` });
        return true;
      case '--comment': return true;
      default: return false;
    }
  }

  /**
   * An option of a match this reader does not model (-m limit --limit 5/s, -m set ...): an
   * `unknown` term. Returns how many tokens after `o` it took (its value, when it has one).
   */
  unknown(o: string, v: string): number {
    const hasValue = v !== '' && !v.startsWith('-') && v !== '!';
    this.terms.push({ kind: 'unknown', what: `${this.mod ? `-m ${this.mod} ` : ''}${this.neg ? '! ' : ''}${o}${hasValue ? ` ${v}` : ''}` });
    this.neg = false;
    return hasValue ? 1 : 0;
  }
}

const JUMPS = new Set(['-j', '--jump', '-g', '--goto']);

/** The rule's verdict from its target; a target this reader does not know leaves the rule a `continue`. */
function verdictOf(o: string, target: string, userChains: ReadonlySet<string>): Verdict {
  if (target === 'ACCEPT' || target === 'DROP' || target === 'REJECT' || target === 'RETURN') {
    return { kind: target === 'ACCEPT' ? 'accept' : target === 'DROP' ? 'drop' : target === 'REJECT' ? 'reject' : 'return' };
  }
  if (userChains.has(target)) return { kind: o === '-g' || o === '--goto' ? 'goto' : 'jump', target };
  return { kind: 'continue' };
}

function parseRule(t: string[], family: 'ip' | 'ip6', userChains: ReadonlySet<string>): Parsed {
  const r = new RuleTerms(family);
  for (let i = 0; i < t.length; i++) {
    const o = t[i] ?? '';
    const v = t[i + 1] ?? '';
    if (o === '!') { r.neg = true; continue; }
    // The target ends the rule: what follows it are the target's own options (--reject-with ...).
    if (JUMPS.has(o)) return { terms: r.terms, verdict: verdictOf(o, v, userChains) };
    if (r.option(o, v)) { i++; r.neg = false; continue; }
    if (o.startsWith('-')) i += r.unknown(o, v);
  }
  return { terms: r.terms, verdict: { kind: 'continue' } };
}

/** Chains of one iptables-save text; `tool` says which backend (legacy ones are their own hooks). */
export function parseIptablesSave(text: string, family: 'ip' | 'ip6', tool: Tool = 'iptables-legacy'): Chain[] {
  const out: Chain[] = [];
  let table = '';
  let chains = new Map<string, Chain>();
  const lines = text.split('\n').slice(0, MAX_ITEMS);
  for (const raw of lines) {
    const line = raw.trim();
    if (line.startsWith('*')) {
      table = line.slice(1);
      chains = new Map();
      continue;
    }
    const decl = /^:(\S+)\s+(\S+)/.exec(line);
    if (decl) {
      const name = decl[1] ?? '';
      const c: Chain = { tool, family, table, name, rules: [] };
      const hook = HOOK[name];
      if (hook && decl[2] !== '-') {
        c.hook = hook;
        c.prio = table === 'nat' && (hook === 'input' || hook === 'postrouting') ? 100 : PRIO[table] ?? 0;
        c.policy = decl[2] === 'DROP' ? 'drop' : 'accept';
      }
      chains.set(name, c);
      out.push(c);
      continue;
    }
    const m = /^(?:\[(\d+):\d+\]\s+)?-A\s+(\S+)\s*(.*)$/.exec(line);
    const chain = m ? chains.get(m[2] ?? '') : undefined;
    if (!m || !chain) continue;
    const p = parseRule(tokens(m[3] ?? ''), family, new Set(chains.keys()));
    const rule: Rule =
      { position: chain.rules.length + 1, terms: p.terms, verdict: p.verdict, text: `-A ${chain.name} ${m[3] ?? ''}`.trim() };
    if (m[1] !== undefined) rule.packets = Number(m[1]);
    chain.rules.push(rule);
  }
  return out;
}

