// trace on the kernel: each break built for real in the laptop lab (peer-a sends to wired0,
// peer-b to wifi0), and a healthy control that stays quiet. The counters are the namespace's
// own; drop reasons are host-wide, so they are only checked for "at least what we caused".
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI, labSkipReason, sleep, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { sendDatagrams, sendDatagrams6, startReceiver, startReceiver6 } from '../helpers/trace-lab.js';
import { armSpoofer } from '../helpers/rpf-traffic.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping trace lab tests: ${skip}`);

const G = '239.7.7.7';
const N = 100;

describe('trace on the laptop lab', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  /** Our tracing instances left on the host (tracefs mounted in a private mount namespace to look). */
  const instances = async (): Promise<string[]> => {
    const r = await lp.lab.exec('host', 'sh',
      ['-c', 'mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing; ls /sys/kernel/tracing/instances']);
    // Instances of other live runs on this host (a concurrent test run elsewhere) are not ours to
    // judge: count those of a dead owner (left behind) and those of the runs this test holds.
    return r.stdout.split('\n').filter((n) => n.startsWith('mcast-doctor-')).filter((n) => {
      const pid = Number(/^mcast-doctor-(\d+)-/.exec(n)?.[1]);
      return held.has(pid) || !alive(pid);
    });
  };
  const held = new Set<number>();
  const alive = (pid: number): boolean => {
    try { process.kill(pid, 0); return true; } catch { return false; }
  };

  /** Runs trace in the background; `traffic` starts once the window is open. */
  const trace = async (args: string[], traffic: () => Promise<void>): Promise<{ code: number; doc: any; stderr: string }> => {
    const child = lp.lab.spawn('host', process.execPath, [CLI, 'trace', '--json', '--verbose', ...args]);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
    assert.ok(await waitFor(async () => err.includes('tracing ') || child.exitCode !== null, 15_000), `never started: ${err}`);
    await traffic();
    const code = await exited;
    let doc: any;
    try { doc = JSON.parse(out); } catch { assert.fail(`not JSON (exit ${code}): ${out} ${err}`); }
    assertMatchesSchema('trace.schema.json', doc);
    assert.deepEqual(await instances(), [], 'no tracing instance left behind');
    console.log(`# trace ${args.join(' ')} -> exit ${code}; stages ${JSON.stringify(doc.stages)}; ` +
      `findings ${doc.findings.map((f: any) => `${f.id}: ${f.message}`).join(' | ')}`);
    return { code, doc, stderr: err };
  };
  const ids = (doc: any): string[] => doc.findings.map((f: any) => `${f.id}:${f.iface ?? ''}`);
  const wired = (doc: any): any => doc.interfaces.find((i: any) => i.iface === 'wired0');

  test('healthy control: joined on wired0, reading: delivered, no finding, exit 0, drop reasons counted', async () => {
    const rx = await startReceiver(lp.lab, 'host', { port: 5001, group: G, joinAddr: lp.addr.hostWired });
    try {
      const { code, doc } = await trace([`${G}:5001`, '--duration', '3'], () => sendDatagrams(lp.lab, 'peer-a', G, 5001, N));
      assert.equal(code, 0);
      assert.deepEqual(doc.findings, []);
      assert.equal(wired(doc).wire.packets, N);
      assert.equal(wired(doc).membership, 'here');
      assert.ok(doc.stages.ipAccepted >= N, `InMcastPkts +${doc.stages.ipAccepted}`);
      assert.ok(doc.stages.udpRead >= N, `InDatagrams +${doc.stages.udpRead}`);
      const sock = doc.sockets.find((s: any) => s.localPort === 5001);
      assert.equal(sock.receives, true);
      assert.deepEqual(sock.owners.map((o: any) => [o.pid, o.comm]), [[rx.pid, 'python3']]);
      assert.equal(doc.evidence.level, 'counters+drop-reasons', JSON.stringify(doc.evidence.dropReasonsUnavailable));
      assert.equal(doc.joined, false);
    } finally { rx.kill(); }
  });

  test('APP_SOCKET_OVERFLOW: a receiver that never reads, SO_RCVBUF 1024: named with its pid, buffer and rmem_max', async () => {
    const rx = await startReceiver(lp.lab, 'host', { port: 5001, group: G, joinAddr: lp.addr.hostWired, rcvbuf: 1024, read: false });
    try {
      const { code, doc } = await trace([`${G}:5001`, '--duration', '3'], () => sendDatagrams(lp.lab, 'peer-a', G, 5001, N, 1000));
      assert.equal(code, 1);
      assert.deepEqual(ids(doc), ['APP_SOCKET_OVERFLOW:']);
      const f = doc.findings[0];
      assert.match(f.message, new RegExp(`python3 \\(pid ${rx.pid}\\) overflowed \\d+ times`));
      assert.ok(f.evidence.dropsDuring >= N - 5, `drops ${f.evidence.dropsDuring}`);
      assert.equal(f.evidence.rcvbuf, 2304, 'the kernel\'s minimum receive buffer (SOCK_MIN_RCVBUF)');
      assert.equal(f.evidence.rmemMax, Number(await lp.lab.readSysctl('host', 'net.core.rmem_max')));
      assert.ok(doc.stages.rcvbufErrors >= f.evidence.dropsDuring);
      assert.ok(
        doc.evidence.dropReasons.reasons.SOCKET_RCVBUFF >= f.evidence.dropsDuring,
        JSON.stringify(doc.evidence.dropReasons.reasons),
      );
    } finally { rx.kill(); }
  });

  test('NO_SOCKET_ON_PORT: the receiver joined but listens on 5000 while the stream goes to 5001', async () => {
    const rx = await startReceiver(lp.lab, 'host', { port: 5000, group: G, joinAddr: lp.addr.hostWired });
    try {
      const { code, doc } = await trace([`${G}:5001`, '--duration', '3'], () => sendDatagrams(lp.lab, 'peer-a', G, 5001, N));
      assert.equal(code, 1);
      assert.deepEqual(ids(doc), ['NO_SOCKET_ON_PORT:']);
      assert.match(doc.findings[0].message,
        new RegExp(`nobody listens on port 5001 .*python3 \\(pid ${rx.pid}\\) is bound to 0\\.0\\.0\\.0:5000`));
      assert.ok(doc.stages.noSocketMulticast >= N, `IgnoredMulti +${doc.stages.noSocketMulticast}`);
      assert.equal(wired(doc).breakId, 'NO_SOCKET_ON_PORT');
    } finally { rx.kill(); }
  });

  test('MEMBERSHIP_WRONG_IFACE: joined on wifi0, the stream arrives on wired0', async () => {
    const rx = await startReceiver(lp.lab, 'host', { port: 5001, group: G, joinAddr: lp.addr.hostWifi });
    try {
      const { code, doc } = await trace([`${G}:5001`, '--duration', '3'], () => sendDatagrams(lp.lab, 'peer-a', G, 5001, N));
      assert.equal(code, 1);
      assert.deepEqual(ids(doc), ['MEMBERSHIP_WRONG_IFACE:wired0']);
      assert.match(doc.findings[0].message, /membership of 239\.7\.7\.7 is on wifi0 but the stream arrives on wired0/);
      assert.deepEqual(doc.membershipIfaces, ['wifi0']);
      assert.ok(doc.stages.ipAccepted < N / 2, `InMcastPkts +${doc.stages.ipAccepted}: the kernel dropped them at route input`);
    } finally { rx.kill(); }
  });

  test('GROUP_NOT_JOINED: the stream is flooded to the host but nobody joined', async () => {
    const { code, doc } = await trace([`${G}:5001`, '--duration', '3'], () => sendDatagrams(lp.lab, 'peer-a', G, 5001, N));
    assert.equal(code, 1);
    assert.deepEqual(ids(doc), ['GROUP_NOT_JOINED:wired0']);
  });

  test('KERNEL_DROP (reverse path): an off-subnet source on wifi0 with strict rp_filter, named with the route back', async () => {
    await lp.lab.sysctl('host', 'net.ipv4.conf.wifi0.rp_filter', 1);
    const rx = await startReceiver(lp.lab, 'host', { port: 5000, group: G, joinAddr: lp.addr.hostWifi });
    try {
      const spoof = await armSpoofer(lp.lab, 'peer-b', G, [['198.19.5.5', N]]);
      const { code, doc } = await trace([`${G}:5000`, '--duration', '3', '--iface', 'wifi0'], () => spoof.fire());
      assert.equal(code, 1);
      assert.deepEqual(ids(doc), ['KERNEL_DROP:wifi0']);
      const f = doc.findings[0];
      assert.match(f.message, /reverse-path filter drops all of it \(source 198\.19\.5\.5 routes back via wired0\)/);
      assert.equal(f.evidence.reason, 'IP_RPFILTER');
      assert.ok(doc.stages.rpfDrops >= N, `IPReversePathFilter +${doc.stages.rpfDrops}`);
      assert.ok(doc.evidence.dropReasons.reasons.IP_RPFILTER >= N);
    } finally {
      rx.kill();
      await lp.lab.sysctl('host', 'net.ipv4.conf.wifi0.rp_filter', 0);
    }
  });

  test('KERNEL_DROP (source filter): an SSM membership INCLUDE 198.18.1.9 while the stream comes from peer-a', async () => {
    const rx = await startReceiver(lp.lab, 'host', { port: 5001, group: '232.7.7.7', joinAddr: lp.addr.hostWired, source: '198.18.1.9' });
    try {
      const { code, doc } = await trace(['232.7.7.7:5001', '--duration', '3', '--iface', 'wired0'],
        () => sendDatagrams(lp.lab, 'peer-a', '232.7.7.7', 5001, N));
      assert.equal(code, 1);
      assert.deepEqual(ids(doc), ['KERNEL_DROP:wired0']);
      const f = doc.findings[0];
      assert.equal(f.evidence.reason, 'SOURCE_FILTER');
      assert.match(f.message, new RegExp(
        `from ${lp.addr.peerA.replaceAll('.', '\\.')} but the membership there is source-specific \\(INCLUDE 198\\.18\\.1\\.9\\)`));
    } finally { rx.kill(); }
  });

  test('KERNEL_DROP (nftables): an input rule dropping 239/8 is named with its handle', async () => {
    await lp.lab.must('host', 'nft', ['add table inet mcdtrace']);
    const rx = await startReceiver(lp.lab, 'host', { port: 5001, group: G, joinAddr: lp.addr.hostWired });
    try {
      await lp.lab.must('host', 'nft', ['add chain inet mcdtrace input { type filter hook input priority 0 ; policy accept ; }']);
      await lp.lab.must('host', 'nft', ['add rule inet mcdtrace input ip daddr 239.0.0.0/8 counter drop']);
      const { code, doc } = await trace([`${G}:5001`, '--duration', '3'], () => sendDatagrams(lp.lab, 'peer-a', G, 5001, N));
      assert.equal(code, 1);
      assert.deepEqual(ids(doc), ['KERNEL_DROP:wired0']);
      const f = doc.findings[0];
      assert.match(f.message, /after routing, before UDP.*nftables\/iptables drops it \(nft rule 'inet mcdtrace input' handle \d+/);
      // Judged on what fell in the 3 s window (a loaded CI machine once sent 63 of the 100 in it):
      // most of the stream accepted by IP, none of it delivered, every accepted one a netfilter drop.
      const accepted = doc.stages.ipAccepted;
      assert.ok(accepted >= N / 2 && doc.stages.delivered < accepted / 2, JSON.stringify(doc.stages));
      assert.ok(doc.evidence.dropReasons.reasons.NETFILTER_DROP >= accepted, JSON.stringify(doc.evidence.dropReasons.reasons));
    } finally {
      rx.kill();
      await lp.lab.must('host', 'nft', ['delete table inet mcdtrace']);
    }
  });

  test('tracing is never left enabled: SIGTERM ends the run with its report; ' +
    'a SIGKILLed run\'s instance is swept by the next run', async () => {
    const bg = lp.lab.spawn('host', process.execPath, [CLI, 'trace', `${G}:5001`, '--duration', '30', '--json', '--verbose']);
    let out = '';
    let err = '';
    bg.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    bg.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number>((resolve) => bg.on('exit', (c) => resolve(c ?? -1)));
    if (bg.pid !== undefined) held.add(bg.pid);
    assert.ok(await waitFor(async () => err.includes('tracing '), 15_000), err);
    assert.deepEqual(await instances(), [`mcast-doctor-${bg.pid}-1`], 'the run holds its private instance');
    bg.kill('SIGTERM');
    assert.equal(await exited, 1, 'nothing was sent: NO_TRAFFIC, an error finding');
    assert.equal(JSON.parse(out).interrupted, true);
    assert.deepEqual(await instances(), []);

    const killed = lp.lab.spawn('host', process.execPath, [CLI, 'trace', `${G}:5001`, '--duration', '30', '--verbose']);
    let err2 = '';
    killed.stderr?.on('data', (d: Buffer) => { err2 += d.toString(); });
    const gone = new Promise<void>((resolve) => killed.on('exit', () => resolve()));
    assert.ok(await waitFor(async () => err2.includes('tracing '), 15_000), err2);
    killed.kill('SIGKILL');
    await gone;
    await sleep(100);
    assert.deepEqual(await instances(), [`mcast-doctor-${killed.pid}-1`], 'SIGKILL leaves it: nothing runs after that signal');
    const r = await lp.lab.cli('host', ['trace', `${G}:5001`, '--duration', '0.5', '--json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    assert.deepEqual(await instances(), [], 'swept at the next start');
  });

  test('IPv6: delivered to a [::] receiver (Ip6/Udp6 counters), ' +
    'then NO_SOCKET_ON_PORT on Udp6IgnoredMulti when it listens elsewhere', async () => {
    const G6 = 'ff05::7:7';
    let rx = await startReceiver6(lp.lab, 'host', 'wired0', 5001, G6);
    try {
      const ok =
        await trace([`[${G6}]:5001`, '--duration', '3', '--iface', 'wired0'], () => sendDatagrams6(lp.lab, 'peer-a', 'eth0', G6, 5001, N));
      assert.equal(ok.code, 0, JSON.stringify(ok.doc.findings));
      assert.equal(ok.doc.family, 6);
      assert.equal(wired(ok.doc).wire.packets, N);
      assert.ok(ok.doc.counters['Ip6.Udp6InDatagrams'] >= N, JSON.stringify(ok.doc.counters));
    } finally { rx.kill(); }
    rx = await startReceiver6(lp.lab, 'host', 'wired0', 5000, G6);
    try {
      const bad =
        await trace([`[${G6}]:5001`, '--duration', '3', '--iface', 'wired0'], () => sendDatagrams6(lp.lab, 'peer-a', 'eth0', G6, 5001, N));
      assert.equal(bad.code, 1);
      assert.deepEqual(ids(bad.doc), ['NO_SOCKET_ON_PORT:']);
      assert.ok(bad.doc.stages.noSocketMulticast >= N, JSON.stringify(bad.doc.stages));
      assert.match(bad.doc.findings[0].message, new RegExp(`python3 \\(pid ${rx.pid}\\) is bound to \\[::\\]:5000`));
    } finally { rx.kill(); }
  });

  test('--join: a receiver bound to the port that joined nothing gets the stream through trace\'s ' +
    'membership (IP_MULTICAST_ALL)', async () => {
    const rx = await startReceiver(lp.lab, 'host', { port: 5001, group: G });
    try {
      const { code, doc } =
        await trace([`${G}:5001`, '--duration', '3', '--join', '--iface', 'wired0'], () => sendDatagrams(lp.lab, 'peer-a', G, 5001, N));
      assert.equal(code, 0, JSON.stringify(doc.findings));
      assert.equal(doc.joined, true);
      assert.equal(wired(doc).membership, 'held-by-trace');
      assert.ok(doc.stages.udpRead >= N);
    } finally { rx.kill(); }
  });

  test('--no-drop-reasons: counters alone, and the output says so', async () => {
    const { doc } = await trace([`${G}:5001`, '--duration', '1', '--no-drop-reasons'], async () => {});
    assert.equal(doc.evidence.level, 'counters');
    assert.match(doc.evidence.dropReasonsUnavailable.why, /not asked/);
    assert.deepEqual(doc.findings.map((f: any) => f.id), ['NO_TRAFFIC']);
  });
});
