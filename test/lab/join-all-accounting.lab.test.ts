// join-all --expect and doctor --expect-receive explain a pair that received nothing with the
// packet-accounting differential (the expected pair's wire against the namespace's counters):
// the reverse-path filter, a netfilter drop, or nothing on the wire at all.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI, labSkipReason } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { startCli } from '../helpers/cli-bg.js';
import { armSpoofer } from '../helpers/rpf-traffic.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping join-all accounting lab tests: ${skip}`);

const ndjson = (text: string): any[] => text.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));

describe('join-all and doctor name where an expected stream stopped', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  const noTraffic = (findings: any[], iface: string): any => {
    const f = findings.find((x: any) => x.id === 'NO_TRAFFIC' && x.iface === iface);
    assert.ok(f, JSON.stringify(findings));
    console.log(`# ${f.message}`);
    return f;
  };

  test('join-all --expect: strict rp_filter drops the off-subnet source on wifi0: ' +
    'NO_TRAFFIC names the reverse-path filter and the route back', async () => {
    await lp.lab.sysctl('host', 'net.ipv4.conf.wifi0.rp_filter', 1);
    try {
      const spoof = await armSpoofer(lp.lab, 'peer-b', '239.7.8.1', [['198.19.5.5', 60]]);
      const run = startCli(lp.lab, 'host',
        ['join-all', '239.7.8.1:5000', '--json', '--duration', '3', '--iface', 'wifi0', '--expect', 'wifi0:239.7.8.1']);
      await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wifi0', 10_000);
      await spoof.fire();
      const r = await run.exit();
      assert.equal(r.code, 1, r.stderr);
      const f = noTraffic(ndjson(r.stdout).pop().findings, 'wifi0');
      assert.match(f.message,
        /Nothing arrived for 239\.7\.8\.1 on wifi0 .*the reverse-path filter drops all of it \(source 198\.19\.5\.5 routes back via wired0\)/);
      assert.equal(f.evidence.path.breakId, 'KERNEL_DROP');
      assert.equal(f.evidence.path.wirePackets, 60);
    } finally {
      await lp.lab.sysctl('host', 'net.ipv4.conf.wifi0.rp_filter', 0);
    }
  });

  test('join-all --expect on a silent pair: nothing on the wire either, the break is before the host; ' +
    'no tracing instance meanwhile', async () => {
    const run =
      startCli(lp.lab, 'host', ['join-all', '239.7.8.3', '--json', '--duration', '2', '--iface', 'wired0', '--expect', 'wired0:239.7.8.3']);
    await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wired0', 10_000);
    const ls = await lp.lab.exec('host', 'sh',
      ['-c', 'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; ls /sys/kernel/tracing/instances']);
    // Only this join-all's own would count: other live runs on the host may hold theirs.
    assert.deepEqual(ls.stdout.split('\n').filter((n) => n.startsWith(`mcast-doctor-${run.child.pid}-`)), [],
      'join-all never enables tracing');
    const r = await run.exit();
    assert.equal(r.code, 1, r.stderr);
    const f = noTraffic(ndjson(r.stdout).pop().findings, 'wired0');
    assert.match(f.message, /Nothing for 239\.7\.8\.3 on the wire of wired0 either: the break is before this host/);
    assert.equal(f.evidence.path.breakId, 'NOT_ON_WIRE');
  });

  test('doctor --expect-receive with an nft input drop on the host: NO_TRAFFIC says the kernel dropped it after routing', async () => {
    await lp.lab.must('host', 'nft', ['add table inet mcdjaacc']);
    const sender = lp.lab.spawn('peer-a', process.execPath, [CLI, 'send-all', '239.7.8.2', '--rate', '20', '--duration', '10', '--quiet']);
    try {
      await lp.lab.must('host', 'nft', ['add chain inet mcdjaacc input { type filter hook input priority 0 ; policy accept ; }']);
      await lp.lab.must('host', 'nft', ['add rule inet mcdjaacc input ip daddr 239.7.8.2 drop']);
      const r =
        await lp.lab.cli('host', ['doctor', '--json', '--querier-wait', '0', '--no-self-test', '--expect-receive', 'wired0:239.7.8.2']);
      assert.equal(r.code, 1, r.stderr);
      const f = noTraffic(JSON.parse(r.stdout).findings, 'wired0');
      assert.match(f.message, /the kernel dropped \d+ of them after routing, before UDP \(netfilter input\)/);
      assert.ok(f.evidence.path.wirePackets > 50, JSON.stringify(f.evidence.path));
    } finally {
      sender.kill();
      await lp.lab.must('host', 'nft', ['delete table inet mcdjaacc']);
    }
  });
});
