// The firewall walk over rule shapes as nft 1.0.6 and iptables 1.8.9 write them (each JSON
// expression below was printed by `nft -j list ruleset` in a lab namespace). The same shapes are
// built on the kernel, and the kernel's verdict checked, in test/lab/firewall.lab.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { parseNftJson } from '../../src/core/firewall/nft-json.js';
import { parseIptablesSave } from '../../src/core/firewall/iptables-save.js';
import { fateOf } from '../../src/core/firewall/evaluate.js';
import { igmpQuery, mldQuery, dataIn, igmpReport } from '../../src/core/firewall/probe.js';
import { checkFirewall } from '../../src/core/firewall/check.js';
import { netfilterRpf } from '../../src/core/firewall/rpfilter-rules.js';
import type { FirewallSnapshot } from '../../src/platform/firewall.js';

const fixture = (n: string): string => readFileSync(path.join(REPO, 'fixtures', 'firewall', n), 'utf8');
type J = Record<string, unknown>;
const m = (left: J, right: unknown, op = '=='): J => ({ match: { op, left, right } });
const meta = (key: string): J => ({ meta: { key } });
const pl = (protocol: string, field: string): J => ({ payload: { protocol, field } });
const base = (name: string, hook = 'input', prio = 0, policy = 'accept',
  family = 'inet'): J => ({ chain: { family, table: 't', name, handle: 1, type: 'filter', hook, prio, policy } });
const chain = (name: string): J => ({ chain: { family: 'inet', table: 't', name, handle: 2 } });
let handle = 10;
const rule = (c: string, ...expr: J[]): J => ({ rule: { family: 'inet', table: 't', chain: c, handle: handle++, expr } });
const doc = (...items: J[]): unknown => ({ nftables: [{ metainfo: { version: '1.0.6' } }, ...items] });

const DROP = { drop: null };
const ACCEPT = { accept: null };
const igmp = m(meta('l4proto'), 'igmp');

interface Case { name: string; items: J[]; probe?: 'igmp' | 'mld' | 'data'; dropped: boolean; by?: RegExp }
const CASES: Case[] = [
  { name: 'igmp drop in input', items: [base('in'), rule('in', igmp, DROP)], dropped: true, by: /meta l4proto igmp drop/ },
  { name: 'unhooked chain: never reached', items: [base('in'), chain('orphan'), rule('orphan', igmp, DROP)], dropped: false },
  { name: 'jump to a chain that drops', items: [base('in'), chain('sub'),
    rule('in', m(meta('iifname'), 'wired0'), { jump: { target: 'sub' } }), rule('sub', igmp, DROP)], dropped: true, by: /sub/ },
  { name: 'accept before the drop', items: [base('in'), rule('in', igmp, ACCEPT), rule('in', igmp, DROP)], dropped: false },
  { name: 'saddr != prefix: other sources only',
    items: [base('in'), rule('in', m(pl('ip', 'saddr'), { prefix: { addr: '198.18.0.0', len: 24 } }, '!='), igmp, DROP)], dropped: false },
  { name: 'set match { igmp, pim }', items: [base('in'), rule('in', m(meta('l4proto'), { set: ['igmp', 'pim'] }), DROP)], dropped: true },
  { name: 'named set @igs', items: [base('in'), { set: { family: 'inet', name: 'igs', table: 't', type: 'inet_proto', handle: 4,
    elem: ['igmp', 'pim'] } }, rule('in', m(meta('l4proto'), '@igs'), { counter: { packets: 3, bytes: 96 } }, DROP)], dropped: true },
  { name: 'verdict map', items: [base('in'),
    rule('in', { vmap: { key: meta('l4proto'), data: { set: [['igmp', DROP], ['udp', ACCEPT]] } } })], dropped: true, by: /vmap/ },
  { name: 'firewalld final reject icmpx', items: [base('in'), rule('in', m({ ct: { key: 'state' } }, ['established', 'related'], 'in'),
    ACCEPT), rule('in', m({ ct: { key: 'status' } }, 'dnat', 'in'), ACCEPT), rule('in', m(meta('iifname'), 'lo'), ACCEPT),
      rule('in', { reject: { type: 'icmpx', expr: 'admin-prohibited' } })], dropped: true, by: /reject with icmpx type admin-prohibited/ },
  { name: 'reject with icmp (v4 only) spares MLD', items: [base('in'), rule('in', { reject: { type: 'icmp', expr: 'host-prohibited' } })],
    probe: 'mld', dropped: false },
  { name: 'icmpv6 type mld-listener-query drop (no explicit l4proto)',
    items: [base('in'), rule('in', m(pl('icmpv6', 'type'), 'mld-listener-query'), DROP)], probe: 'mld', dropped: true },
  { name: 'icmpv6 type drop does not touch IGMP', items: [base('in'), rule('in', m(pl('icmpv6', 'type'), 'mld-listener-query'), DROP)],
    dropped: false },
  { name: 'ip6 nexthdr icmpv6 misses MLD (hop-by-hop first)', items: [base('in'), rule('in', m(pl('ip6', 'nexthdr'), 'ipv6-icmp'), DROP)],
    probe: 'mld', dropped: false },
  { name: 'prerouting drop', items: [base('pre', 'prerouting', -300), rule('pre', igmp, DROP)], dropped: true },
  { name: 'accept in one base chain does not spare the next',
    items: [base('a', 'input', -10), base('b', 'input', 10), rule('a', igmp, ACCEPT), rule('b', igmp, DROP)], dropped: true, by: /^b / },
  { name: 'policy drop', items: [base('in', 'input', 0, 'drop')], dropped: true, by: /policy drop/ },
  { name: 'policy drop with igmp accepted', items: [base('in', 'input', 0, 'drop'), rule('in', igmp, ACCEPT)], dropped: false },
  { name: 'forward hook: not on the host path', items: [base('fw', 'forward'), rule('fw', igmp, DROP)], dropped: false },
  { name: 'other interface', items: [base('in'), rule('in', m(meta('iifname'), 'wifi*'), igmp, DROP)], dropped: false },
  { name: 'range of groups, data', items: [base('in'), rule('in', m(pl('ip', 'daddr'), { range: ['239.1.1.1', '239.1.1.9'] }), DROP)],
    probe: 'data', dropped: false },
  { name: 'ip daddr 224.0.0.0/4 drop, data',
    items: [base('in'), rule('in', m(pl('ip', 'daddr'), { prefix: { addr: '224.0.0.0', len: 4 } }), DROP)], probe: 'data', dropped: true },
  { name: 'goto does not come back', items: [base('in'), chain('g'), rule('in', { goto: { target: 'g' } }), rule('in', igmp, DROP)],
    dropped: false },
  { name: 'return comes back', items:
    [base('in'), chain('r'), rule('in', { jump: { target: 'r' } }), rule('r', { return: null }), rule('in', igmp, DROP)], dropped: true },
  { name: 'jump loop is bounded',
    items: [base('in'), chain('l'), rule('in', { jump: { target: 'l' } }), rule('l', { jump: { target: 'l' } })], dropped: false },
];

for (const c of CASES) {
  test(`nft shape: ${c.name} -> ${c.dropped ? 'dropped' : 'passes'}`, () => {
    const rs = { chains: parseNftJson(doc(...c.items)) };
    const p = c.probe === 'mld' ? mldQuery('wired0') : c.probe === 'data' ? dataIn('wired0', 4) : igmpQuery('wired0');
    const fate = fateOf(rs, p);
    assert.equal(fate.verdict !== 'accept', c.dropped, JSON.stringify(fate));
    if (c.by) assert.match(`${fate.by?.chain} ${fate.by?.text}`, c.by);
  });
}

test('an undecidable accept before a drop: the drop is reported with the doubt', () => {
  const rs = { chains: parseNftJson(doc(base('in'), rule('in', m(pl('ip', 'saddr'), '198.18.0.1'), ACCEPT), rule('in', igmp, DROP))) };
  const f = fateOf(rs, igmpQuery('wired0'));
  assert.equal(f.verdict, 'drop');
  assert.equal(f.doubts.length, 1);
  assert.equal(fateOf(rs, igmpQuery('wired0', '198.18.0.1')).verdict, 'accept', 'the querier heard decides the match');
});

test('netdev ingress: devices from the text form decide which interface it filters', async () => {
  const items =
    [{ chain: { family: 'netdev', table: 'nd', name: 'ing', handle: 1, type: 'filter', hook: 'ingress', prio: -500, policy: 'accept' } },
    { rule: { family: 'netdev', table: 'nd', chain: 'ing', handle: 2, expr: [m(pl('ip', 'protocol'), 'igmp'), DROP] } }];
  const text =
    'table netdev nd {\n\tchain ing {\n\t\ttype filter hook ingress device "wired0" priority -500; ' +
    'policy accept;\n\t\tip protocol igmp drop\n\t}\n}\n';
  const rep = await checkFirewall({ snapshot: async () => ({ nft: doc(...items), nftText: text, unreadable: [] }) }, ['wired0', 'wifi0']);
  const f = rep.findings.filter((x) => x.id === 'FIREWALL_DROPS_IGMP');
  assert.deepEqual(f.map((x) => x.iface), ['wired0']);
  assert.match(f[0]!.message, /nft netdev nd ing handle 2/);
  const blind = await checkFirewall({ snapshot: async () => ({ nft: doc(...items), unreadable: [] }) }, ['wired0']);
  assert.deepEqual(blind.findings, [], 'devices unknown: only a possible drop');
  assert.equal(blind.conditional.length, 1);
});

test('iptables-save: rule order, negation, user chains, policy (legacy and nft back-ends)', () => {
  const save = `*filter
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:SUB - [0:0]
[5:160] -A INPUT ! -s 198.18.0.0/24 -p igmp -j DROP
[0:0] -A INPUT -i wired0 -j SUB
[0:0] -A SUB -m pkttype --pkt-type multicast -m comment --comment "two words" -j DROP
COMMIT
*filter
`;
  const rs = { chains: parseIptablesSave(save, 'ip') };
  const f = fateOf(rs, igmpQuery('wired0'));
  assert.equal(f.verdict, 'drop');
  assert.equal(f.by?.chain, 'SUB');
  assert.equal(f.by?.position, 1);
  assert.equal(f.maybe.length, 1, '! -s is undecided without a querier');
  assert.equal(fateOf(rs, igmpQuery('wifi0')).verdict, 'accept');
  const v6 = parseIptablesSave(':INPUT DROP [0:0]\n-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 130 -j ACCEPT\n', 'ip6');
  assert.equal(fateOf({ chains: v6 }, mldQuery('wired0')).verdict, 'accept');
  assert.equal(fateOf({ chains: v6 }, dataIn('wired0', 6)).by?.policy, true);
});

test('iptables-nft: xt matches are read from iptables-nft-save at the same position, the handle from nft', async () => {
  const nft = JSON.parse(fixture('nft-ruleset.json'));
  const snap: FirewallSnapshot = { nft, unreadable: [],
    nftSave: { v6: '*filter\n:INPUT ACCEPT [0:0]\n-A INPUT -p ipv6-icmp -m icmp6 --icmpv6-type 130 -j DROP\nCOMMIT\n' } };
  const rep = await checkFirewall({ snapshot: async () => snap }, ['wired0']);
  const mld = rep.findings.find((f) => f.id === 'FIREWALL_DROPS_IGMP' && /MLD queries/.test(f.message));
  assert.match(mld?.message ?? '', /ip6tables -t filter INPUT rule 1/);
  assert.match(mld?.fix ?? '', /ip6tables -I INPUT 1 -p ipv6-icmp --icmpv6-type 130 -j ACCEPT/);
});

test('recorded nft ruleset: igmp drop on wifi0 (error, handle), output policy drop (error), data drops conditional (warning)', async () => {
  const snap: FirewallSnapshot = { nft: JSON.parse(fixture('nft-ruleset.json')), unreadable: [] };
  const rep = await checkFirewall({ snapshot: async () => snap }, ['wired0', 'wifi0']);
  const igmpIn = rep.findings.find((f) => f.id === 'FIREWALL_DROPS_IGMP' && f.iface === 'wifi0' && /IGMP queries/.test(f.message));
  assert.equal(igmpIn?.severity, 'error');
  assert.match(igmpIn?.message ?? '', /nft inet filter input handle 2/);
  assert.match(igmpIn?.fix ?? '', /nft insert rule inet filter input position 2 meta l4proto igmp accept/);
  const out =
    rep.findings.find((f) => f.id === 'FIREWALL_DROPS_IGMP' && /reports leaving/.test(f.message) && /policy drop/.test(f.message));
  assert.equal(out?.severity, 'error');
  const data = rep.findings.filter((f) => f.id === 'FIREWALL_DROPS_MULTICAST');
  assert.ok(data.length >= 2 && data.every((f) => f.severity === 'warning'), JSON.stringify(data.map((f) => f.message)));
  assert.ok(!rep.findings.some((f) => /MLD queries arriving/.test(f.message)), 'the opaque icmp6 match without save text decides nothing');
});

test('legacy iptables-save recorded on this kernel: OUTPUT -o wired0 -p igmp DROP', async () => {
  const rep = await checkFirewall({ snapshot: async () => ({ legacy: { v4: fixture('iptables-legacy-save.txt') }, unreadable: [] }) },
    ['wired0', 'wifi0']);
  assert.deepEqual(rep.findings.map((f) => [f.id, f.iface, f.severity]), [['FIREWALL_DROPS_IGMP', 'wired0', 'error']]);
  assert.match(rep.findings[0]!.message, /iptables -t filter OUTPUT rule 1/);
  assert.equal(fateOf({ chains: parseIptablesSave(fixture('iptables-legacy-save.txt'), 'ip') }, igmpReport('wifi0')).verdict, 'accept');
});

test('nft refused (root without CAP_NET_ADMIN) beside an empty legacy ruleset: not readable, never "no blocking rule"', async () => {
  const refused = 'nft: Operation not permitted (you must be root)';
  const rep = await checkFirewall({ snapshot: async () => ({ legacy: {}, unreadable: [refused] }) }, ['wired0']);
  assert.equal(rep.readable, false);
  assert.deepEqual(rep.unreadable, [refused]);
  // nft simply absent (a legacy-only host): the legacy ruleset is the whole truth.
  const legacyOnly = await checkFirewall(
    { snapshot: async () => ({ legacy: { v4: fixture('iptables-legacy-save.txt') }, unreadable: ['nft: exit 127'] }) }, ['wired0']);
  assert.equal(legacyOnly.readable, true);
});

test('garbage rulesets yield nothing and never throw', async () => {
  for (const junk of [undefined, null, 42, 'x', { nftables: 'no' }, { nftables: [null, 1, { rule: { expr: 'x' } }, { chain: {} },
    { rule: { family: 'inet', table: 't', chain: 'c', expr: [null, { match: null }, { vmap: { key: 1, data: 2 } }] } }] }]) {
    const rep = await checkFirewall({ snapshot: async () => ({ nft: junk, unreadable: [] }) }, ['wired0']);
    assert.deepEqual(rep.findings, []);
  }
  assert.deepEqual(parseIptablesSave('-A\n-A X -j\n*\n:', 'ip').flatMap((c) => c.rules), []);
  assert.deepEqual(netfilterRpf({ unreadable: [] }).rules, []);
});
