// doctor on the laptop lab: quiet when healthy, names each fault built into the lab.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { CLI, Lab, labSkipReason, readyLine, stopChild, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { sendQueriesInBackground } from '../helpers/igmp-query.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping doctor lab tests: ${skip}`);

describe('doctor on the laptop lab', { skip }, () => {
  let lp: Laptop;
  let tmp: string;
  before(async () => {
    lp = await buildLaptop();
    tmp = mkdtempSync(path.join(os.tmpdir(), 'mcd-doctor-'));
  });
  after(async () => {
    await lp?.lab.destroy();
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  const doctor = async (...extra: string[]) => {
    const r = await lp.lab.cli('host', ['doctor', '--json', '--querier-wait', '0', '--no-self-test', ...extra]);
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
    const doc = JSON.parse(r.stdout) as { verdict: string; findings: any[]; checks: any[] };
    assertMatchesSchema('doctor.schema.json', doc);
    return { code: r.code, doc };
  };

  /**
   * python3 in host: SETUP (its sockets bound and joined), then "ready". It lives until the test
   * ends it (stopChild, awaited): a holder on its own 8 s timer left in the middle of doctor on a
   * loaded machine (its socket listed, its owner gone: "owner not found"), and a killed one not
   * waited for could still hold its groups in the next test.
   */
  const holder = (setup: string): { child: ChildProcess; ready: Promise<string> } => {
    const child = lp.lab.spawn('host', 'python3',
      ['-c', `import socket,struct,time\n${setup}\nprint('ready',flush=True)\ntime.sleep(120)`]);
    return { child, ready: readyLine(child) };
  };

  /**
   * Resolves once peer-a's eth0 has sent 10 more packets: the stream flows before doctor's 5 s
   * listen opens (a sender still starting on a loaded machine left the window short). The sender
   * runs until the test ends it; its --duration is only a bound.
   */
  const streaming = async (): Promise<void> => {
    const sent = async (): Promise<number> =>
      Number((await lp.lab.exec('peer-a', 'cat', ['/sys/class/net/eth0/statistics/tx_packets'])).stdout);
    const before = await sent();
    assert.ok(await waitFor(async () => (await sent()) >= before + 10, 15_000), 'send-all on peer-a sent nothing');
  };

  test('a healthy two-uplink lab: exit 0, no error or warning finding', async () => {
    const { code, doc } = await doctor();
    assert.equal(code, 0);
    assert.deepEqual(doc.findings.filter((f) => f.severity !== 'info').map((f) => f.id), []);
    assert.equal(doc.verdict, 'healthy');
  });

  test('an nft rule dropping IGMP on wifi0 is named, with the fix, exit 1', async () => {
    await lp.lab.must('host', 'nft', ['add table inet mcdtest']);
    try {
      await lp.lab.must('host', 'nft', ['add chain inet mcdtest input { type filter hook input priority 0 ; policy accept ; }']);
      await lp.lab.must('host', 'nft', ['add rule inet mcdtest input iifname wifi0 meta l4proto igmp drop']);
      const { code, doc } = await doctor();
      assert.equal(code, 1);
      const f = doc.findings.find((x) => x.id === 'FIREWALL_DROPS_IGMP');
      assert.equal(f?.iface, 'wifi0');
      assert.equal(f?.severity, 'error');
      assert.match(f?.fix, /meta l4proto igmp accept/);
    } finally {
      await lp.lab.must('host', 'nft', ['delete table inet mcdtest']);
    }
  });

  test('strict rp_filter on a two-uplink host is named per uplink (warning, exit 0)', async () => {
    await lp.lab.sysctl('host', 'net.ipv4.conf.all.rp_filter', 1);
    try {
      const { code, doc } = await doctor();
      assert.equal(code, 0);
      const named = doc.findings.filter((f) => f.id === 'RPF_STRICT_MULTIHOMED').map((f) => f.iface).sort();
      assert.ok(named.includes('wifi0'), JSON.stringify(doc.findings));
      assert.equal(doc.checks.find((c) => c.id === 'rp_filter')?.status, 'warn');
    } finally {
      await lp.lab.sysctl('host', 'net.ipv4.conf.all.rp_filter', 0);
    }
  });

  test('an interface without MULTICAST is named', async () => {
    await lp.lab.ip('host', 'link', 'set', 'wifi0', 'multicast', 'off');
    try {
      const { doc } = await doctor();
      assert.ok(doc.findings.some((f) => f.id === 'IFACE_NO_MULTICAST' && f.iface === 'wifi0'));
    } finally {
      await lp.lab.ip('host', 'link', 'set', 'wifi0', 'multicast', 'on');
    }
  });

  test('two wildcard sockets on one port, each joined its own group: MULTICAST_ALL_LEAK names each with the other\'s group', async () => {
    // Two receivers as careless programs write them: bind 0.0.0.0:5000, join their own group.
    const script = (group: string): string => `s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)
s.bind(('0.0.0.0',5000))
s.setsockopt(socket.IPPROTO_IP,socket.IP_ADD_MEMBERSHIP,socket.inet_aton('${group}')+socket.inet_aton('198.18.1.2'))`;
    const a = holder(script('239.1.1.1'));
    const b = holder(script('239.1.1.2'));
    try {
      // Both bound and joined (the check waited for one group only, and a holder's own 8 s timer
      // could run out in the middle of doctor on a loaded machine).
      await Promise.all([a.ready, b.ready]);
      const { doc } = await doctor();
      // Each receives the other's group: one finding per receiving socket, naming the foreign group
      // (its own memberships read with getsockopt(MCAST_MSFILTER) on a pidfd_getfd duplicate).
      const f = doc.findings.filter((x) => x.id === 'MULTICAST_ALL_LEAK');
      assert.equal(f.length, 2, JSON.stringify(doc.findings));
      const byPid = new Map(f.map((x) => [x.evidence.owners[0].pid, x.evidence.foreign.map((g: { group: string }) => g.group)]));
      assert.deepEqual(byPid.get(a.child.pid), ['239.1.1.2']);
      assert.deepEqual(byPid.get(b.child.pid), ['239.1.1.1']);
      for (const x of f) assert.equal(x.evidence.port, 5000);
    } finally {
      await Promise.all([stopChild(a.child), stopChild(b.child)]);
    }
  });

  test('a join without an interface lands on the route\'s interface only: JOIN_ANY_INTERFACE names it; ' +
    'a join on both uplinks is not named', async () => {
    // INADDR_ANY: the kernel picks the interface the route to the group uses (wired0, the default).
    const any = holder(`s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
s.setsockopt(socket.IPPROTO_IP,socket.IP_ADD_MEMBERSHIP,socket.inet_aton('239.1.9.9')+socket.inet_aton('0.0.0.0'))`);
    // By index on both uplinks, as join-all does.
    const both = holder(`s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
for n in ('wired0','wifi0'):
    mreqn=socket.inet_aton('239.1.9.10')+socket.inet_aton('0.0.0.0')+struct.pack('i',socket.if_nametoindex(n))
    s.setsockopt(socket.IPPROTO_IP,socket.IP_ADD_MEMBERSHIP,mreqn)`);
    try {
      await Promise.all([any.ready, both.ready]);
      // The kernel's view: 239.1.9.9 (0909 01EF in /proc/net/igmp) on one interface, 239.1.9.10 (0A09 01EF) on both.
      const igmp = (await lp.lab.exec('host', 'cat', ['/proc/net/igmp'])).stdout;
      assert.equal((igmp.match(/090901EF/g) ?? []).length, 1, igmp);
      assert.equal((igmp.match(/0A0901EF/g) ?? []).length, 2, igmp);
      const { code, doc } = await doctor();
      assert.equal(code, 0, 'a warning, not an error');
      const f = doc.findings.filter((x) => x.id === 'JOIN_ANY_INTERFACE');
      assert.equal(f.length, 1, JSON.stringify(doc.findings.map((x) => [x.id, x.message])));
      assert.equal(f[0].iface, 'wired0');
      assert.equal(f[0].group, '239.1.9.9');
      assert.equal(f[0].severity, 'warning');
      assert.deepEqual(f[0].evidence.otherInterfaces, ['wifi0']);
      assert.match(f[0].fix, /ip route add 239\.1\.9\.9\/32 dev wifi0/);
    } finally {
      await Promise.all([stopChild(any.child), stopChild(both.child)]);
    }
  });

  test('--junit writes one testcase per check, failures for error findings; the XML parses', async () => {
    await lp.lab.must('host', 'nft', ['add table inet mcdtest']);
    const file = path.join(tmp, 'doctor.xml');
    try {
      await lp.lab.must('host', 'nft', ['add chain inet mcdtest output { type filter hook output priority 0 ; policy accept ; }']);
      await lp.lab.must('host', 'nft', ['add rule inet mcdtest output meta l4proto igmp drop']);
      const { doc } = await doctor('--junit', file);
      const parsed = await lp.lab.exec('host', 'python3', ['-c', `import xml.etree.ElementTree as ET
r=ET.parse('${file}').getroot()
cases=r.findall('.//testcase')
print(len(cases), sum(1 for c in cases if c.find('failure') is not None), ' '.join(c.get('name') for c in cases))`]);
      assert.equal(parsed.code, 0, parsed.stderr);
      const [n, failures, ...names] = parsed.stdout.trim().split(' ');
      assert.equal(Number(n), doc.checks.length);
      assert.equal(Number(failures), 1);
      assert.ok(names.includes('firewall'));
      assert.match(readFileSync(file, 'utf8'), /FIREWALL_DROPS_IGMP/);
    } finally {
      await lp.lab.must('host', 'nft', ['delete table inet mcdtest']);
    }
  });

  test('self-test on separate segments: every probe stays on its own link, no finding', async () => {
    const r = await lp.lab.cli('host', ['doctor', '--json', '--querier-wait', '0']);
    assert.ok(r.code === 0, r.stderr);
    const doc = JSON.parse(r.stdout);
    assertMatchesSchema('doctor.schema.json', doc);
    const st = doc.checks.find((c: any) => c.id === 'self-test');
    assert.equal(st.status, 'pass', JSON.stringify(st));
    assert.equal(st.details.matrix.length, 2);
    for (const m of st.details.matrix) for (const n of Object.values(m.heardOn)) assert.equal(n, 0);
    assert.deepEqual(st.details.sendResults.map((x: any) => [x.iface, x.sent]).sort(), [['wifi0', 20], ['wired0', 20]]);
  });

  test('self-test with both uplinks on one bridge: SHARED_SEGMENT names the pair', async () => {
    const lab = await Lab.create();
    try {
      await lab.addNs('host');
      await lab.addNs('sw');
      await lab.ip('sw', 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0');
      await lab.ip('sw', 'link', 'set', 'br0', 'up');
      for (const [i, up] of [[1, 'up1'], [2, 'up2']] as const) {
        await lab.veth('host', up, 'sw', `p${i}`);
        await lab.ip('sw', 'link', 'set', `p${i}`, 'master', 'br0');
        await lab.addr('host', up, `198.18.3${i}.2/24`);
      }
      const r = await lab.cli('host', ['doctor', '--json', '--querier-wait', '0']);
      assert.equal(r.code, 0, r.stderr);
      const f = JSON.parse(r.stdout).findings.find((x: any) => x.id === 'SHARED_SEGMENT');
      assert.ok(f, r.stdout);
      assert.equal(f.severity, 'info');
      assert.deepEqual(f.evidence.shared.map((x: any) => `${x.from}>${x.to}`).sort(), ['up1>up2', 'up2>up1']);
      assert.ok(f.evidence.shared.every((x: any) => x.n === 20), JSON.stringify(f.evidence));
    } finally {
      await lab.destroy();
    }
  });

  test('--expect-receive: a stream from peer-a passes; a group nobody sends fails with NO_TRAFFIC', async () => {
    const sender = lp.lab.spawn('peer-a', process.execPath, [CLI, 'send-all', '239.1.9.9', '--rate', '50', '--duration', '60', '--quiet']);
    try {
      await streaming();
      const r = await lp.lab.cli('host', ['doctor', '--json', '--querier-wait', '0', '--no-self-test',
        '--expect-receive', 'wired0:239.1.9.9', '--expect-receive', 'wifi0:239.1.9.8', '--max-loss', '5']);
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout);
      assertMatchesSchema('doctor.schema.json', doc);
      const rc = doc.checks.find((c: any) => c.id === 'receive');
      const got = rc.details.pairs.find((p: any) => p.iface === 'wired0');
      assert.ok(got.packets > 50, JSON.stringify(rc.details));
      assert.equal(got.lossPct, 0);
      assert.ok(doc.findings.some((f: any) => f.id === 'NO_TRAFFIC' && f.iface === 'wifi0' && f.group === '239.1.9.8'));
      assert.ok(!doc.findings.some((f: any) => f.iface === 'wired0' && f.severity === 'error'), JSON.stringify(doc.findings));
    } finally {
      await stopChild(sender);
    }
  });

  test('--expect-receive with 40 % of the stream dropped on the way: RECEIVE_LOSS above --max-loss, exit 1', async () => {
    // No netem in this kernel: peer-a's eth0 drops 4 of every 10 probes at its egress hook (nft
    // netdev, numgen), after send-all's sendmmsg succeeded (an output-chain drop is EPERM to the
    // sender), and the host's own firewall stays clean: only the loss is to be found.
    await lp.lab.must('peer-a', 'nft', ['add table netdev mcdloss']);
    try {
      await lp.lab.must('peer-a', 'nft',
        ['add chain netdev mcdloss egress { type filter hook egress device eth0 priority 0 ; policy accept ; }']);
      await lp.lab.must('peer-a', 'nft', ['add rule netdev mcdloss egress ip daddr 239.1.9.7 numgen inc mod 10 < 4 drop']);
      const sender =
        lp.lab.spawn('peer-a', process.execPath, [CLI, 'send-all', '239.1.9.7', '--rate', '50', '--duration', '60', '--quiet']);
      try {
        await streaming();
        const r = await lp.lab.cli('host',
          ['doctor', '--json', '--querier-wait', '0', '--no-self-test', '--expect-receive', 'wired0:239.1.9.7', '--max-loss', '5']);
        assert.equal(r.code, 1, r.stderr);
        const doc = JSON.parse(r.stdout);
        assertMatchesSchema('doctor.schema.json', doc);
        const f = doc.findings.filter((x: any) => x.id === 'RECEIVE_LOSS');
        assert.equal(f.length, 1, JSON.stringify(doc.findings.map((x: any) => [x.id, x.message])));
        assert.equal(f[0].iface, 'wired0');
        assert.equal(f[0].group, '239.1.9.7');
        assert.ok(f[0].evidence.lossPct > 30 && f[0].evidence.lossPct < 50, String(f[0].evidence.lossPct));
        assert.ok(!doc.findings.some((x: any) => x.id === 'NO_TRAFFIC'), 'it did arrive');
      } finally {
        await stopChild(sender);
      }
    } finally {
      await lp.lab.must('peer-a', 'nft', ['delete table netdev mcdloss']);
    }
  });

  test('an nft rule dropping UDP to 239.0.0.0/8 on input: FIREWALL_DROPS_MULTICAST with the fix', async () => {
    await lp.lab.must('host', 'nft', ['add table inet mcdmc']);
    try {
      await lp.lab.must('host', 'nft', ['add chain inet mcdmc input { type filter hook input priority 0 ; policy accept ; }']);
      await lp.lab.must('host', 'nft', ['add rule inet mcdmc input iifname wired0 ip daddr 239.0.0.0/8 udp dport 5000 drop']);
      const { doc } = await doctor();
      const f = doc.findings.filter((x) => x.id === 'FIREWALL_DROPS_MULTICAST');
      assert.equal(f.length, 1, JSON.stringify(doc.findings.map((x) => [x.id, x.message])));
      assert.equal(f[0].iface, 'wired0');
      assert.match(f[0].message, /drops multicast arriving on wired0/);
      assert.match(f[0].fix, /accept/);
      assert.ok(!doc.findings.some((x) => x.id === 'FIREWALL_DROPS_IGMP'), 'IGMP is not what the rule drops');
    } finally {
      await lp.lab.must('host', 'nft', ['delete table inet mcdmc']);
    }
  });

  test('strict rp_filter + off-subnet querier on wifi0: QUERIER_RPF_DROP, exit 1; ' +
    'a valid querier on wired0 meets --expect-querier', async () => {
    await lp.lab.sysctl('host', 'net.ipv4.conf.all.rp_filter', 1);
    // A process in host holds a group, so the host would have something to report.
    const member = holder(`s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)
for a in ('198.18.1.2','198.18.2.2'):
    s.setsockopt(socket.IPPROTO_IP,socket.IP_ADD_MEMBERSHIP,socket.inet_aton('239.1.2.3')+socket.inet_aton(a))`);
    try {
      await member.ready;
      const bad = sendQueriesInBackground(lp.lab, 'peer-b', { iface: 'eth0', source: '198.19.7.1', version: 3, count: 14, intervalS: 0.5 });
      const good =
        sendQueriesInBackground(lp.lab, 'peer-a', { iface: 'eth0', source: lp.addr.peerA, version: 3, count: 14, intervalS: 0.5 });
      const r = await lp.lab.cli('host',
        ['doctor', '--json', '--no-self-test', '--querier-wait', '5', '--expect-querier', `wired0=${lp.addr.peerA}`]);
      await Promise.all([bad, good]);
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout);
      assertMatchesSchema('doctor.schema.json', doc);
      const drop = doc.findings.find((f: any) => f.id === 'QUERIER_RPF_DROP');
      assert.ok(drop, JSON.stringify(doc.findings.map((f: any) => f.id)));
      assert.equal(drop.iface, 'wifi0');
      assert.equal(drop.source, '198.19.7.1');
      assert.ok(!doc.findings.some((f: any) => f.id === 'QUERIER_NOT_EXPECTED'), 'wired0 elected the expected querier');
      assert.ok(!doc.findings.some((f: any) => f.iface === 'wired0' && f.severity === 'error'));
      assert.equal(doc.checks.find((c: any) => c.id === 'querier').status, 'fail');
    } finally {
      await stopChild(member.child);
      await lp.lab.sysctl('host', 'net.ipv4.conf.all.rp_filter', 0);
    }
  });

  test('no querier at all: NO_QUERIER on each uplink (warning); a wrong --expect-querier fails', async () => {
    const r =
      await lp.lab.cli('host', ['doctor', '--json', '--no-self-test', '--querier-wait', '2', '--expect-querier', 'wifi0=198.18.2.1']);
    assert.equal(r.code, 1, r.stderr);
    const doc = JSON.parse(r.stdout);
    assertMatchesSchema('doctor.schema.json', doc);
    const none = doc.findings.filter((f: any) => f.id === 'NO_QUERIER').map((f: any) => f.iface).sort();
    assert.deepEqual([...new Set(none)], ['wifi0', 'wired0']);
    assert.ok(doc.findings.filter((f: any) => f.id === 'NO_QUERIER').every((f: any) => f.severity === 'warning'));
    const ne = doc.findings.find((f: any) => f.id === 'QUERIER_NOT_EXPECTED');
    assert.equal(ne?.iface, 'wifi0');
    assert.match(ne?.message, /no query was heard/);
  });

  test('bad input exits 2 with one line', async () => {
    for (const args of [['--querier-wait', '-1'], ['--expect-querier', 'wifi0'], ['--max-loss', '101'], ['--junit']]) {
      const r = await lp.lab.cli('host', ['doctor', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    const r = await lp.lab.cli('host', ['doctor', '--no-self-test', '--querier-wait', '0', '--junit', '/nonexistent-dir/x.xml']);
    // A directory that does not exist is the user's typo, told before any check runs (safe-file.ts).
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /cannot write \/nonexistent-dir\/x.xml: directory \/nonexistent-dir does not exist/);
  });
});
