import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { auditRpFilter } from '../../src/core/rpfilter-audit/audit.js';
import { parseSourceSpec, parseSourceSpecs } from '../../src/core/rpfilter-audit/sources.js';
import { readRpfCounter } from '../../src/core/rpfilter-audit/watch.js';
import { UsageError, EnvironmentError } from '../../src/core/errors.js';
import { exitFor } from '../../src/core/exit.js';
import { Output } from '../../src/render/output.js';
import { renderRpfAudit } from '../../src/render/rpfilter-audit.js';
import type { NetfilterRpfReport } from '../../src/core/firewall/rpfilter-rules.js';
import type { RouteGetResult } from '../../src/platform/types.js';
import { FakePlatform, laptopState, type FakeState } from '../helpers/fake-platform.js';
import { assertSilent } from '../helpers/silent.js';
import { assertMatchesSchema } from '../helpers/schema.js';

// What the kernel answered in the laptop lab (test/lab/rpfilter-audit.lab.test.ts checks the
// same cases live): 198.19.5.5 routes back out of wired0 (default route), so with strict mode
// on wifi0 the lookup "from 198.19.5.5 iif wifi0" fails.
const EINVAL: RouteGetResult = { ok: false, error: 'RTNETLINK answers: Invalid argument' };
const MC: RouteGetResult = { ok: true, type: 'multicast', dev: 'lo', raw: {} };
const viaWired: RouteGetResult = { ok: true, dev: 'wired0', gateway: '198.18.1.1', raw: {} };
const onWifi: RouteGetResult = { ok: true, dev: 'wifi0', raw: {} };

function strictWifi(over: Partial<FakeState> = {}): FakePlatform {
  return new FakePlatform(laptopState({
    sysctls: { 'net.ipv4.conf.wifi0.rp_filter': '1' },
    routes: {
      '224.0.0.1 198.19.5.5 wifi0': EINVAL,
      '224.0.0.1 198.19.5.5 wired0': MC,
      '198.19.5.5  ': viaWired,
      '224.0.0.1 198.18.2.7 wifi0': MC,
      '224.0.0.1 198.18.2.7 wired0': EINVAL,
      '198.18.2.7  ': onWifi,
    },
    ...over,
  }));
}

test('source specs: S and S,G parse; bad input is a UsageError naming the flag', () => {
  assert.deepEqual(parseSourceSpec('198.19.5.5'), { source: '198.19.5.5' });
  assert.deepEqual(parseSourceSpec('198.19.5.5,239.1.1.1'), { source: '198.19.5.5', group: '239.1.1.1' });
  assert.deepEqual(parseSourceSpecs(['198.19.5.5', '198.19.5.5', '198.19.5.6']).map((s) => s.source), ['198.19.5.5', '198.19.5.6']);
  for (const bad of ['1.2.3', 'host.example', '239.1.1.1', '0.0.0.0', '198.19.5.5,198.18.1.1', '198.19.5.5,239.1.1.1,x', 'fd00::1',
    ',239.1.1.1']) {
    assert.throws(() => parseSourceSpec(bad), (e: unknown) => e instanceof UsageError && e.message.startsWith(`--source ${bad}:`), bad);
  }
});

test('--watch seconds: positive and bounded (declared in the command, checked by commands/flags.ts)', async () => {
  const { checkFlags } = await import('../../src/commands/flags.js');
  const { rpfilterFlags } = await import('../../src/commands/rpfilter-audit.js');
  for (const ok of [3, 0.5, 3600]) checkFlags(rpfilterFlags, { watch: ok });
  for (const bad of [0, -1, NaN, 3601, Infinity]) assert.throws(() => checkFlags(rpfilterFlags, { watch: bad }), UsageError, String(bad));
});

test('configuration per interface: effective mode is max(all, iface); src_valid_mark and accept_local are OR', async () => {
  const p = new FakePlatform(laptopState({ sysctls: {
    'net.ipv4.conf.all.rp_filter': '2', 'net.ipv4.conf.wifi0.rp_filter': '1', 'net.ipv4.conf.default.rp_filter': '1',
    'net.ipv4.conf.all.src_valid_mark': '1', 'net.ipv4.conf.wired0.accept_local': '1',
  } }));
  const a = await assertSilent(() => auditRpFilter({ platform: p }));
  const wifi = a.interfaces.find((i) => i.name === 'wifi0')!;
  const wired = a.interfaces.find((i) => i.name === 'wired0')!;
  assert.deepEqual(wifi.rpFilter, { all: 2, default: 1, iface: 1, effective: 2, mode: 'loose' });
  assert.deepEqual(wifi.srcValidMark, { all: 1, iface: 0, effective: true });
  assert.equal(wifi.acceptLocal.effective, false);
  assert.equal(wired.acceptLocal.effective, true);
  assert.equal(wired.defaultRoute, true);
  assert.deepEqual(wired.prefixes, ['198.18.1.0/24']);
  assert.equal(a.interfaces.some((i) => i.name === 'lo'), false, 'loopback is left out');
  assert.deepEqual(a.conf.default, { rpFilter: 1, srcValidMark: 0, acceptLocal: 0 });
  assert.deepEqual(a.uplinks, ['wired0', 'wifi0']);
  assert.deepEqual(a.findings, [], 'loose everywhere: nothing to say');
});

test('strict on a multi-homed host: RPF_STRICT_MULTIHOMED on each strict uplink, with the sysctl', async () => {
  const p = new FakePlatform(laptopState({ sysctls: { 'net.ipv4.conf.all.rp_filter': '1', 'net.ipv4.conf.wired0.rp_filter': '2' } }));
  const a = await auditRpFilter({ platform: p });
  const f = a.findings.filter((x) => x.id === 'RPF_STRICT_MULTIHOMED');
  assert.deepEqual(f.map((x) => x.iface), ['wifi0']);
  assert.equal(f[0]!.severity, 'warning');
  assert.match(f[0]!.fix, /^sysctl -w net\.ipv4\.conf\.wifi0\.rp_filter=2 /);
  assert.match(f[0]!.message, /conf\.all\.rp_filter=1/);
  assert.equal(exitFor(a.findings), 0, 'a warning alone exits 0');
});

test('strict on a single-homed host is not a warning', async () => {
  const state = laptopState({ sysctls: { 'net.ipv4.conf.all.rp_filter': '1' } });
  state.interfaces = state.interfaces.filter((i) => i.name !== 'wifi0');
  const a = await auditRpFilter({ platform: new FakePlatform(state) });
  assert.equal(a.multihomed, false);
  assert.deepEqual(a.findings, []);
});

test('an off-subnet source on the strict non-default uplink: RPF_WOULD_DROP with both exact fixes', async () => {
  const a = await auditRpFilter({ platform: strictWifi() }, { sources: [{ source: '198.19.5.5' }] });
  assert.deepEqual(a.checks.map((c) => [c.iface, c.accepted]), [['wired0', true], ['wifi0', false]]);
  const c = a.checks.find((x) => x.iface === 'wifi0')!;
  assert.equal(c.reason, 'strict-route-elsewhere');
  assert.equal(c.routeBackDev, 'wired0');
  assert.deepEqual(c.fixes, ['sysctl -w net.ipv4.conf.wifi0.rp_filter=2', 'ip route add 198.19.5.5/32 dev wifi0']);
  assert.equal(c.confirm, 'ip route get 224.0.0.1 from 198.19.5.5 iif wifi0');
  const f = a.findings.find((x) => x.id === 'RPF_WOULD_DROP')!;
  assert.equal(f.severity, 'error');
  assert.equal(f.iface, 'wifi0');
  assert.equal(f.source, '198.19.5.5');
  assert.match(f.message, /leaves by wired0/);
  assert.match(f.fix, /sysctl -w net\.ipv4\.conf\.wifi0\.rp_filter=2 .*or.*ip route add 198\.19\.5\.5\/32 dev wifi0.*<= 2/);
  assert.equal(exitFor(a.findings), 1);
});

test('the route fix names the router when the interface has a default gateway', async () => {
  const p = strictWifi({ defaultRoutes:
    [{ family: 4, dev: 'wired0', gateway: '198.18.1.1' }, { family: 4, dev: 'wifi0', gateway: '198.18.2.1', metric: 600 }] });
  const a = await auditRpFilter({ platform: p }, { sources: [{ source: '198.19.5.5' }], selection: { include: ['wifi0'] } });
  assert.deepEqual(a.checks[0]!.fixes,
    ['sysctl -w net.ipv4.conf.wifi0.rp_filter=2', 'ip route add 198.19.5.5/32 via 198.18.2.1 dev wifi0']);
});

test('an on-subnet source is accepted on its interface; refused elsewhere only as info unless that interface was named', async () => {
  const a = await auditRpFilter({ platform: strictWifi({ sysctls: { 'net.ipv4.conf.all.rp_filter': '1' } }) },
    { sources: [{ source: '198.18.2.7' }] });
  assert.equal(a.checks.find((c) => c.iface === 'wifi0')!.accepted, true);
  const wired = a.checks.find((c) => c.iface === 'wired0')!;
  assert.equal(wired.accepted, false);
  assert.equal(wired.onSubnetOf, 'wifi0');
  const drop = a.findings.find((f) => f.id === 'RPF_WOULD_DROP')!;
  assert.equal(drop.severity, 'info');
  assert.match(drop.message, /spoofed or mis-cabled/);
  assert.equal(exitFor(a.findings), 0);
  const named = await auditRpFilter({ platform: strictWifi({ sysctls: { 'net.ipv4.conf.all.rp_filter': '1' } }) },
    { sources: [{ source: '198.18.2.7' }], selection: { include: ['wired0'] } });
  assert.equal(named.findings.find((f) => f.id === 'RPF_WOULD_DROP')!.severity, 'error');
});

test('no route back at all: loose mode drops too, and the fix is a route (PITFALLS.md)', async () => {
  const p = new FakePlatform(laptopState({
    defaultRoutes: [],
    sysctls: { 'net.ipv4.conf.wifi0.rp_filter': '2' },
    routes: { '224.0.0.1 198.19.5.5 wifi0': EINVAL, '198.19.5.5  ': { ok: false, error: 'RTNETLINK answers: Network is unreachable' } },
  }));
  const a = await auditRpFilter({ platform: p }, { sources: [{ source: '198.19.5.5' }], selection: { include: ['wifi0'] } });
  const c = a.checks[0]!;
  assert.equal(c.mode, 'loose');
  assert.equal(c.reason, 'no-route-back');
  assert.equal(c.fixes[0], 'ip route add 198.19.5.5/32 dev wifi0');
  assert.ok(!c.fixes.includes('sysctl -w net.ipv4.conf.wifi0.rp_filter=2'), 'loose mode would not help');
  assert.match(a.findings[0]!.message, /no route back to 198\.19\.5\.5 at all.*loose mode/);
});

test('S,G: the group lookup tells "not joined here" apart from the reverse-path verdict', async () => {
  const p = strictWifi();
  p.state.routes!['239.1.1.1 198.19.5.5 wired0'] = EINVAL;
  p.state.routes!['239.1.1.1 198.19.5.5 wifi0'] = EINVAL;
  const a = await auditRpFilter({ platform: p }, { sources: [{ source: '198.19.5.5', group: '239.1.1.1' }] });
  const wired = a.checks.find((c) => c.iface === 'wired0')!;
  assert.equal(wired.accepted, true, 'the reverse-path verdict comes from 224.0.0.1, which every host has joined');
  assert.equal(wired.groupAccepted, false);
  assert.equal(a.findings.filter((f) => f.id === 'RPF_WOULD_DROP').length, 1);
  assert.equal(a.findings.find((f) => f.id === 'RPF_WOULD_DROP')!.group, '239.1.1.1');
});

test('--watch: the counter delta becomes RPF_DROPS_SEEN; no delta, no finding', async () => {
  const p = strictWifi({ netstat: { TcpExt: { IPReversePathFilter: 7 } } });
  const ticks: number[] = [];
  const a = await assertSilent(() => auditRpFilter({ platform: p }, {
    watchSeconds: 3,
    watchHooks: {
      sleep: async () => {
        p.state.netstat = { TcpExt: { IPReversePathFilter: (p.state.netstat?.TcpExt?.IPReversePathFilter ?? 0) + 9 } };
      },
      onTick: (_left, drops) => ticks.push(drops),
    },
  }));
  assert.deepEqual(a.watch, { seconds: 3, before: 7, after: 34, drops: 27, captured: false });
  assert.deepEqual(ticks, [9, 18, 27]);
  const f = a.findings.find((x) => x.id === 'RPF_DROPS_SEEN')!;
  assert.equal(f.severity, 'error');
  assert.match(f.message, /dropped 27 packets .*7 -> 34/);
  const quiet = await auditRpFilter(
    { platform: new FakePlatform(laptopState({ netstat: { TcpExt: { IPReversePathFilter: 5 } } })) },
    { watchSeconds: 1, watchHooks: { sleep: async () => {} } },
  );
  assert.equal(quiet.watch!.drops, 0);
  assert.deepEqual(quiet.findings, []);
});

test('--watch without the counter is an environment error', async () => {
  await assert.rejects(readRpfCounter(new FakePlatform(laptopState())), EnvironmentError);
});

const ip6Rule: NetfilterRpfReport = {
  tools: { nft: 'ok', ip6tables: 'missing' },
  rules: [{ tool: 'nft', family: 'ip6', table: 'raw6', chain: 'pre', rule: 'fib saddr . iif oif drop', packets: 3 }],
  errors: [],
};
const noRules: NetfilterRpfReport = { tools: { nft: 'missing', ip6tables: 'missing' }, rules: [], errors: [] };

test('IPv6: one info per interface with -6; without -6 only when a netfilter rule is loaded', async () => {
  const six = await auditRpFilter({ platform: strictWifi(), netfilter: async () => noRules }, { family: 6 });
  assert.deepEqual(six.findings.map((f) => `${f.id}:${f.iface}:${f.severity}`),
    ['IPV6_NO_RPFILTER:wired0:info', 'IPV6_NO_RPFILTER:wifi0:info']);
  assert.match(six.findings[0]!.message, /no netfilter rpfilter/);
  const quiet = await auditRpFilter({ platform: new FakePlatform(laptopState()), netfilter: async () => noRules }, {});
  assert.deepEqual(quiet.findings, [], 'missing tools and no rule: healthy output stays quiet');
  const unread: NetfilterRpfReport =
    { tools: { nft: 'failed', ip6tables: 'failed' }, rules: [], errors: ['nft: Operation not permitted (you must be root)'] };
  const blind = await auditRpFilter({ platform: new FakePlatform(laptopState()), netfilter: async () => unread }, { family: 6 });
  assert.match(blind.findings[0]!.message,
    /could not be read \(nft: Operation not permitted \(you must be root\)\), so an rpfilter\/fib saddr rule may still be loaded/);
  const ruled = await auditRpFilter({ platform: new FakePlatform(laptopState()), netfilter: async () => ip6Rule }, {});
  assert.equal(ruled.findings.length, 1);
  assert.match(ruled.findings[0]!.message,
    /1 netfilter rule filters by reverse path instead: nft ip6 raw6\/pre: fib saddr \. iif oif drop \[3 pkts\]/);
  assert.equal(ruled.interfaces[0]!.ipv6.netfilterRules, 1);
});

function capture(): { out: Output; text: () => string } {
  let buf = '';
  const w = new Writable({ write(chunk, _enc, cb) { buf += String(chunk); cb(); } });
  return { out: new Output({ json: true, color: false, quiet: false, verbose: false }, w, w), text: () => buf };
}

test('the JSON document matches docs/schemas/rpfilter-audit.schema.json', async () => {
  const p = strictWifi({ netstat: { TcpExt: { IPReversePathFilter: 0 } } });
  const a = await auditRpFilter({ platform: p, netfilter: async () => ip6Rule }, {
    sources: [{ source: '198.19.5.5', group: '239.1.1.1' }, { source: '198.18.2.7' }],
    watchSeconds: 1,
    watchHooks: { sleep: async () => { p.state.netstat = { TcpExt: { IPReversePathFilter: 4 } }; } },
  });
  const c = capture();
  renderRpfAudit(a, c.out);
  const doc = JSON.parse(c.text()) as Record<string, unknown>;
  assertMatchesSchema('rpfilter-audit.schema.json', doc);
  assert.equal(doc.command, 'rpfilter-audit');
  assert.deepEqual((doc.findings as Array<{ id: string }>).map((f) => f.id).sort(),
    ['IPV6_NO_RPFILTER', 'RPF_DROPS_SEEN', 'RPF_STRICT_MULTIHOMED', 'RPF_WOULD_DROP', 'RPF_WOULD_DROP']);
});

test('human output: configuration, checks, watch and netfilter sections, in that order, then the findings', async () => {
  const p = strictWifi({ netstat: { TcpExt: { IPReversePathFilter: 0 } } });
  const nf: NetfilterRpfReport = { ...ip6Rule, errors: ['iptables: Permission denied (you must be root)'] };
  const a = await auditRpFilter({ platform: p, netfilter: async () => nf }, {
    sources: [{ source: '198.19.5.5', group: '239.1.1.1' }],
    watchSeconds: 1,
    watchHooks: { sleep: async () => { p.state.netstat = { TcpExt: { IPReversePathFilter: 4 } }; } },
  });
  let buf = '';
  const w = new Writable({ write(chunk, _enc, cb) { buf += String(chunk); cb(); } });
  renderRpfAudit(a, new Output({ json: false, color: false, quiet: false, verbose: true }, w, w));
  const order = [
    'conf.all: rp_filter=0', 'uplinks (up, global IPv4): wired0, wifi0 -> multi-homed', 'rp_filter (all/if)',
    '198.19.5.5', 'DROP', "The verdict is the kernel's: ip route get 224.0.0.1 from SOURCE iif IFACE",
    'reverse-path drops in 1 s: 4 (TcpExt IPReversePathFilter 0 -> 4)',
    'netfilter reverse-path rules:', '  nft ip6 raw6/pre: fib saddr . iif oif drop [3 pkts]',
    'netfilter ruleset unreadable: iptables: Permission denied (you must be root)',
    'RPF_STRICT_MULTIHOMED',
  ];
  let at = 0;
  for (const part of order) {
    const i = buf.indexOf(part, at);
    assert.ok(i >= 0, `'${part}' after offset ${at} in:\n${buf}`);
    at = i + part.length;
  }
});
