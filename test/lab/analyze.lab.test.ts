// analyze on scenes captured with tcpdump (not mcast-doctor) in namespaces: an off-subnet querier
// that a strict rp_filter host ignores, so the snooping bridge ages its membership out and the
// stream stops; the same bridge with an on-subnet querier (quiet); a TTL-1 stream; an RTP stream
// losing 3 packets in 10 at the sender's egress hook; a healthy stream (quiet). The HTML page of
// the snooping scene is read back in headless Chromium.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, Lab, labSkipReason, sleep } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { startMember } from '../helpers/querier-lab.js';
import { buildSnoopingHost, captureToFile, sendRtp } from '../helpers/analyze-lab.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { chromiumPath, countColor, dumpDom, screenshot } from '../helpers/chromium.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping analyze lab tests: ${skip}`);

const dir = mkdtempSync(path.join(tmpdir(), 'mcd-analyze-lab-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

function analyze(args: string[]): { code: number; doc: any; stderr: string } {
  let stdout = '';
  let code = 0;
  let stderr = '';
  try {
    stdout = execFileSync(process.execPath, [CLI, 'analyze', ...args, '--json'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const x = e as { status: number; stdout: string; stderr: string };
    code = x.status; stdout = x.stdout; stderr = x.stderr;
  }
  const doc = JSON.parse(stdout);
  assertMatchesSchema('analyze.schema.json', doc);
  return { code, doc, stderr };
}

const ids = (doc: any): string[] => doc.findings.map((f: any) => f.id).sort();

/** tshark's loss for the RTP stream to group (the oracle: its own RTP analysis of the same file). */
function tsharkRtpLost(file: string, group: string): number {
  const text = execFileSync('tshark', ['-r', file, '-d', 'udp.port==5004,rtp', '-q', '-z', 'rtp,streams'],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const line = text.split('\n').find((l) => l.includes(` ${group} `));
  const m = line ? /\s(\d+)\s+(-?\d+) \(/.exec(line) : null;
  if (!m) throw new Error(`tshark found no RTP stream to ${group}:\n${text}`);
  return Number(m[2]);
}

describe('analyze: snooping bridge scenes captured by tcpdump on the member host', { skip }, () => {
  /** 20 s of capture on host lan0 while src sends 20/s (TTL 8) to the group host joined. */
  async function scene(querierCidr: string, name: string): Promise<string> {
    const lab = await Lab.create();
    try {
      await buildSnoopingHost(lab, querierCidr);
      const file = path.join(dir, `${name}.pcap`);
      const cap = await captureToFile(lab, 'host', 'lan0', file);
      const member =
        await startMember(lab, 'host', { group: '239.1.20.3', ifaddr: '198.18.10.2', port: 5004, seconds: 21, earlyS: 3, lateS: 14 });
      const sent = await sendRtp(lab, 'src', { group: '239.1.20.3', count: 400, rate: 20, ttl: 8 });
      assert.equal(sent.code, 0, sent.stderr);
      const counts = await member.counts;
      await sleep(500);
      await cap.stop();
      console.log(`# ${name}: member counts ${JSON.stringify(counts)}`);
      return file;
    } finally {
      await lab.destroy();
    }
  }

  test('off-subnet querier ignored by a strict rp_filter host: ' +
    'QUERIER_OFF_SUBNET and SNOOPING_TIMEOUT, drawn in the HTML page', async () => {
    const file = await scene('198.19.10.1/24', 'offsubnet');
    const html = path.join(dir, 'offsubnet.html');
    const r = analyze([file, '--html', html]);
    console.log(`# findings: ${JSON.stringify(r.doc.findings.map((f: any) => [f.id, f.message]))}`);
    assert.equal(r.code, 1);
    const off = r.doc.findings.find((f: any) => f.id === 'QUERIER_OFF_SUBNET');
    assert.equal(off?.source, '198.19.10.1');
    assert.equal(off.severity, 'error', 'none of its queries was answered');
    assert.equal(off.evidence.subnetSource, 'inferred');
    assert.equal(off.evidence.subnet, '198.18.10.0/24');
    const stop = r.doc.findings.find((f: any) => f.id === 'SNOOPING_TIMEOUT');
    assert.ok(stop, ids(r.doc).join());
    assert.equal(stop.group, '239.1.20.3');
    assert.deepEqual(stop.evidence.offSubnetQueriers, ['198.19.10.1']);
    assert.ok(stop.evidence.queriesAfterReport > 0);
    assert.ok(stop.evidence.captureGoesOnS > 5, `the capture went on after the stop: ${stop.evidence.captureGoesOnS}`);
    const stream = r.doc.streams.find((s: any) => s.group === '239.1.20.3');
    assert.ok(stream.packets > 40 && stream.packets < 300, `stopped early: ${stream.packets} of 400`);
    // The same with --prefix: said "given".
    const given = analyze([file, '--prefix', '198.18.10.0/24']);
    assert.equal(given.doc.findings.find((f: any) => f.id === 'QUERIER_OFF_SUBNET')?.evidence.subnetSource, 'given');

    const bin = chromiumPath();
    if (!bin) {
      assert.notEqual(process.env.CI, 'true', 'CI must have chromium (.ci/run installs it)');
      return;
    }
    const dom = await dumpDom(bin, html);
    assert.match(dom, /<svg[^>]*data-iface="offsubnet.pcap"/);
    assert.match(dom, /class="stream" data-group="239.1.20.3"/);
    assert.match(dom, /class="finding" data-finding="SNOOPING_TIMEOUT"/);
    assert.ok((dom.match(/class="ev" data-kind="query"/g) ?? []).length >= 4, 'queries drawn on the time axis');
    assert.ok((dom.match(/class="ev" data-kind="report"/g) ?? []).length >= 1, 'the join report drawn');
    assert.doesNotMatch(dom, /<script/);
    const img = await screenshot(bin, html);
    assert.ok(countColor(img, 'rgb(220, 38, 38)') > 50, 'the finding is marked in red');
    assert.ok(countColor(img, 'rgb(37, 99, 235)') > 20, 'queries drawn in blue');
  });

  test('on-subnet querier: the host answers, the stream flows to the end, analyze is quiet', async () => {
    const file = await scene('198.18.10.1/24', 'onsubnet');
    const r = analyze([file]);
    assert.deepEqual(ids(r.doc), []);
    assert.equal(r.code, 0);
    const q = r.doc.igmpMld[0].queriers.find((x: any) => x.address === '198.18.10.1');
    assert.ok(q.answered > 0, JSON.stringify(q));
    assert.ok(r.doc.streams.find((s: any) => s.group === '239.1.20.3').packets >= 390);
  });
});

describe('analyze: streams captured by tcpdump on the laptop lab', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  async function capture(name: string, group: string, o: { ttl: number; count: number; rate: number }): Promise<string> {
    const file = path.join(dir, `${name}.pcap`);
    const cap = await captureToFile(lp.lab, 'host', 'wired0', file);
    const member = await startMember(lp.lab, 'host',
      { group, ifaddr: lp.addr.hostWired, port: 5004, seconds: o.count / o.rate + 2, earlyS: 0, lateS: 999 });
    const sent = await sendRtp(lp.lab, 'peer-a', { group, count: o.count, rate: o.rate, ttl: o.ttl });
    assert.equal(sent.code, 0, sent.stderr);
    await member.counts;
    await cap.stop();
    return file;
  }

  test('a stream sent with TTL 1: TTL_ONE', async () => {
    const file = await capture('ttl1', '239.1.21.1', { ttl: 1, count: 50, rate: 50 });
    const r = analyze([file]);
    assert.deepEqual(ids(r.doc), ['TTL_ONE']);
    const f = r.doc.findings[0];
    assert.deepEqual([f.group, f.source, f.evidence.ttlMin], ['239.1.21.1', lp.addr.peerA, 1]);
    assert.equal(r.code, 0, 'TTL_ONE is info: legal on the segment it was captured on');
  });

  test('RTP with 3 packets in 10 dropped at the sender\'s egress hook: RTP_LOSS as tshark counts it, and MPEG-TS CC errors', async () => {
    // No netem in this kernel: an nft netdev egress rule on peer-a's eth0, as the doctor and mesh labs do.
    await lp.lab.must('peer-a', 'nft', ['add table netdev mcdrtploss']);
    let file: string;
    try {
      await lp.lab.must('peer-a', 'nft',
        ['add chain netdev mcdrtploss egress { type filter hook egress device eth0 priority 0 ; policy accept ; }']);
      await lp.lab.must('peer-a', 'nft', ['add rule netdev mcdrtploss egress ip daddr 239.1.22.1 numgen inc mod 10 < 3 drop']);
      file = await capture('rtploss', '239.1.22.1', { ttl: 8, count: 200, rate: 100 });
    } finally {
      await lp.lab.must('peer-a', 'nft', ['delete table netdev mcdrtploss']);
    }
    const r = analyze([file]);
    assert.equal(r.code, 1);
    const loss = r.doc.findings.find((f: any) => f.id === 'RTP_LOSS');
    assert.ok(loss, ids(r.doc).join());
    const lost = tsharkRtpLost(file, '239.1.22.1');
    assert.equal(loss.evidence.lost, lost, 'the same loss as tshark counts');
    assert.ok(lost >= 50 && lost <= 70, `about 30 % of 200: ${lost}`);
    const cc = r.doc.findings.find((f: any) => f.id === 'MPEGTS_CC_ERRORS');
    // Dropped datagrams come in runs of 3: one counter jump per run.
    assert.ok(cc && cc.evidence.ccErrors >= 15 && cc.evidence.ccErrors <= lost, JSON.stringify(cc?.evidence));
  });

  test('a healthy stream (TTL 8, nothing dropped): quiet, exit 0; sniff -r says the same', async () => {
    const file = await capture('healthy', '239.1.23.1', { ttl: 8, count: 100, rate: 50 });
    const r = analyze([file]);
    assert.deepEqual(ids(r.doc), []);
    assert.equal(r.code, 0);
    const s = r.doc.streams.find((x: any) => x.group === '239.1.23.1');
    assert.equal(s.rtp[0].lost, 0);
    assert.equal(s.mpegts.ccErrors, 0);
    const viaSniff = execFileSync(process.execPath, [CLI, 'sniff', '-r', file, '--json'], { encoding: 'utf8' });
    assert.deepEqual(JSON.parse(viaSniff).streams.map((x: any) => x.packets), r.doc.streams.map((x: any) => x.packets));
  });

  test('sniff --write - : pcapng on stdout that tshark reads, status on stderr, libpcap counters in ISBs that analyze shows', async () => {
    const file = path.join(dir, 'stdout.pcapng');
    const errFile = path.join(dir, 'stdout.err');
    const [run] = await Promise.all([
      lp.lab.exec('host', 'sh', ['-c', `exec "$0" "$1" sniff 239.1.24.1 --iface wired0 --duration 5 --write - > "$2" 2> "$3"`,
        process.execPath, CLI, file, errFile], 30_000),
      (async () => { await sleep(2000); await sendRtp(lp.lab, 'peer-a', { group: '239.1.24.1', count: 50, rate: 50, ttl: 8 }); })(),
    ]);
    assert.equal(run.code, 0, readFileSync(errFile, 'utf8'));
    const err = readFileSync(errFile, 'utf8');
    assert.match(err, /stopped by duration/);
    assert.match(err, /239\.1\.24\.1/);
    const head = readFileSync(file).subarray(0, 4);
    assert.equal(head.readUInt32LE(0), 0x0a0d0d0a, 'a pcapng section header first');
    const seen = execFileSync('tshark', ['-r', file, '-Y', 'ip.dst == 239.1.24.1 && udp', '-T', 'fields', '-e', 'frame.interface_name'],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n');
    assert.equal(seen.length, 50);
    assert.deepEqual([...new Set(seen)], ['wired0']);
    const r = analyze([file]);
    const i = r.doc.interfaces[0];
    assert.equal(i.iface, 'wired0');
    assert.ok(i.captureStats && i.captureStats.received >= 50 && i.captureStats.osDropped === 0, JSON.stringify(i.captureStats));
  });
});
