// send-all against the kernel: exactly --count probes with the asked TTL on each uplink
// (tcpdump in the peers), what a plain socket would do (DEFAULT_ROUTE_EGRESS from the kernel's
// route), TTL_ONE, a firewall's EPERM, an interface without MULTICAST, IPv6, pacing, bad input.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { labSkipReason } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { ndjson } from '../helpers/cli-bg.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping send-all lab tests: ${skip}`);

describe('send-all on the laptop lab', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  const send = async (args: string[], expectCode = 0) => {
    const r = await lp.lab.cli('host', ['send-all', ...args, '--json']);
    assert.equal(r.code, expectCode, r.stderr + r.stdout.slice(-1500));
    const ev = ndjson(r.stdout);
    for (const e of ev) assertMatchesSchema('send-all.schema.json', e);
    const sum = ev[ev.length - 1];
    assert.equal(sum.type, 'summary');
    return { ev, sum };
  };
  const dumpBoth = (filter: string[]) => Promise.all([lp.lab.tcpdump('peer-a', 'eth0', filter), lp.lab.tcpdump('peer-b', 'eth0', filter)]);

  test('exactly --count probes with the asked TTL out of each uplink', async () => {
    const dumps = await dumpBoth(['udp', 'and', 'dst', '239.1.3.1']);
    const { ev, sum } = await send(['239.1.3.1', '--count', '7', '--ttl', '3', '--rate', '100']);
    const [a, b] = await Promise.all(dumps.map((d) => d.stop()));
    for (const [lines, src] of [[a, lp.addr.hostWired], [b, lp.addr.hostWifi]] as const) {
      assert.equal(lines!.length, 7, lines!.join('\n'));
      assert.ok(lines!.every((l) => /ttl 3,/.test(l) && l.includes(`${src}.`) && l.includes('239.1.3.1.5000')), lines!.join('\n'));
    }
    assert.deepEqual(ev.filter((e) => e.type === 'sending').map((e) => e.iface).sort(), ['wifi0', 'wired0']);
    assert.deepEqual(sum.results.map((r: any) => `${r.iface} ${r.status} ${r.sent}`).sort(), ['wifi0 sent 7', 'wired0 sent 7']);
    assert.ok(!sum.findings.some((f: any) => f.id === 'TTL_ONE'), 'TTL 3: no TTL_ONE');
    assert.deepEqual(sum.findings.filter((f: any) => f.severity !== 'info'), [], 'a healthy lab is quiet');
  });

  test('DEFAULT_ROUTE_EGRESS names the interface the kernel route picks (wired0: the default route)', async () => {
    const { sum } = await send(['239.1.3.2', '--count', '1']);
    const f = sum.findings.find((x: any) => x.id === 'DEFAULT_ROUTE_EGRESS');
    assert.equal(f.iface, 'wired0');
    assert.match(f.message, /leaves by wired0 only.*wifi0 would get nothing/);
    // Move the route: a 224.0.0.0/4 route via wifi0 wins over the default route.
    await lp.lab.ip('host', 'route', 'add', '224.0.0.0/4', 'dev', 'wifi0');
    try {
      const moved = (await send(['239.1.3.2', '--count', '1'])).sum.findings.find((x: any) => x.id === 'DEFAULT_ROUTE_EGRESS');
      assert.equal(moved.iface, 'wifi0');
    } finally {
      await lp.lab.ip('host', 'route', 'del', '224.0.0.0/4', 'dev', 'wifi0');
    }
  });

  test('TTL 1 (the default) to a routable group: TTL_ONE; to a link-local group: nothing', async () => {
    const dumps = await dumpBoth(['udp', 'and', 'dst', '239.1.3.3']);
    const { sum } = await send(['239.1.3.3', '--count', '2']);
    const lines = (await Promise.all(dumps.map((d) => d.stop()))).flat();
    assert.equal(lines.length, 4);
    assert.ok(lines.every((l) => /ttl 1,/.test(l)));
    const ttl = sum.findings.filter((f: any) => f.id === 'TTL_ONE');
    assert.equal(ttl.length, 1);
    assert.equal(ttl[0].severity, 'warning');
    assert.ok(!(await send(['224.0.0.250', '--count', '1'])).sum.findings.some((f: any) => f.id === 'TTL_ONE'));
  });

  test('a firewall rejecting the group on one uplink: SEND_FAILED with EPERM there, the other sends, exit 1', async () => {
    await lp.lab.must('host', 'nft', ['add', 'table', 'inet', 'mcdtest']);
    await lp.lab.must('host', 'nft', ['add', 'chain', 'inet', 'mcdtest', 'out', '{ type filter hook output priority 0 ; }']);
    await lp.lab.must('host', 'nft', ['add', 'rule', 'inet', 'mcdtest', 'out', 'oifname', 'wifi0', 'ip', 'daddr', '239.1.3.4', 'drop']);
    try {
      const { ev, sum } = await send(['239.1.3.4', '--count', '5', '--rate', '100'], 1);
      const failed = ev.filter((e) => e.type === 'send_failed');
      assert.deepEqual(failed.map((e) => `${e.iface} ${e.errno}`), ['wifi0 EPERM']);
      assert.match(failed[0].finding.message, /refused \(EPERM\): a firewall rule/);
      assert.deepEqual(sum.results.map((r: any) => `${r.iface} ${r.status} ${r.sent}`).sort(), ['wifi0 failed 0', 'wired0 sent 5']);
    } finally {
      await lp.lab.must('host', 'nft', ['delete', 'table', 'inet', 'mcdtest']);
    }
  });

  test('an interface without MULTICAST is reported and skipped, not fatal', async () => {
    await lp.lab.ip('host', 'link', 'set', 'wifi0', 'multicast', 'off');
    try {
      const { sum } = await send(['239.1.3.5', '--count', '2']);
      assert.deepEqual(sum.results.map((r: any) => `${r.iface} ${r.status}${r.skipReason ? ` ${r.skipReason}` : ''}`).sort(),
        ['wifi0 skipped no-multicast', 'wired0 sent']);
      assert.ok(sum.findings.some((f: any) => f.id === 'IFACE_NO_MULTICAST' && f.iface === 'wifi0'));
    } finally {
      await lp.lab.ip('host', 'link', 'set', 'wifi0', 'multicast', 'on');
    }
  });

  test('IPv6: --count probes with the asked hop limit on each uplink', async () => {
    const dumps = await dumpBoth(['udp', 'and', 'dst', 'ff05::3:1']);
    const { sum } = await send(['[ff05::3:1]:5001', '--count', '5', '--ttl', '4', '--rate', '200']);
    const [a, b] = await Promise.all(dumps.map((d) => d.stop()));
    for (const lines of [a, b]) {
      assert.equal(lines!.length, 5, lines!.join('\n'));
      assert.ok(lines!.every((l) => /hlim 4,/.test(l) && l.includes('ff05::3:1.5001')), lines!.join('\n'));
    }
    assert.deepEqual(sum.results.map((r: any) => `${r.iface} ${r.sent}`).sort(), ['wifi0 5', 'wired0 5']);
  });

  test('--rate paces: 100 probes at 200 pps take about half a second', async () => {
    const { sum } = await send(['239.1.3.6', '--count', '100', '--rate', '200', '--no-loop']);
    assert.ok(sum.elapsedMs >= 480 && sum.elapsedMs < 900, `elapsed ${sum.elapsedMs} ms`);
    for (const r of sum.results) assert.ok(Math.abs(r.rate - 200) < 25, `${r.iface} ${r.rate} pps`);
  });

  test('--rate 0 sends as fast as the kernel takes them; the kernel counts exactly what send-all says', async () => {
    // tcpdump cannot keep up at full speed on this VM: count with the kernel's own counters.
    const outDatagrams = async (): Promise<number> => {
      const lines = (await lp.lab.must('host', 'cat', ['/proc/net/snmp'])).split('\n').filter((l) => l.startsWith('Udp:'));
      const [names, values] = lines.map((l) => l.trim().split(/\s+/));
      return Number(values![names!.indexOf('OutDatagrams')]);
    };
    const rxPackets = async (role: string): Promise<number> =>
      JSON.parse(await lp.lab.must(role, 'ip', ['-j', '-s', 'link', 'show', 'eth0']))[0].stats64.rx.packets;
    const before = { out: await outDatagrams(), a: await rxPackets('peer-a'), b: await rxPackets('peer-b') };
    const { sum } = await send(['239.1.3.7', '--count', '5000', '--rate', '0', '--no-loop']);
    for (const r of sum.results) assert.equal(r.sent, 5000);
    assert.equal(await outDatagrams() - before.out, 10_000, 'UdpOutDatagrams rose by exactly the packets reported');
    for (const [role, base] of [['peer-a', before.a], ['peer-b', before.b]] as const) {
      const got = await rxPackets(role) - base;
      // Reports or neighbour discovery may add a few packets; none of ours is missing.
      assert.ok(got >= 5000 && got < 5020, `${role} received ${got}`);
    }
    const rate = sum.results[0].rate;
    assert.ok(rate > 1000, `full speed ${rate} pps`);
  });

  test('bad input: exit 2 with one line naming it', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['send-all', '239.1.1.1', '--ttl', '256'], /--ttl '256' out of range/],
      [['send-all', '239.1.1.1', '--ttl', '-1'], /out of range/],
      [['send-all', '239.1.1.1', '--port', '0'], /--port '0' out of range/],
      [['send-all', '10.1.1.1'], /not a multicast address/],
      [['send-all', '239.1.1.1+3'], /range is not allowed/],
      [['send-all', '239.1.1.1', '--size', '10'], /smaller than the probe header/],
      [['send-all', '239.1.1.1', '--size', '2000'], /does not fit .* MTU 1500/],
      [['send-all', '239.1.1.1', '--rate', '-5'], /--rate/],
      [['send-all', '239.1.1.1', '--count', '0'], /--count/],
      [['send-all', '239.1.1.1', '--iface', 'nope0'], /no interface named 'nope0'/],
      [['send-all', '198.18.1.1,232.1.1.1'], /takes no source/],
      [['send-all', '-4', 'ff05::1'], /-4 given but ff05::1 is IPv6/],
    ];
    // Independent short runs: in parallel, to keep the lab suite short.
    const runs = await Promise.all(cases.map(([args]) => lp.lab.cli('host', args)));
    for (const [i, [args, re]] of cases.entries()) {
      const r = runs[i]!;
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0]!, re);
    }
  });
});
