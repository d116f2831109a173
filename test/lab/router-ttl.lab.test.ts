// sniff on a multicast router (issue 19 item 7): smcroute routes four groups from up0 to dn0
// (dn0's TTL threshold 3). Streams sent with TTL 1, TTL 3 (at the threshold) and IPv6 hop limit
// 1 are counted by the kernel's route entries and never leave dn0: TTL_NOT_FORWARDED (error)
// beside /proc/net/ip_mr_cache, ip_mr_vif and a capture on the receiver's side. TTL 4 crosses
// and is quiet. A stream the router sends itself is described as leaving, not arriving.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { CLI, Lab, labSkipReason, sleep, waitFor } from '../helpers/lab.js';
import { udpSender } from '../helpers/inject.js';
import { assertMatchesSchema } from '../helpers/schema.js';

function smcrouteMissing(): string | undefined {
  try { execFileSync('smcrouted', ['-v'], { stdio: 'ignore' }); return undefined; } catch { /* below */ }
  const why = 'smcrouted not installed (apt-get install smcroute)';
  if (process.env.CI === 'true') throw new Error(`CI=true but ${why}`);
  return why;
}
const skip = labSkipReason() ?? smcrouteMissing();
if (skip) console.log(`# skipping router TTL lab: ${skip}`);

const CONF = `phyint up0 enable ttl-threshold 1
phyint dn0 enable ttl-threshold 3
mroute from up0 group 239.1.9.1 to dn0
mroute from up0 group 239.1.9.3 to dn0
mroute from up0 group 239.1.9.4 to dn0
mroute from up0 group ff05::91 to dn0
mroute from up0 group 239.1.9.8 to dn0
mroute from dn0 group 239.1.9.8 to up0
`;

/** "090901EF" (239.1.9.9 as ip_mr_cache prints it on a little-endian host) -> entry line fields. */
function cacheLine(cache: string, hexGroup: string): string[] | undefined {
  return cache.split('\n').map((l) => l.trim().split(/\s+/)).find((w) => w[0] === hexGroup);
}
const vifOut =
  (vifs: string, dev: string): number => Number(vifs.split('\n').map((l) => l.trim().split(/\s+/)).find((w) => w[1] === dev)?.[5] ?? NaN);

describe('sniff on a multicast router: TTL at or below the threshold never crosses it', { skip }, () => {
  let lab: Lab;
  let dir: string;
  before(async () => {
    lab = await Lab.create();
    dir = mkdtempSync(path.join(tmpdir(), 'mcd-router-'));
    for (const r of ['src', 'rtr', 'rcv']) await lab.addNs(r);
    await lab.veth('src', 's0', 'rtr', 'up0');
    await lab.veth('rtr', 'dn0', 'rcv', 'x0');
    await lab.addr('src', 's0', '198.18.31.2/24');
    await lab.addr('rtr', 'up0', '198.18.31.1/24');
    await lab.addr('rtr', 'dn0', '198.18.32.1/24');
    await lab.addr('rcv', 'x0', '198.18.32.2/24');
    await lab.ip('src', '-6', 'addr', 'add', '2001:db8:31::2/64', 'dev', 's0', 'nodad');
    await lab.ip('rtr', '-6', 'addr', 'add', '2001:db8:31::1/64', 'dev', 'up0', 'nodad');
    await lab.ip('rtr', '-6', 'addr', 'add', '2001:db8:32::1/64', 'dev', 'dn0', 'nodad');
    await lab.ip('src', 'route', 'add', 'default', 'via', '198.18.31.1');
    await lab.ip('rcv', 'route', 'add', 'default', 'via', '198.18.32.1');
    writeFileSync(path.join(dir, 'smcroute.conf'), CONF);
    lab.spawn('rtr', 'smcrouted', ['-n', '-N', '-f', path.join(dir, 'smcroute.conf'), '-u', path.join(dir, 'sock'), '-P',
      path.join(dir, 'pid'), '-i', `mcd${process.pid}`, '-l', 'err']);
    await waitFor(async () => (await lab.readSysctl('rtr', 'net.ipv4.conf.dn0.mc_forwarding')) === '1'
      && (await lab.must('rtr', 'cat', ['/proc/net/ip6_mr_vif'])).includes('dn0'), 10_000);
  });
  after(async () => {
    await lab?.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('TTL 1, TTL 3 and hop limit 1: named errors with the kernel counts; TTL 4 crosses, quiet; own stream leaves', async () => {
    const vifsBefore = await lab.must('rtr', 'cat', ['/proc/net/ip_mr_vif']);
    const dump = await lab.tcpdump('rcv', 'x0', ['udp']);
    const run = lab.cli('rtr', ['sniff', '239.1.9.1', '239.1.9.3', '239.1.9.4', 'ff05::91', '239.1.7.7', '--no-join', '--json',
      '--duration', '4', '--iface', 'up0', '--iface', 'dn0'], 30_000);
    await sleep(1500);
    await Promise.all([
      lab.must('src', 'python3', udpSender('239.1.9.1', 5001, 20, { ttl: 1, gapS: 0.02 })),
      lab.must('src', 'python3', udpSender('239.1.9.3', 5001, 20, { ttl: 3, gapS: 0.02 })),
      lab.must('src', 'python3', udpSender('239.1.9.4', 5001, 20, { ttl: 4, gapS: 0.02 })),
      lab.must('src', 'python3', udpSender('ff05::91', 5001, 20, { ttl: 1, gapS: 0.02, iface: 's0' })),
      // The router's own stream out of dn0 (default TTL 1): seen by the capture as it leaves.
      lab.must('rtr', 'python3', ['-c', `import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 25, b"dn0")
for i in range(10):
    s.sendto(b"x" * 100, ("239.1.7.7", 5001)); time.sleep(0.02)`]),
    ]);
    const r = await run;
    const seen = await dump.stop();
    // The kernel: each routed group's entry counted its 20 packets; dn0 sent only the TTL-4 ones.
    const cache = await lab.must('rtr', 'cat', ['/proc/net/ip_mr_cache']);
    const vifs = await lab.must('rtr', 'cat', ['/proc/net/ip_mr_vif']);
    for (const g of ['010901EF', '030901EF', '040901EF']) assert.equal(cacheLine(cache, g)?.[3], '20', `${g} in\n${cache}`);
    assert.deepEqual(cacheLine(cache, '030901EF')?.slice(6), ['1:3']);
    assert.equal(vifOut(vifs, 'dn0') - vifOut(vifsBefore, 'dn0'), 20, vifs);
    const v6 = (await lab.must('rtr', 'cat', ['/proc/net/ip6_mr_cache'])).split('\n').find(
      (l) => l.startsWith('ff05:0000:0000:0000:0000:0000:0000:0091'));
    assert.equal(v6?.trim().split(/\s+/)[3], '20');
    assert.equal(seen.filter((l) => l.includes('239.1.9.4.5001')).length, 20);
    assert.equal(seen.filter((l) => /239\.1\.9\.[13]\.5001|ff05::91/.test(l)).length, 0);

    // The tool, beside it.
    assert.equal(r.code, 1, r.stderr);
    const events = r.stdout.trim().split('\n').map((l) => JSON.parse(l));
    for (const e of events) assertMatchesSchema('sniff.schema.json', e);
    const summary = events.at(-1);
    const nf = (g: string) => summary.findings.find((f: any) => f.id === 'TTL_NOT_FORWARDED' && f.group === g);
    const one = nf('239.1.9.1');
    assert.equal(one?.severity, 'error');
    assert.equal(one?.iface, 'up0');
    assert.match(one.message, /TTL 1 and never crosses this router to dn0 \(threshold 3\)/);
    assert.match(one.message, /ip_mr_cache: 20 packets matched \(198\.18\.31\.2, 239\.1\.9\.1\)/);
    assert.deepEqual(one.evidence.oifs.map((o: any) => [o.device, o.threshold]), [['dn0', 3]]);
    assert.equal(one.evidence.entry.pktsDelta, 20);
    assert.match(nf('239.1.9.3')?.message ?? '', /TTL 3 and never crosses this router/);
    assert.match(nf('239.1.9.3')?.fix ?? '', /ttl-threshold 1/);
    const six = nf('ff05::91');
    assert.match(six?.message ?? '', /hop limit 1 and never crosses this router/);
    assert.doesNotMatch(six?.message ?? '', /TTL/);
    assert.match(six.message, /ip6_mr_cache/);
    // Healthy control: TTL 4 crossed; nothing about it.
    assert.equal(summary.findings.filter((f: any) => f.group === '239.1.9.4').length, 0);
    // The router's own stream: leaving dn0, never "arrives".
    const own = summary.findings.find((f: any) => f.group === '239.1.7.7');
    assert.equal(own?.id, 'TTL_ONE');
    assert.match(own.message, /^This host sends 239\.1\.7\.7 from 198\.18\.32\.1 out of dn0 with TTL 1/);
    assert.equal(summary.flows.find((f: any) => f.group === '239.1.7.7')?.outgoing, true);
    assert.equal(summary.flows.find((f: any) => f.group === '239.1.9.4' && f.iface === 'up0')?.outgoing, false);
    assert.ok(!summary.findings.some((f: any) => /arrives/.test(f.message) && f.group === '239.1.7.7'));
  });

  test('mesh across the router: --ttl 1 leaves the peer missing and says why; --ttl 4 hears it', async () => {
    const mesh = (ttl: number) => Promise.all(['src', 'rcv'].map((h) => lab.exec(h, 'unshare', ['--uts', 'sh', '-c',
      `hostname ${h}; exec "${process.execPath}" "${CLI}" mesh 239.1.9.8 --duration 3 --rate 10 --ttl ${ttl} --expect-peers 1 --json`],
        30_000)));
    const vifsBefore = await lab.must('rtr', 'cat', ['/proc/net/ip_mr_vif']);
    const low = await mesh(1);
    // The kernel: both hosts' probes reached the router's route entries; none was sent on.
    const cache = await lab.must('rtr', 'cat', ['/proc/net/ip_mr_cache']);
    const vifs = await lab.must('rtr', 'cat', ['/proc/net/ip_mr_vif']);
    const entries = cache.split('\n').map((l) => l.trim().split(/\s+/)).filter((w) => w[0] === '080901EF');
    assert.equal(entries.length, 2, cache);
    assert.ok(entries.every((w) => Number(w[3]) >= 20), cache);
    for (const dev of ['up0', 'dn0']) assert.equal(vifOut(vifs, dev) - vifOut(vifsBefore, dev), 0, vifs);
    for (const r of low) {
      assert.equal(r.code, 1, r.stderr);
      const d = JSON.parse(r.stdout);
      const missing = d.findings.find((f: any) => f.id === 'MESH_PEERS_MISSING');
      assert.match(missing?.message ?? '',
        /This host sends with TTL 1 \(--ttl 1\): a peer on another segment, behind a router, never hears it/);
      assert.match(missing.fix, /--ttl N/);
      assert.equal(missing.evidence.ttl, 1);
    }
    const high = await mesh(4);
    for (const r of high) {
      const d = JSON.parse(r.stdout);
      assert.equal(d.peers.length, 1, JSON.stringify(d.findings.map((f: any) => f.message)));
      assert.equal(d.findings.filter((f: any) => f.id === 'MESH_PEERS_MISSING').length, 0);
    }
  });
});
