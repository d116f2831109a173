import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { blockingNftRules } from '../../src/core/firewall/nft-rules.js';
import { blockingIptablesRules } from '../../src/core/firewall/iptables-save.js';
import { checkFirewall } from '../../src/core/firewall/check.js';
import type { FirewallSnapshot } from '../../src/platform/firewall.js';

const fixture = (n: string): string => readFileSync(path.join(REPO, 'fixtures', 'firewall', n), 'utf8');

test('nft ruleset recorded on this kernel: IGMP drop, multicast drops, MLD drop, drop policy', () => {
  const rules = blockingNftRules(JSON.parse(fixture('nft-ruleset.json')));
  const igmp = rules.find((r) => r.stops.includes('igmp') && r.verdict === 'drop');
  assert.equal(igmp?.iifname, 'wifi0');
  assert.equal(igmp?.hook, 'input');
  assert.equal(igmp?.packets, 0);
  assert.ok(rules.some((r) => r.stops.includes('multicast') && r.text.includes('inet')), 'ip daddr 239/8 drop');
  assert.ok(rules.some((r) => r.stops.includes('multicast') && r.verdict === 'reject'), 'iptables-nft REJECT to 239.1.1.1');
  assert.ok(rules.some((r) => r.stops.includes('mld') && r.family === 'ip6'), 'ip6tables icmpv6 130 drop');
  assert.ok(rules.some((r) => r.verdict === 'policy-drop' && r.hook === 'output'));
});

test('an accept rule for IGMP in a drop-policy chain clears the policy finding', () => {
  const ruleset = { nftables: [
    { chain: { family: 'inet', table: 'f', name: 'in', hook: 'input', policy: 'drop' } },
    { rule: { family: 'inet', table: 'f', chain: 'in', expr: [{ match: { op: '==', left: { meta: { key: 'l4proto' } }, right: 'igmp' } }, { accept: null }] } },
  ] };
  assert.deepEqual(blockingNftRules(ruleset), []);
});

test('iptables-legacy-save recorded on this kernel', () => {
  const [r] = blockingIptablesRules(fixture('iptables-legacy-save.txt'), 'ip');
  assert.deepEqual({ chain: r?.chain, hook: r?.hook, oif: r?.oifname, stops: r?.stops, verdict: r?.verdict }, { chain: 'OUTPUT', hook: 'output', oif: 'wired0', stops: ['igmp'], verdict: 'drop' });
});

test('garbage rulesets yield nothing and never throw', () => {
  for (const junk of [undefined, null, 42, 'x', { nftables: 'no' }, { nftables: [null, 1, { rule: { expr: 'x' } }, { rule: { expr: [null, { match: null }] } }] }]) {
    assert.deepEqual(blockingNftRules(junk), []);
  }
  assert.deepEqual(blockingIptablesRules('-A\n-A X -j\n*', 'ip'), []);
});

test('findings: IGMP drop is an error on its interface, policy drop a warning, forward rules ignored', async () => {
  const snap: FirewallSnapshot = { nft: JSON.parse(fixture('nft-ruleset.json')), unreadable: [] };
  const rep = await checkFirewall({ snapshot: async () => snap });
  const igmp = rep.findings.find((f) => f.id === 'FIREWALL_DROPS_IGMP' && f.iface === 'wifi0');
  assert.equal(igmp?.severity, 'error');
  assert.match(igmp?.fix ?? '', /nft insert rule inet filter input meta l4proto igmp accept/);
  assert.ok(rep.findings.some((f) => f.id === 'FIREWALL_DROPS_IGMP' && f.severity === 'warning'));
  assert.ok(rep.findings.some((f) => f.id === 'FIREWALL_DROPS_MULTICAST'));
  const onlyWired = await checkFirewall({ snapshot: async () => snap }, ['wired0']);
  assert.ok(!onlyWired.findings.some((f) => f.iface === 'wifi0'));
  const fwd = await checkFirewall({ snapshot: async () => ({ unreadable: [], nft: { nftables: [
    { chain: { family: 'inet', table: 'f', name: 'fw', hook: 'forward', policy: 'accept' } },
    { rule: { family: 'inet', table: 'f', chain: 'fw', expr: [{ match: { op: '==', left: { meta: { key: 'l4proto' } }, right: 'igmp' } }, { drop: null }] } },
  ] } }) });
  assert.deepEqual(fwd.findings, []);
});
