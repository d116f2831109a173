// join-all against the kernel: memberships on both uplinks of the laptop lab, IGMP/MLD reports
// seen by the peers, probes from both peers counted per interface with zero loss, the
// per-socket limit split, an interface without MULTICAST, and bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { ndjson, startCli } from '../helpers/cli-bg.js';
import { parseProcNetIgmp, parseProcNetIgmp6 } from '../../src/platform/procfs/igmp.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping join-all lab tests: ${skip}`);

const validate = (events: any[]): void => { for (const e of events) assertMatchesSchema('join-all.schema.json', e); };

describe('join-all on the laptop lab', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  const igmpHolds = async (group: string): Promise<string[]> => {
    const text = (await lp.lab.must('host', 'cat', ['/proc/net/igmp']));
    return parseProcNetIgmp(text).filter((d) => d.groups.some((g) => g.group === group)).map((d) => d.device).sort();
  };
  const igmp6Holds = async (group: string): Promise<string[]> =>
    parseProcNetIgmp6(await lp.lab.must('host', 'cat', ['/proc/net/igmp6'])).filter((e) => e.group === group).map((e) => e.device).sort();

  test('the kernel holds the group on both uplinks and each peer sees an IGMP report', async () => {
    const dumps = await Promise.all([lp.lab.tcpdump('peer-a', 'eth0', ['igmp']), lp.lab.tcpdump('peer-b', 'eth0', ['igmp'])]);
    const run = startCli(lp.lab, 'host', ['join-all', '239.1.2.3', '--json', '--duration', '20']);
    try {
      await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wifi0', 10_000);
      assert.deepEqual(await waitFor(async () => { const d = await igmpHolds('239.1.2.3'); return d.length === 2 ? d : undefined; }, 5000),
        ['wifi0', 'wired0']);
      // IGMPv3 unsolicited reports go out within igmp_qrv x 1 s of the join.
      await waitFor(async () => false, 2500);
    } finally {
      run.interrupt();
    }
    const r = await run.exit();
    const [a, b] = await Promise.all(dumps.map((d) => d.stop()));
    for (const [peer, lines] of [['peer-a', a], ['peer-b', b]] as const) {
      assert.ok(lines!.some((l) => /igmp v3 report/.test(l) && l.includes('239.1.2.3')),
        `${peer} saw no IGMP report: ${lines!.join('\n')}`);
    }
    assert.equal(r.code, 0, r.stderr);
    const ev = ndjson(r.stdout);
    validate(ev);
    assert.deepEqual(ev.filter((e) => e.type === 'joined').map((e) => e.iface).sort(), ['wifi0', 'wired0']);
    const sum = ev[ev.length - 1];
    assert.equal(sum.type, 'summary');
    assert.equal(sum.joined, 2);
    // Nobody sends in this scene: the one thing to say is that nothing arrived (issue 16), as a
    // warning naming both uplinks; nothing else is wrong with a healthy lab.
    const said = sum.findings.filter((f: any) => f.severity !== 'info');
    assert.deepEqual(said.map((f: any) => `${f.id}/${f.severity}`), ['NOTHING_ARRIVED/warning'], 'only NOTHING_ARRIVED');
    assert.deepEqual([...said[0].evidence.interfaces].sort(), ['wifi0', 'wired0']);
    assert.deepEqual(await igmpHolds('239.1.2.3'), [], 'memberships end with the run');
  });

  test('receives send-all from both peers, each on its own interface, with zero loss', async () => {
    const run = startCli(lp.lab, 'host', ['join-all', '239.1.2.4', '--json', '--count', '100', '--duration', '30', '--expect',
      'wired0:239.1.2.4', '--expect', 'wifi0:239.1.2.4']);
    await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wifi0', 10_000);
    const sends = await Promise.all(
      ['peer-a', 'peer-b'].map((p) => lp.lab.cli(p, ['send-all', '239.1.2.4', '--count', '50', '--rate', '200', '--json'])));
    for (const s of sends) assert.equal(s.code, 0, s.stderr);
    const r = await run.exit();
    assert.equal(r.code, 0, r.stderr);
    const ev = ndjson(r.stdout);
    validate(ev);
    const sum = ev[ev.length - 1];
    const row = (iface: string) => sum.rows.find((x: any) => x.iface === iface && x.group === '239.1.2.4');
    for (const [iface, src] of [['wired0', lp.addr.peerA], ['wifi0', lp.addr.peerB]] as const) {
      const x = row(iface);
      assert.equal(x.packets, 50, `${iface}: ${JSON.stringify(x)}`);
      assert.equal(x.lost, 0);
      assert.equal(x.duplicates, 0);
      assert.equal(x.foreign, 0);
      assert.equal(x.lastSource, src, 'attributed to the interface it arrived on');
      assert.equal(x.lastTtl, 1);
      assert.equal(x.streams.length, 1);
      assert.equal(x.streams[0].senderIface, 'eth0');
      assert.ok(x.delayMs && x.delayMs.min >= 0, 'same host clock: delay measured');
    }
    assert.equal(sum.totalPackets, 100);
    assert.ok(!sum.findings.some((f: any) => f.id === 'NO_TRAFFIC'));
  });

  test('--expect on a silent pair: NO_TRAFFIC and exit 1', async () => {
    const run = startCli(lp.lab, 'host',
      ['join-all', '239.1.2.6', '--json', '--duration', '3', '--expect', 'wifi0:239.1.2.6', '--expect', 'wired0:239.1.2.6']);
    await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wifi0', 10_000);
    assert.equal((await lp.lab.cli('peer-a', ['send-all', '239.1.2.6', '--count', '5', '--rate', '100'])).code, 0);
    const r = await run.exit();
    assert.equal(r.code, 1, r.stderr);
    const sum = ndjson(r.stdout).pop();
    assertMatchesSchema('join-all.schema.json', sum);
    assert.deepEqual(sum.findings.filter((f: any) => f.id === 'NO_TRAFFIC').map((f: any) => f.iface), ['wifi0']);
  });

  test('SSM: S,G is joined as a source filter and only that source is counted', async () => {
    const run = startCli(lp.lab, 'host', ['join-all', `${lp.addr.peerA},232.1.2.8`, '--json', '--duration', '30', '--count', '10']);
    await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wifi0', 10_000);
    const mcfilter = await lp.lab.must('host', 'cat', ['/proc/net/mcfilter']);
    // readable order: 0xe8010208 = 232.1.2.8, 0xc6120101 = 198.18.1.1; one INCLUDE entry per uplink
    assert.equal(mcfilter.split('\n').filter((l) => /0xe8010208\s+0xc6120101\s+1\s+0/.test(l)).length, 2, mcfilter);
    // peer-b sends first from a source the host did not ask for: filtered by the kernel.
    assert.equal((await lp.lab.cli('peer-b', ['send-all', '232.1.2.8', '--count', '10', '--rate', '200'])).code, 0);
    assert.equal((await lp.lab.cli('peer-a', ['send-all', '232.1.2.8', '--count', '10', '--rate', '200'])).code, 0);
    const r = await run.exit();
    assert.equal(r.code, 0, r.stderr);
    const ev = ndjson(r.stdout);
    validate(ev);
    assert.ok(ev.filter((e) => e.type === 'joined').every((e) => e.source === lp.addr.peerA));
    const sum = ev.pop();
    assert.deepEqual(sum.rows.map((x: any) => `${x.iface} ${x.packets}`).sort(), ['wifi0 0', 'wired0 10']);
    assert.equal(sum.rows.find((x: any) => x.iface === 'wired0').lastSource, lp.addr.peerA);
  });

  test('igmp_max_memberships=5: 12 groups spread over sockets, all held by the kernel, MAX_MEMBERSHIPS once', async () => {
    const before = await lp.lab.readSysctl('host', 'net.ipv4.igmp_max_memberships');
    await lp.lab.sysctl('host', 'net.ipv4.igmp_max_memberships', 5);
    try {
      const run = startCli(lp.lab, 'host', ['join-all', '239.3.0.1+12', '--json', '--duration', '20']);
      try {
        await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wifi0' && e.group === '239.3.0.12', 10_000);
        for (const g of ['239.3.0.1', '239.3.0.6', '239.3.0.12']) assert.deepEqual(await igmpHolds(g), ['wifi0', 'wired0'], g);
      } finally {
        run.interrupt();
      }
      const r = await run.exit();
      assert.equal(r.code, 0, r.stderr);
      const ev = ndjson(r.stdout);
      validate(ev);
      const joined = ev.filter((e) => e.type === 'joined');
      assert.equal(joined.length, 24);
      assert.deepEqual([...new Set(joined.map((e) => e.socket))].sort(), [0, 1, 2]);
      const sum = ev.pop();
      assert.equal(sum.sockets, 8, '3 membership sockets and one receiving socket on each interface');
      const max = sum.findings.filter((f: any) => f.id === 'MAX_MEMBERSHIPS');
      assert.equal(max.length, 1);
      assert.equal(max[0].evidence.limit, 5);
      assert.ok(!sum.findings.some((f: any) => f.id === 'JOIN_FAILED' || f.id === 'MEMBERSHIP_MISSING'));
    } finally {
      await lp.lab.sysctl('host', 'net.ipv4.igmp_max_memberships', before);
    }
  });

  test('igmp_max_memberships=0: every join refused, JOIN_FAILED with the errno sentence, exit 1', async () => {
    const before = await lp.lab.readSysctl('host', 'net.ipv4.igmp_max_memberships');
    await lp.lab.sysctl('host', 'net.ipv4.igmp_max_memberships', 0);
    try {
      const r = await lp.lab.cli('host', ['join-all', '239.3.1.1', '--json', '--duration', '1']);
      assert.equal(r.code, 1, r.stderr);
      const ev = ndjson(r.stdout);
      validate(ev);
      const failed = ev.filter((e) => e.type === 'join_failed');
      assert.deepEqual(failed.map((e) => `${e.iface} ${e.errno}`).sort(), ['wifi0 ENOBUFS', 'wired0 ENOBUFS']);
      assert.match(failed[0].finding.message, /refused another membership.*ENOBUFS/);
      assert.match(failed[0].finding.fix, /igmp_max_memberships/);
      const r2 = await lp.lab.cli('host', ['join-all', '239.3.1.1', '--duration', '1']);
      assert.equal(r2.code, 1);
      assert.match(r2.stdout, /JOIN_FAILED \[wired0 239\.3\.1\.1\]/);
    } finally {
      await lp.lab.sysctl('host', 'net.ipv4.igmp_max_memberships', before);
    }
  });

  test('an interface without MULTICAST is reported, not fatal', async () => {
    await lp.lab.ip('host', 'link', 'set', 'wifi0', 'multicast', 'off');
    try {
      const r = await lp.lab.cli('host', ['join-all', '239.1.2.7', '--json', '--duration', '1']);
      assert.equal(r.code, 0, r.stderr);
      const ev = ndjson(r.stdout);
      validate(ev);
      assert.ok(ev.some((e) => e.type === 'joined' && e.iface === 'wired0'));
      assert.ok(ev.some((e) => e.type === 'join_skipped' && e.iface === 'wifi0' && e.reason === 'no-multicast'));
      assert.ok(ev.pop().findings.some((f: any) => f.id === 'IFACE_NO_MULTICAST' && f.iface === 'wifi0'));
    } finally {
      await lp.lab.ip('host', 'link', 'set', 'wifi0', 'multicast', 'on');
    }
  });

  // MLD rides behind a Hop-by-Hop header (Router Alert): tcpdump's "icmp6" does not match it.
  const mld = ['ip6', 'and', 'not', 'udp'];

  test('IPv6: MLD memberships on both uplinks, reports seen, probes from both peers counted', async () => {
    const dumps = await Promise.all([lp.lab.tcpdump('peer-a', 'eth0', mld), lp.lab.tcpdump('peer-b', 'eth0', mld)]);
    const run = startCli(lp.lab, 'host', ['join-all', 'ff05::4', '--json', '--count', '40', '--duration', '30']);
    await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wifi0', 10_000);
    assert.deepEqual(await igmp6Holds('ff05::4'), ['wifi0', 'wired0']);
    const sends =
      await Promise.all(['peer-a', 'peer-b'].map((p) => lp.lab.cli(p, ['send-all', '[ff05::4]:5000', '--count', '20', '--rate', '200'])));
    for (const s of sends) assert.equal(s.code, 0, s.stderr);
    const r = await run.exit();
    const [a, b] = await Promise.all(dumps.map((d) => d.stop()));
    for (const lines of [a, b]) assert.ok(lines!.some((l) => /multicast listener report v2/.test(l) && l.includes('ff05::4')),
      lines!.join('\n'));
    assert.equal(r.code, 0, r.stderr);
    const ev = ndjson(r.stdout);
    validate(ev);
    const sum = ev.pop();
    for (const iface of ['wired0', 'wifi0']) {
      const x = sum.rows.find((y: any) => y.iface === iface && y.group === 'ff05::4');
      assert.equal(x.packets, 20, iface);
      assert.equal(x.lost, 0);
    }
  });

  test('bad input: exit 2 with one line naming it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['join-all', '10.0.0.1'], /'10\.0\.0\.1': not a multicast address/],
      [['join-all', '239.1.1.1:99999'], /out of range/],
      [['join-all', '239.0.0.0/8'], /more than the limit/],
      [['join-all', 'nonsense'], /not an IP address/],
      [['join-all', '239.1.1.1', '--port', '0'], /--port '0' out of range/],
      [['join-all', '239.1.1.1', '--expect', 'nope0:239.1.1.1'], /no selected interface named 'nope0'/],
      [['join-all', '239.1.1.1', '--expect', 'wired0:239.9.9.9'], /not one of the groups joined/],
      [['join-all', '239.1.1.1', '--iface', 'nope0'], /no interface named 'nope0'/],
      [['join-all', '-6', '239.1.1.1'], /-6 given but 239\.1\.1\.1 is IPv4/],
      [['join-all'], /./],
    ];
    // Independent short runs: in parallel, to keep the lab suite short.
    const runs = await Promise.all(cases.map(([args]) => lp.lab.cli('host', args)));
    for (const [i, [args, re]] of cases.entries()) {
      const r = runs[i]!;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, re);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    }
  });

  test('the only interface selected is down: NO_ELIGIBLE_INTERFACE, exit 1, no membership made', async () => {
    await lp.lab.ip('host', 'link', 'set', 'wifi0', 'down');
    try {
      const r = await lp.lab.cli('host', ['join-all', '239.1.2.8', '--iface', 'wifi0', '--json', '--duration', '1']);
      assert.equal(r.code, 1, r.stderr);
      const ev = ndjson(r.stdout);
      validate(ev);
      assert.ok(ev.some((e) => e.type === 'join_skipped' && e.iface === 'wifi0' && e.reason === 'down'));
      const f = ev.pop().findings;
      assert.ok(f.some((x: any) => x.id === 'NO_ELIGIBLE_INTERFACE' && x.severity === 'error'), JSON.stringify(f));
      assert.ok(f.some((x: any) => x.id === 'IFACE_DOWN' && x.iface === 'wifi0'));
      assert.ok(!(await lp.lab.must('host', 'cat', ['/proc/net/igmp'])).includes('0802 01EF'.replace(' ', '')),
        'no membership of 239.1.2.8');
    } finally {
      await lp.lab.ip('host', 'link', 'set', 'wifi0', 'up');
    }
  });
});
