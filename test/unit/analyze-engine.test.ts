// analyze's trackers and findings on frames laid out by hand (test/helpers/packets.ts), written
// into pcap files in memory with sniff's own encoder: RTP sequence and jitter rules, MPEG-TS
// continuity rules, the snooping-timeout signature, the off-subnet querier with an inferred or a
// given subnet, and the bounds on hostile files.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { CaptureFileWriter } from '../../src/core/sniff/file-format.js';
import { analyzeFiles } from '../../src/core/analyze/run.js';
import { parsePrefixes } from '../../src/core/analyze/args.js';
import { MAX_STREAMS } from '../../src/core/analyze/engine.js';
import { RtpTracker } from '../../src/core/analyze/rtp.js';
import { TsTracker } from '../../src/core/analyze/mpegts.js';
import { openCaptureSource } from '../../src/platform/capture-file-source.js';
import { ether, igmp, igmpV3Query, igmpV3Report, ipv4, ROUTER_ALERT_V4, udp } from '../helpers/packets.js';

type Frame = [tsUs: number, frame: Buffer];

function pcap(frames: Frame[]): Buffer {
  const chunks: Buffer[] = [];
  const w = new CaptureFileWriter({ write: (c) => chunks.push(c) }, 'pcap', [{ name: 'eth0', linkType: 1, snaplen: 65535 }]);
  for (const [t, f] of frames) w.write(0, Math.floor(t / 1e6), t % 1e6, f, f.length, f.length);
  w.flush();
  return Buffer.concat(chunks);
}

function analyze(frames: Frame[], prefixes: string[] = [], membershipIntervalS?: number) {
  return analyzeFiles([openCaptureSource('-', Readable.from([pcap(frames)]))],
    { prefixes: parsePrefixes(prefixes), ...(membershipIntervalS ? { membershipIntervalS } : {}) });
}

const T0 = 1_800_000_000_000_000;
const data = (t: number, src: string, group: string, payload: Buffer, ttl = 4): Frame => [
  t,
  ether(0x0800, ipv4({ src, dst: group, proto: 17, ttl }, udp(4000, 5004, payload))),
];
const query = (t: number, src: string): Frame => [t, ether(0x0800,
  ipv4({ src, dst: '224.0.0.1', proto: 2, options: ROUTER_ALERT_V4 }, igmp(igmpV3Query({ code: 10, group: '0.0.0.0', qrv: 2, qqic: 1 }))))];
const join = (t: number, src: string, group: string): Frame =>
  [t, ether(0x0800, ipv4({ src, dst: '224.0.0.22', proto: 2, options: ROUTER_ALERT_V4 }, igmp(igmpV3Report([{ type: 4, group }]))))];
const answer = (t: number, src: string, group: string): Frame =>
  [t, ether(0x0800, ipv4({ src, dst: '224.0.0.22', proto: 2, options: ROUTER_ALERT_V4 }, igmp(igmpV3Report([{ type: 2, group }]))))];

function rtp(seq: number, ts: number, ssrc = 0x1234): Buffer {
  const b = Buffer.alloc(12 + 20);
  b[0] = 0x80; b[1] = 96;
  b.writeUInt16BE(seq & 0xffff, 2); b.writeUInt32BE(ts >>> 0, 4); b.writeUInt32BE(ssrc, 8);
  return b;
}

test('RTP: loss across the 16-bit wrap, a duplicate and a reordered packet; steady arrivals have no jitter', () => {
  const t = new RtpTracker();
  const seqs = [65533, 65534, 65535, 0, 2, 1, 1, 3];
  seqs.forEach((s, i) => t.add(rtp(s, i * 900), 0, 32, T0 + i * 10_000));
  const r = t.result()![0]!;
  assert.deepEqual([r.expected, r.lost, r.duplicates, r.reordered, r.packets], [7, 0, 1, 1, 8]);
  const g = new RtpTracker();
  for (let i = 0; i < 50; i++) if (i !== 20 && i !== 21) g.add(rtp(i, i * 900), 0, 32, T0 + i * 10_000);
  const q = g.result()![0]!;
  assert.equal(q.lost, 2);
  assert.equal(q.clockRate, 90000);
  assert.equal(q.clockRateAssumed, true);
  assert.equal(q.jitterMs, 0); // 900 ticks at 90 kHz = 10 ms, arriving every 10 ms
});

test('RTP: random payloads and the tool\'s probes are not RTP', () => {
  const t = new RtpTracker();
  const payloads = [Buffer.from('MCDP....'.repeat(4)), Buffer.alloc(32, 0x80)];
  for (let i = 0; i < 10; i++) { const b = Buffer.from(payloads[0]!); t.add(b, 0, b.length, T0 + i); }
  assert.equal(t.result(), undefined);
  const r = new RtpTracker();
  for (let i = 0; i < 10; i++) r.add(rtp(i, i, 0x1000 + i), 0, 32, T0 + i); // a new SSRC each packet
  assert.equal(r.result(), undefined);
});

function ts(pid: number, cc: number, afc = 1, discontinuity = false): Buffer {
  const b = Buffer.alloc(188);
  b[0] = 0x47; b[1] = (pid >> 8) & 0x1f; b[2] = pid & 0xff; b[3] = (afc << 4) | cc;
  if (afc === 3) { b[4] = 1; b[5] = discontinuity ? 0x80 : 0; }
  return b;
}

test('MPEG-TS: counters per PID; AF-only, null PID, one duplicate and a discontinuity are no error', () => {
  const t = new TsTracker();
  const pkts = [ts(256, 0), ts(256, 1), ts(256, 1) /* dup ok */, ts(256, 1, 2) /* AF only */, ts(256, 2), ts(8191, 9) /* null */,
    ts(257, 5), ts(256, 4) /* 3 lost */, ts(256, 4), ts(256, 4) /* second dup: error */, ts(
      257,
      0,
      3,
      true,
    ) /* discontinuity */, ts(257, 1)];
  t.add(Buffer.concat(pkts.slice(0, 7)), 0, 7 * 188);
  t.add(Buffer.concat(pkts.slice(7)), 0, 5 * 188);
  const r = t.result()!;
  assert.deepEqual([r.packets, r.ccErrors, r.duplicates, r.pids], [12, 2, 2, 2]);
  assert.deepEqual(r.worstPids, [{ pid: 256, ccErrors: 2 }]);
  const not = new TsTracker();
  not.add(Buffer.alloc(100), 0, 100);
  assert.equal(not.result(), undefined);
});

/**
 * The snooping scene: 198.18.10.2 joins 239.1.1.1 at 0.2 s; an off-subnet querier 198.18.99.1
 * queries every second and nobody answers; the stream flows from 0.5 s and stops at 3.5 s
 * (a 3 s membership interval after the join); the capture goes on until 9 s.
 */
function snoopingScene(answered: boolean): Frame[] {
  const f: Frame[] = [join(T0 + 200_000, '198.18.10.2', '239.1.1.1'), join(T0 + 250_000, '198.18.10.7', '239.1.1.9')];
  for (let s = 1; s <= 9; s++) {
    f.push(query(T0 + s * 1e6, '198.18.99.1'));
    if (answered) f.push(answer(T0 + s * 1e6 + 300_000, '198.18.10.2', '239.1.1.1'));
  }
  for (let t = 500_000; t <= 3_500_000; t += 100_000) f.push(data(T0 + t, '198.18.10.3', '239.1.1.1', rtp(t / 100_000, t)));
  return f.sort((a, b) => a[0] - b[0]);
}

test('snooping signature: stops one membership interval after the last report, queries unanswered', async () => {
  const r = await analyze(snoopingScene(false), [], 3);
  const ids = r.findings.map((f) => f.id);
  assert.ok(ids.includes('SNOOPING_TIMEOUT'), ids.join());
  const s = r.findings.find((f) => f.id === 'SNOOPING_TIMEOUT')!;
  assert.equal(s.group, '239.1.1.1');
  assert.deepEqual(s.evidence.offSubnetQueriers, ['198.18.99.1']);
  assert.match(s.message, /3\.3 s after the last membership report/);
  const off = r.findings.find((f) => f.id === 'QUERIER_OFF_SUBNET')!;
  assert.equal(off.severity, 'error');
  assert.equal(off.evidence.subnetSource, 'inferred');
  assert.equal(off.evidence.subnet, '198.18.10.0/24');
  assert.match(off.message, /none of its \d+ queries was answered/);
});

test('the same scene with answered queries and an on-subnet prefix given: no timeout, no off-subnet', async () => {
  const r = await analyze(snoopingScene(true), ['stdin=198.18.0.0/16'], 3);
  assert.deepEqual(r.findings.filter((f) => f.id !== 'TTL_ONE').map((f) => f.id), []);
});

test('given prefix wins over the inference, and says so', async () => {
  const r = await analyze(snoopingScene(false), ['198.18.10.0/25']);
  const off = r.findings.find((f) => f.id === 'QUERIER_OFF_SUBNET')!;
  assert.equal(off.evidence.subnetSource, 'given');
  assert.match(off.message, /given with --prefix/);
});

test('hostile file: streams beyond the table are counted, not kept', async () => {
  const frames: Frame[] = [];
  for (let i = 0; i < MAX_STREAMS + 50; i++) frames.push(data(T0 + i, `198.18.${(i >> 8) & 255}.${i & 255}`, '239.9.9.9', Buffer.alloc(4)));
  const r = await analyze(frames);
  assert.equal(r.analysis.streams.length, MAX_STREAMS);
  assert.equal(r.analysis.streamsNotTracked.packets, 50);
});
