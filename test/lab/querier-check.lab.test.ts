// querier-check listening, with the kernel as the oracle: queries crafted from a peer namespace
// (scripts/lab/send-query.py), a host process holding a membership so that there is something
// to report, tcpdump on the peer to see whether the host answered, and a snooping bridge whose
// querier the host ignores ("works, then stops").
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, labSkipReason, sleep } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { sendQueries, type QueryOptions } from '../helpers/igmp-query.js';
import { buildQuerierBridge, listenWhile, sendStream, startMember } from '../helpers/querier-lab.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping querier-check lab tests: ${skip}`);

const OFF = '198.19.7.1';
const GROUP = '239.1.2.3';
const LISTEN_S = '4';

interface Finding { id: string; severity: string; iface?: string; source?: string; evidence: Record<string, any> }
interface Doc { interfaces: Array<{ name: string; igmp?: any; mld?: any }>; findings: Finding[]; counters: any; expect?: any }

function parse(stdout: string): Doc {
  const doc = JSON.parse(stdout) as Doc;
  assertMatchesSchema('querier-check.schema.json', doc);
  return doc;
}

const ids = (d: Doc): string[] => d.findings.map((f) => `${f.id}${f.iface ? ` ${f.iface}` : ''}`).sort();

describe('querier-check on the laptop lab (rp_filter 1 unless said)', { skip }, () => {
  let lp: Laptop;
  let hostLl = '';
  before(async () => {
    lp = await buildLaptop();
    hostLl = (await lp.lab.ip('host', '-6', 'addr', 'show', 'dev', 'wifi0', 'scope', 'link')).match(/inet6 (fe80::[0-9a-f:]+)/)?.[1] ??
      'fe80::none';
    await lp.lab.sysctl('host', 'net.ipv4.conf.all.rp_filter', 1);
    // Something to report on wifi0: a process in host holds a membership for the whole suite.
    await startMember(lp.lab, 'host', { group: GROUP, ifaddr: lp.addr.hostWifi, port: 5001, seconds: 110, earlyS: 0, lateS: 999 });
    // Let the join's unsolicited reports go out first (IGMPv3: robustness 2, the second within
    // unsolicited_report_interval = 1 s; MLDv2 the same): one landing after the first query of
    // the first test would read as an answer (seen once in CI, answered 'yes').
    await sleep(3000);
  });
  after(async () => { await lp?.lab.destroy(); });

  /**
   * Listen while the peer sends the given queries; also returns the host's reports tcpdump saw
   * after the first query (IGMP from its wifi0 address, MLD from its link-local address).
   * Every query asks for answers within 0.5 s, so that late answers never spill into the next test.
   */
  const run = async (args: string[], queries: QueryOptions[],
    peer = 'peer-b'): Promise<{ code: number; doc: Doc; hostReports: string[]; hostReports6: string[]; stderr: string }> => {
    const td = await lp.lab.tcpdump(peer, 'eth0', ['igmp or ip6'], ['-tt']);
    const r = await listenWhile(lp.lab, 'host', ['querier-check', '--timeout', LISTEN_S, '--json', ...args], async () => {
      for (const q of queries) await sendQueries(lp.lab, peer, { maxResp: q.mld ? 500 : 5, ...q });
    });
    const lines = await td.stop();
    const firstQuery = lines.findIndex((l) => /query/.test(l));
    const reports = lines.slice(Math.max(0, firstQuery)).filter((l) => /report/.test(l));
    const v6 = queries.every((q) => q.mld);
    const hostReports = reports.filter((l) => l.includes(`${v6 ? hostLl : lp.addr.hostWifi} >`));
    return { code: r.code, doc: parse(r.stdout), hostReports, hostReports6: reports.filter((l) => l.includes(`${hostLl} >`)),
      stderr: r.stderr };
  };

  test('IGMPv2 and v3 queries from an off-subnet address routed back via wired0: ' +
    'QUERIER_RPF_DROP, exit 1, the host never reports', async () => {
    const { code, doc, hostReports } = await run(['-4', '--iface', 'wifi0'], [
      { iface: 'eth0', source: OFF, version: 2, count: 2, intervalS: 0.5, maxResp: 5 },
      { iface: 'eth0', source: OFF, version: 3, count: 2, intervalS: 0.5, maxResp: 5 },
    ]);
    assert.equal(code, 1);
    assert.deepEqual(ids(doc), ['QUERIER_OFF_SUBNET wifi0', 'QUERIER_RPF_DROP wifi0']);
    const drop = doc.findings.find((f) => f.id === 'QUERIER_RPF_DROP')!;
    assert.equal(drop.source, OFF);
    // Every query the tool heard was dropped by the kernel's reverse-path check (on a loaded
    // machine the last of the four may fall after the listening window: then 3 heard, 3 counted).
    assert.ok(drop.evidence.queries >= 2, JSON.stringify(drop.evidence));
    assert.ok(drop.evidence.ipReversePathFilter.delta >= drop.evidence.queries, JSON.stringify(drop.evidence));
    assert.equal(drop.evidence.rpf.routeBackDev, 'wired0');
    assert.equal(drop.evidence.querierVersionAfter, 'V3', 'the dropped v2 queries did not flip the host to v2');
    const igmp = doc.interfaces.find((i) => i.name === 'wifi0')!.igmp;
    assert.deepEqual(igmp.queriers[0].versions.sort(), [2, 3]);
    assert.equal(igmp.answered, 'no');
    assert.deepEqual(hostReports, [], 'tcpdump on peer-b: no report from the host after the queries');
    assert.equal(doc.interfaces.length, 1, '--iface wifi0 only');
  });

  test('from the peer\'s own address it is healthy, exit 0, the host reports; --expect met; MLD link-local heard too', async () => {
    const ll = (await lp.lab.ip('peer-b', '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'link')).match(/inet6 (fe80::[0-9a-f:]+)/)?.[1];
    assert.ok(ll);
    const { code, doc, hostReports, hostReports6 } = await run(['--iface', 'wifi0', '--expect', lp.addr.peerB], [
      { iface: 'eth0', source: lp.addr.peerB, version: 3, count: 2, intervalS: 1, maxResp: 5 },
      { iface: 'eth0', source: ll, mld: true, version: 2, count: 1, maxResp: 500 },
    ]);
    assert.equal(code, 0, JSON.stringify(doc.findings));
    assert.deepEqual(doc.findings, []);
    const wifi = doc.interfaces[0]!;
    assert.equal(wifi.igmp.elected, lp.addr.peerB);
    assert.equal(wifi.igmp.answered, 'yes');
    assert.equal(wifi.igmp.queriers[0].observedIntervalS >= 0.9, true);
    assert.equal(wifi.igmp.queriers[0].qrv, 2);
    assert.equal(wifi.mld.elected, ll);
    assert.equal(doc.expect.met, true);
    assert.ok(hostReports.length > 0, 'tcpdump on peer-b: the host reported (IGMP)');
    assert.ok(hostReports6.length > 0, 'tcpdump on peer-b: the host reported (MLD)');
    assert.equal(wifi.mld.answered, 'yes');
  });

  test('rp_filter 2 accepts the off-subnet querier: off-subnet warning only, exit 0, the host reports', async () => {
    await lp.lab.sysctl('host', 'net.ipv4.conf.wifi0.rp_filter', 2);
    try {
      const { code, doc, hostReports } =
        await run(['-4', '--iface', 'wifi0'], [{ iface: 'eth0', source: OFF, version: 3, count: 2, intervalS: 1, maxResp: 5 }]);
      assert.equal(code, 0);
      assert.deepEqual(doc.findings.map((f) => [f.id, f.severity]), [['QUERIER_OFF_SUBNET', 'warning']]);
      assert.equal(doc.counters.ipReversePathFilter.delta, 0);
      assert.equal(doc.interfaces[0]!.igmp.answered, 'yes');
      assert.ok(hostReports.length > 0);
    } finally {
      await lp.lab.sysctl('host', 'net.ipv4.conf.wifi0.rp_filter', 0);
    }
  });

  test('no query at all on wifi0 while wired0 has a querier: NO_QUERIER on wifi0 only', async () => {
    const { code, doc } = await run(['-4', '--iface', 'wired0', '--iface', 'wifi0'],
      [{ iface: 'eth0', source: lp.addr.peerA, version: 3, count: 2, intervalS: 1 }], 'peer-a');
    assert.equal(code, 0, 'NO_QUERIER is a warning');
    assert.deepEqual(ids(doc), ['NO_QUERIER wifi0']);
    assert.equal(doc.interfaces.find((i) => i.name === 'wired0')!.igmp.elected, lp.addr.peerA);
  });

  test('two queriers: MULTIPLE_QUERIERS names the lower; --expect the higher fails with QUERIER_NOT_EXPECTED', async () => {
    const { code, doc } = await run(['-4', '--iface', 'wifi0', '--expect', '198.18.2.9'], [
      { iface: 'eth0', source: '198.18.2.9', version: 3, count: 2, intervalS: 0.5 },
      { iface: 'eth0', source: lp.addr.peerB, version: 3, count: 2, intervalS: 0.5 },
    ]);
    assert.equal(code, 1);
    assert.deepEqual(ids(doc), ['MULTIPLE_QUERIERS wifi0', 'QUERIER_NOT_EXPECTED wifi0']);
    assert.equal(doc.interfaces[0]!.igmp.elected, lp.addr.peerB);
  });

  test('MLD query from a global address: MLD_QUERIER_NOT_LINK_LOCAL, exit 1, the host ignores it', async () => {
    const { code, doc, hostReports } = await run(['-6', '--iface', 'wifi0'],
      [{ iface: 'eth0', source: lp.addr.peerB6, mld: true, version: 2, count: 2, intervalS: 0.5, maxResp: 500 }]);
    assert.equal(code, 1);
    assert.deepEqual(ids(doc), ['MLD_QUERIER_NOT_LINK_LOCAL wifi0']);
    assert.equal(doc.interfaces[0]!.mld.answered, 'no', JSON.stringify(doc.interfaces[0]!.mld));
    assert.deepEqual(hostReports, [], 'tcpdump on peer-b: no MLD report from the host');
  });

  // Last: accepted v1/v2 (MLDv1) queries keep the host in the old version for a while (PITFALLS.md).
  test('IGMPv2 from 0.0.0.0 and MLDv1: accepted (no reverse-path check), ' +
    'QUERIER_ZERO_SOURCE and a version mismatch per family', async () => {
    const ll = (await lp.lab.ip('peer-b', '-6', 'addr', 'show', 'dev', 'eth0', 'scope', 'link')).match(/inet6 (fe80::[0-9a-f:]+)/)?.[1];
    assert.ok(ll);
    const { code, doc, hostReports, hostReports6 } = await run(['--iface', 'wifi0'], [
      { iface: 'eth0', source: '0.0.0.0', version: 2, count: 2, intervalS: 1 },
      { iface: 'eth0', source: ll, mld: true, version: 1, count: 1 },
    ]);
    assert.equal(code, 0);
    assert.deepEqual(ids(doc), ['QUERIER_VERSION_MISMATCH wifi0', 'QUERIER_VERSION_MISMATCH wifi0', 'QUERIER_ZERO_SOURCE wifi0']);
    const igmp = doc.findings.find((f) => f.id === 'QUERIER_VERSION_MISMATCH' && f.evidence.hostVersion === 3)!;
    assert.equal(igmp.evidence.querierVersionAfter, 'V2', '/proc/net/igmp followed the v2 querier');
    assert.ok(doc.findings.some((f) => f.id === 'QUERIER_VERSION_MISMATCH' && f.evidence.hostVersion === 2 &&
      f.evidence.queriers[0].address === ll), 'MLDv1 against the host\'s MLDv2');
    assert.equal(doc.counters.ipReversePathFilter.delta, 0);
    assert.ok(hostReports.length > 0, 'the host answered the 0.0.0.0 querier');
    assert.ok(hostReports6.some((l) => /listener report/.test(l)), 'the host answered the MLDv1 querier');
  });

  test('bad input exits 2', async () => {
    for (const args of [['--timeout', '0'], ['--expect', 'nope'], ['--planned', OFF, '--expect', OFF, '--iface', 'wifi0']]) {
      const r = await lp.lab.cli('host', ['querier-check', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    }
  });
});

describe('querier-check on a snooping bridge whose querier the strict-rp_filter host ignores', { skip }, () => {
  /** Member on lan0 for 14 s while src streams 20 packets/s; querier-check listens meanwhile. */
  const scenario = async (querierCidr: string, expect: string): Promise<{
    counts: { early: number; late: number; total: number; lastAtS: number };
    code: number;
    doc: Doc;
    planned: number;
    mdb: string;
  }> => {
    const lab = await Lab.create();
    try {
      await buildQuerierBridge(lab, querierCidr, { membershipCs: 300 });
      const querier = querierCidr.split('/')[0]!;
      const planned = (await lab.cli('host', ['querier-check', '--planned', querier, '--iface', 'lan0'])).code;
      // With a 3 s membership interval the stream stops 9.4-9.6 s after the join on this kernel
      // (seen in four runs; a CI run saw the last packet at 9.53 s): "late" starts at 11 s, and
      // the on-subnet case still has 3 s (60 packets) of late window.
      const member = await startMember(lab, 'host', { group: GROUP, ifaddr: '198.18.10.2', port: 5000, seconds: 14, earlyS: 3, lateS: 11 });
      const stream = sendStream(lab, 'src', GROUP, 5000, 280, 20);
      const r = await listenWhile(lab, 'host',
        ['querier-check', '-4', '--iface', 'lan0', '--timeout', LISTEN_S, '--json', '--expect', expect], async () => undefined);
      const [counts] = await Promise.all([member.counts, stream]);
      const mdb = (await lab.exec('sw', 'bridge', ['-s', 'mdb', 'show', 'dev', 'br0'])).stdout;
      return { counts, code: r.code, doc: parse(r.stdout), planned, mdb };
    } finally {
      await lab.destroy();
    }
  };

  test('off-subnet bridge querier: the stream reaches the member only until the membership times out; ' +
    'querier-check names the cause', async (t) => {
    const s = await scenario('198.19.10.1/24', '198.19.10.1');
    t.diagnostic(`member counts ${JSON.stringify(s.counts)}`);
    assert.ok(s.counts.early >= 20, `early ${JSON.stringify(s.counts)}`);
    assert.equal(s.counts.late, 0, `late ${JSON.stringify(s.counts)}`);
    assert.equal(s.code, 1);
    assert.equal(s.planned, 1, '--planned 198.19.10.1 --iface lan0 predicted it');
    const drop = s.doc.findings.find((f) => f.id === 'QUERIER_RPF_DROP');
    assert.equal(drop?.source, '198.19.10.1');
    assert.equal(drop?.evidence.rpf.routeBackDev, 'wan0');
    assert.ok(drop!.evidence.ipReversePathFilter.delta > 0);
    assert.equal(s.doc.expect.met, true, 'it is the elected querier, only the host ignores it');
    assert.ok(!s.mdb.includes(GROUP), `the MDB entry expired: ${s.mdb}`);
  });

  test('on-subnet bridge querier: the stream keeps flowing and querier-check is quiet', async () => {
    const s = await scenario('198.18.10.1/24', '198.18.10.1');
    assert.ok(s.counts.late >= 20, `late ${JSON.stringify(s.counts)}`);
    assert.equal(s.code, 0, JSON.stringify(s.doc.findings));
    assert.deepEqual(s.doc.findings, []);
    assert.equal(s.planned, 0);
    assert.equal(s.doc.interfaces[0]!.igmp.answered, 'yes');
  });
});
