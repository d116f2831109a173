import { test } from 'node:test';
import assert from 'node:assert/strict';
import { querierFindings } from '../../src/core/querier-check/findings.js';
import type { FamilyReport, InterfaceReport, QuerierEntry, QuerierReport } from '../../src/core/querier-check/report.js';

function q(address: string, over: Partial<QuerierEntry> = {}): QuerierEntry {
  return {
    address, family: address.includes(':') ? 6 : 4, versions: [3], generalQueries: 3, groupSpecificQueries: 0, groups: [],
    firstSeenMs: 0, lastSeenMs: 2000, maxRespMs: 1000, routerAlert: true, ttl: 1, badChecksums: 0,
    onSubnet: true, zeroSource: false, elected: false, ...over,
  };
}

function fam(queriers: QuerierEntry[], over: Partial<FamilyReport> = {}): FamilyReport {
  const family = queriers[0]?.family ?? 4;
  return {
    family, queriers, host: { count: 0, versions: [], groups: [], queriesAnswered: 0, queriesDue: 3 },
    kernel: { forceVersion: 0, hostVersion: family === 4 ? 3 : 2, querierVersionBefore: 'V3', querierVersionAfter: 'V3' },
    answered: 'no', reportableGroups: ['239.1.2.3'], ...over,
  };
}

function iface(name: string, igmp?: FamilyReport, mld?: FamilyReport): InterfaceReport {
  const i: InterfaceReport = { name, index: 3, addresses: ['198.18.2.2/24'],
    rpFilter: { all: 1, default: 0, iface: 0, effective: 1, mode: 'strict' }, malformed: { count: 0, reasons: [] } };
  if (igmp) i.igmp = igmp;
  if (mld) i.mld = mld;
  return i;
}

function body(interfaces: InterfaceReport[], delta = 0, expect?: QuerierReport['expect']): Omit<QuerierReport, 'findings'> {
  const b: Omit<QuerierReport, 'findings'> = {
    startedAt: new Date(0).toISOString(), timeoutS: 5, durationS: 5.1,
    counters: { ipReversePathFilter: { before: 10, after: 10 + delta, delta } }, interfaces,
  };
  if (expect) b.expect = expect;
  return b;
}

const ids = (fs: ReturnType<typeof querierFindings>): string[] => fs.map((f) => f.id).sort();

test('an off-subnet querier the kernel refuses: RPF drop (error) with the counter delta, off-subnet warning', () => {
  const rpf = { accepted: false, error: 'RTNETLINK answers: Invalid argument', routeBackDev: 'wired0',
    command: 'ip route get 224.0.0.1 from 198.19.7.1 iif wifi0' };
  const f = querierFindings(body([iface('wifi0', fam([q('198.19.7.1', { onSubnet: false, rpf, versions: [2], elected: true })],
    { elected: '198.19.7.1', kernel: { forceVersion: 0, hostVersion: 3, querierVersionBefore: 'V3', querierVersionAfter: 'V3' } }))], 3));
  assert.deepEqual(ids(f), ['QUERIER_OFF_SUBNET', 'QUERIER_RPF_DROP'],
    'a dropped v2 querier is no version mismatch: the host never hears it');
  const drop = f.find((x) => x.id === 'QUERIER_RPF_DROP')!;
  assert.equal(drop.severity, 'error');
  assert.equal(drop.source, '198.19.7.1');
  assert.match(drop.message, /leaves by wired0; TcpExt IPReversePathFilter rose by 3 while 3 queries/);
  assert.deepEqual(drop.evidence.ipReversePathFilter, { before: 10, after: 13, delta: 3 });
  assert.match(drop.fix, /net\.ipv4\.conf\.wifi0\.rp_filter=2/);
});

test('without the counter rising the drop is still reported, and says it was not confirmed', () => {
  const rpf = { accepted: false, routeBackDev: 'wired0', command: 'x' };
  const f = querierFindings(body([iface('wifi0', fam([q('198.19.7.1', { onSubnet: false, rpf })]))], 0));
  assert.match(f.find((x) => x.id === 'QUERIER_RPF_DROP')!.message, /did not rise/);
});

test('nothing heard: NO_QUERIER on that interface and family only', () => {
  const heard =
    fam([q('198.18.1.1', { rpf: { accepted: true, command: 'x' }, elected: true })], { elected: '198.18.1.1', answered: 'yes' });
  const f = querierFindings(body([iface('wired0', heard), iface('wifi0', fam([]))]));
  assert.deepEqual(f.map((x) => [x.id, x.iface]), [['NO_QUERIER', 'wifi0']]);
  assert.match(f[0]!.explanation, /2 x query interval 125 s \+ response 10 s = 260 s/);
});

test('0.0.0.0 is info only, never off-subnet; several queriers name the winner', () => {
  const f = querierFindings(body([iface('br0', fam([q('0.0.0.0', { zeroSource: true, onSubnet: false }),
    q('198.18.2.1', { rpf: { accepted: true, command: 'x' }, elected: true })], { elected: '198.18.2.1' }))]));
  assert.deepEqual(ids(f), ['MULTIPLE_QUERIERS', 'QUERIER_ZERO_SOURCE']);
  assert.match(f.find((x) => x.id === 'MULTIPLE_QUERIERS')!.message, /198\.18\.2\.1 wins the election/);
});

test('an accepted IGMPv2 querier is a version mismatch naming the Querier column', () => {
  const f = querierFindings(body([iface('wifi0', fam([q('198.18.2.1', { versions: [2], rpf: { accepted: true, command: 'x' } })],
    { kernel: { forceVersion: 0, hostVersion: 3, querierVersionBefore: 'V3', querierVersionAfter: 'V2' } }))]));
  assert.deepEqual(ids(f), ['QUERIER_VERSION_MISMATCH']);
  assert.match(f[0]!.message, /Querier column: V2/);
});

test('a host pinned to IGMPv2 under a v3 querier is a mismatch with the sysctl to clear', () => {
  const f = querierFindings(body(
    [iface('wifi0', fam([q('198.18.2.1', { rpf: { accepted: true, command: 'x' } })], { kernel: { forceVersion: 2, hostVersion: 2 } }))]));
  assert.deepEqual(ids(f), ['QUERIER_VERSION_MISMATCH']);
  assert.equal(f[0]!.fix, 'sysctl -w net.ipv4.conf.wifi0.force_igmp_version=0');
});

test('MLD from a global address is ignored by hosts: error', () => {
  const f = querierFindings(body([iface('wifi0', undefined, fam([q('fd00:198:18:2::1', { linkLocal: false, onSubnet: false })]))]));
  assert.deepEqual(ids(f), ['MLD_QUERIER_NOT_LINK_LOCAL']);
  assert.equal(f[0]!.severity, 'error');
});

test('MLD queries the kernel ignores (hop limit, Router Alert): MLD_QUERY_IGNORED with the reasons and snmp6, never NO_QUERIER', () => {
  const bad = q('fe80::1', { linkLocal: true, ttl: 64, ignored: { queries: 3, reasons: ['hop limit 64, not 1'] } });
  const b = body([iface('wifi0', undefined, fam([bad]))]);
  b.counters.mld = { queriesIn: { before: 10, after: 13, delta: 3 }, reportsOut: { before: 4, after: 4, delta: 0 } };
  const f = querierFindings(b);
  assert.deepEqual(ids(f), ['MLD_QUERY_IGNORED']);
  assert.match(f[0]!.message, /hop limit 64, not 1.*Icmp6InGroupMembQueries \+3 while MLD reports sent \+0/);
  assert.equal(f[0]!.source, 'fe80::1');
});

test('a flood of querier sources: QUERIER_FLOOD with the count, the election called untrustworthy', () => {
  const many = Array.from({ length: 20 }, (_, k) => q(`198.18.2.${k + 10}`, { rpf: { accepted: true, command: 'x' } }));
  const f = querierFindings(
    body([iface('wifi0', fam(many, { elected: '198.18.2.10', queriersMore: { sources: 980, queries: 990, atLeast: false } }))]));
  const flood = f.find((x) => x.id === 'QUERIER_FLOOD');
  assert.ok(flood);
  assert.equal(flood.evidence.sources, 1000);
  assert.match(flood.message, /1000 distinct IGMP querier addresses.*cannot be trusted/);
  const multi = f.find((x) => x.id === 'MULTIPLE_QUERIERS')!;
  assert.ok(multi.message.length < 300, 'the message names the first few and how many more');
  const two = querierFindings(body([iface('wifi0', fam(many.slice(0, 2), { elected: '198.18.2.10' }))]));
  assert.equal(two.some((x) => x.id === 'QUERIER_FLOOD'), false);
});

test('--expect: one finding per interface where another querier won', () => {
  const heard = fam([q('198.18.2.1', { rpf: { accepted: true, command: 'x' }, elected: true })], { elected: '198.18.2.1' });
  const f = querierFindings(
    body([iface('wifi0', heard)], 0, { address: '198.18.2.9', met: false, electedOn: [{ iface: 'wifi0', elected: '198.18.2.1' }] }));
  assert.deepEqual(f.map((x) => [x.id, x.iface]), [['QUERIER_NOT_EXPECTED', 'wifi0']]);
  assert.match(f[0]!.message, /is 198\.18\.2\.1/);
  assert.deepEqual(querierFindings(
    body([iface('wifi0', heard)], 0, { address: '198.18.2.1', met: true, electedOn: [{ iface: 'wifi0', elected: '198.18.2.1' }] })), []);
});
