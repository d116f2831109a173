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

function parseRule(t: string[], family: 'ip' | 'ip6', userChains: ReadonlySet<string>): Parsed {
  const terms: Term[] = [];
  let verdict: Verdict = { kind: 'continue' };
  let proto: string | undefined;
  let neg = false;
  let mod = '';
  const add = (key: string, values: Value[]): void => {
    terms.push({ kind: 'match', key, op: neg ? '!=' : '==', values });
  };
  for (let i = 0; i < t.length; i++) {
    const o = t[i] ?? '';
    const v = t[i + 1] ?? '';
    if (o === '!') { neg = true; continue; }
    let used = true;
    switch (o) {
      case '-p': case '--protocol':
        proto = v.toLowerCase();
        if (proto !== 'all') add('meta.l4proto', [proto]);
        break;
      case '-s': case '--source': add(`${family}.saddr`, addrs(v)); break;
      case '-d': case '--destination': add(`${family}.daddr`, addrs(v)); break;
      case '-i': case '--in-interface': add('meta.iifname', [v]); break;
      case '-o': case '--out-interface': add('meta.oifname', [v]); break;
      case '-m': case '--match':
        mod = v;
        if (v === 'rpfilter') terms.push({ kind: 'unknown', what: 'xt match rpfilter' });
        break;
      case '--pkt-type': add('meta.pkttype', [v.toLowerCase()]); break;
      case '--dst-type':
        if (v === 'MULTICAST') add(`${family}.daddr`,
          [family === 'ip' ? { prefix: { addr: '224.0.0.0', len: 4 } } : { prefix: { addr: 'ff00::', len: 8 } }]);
        else terms.push({ kind: 'unknown', what: `addrtype --dst-type ${v}` });
        break;
      case '--icmpv6-type': add('icmpv6.type', [/^\d+/.exec(v)?.[0] ?? v]); break;
      case '--ctstate': case '--state': add('ct.state', v.toLowerCase().split(',')); break;
      case '--dport': case '--dports': case '--destination-port': case '--sport': case '--sports': case '--source-port':
        if (proto === 'udp' || proto === 'tcp') add(
          `${proto}.${o === '--sport' || o === '--sports' || o === '--source-port' ? 'sport' : 'dport'}`, list(v));
        else terms.push({ kind: 'unknown', what: `${o} ${v}` });
        break;
      case '--comment': break;
      case '-j': case '--jump': case '-g': case '--goto':
        if (v === 'ACCEPT' || v === 'DROP' || v === 'REJECT' || v === 'RETURN') verdict = {
          kind: v === 'ACCEPT' ? 'accept' : v === 'DROP' ? 'drop' : v === 'REJECT' ? 'reject' : 'return' };
        else if (userChains.has(v)) verdict = { kind: o === '-g' || o === '--goto' ? 'goto' : 'jump', target: v };
        i = t.length;
        break;
      default:
        used = false;
    }
    if (used) { i++; neg = false; continue; }
    if (o.startsWith('-')) {
      // An option of a match this reader does not model (-m limit --limit 5/s, -m set ...).
      const hasValue = v !== '' && !v.startsWith('-') && v !== '!';
      terms.push({ kind: 'unknown', what: `${mod ? `-m ${mod} ` : ''}${neg ? '! ' : ''}${o}${hasValue ? ` ${v}` : ''}` });
      if (hasValue) i++;
      neg = false;
    }
  }
  return { terms, verdict };
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

