// Every command's exit code from one function (core/exit.ts exitFor(findings, coverage)), and the
// checks the environment stopped counted as gaps (issue 15 item 2, issue 16): join-all and mesh
// without a capture (no IGMP watch: a stream's stop cannot be explained), rpfilter-audit --watch
// without the source capture, mesh-report over hosts that had such gaps. Built on FakeHost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHost } from '../helpers/fake-host.js';
import { startJoinAll, type JoinAllHooks } from '../../src/core/join-all/run.js';
import { startMesh } from '../../src/core/mesh/run.js';
import { parseGroupArgs } from '../../src/core/group-args.js';
import { EnvironmentError } from '../../src/core/errors.js';
import { exitFor } from '../../src/core/exit.js';
import { verdictOf, withInterruption, cutShort } from '../../src/core/coverage.js';
import { makeFinding } from '../../src/core/findings/catalog.js';
import { auditRpFilter } from '../../src/core/rpfilter-audit/audit.js';
import { loaders } from '../../src/host.js';
import { mergeMesh } from '../../src/core/mesh/merge.js';
import { reportCoverage, PAIRS_NAMED } from '../../src/core/mesh/report-findings.js';
import { simulateMesh, type SimHost } from '../helpers/mesh-sim.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const igmpOf = (group: string) => [2, 3].map((index) => ({ index, device: index === 2 ? 'wired0' : 'wifi0', count: 1, querier: 'V3',
  groups: [{ group, users: 1, timerRunning: false, timerTicks: 0, reporter: true }] }));
const igmp = igmpOf('239.1.1.1');
const hooks: JoinAllHooks = { joined: () => {}, stats: () => {} };
const noPcap = (): EnvironmentError =>
  new EnvironmentError('PCAP_MISSING', 'packet capture needs libpcap', { hint: 'apt-get install libpcap-dev; npm rebuild pcap' });

async function joinAllOver(host: FakeHost, group: string) {
  host.fakePlatform.state.igmp = igmp;
  const run = await startJoinAll(host.deps(),
    {
      groups: parseGroupArgs([group], { defaultPort: 5000 }),
      selection: {}, assumeSynced: false, intervalMs: 1000, durationMs: 30, expect: [],
    },
    hooks,
  );
  return run.done;
}

test('join-all without libpcap: the IGMP watch is a gap named with the fix, exit 3 (not 0); with libpcap: complete', async () => {
  const host = new FakeHost();
  host.captureError = noPcap();
  const out = await joinAllOver(host, '239.1.1.1');
  assert.deepEqual(out.coverage.notRun.map((n) => n.check), ['IGMP watch (why a stream stops)']);
  assert.match(out.coverage.notRun[0]!.reason, /no capture: packet capture needs libpcap/);
  assert.equal(out.coverage.notRun[0]!.remedy, 'apt-get install libpcap-dev; npm rebuild pcap');
  // Nothing arrived (a warning) and the watch did not run: incomplete, never "healthy".
  assert.equal(exitFor(out.findings, out.coverage), 3);
  assert.equal(verdictOf(out.findings, out.coverage), 'incomplete');
  const ok = await joinAllOver(new FakeHost(), '239.1.1.1');
  assert.deepEqual(ok.coverage.notRun, []);
  assert.equal(exitFor(ok.findings, ok.coverage), 0);
});

test('join-all: a capture that opens on one interface but not the other names that interface; IPv6 only asks for no watch', async () => {
  const host = new FakeHost();
  host.fakeCapture.failOn = { iface: 'wifi0',
    error: new EnvironmentError('PERMISSION', 'capturing on wifi0 needs CAP_NET_RAW', { hint: 'run as root' }) };
  const out = await joinAllOver(host, '239.1.1.1');
  assert.deepEqual(out.coverage.notRun.map((n) => `${n.check} | ${n.remedy}`), ['IGMP watch (why a stream stops) on wifi0 | run as root']);
  // IGMP is watched on IPv4 joins only: without one there is nothing the environment stopped.
  const v6 = new FakeHost();
  v6.captureError = noPcap();
  const six = await joinAllOver(v6, 'ff15::1');
  assert.deepEqual(six.coverage.notRun, []);
});

test('an error finding decides over a gap (exit 1); a signal adds its cut only where the command says the cut matters', () => {
  const gap = { notRun: [{ check: 'x', reason: 'y', remedy: 'z' }], interrupted: null };
  const err = makeFinding('NO_TRAFFIC', { message: 'm' });
  assert.equal(exitFor([err], gap), 1);
  const i = { signal: 'SIGTERM', afterMs: 1000, plannedMs: 5000 };
  assert.deepEqual(withInterruption(undefined, i).notRun, []);
  assert.equal(withInterruption(gap, i, (x) => cutShort('listen', x, '--timeout')).notRun.length, 2);
  assert.equal(withInterruption(gap, null, (x) => cutShort('listen', x, '--timeout')).notRun.length, 1);
});

test('mesh without libpcap: the document carries the gap; the verdict is no PASS and the code is 3', async () => {
  const host = new FakeHost();
  host.captureError = noPcap();
  (await host.platform()).state.igmp = igmpOf('239.255.77.1');
  const run = await startMesh(host.deps(), {
    group: parseGroupArgs(['239.255.77.1'], { defaultPort: 5000 })[0]!, selection: {}, rate: 50, ttl: 1, durationMs: 40,
    expectPeers: null, maxLossPct: 0, assumeSynced: false, intervalMs: 1000,
  }, { started: () => {}, tick: () => {} });
  const doc = await run.done;
  assert.deepEqual(doc.coverage?.notRun.map((n) => n.check), ['IGMP watch (why a stream stops)']);
  assert.equal(doc.verdict.pass, true, 'no error finding');
  assert.equal(exitFor(doc.findings, doc.coverage), 3);
  assertMatchesSchema('mesh.schema.json', JSON.parse(JSON.stringify({ ...doc })));
});

test('rpfilter-audit --watch without the source capture: drops counted, the naming is a gap with the fix', async () => {
  const host = new FakeHost();
  const p = await host.platform();
  p.state.netstat = { TcpExt: { IPReversePathFilter: 100 } };
  host.captureError = new EnvironmentError('PERMISSION', 'capturing on wired0 needs CAP_NET_RAW', { hint: 'run as root' });
  const a = await auditRpFilter({ platform: p, ...loaders(host, 'capture') }, {
    watchSeconds: 1,
    watchHooks: { sleep: async () => {} },
  });
  assert.deepEqual(a.coverage.notRun.map((n) => `${n.check} | ${n.remedy}`), ['dropped sources (capture during --watch) | run as root']);
  assert.equal(exitFor(a.findings, a.coverage), 3, 'no drop counted, but who would have been dropped was not seen');
  host.captureError = undefined;
  const full =
    await auditRpFilter({ platform: p, ...loaders(host, 'capture') }, { watchSeconds: 1, watchHooks: { sleep: async () => {} } });
  assert.deepEqual(full.coverage.notRun, []);
  // nft refusing for want of privilege hides its rules: a gap; a tool that is missing is not.
  const refused = await auditRpFilter({ platform: p,
    netfilter: async () => ({ tools: { nft: 'failed', ip6tables: 'missing' }, rules: [], errors: ['nft: Operation not permitted'] }) });
  assert.deepEqual(refused.coverage.notRun.map((n) => n.check), ['netfilter reverse-path rules']);
  const missing = await auditRpFilter(
    { platform: p, netfilter: async () => ({ tools: { nft: 'missing', ip6tables: 'missing' }, rules: [], errors: [] }) });
  assert.deepEqual(missing.coverage.notRun, []);
});

const hosts = (n: number): SimHost[] => Array.from({ length: n }, (_, i) => ({ name: `h${i}`, ifaces: { eth0: 'br1' } }));

test('mesh-report: failing pairs are one bounded MESH_PAIRS_FAILED (exit 1), other groups MESH_GROUPS_DIFFER, ' +
  'the hosts\' gaps its coverage', () => {
  const docs = simulateMesh({ hosts: hosts(3), durationS: 10, rate: 2, darkAfterS: { 'h1/eth0': 4 } });
  const load = docs.map((doc) => ({ file: `${doc.host.hostname}.json`, doc }));
  const rep = mergeMesh(load);
  assert.equal(rep.verdict.pass, false);
  const f = rep.findings.filter((x) => x.id === 'MESH_PAIRS_FAILED');
  assert.equal(f.length, 1);
  assert.equal(f[0]!.evidence.failedPairs, rep.verdict.failedPairs);
  assert.equal(exitFor(rep.findings, reportCoverage(load)), 1);
  const healthy = simulateMesh({ hosts: hosts(3), durationS: 10, rate: 2 }).map((doc) => ({ file: `${doc.host.hostname}.json`, doc }));
  const ok = mergeMesh(healthy);
  assert.deepEqual(ok.findings, []);
  assert.equal(exitFor(ok.findings, reportCoverage(healthy)), 0);
  // Two hosts ran without capture: one line naming both, exit 3.
  for (const d of healthy.slice(0, 2)) d.doc.coverage = {
    notRun: [{ check: 'IGMP watch (why a stream stops)', reason: 'no capture: no libpcap', remedy: 'install it' }], interrupted: null };
  const cov = reportCoverage(healthy);
  assert.deepEqual(cov.notRun.map((n) => n.check), ['IGMP watch (why a stream stops) on 2 hosts: h0, h1']);
  assert.equal(exitFor(ok.findings, cov), 3);
  const other = simulateMesh({ hosts: hosts(2), durationS: 10, rate: 2 });
  other[1]!.settings.group = '239.255.77.2';
  assert.ok(mergeMesh(other.map((doc) => ({ file: doc.host.hostname, doc }))).findings.some((x) => x.id === 'MESH_GROUPS_DIFFER'));
});

test('mesh-report: MESH_PAIRS_FAILED names at most the first 50 pairs and counts the rest', () => {
  const docs =
    simulateMesh({ hosts: hosts(9), durationS: 6, rate: 2, darkAfterS: Object.fromEntries(hosts(9).map((h) => [`${h.name}/eth0`, 2])) });
  const rep = mergeMesh(docs.map((doc) => ({ file: doc.host.hostname, doc })));
  const f = rep.findings.find((x) => x.id === 'MESH_PAIRS_FAILED')!;
  assert.equal(rep.verdict.failedPairs, 72);
  assert.equal((f.evidence.named as unknown[]).length, PAIRS_NAMED);
  assert.equal(f.evidence.notNamed, 72 - PAIRS_NAMED);
});
