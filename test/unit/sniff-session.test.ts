import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FLOWS_SHOWN, MAX_FLOWS_PER_IFACE, SniffSession, type SniffEvent } from '../../src/core/sniff/session.js';
import { CaptureFileWriter } from '../../src/core/sniff/file-format.js';
import { trafficFindings } from '../../src/core/sniff/findings.js';
import { buildFilter } from '../../src/core/sniff/filter.js';
import { groupMac } from '../../src/core/sniff/mac.js';
import { makeProbeBuffer, stampProbe } from '../../src/core/probe/format.js';
import { FakeCapture } from '../helpers/fake-capture.js';
import { readCapture } from '../helpers/pcap-read.js';
import { ether, igmpV3Report, ipv4, ROUTER_ALERT_V4, udp } from '../helpers/packets.js';

const T0 = 1_700_000_000_000_000;
const data = (
  src: string,
  dst: string,
  ttl: number,
  payload: Buffer = Buffer.alloc(20),
) => ether(0x0800, ipv4({ src, dst, ttl, proto: 17 }, udp(40000, 5001, payload)));

function session(fake: FakeCapture, extra: Partial<ConstructorParameters<typeof SniffSession>[1]> = {}) {
  const events: SniffEvent[] = [];
  const s = new SniffSession(fake, { targets: [{ iface: 'wired0' }, { iface: 'wifi0' }], filter: 'udp', packetEvents: true,
    malformedEvents: true, ...extra }, (e) => events.push(e));
  return { s, events };
}

test('flows per interface x group x source, TTL range, probes, IGMP events, malformed counts', async () => {
  const fake = new FakeCapture();
  const { s, events } = session(fake);
  s.start();
  for (let i = 0; i < 5; i++) fake.deliver('wired0', data('198.18.1.1', '239.1.2.3', i === 0 ? 1 : 4), T0 + i * 1000);
  const probe = makeProbeBuffer({ senderId: 'peer-b', ifname: 'eth0', ifindex: 2, group: '239.1.2.3', ttl: 1 }, 64);
  for (const seq of [0, 1, 3, 3]) {
    stampProbe(probe, seq, T0 / 1 - 500);
    fake.deliver('wifi0', data('198.18.2.1', '239.1.2.3', 1, probe), T0 + seq * 1000);
  }
  fake.deliver('wired0', ether(0x0800, ipv4({ src: '198.18.1.2', dst: '224.0.0.22', proto: 2, options: ROUTER_ALERT_V4 },
    igmpV3Report([{ type: 4, group: '239.1.2.3' }]))), T0);
  fake.deliver('wired0', Buffer.from(data('198.18.1.1', '239.1.2.3', 1).subarray(0, 30)), T0);
  fake.deliver('wired0', ether(0x0806, Buffer.alloc(28)), T0);
  s.requestStop('signal');
  const sum = await s.finish();
  const w = sum.interfaces.find((i) => i.iface === 'wired0')!;
  assert.deepEqual({ ...w, kernel: undefined }, { iface: 'wired0', linkType: 1, packets: 8, bytes: w.bytes, data: 5, igmp: 1, mld: 0,
    malformed: 1, other: 1, kernel: undefined, flowsOmitted: { flows: 0, packets: 0, bytes: 0 }, distinctFlows: 1, distinctSenders: 0 });
  const f1 = sum.flows.find((f) => f.iface === 'wired0')!;
  assert.equal(f1.group, '239.1.2.3');
  assert.equal(f1.source, '198.18.1.1');
  assert.equal(f1.packets, 5);
  assert.equal(f1.ttlMin, 1);
  assert.equal(f1.ttlMax, 4);
  assert.equal(f1.packetsPerSec, 1000);
  assert.equal(f1.srcMac, '02:00:00:00:00:01');
  const f2 = sum.flows.find((f) => f.iface === 'wifi0')!;
  assert.equal(f2.probes.length, 1);
  const p = f2.probes[0]!;
  assert.deepEqual([p.received, p.unique, p.duplicates, p.lost], [4, 3, 1, 1]);
  assert.equal(p.senderId, 'peer-b');
  const igmp = events.find((e) => e.type === 'igmp');
  assert.ok(igmp && igmp.type === 'igmp' && igmp.message.kind === 'report' && igmp.routerAlert && igmp.src === '198.18.1.2');
  const pk = events.filter((e) => e.type === 'packet');
  assert.equal(pk.length, 9);
  const withProbe = pk.find((e) => e.type === 'packet' && e.probe);
  assert.ok(withProbe && withProbe.type === 'packet' && withProbe.probe?.delayMs === 0.5);
  assert.ok(events.some((e) => e.type === 'malformed' && /IPv4/.test(e.reason)));
  assert.deepEqual(fake.closed.sort(), ['wifi0', 'wired0']);
});

test('a stop drains what the kernel still holds; --count stops at exactly N, file included', async () => {
  const fake = new FakeCapture();
  const chunks: Buffer[] = [];
  const { s } = session(fake, { count: 3 });
  const opened = s.start();
  const writer = new CaptureFileWriter({ write: (c) => chunks.push(c) }, 'pcapng',
    opened.map((o) => ({ name: o.iface, linkType: o.linkType, snaplen: o.snaplen })));
  s.attachWriter(writer);
  fake.deliver('wired0', data('198.18.1.1', '239.1.2.3', 1), T0);
  fake.enqueue('wifi0', data('198.18.2.1', '239.1.2.3', 1), T0 + 5);
  s.requestStop('signal');
  const sum = await s.finish();
  assert.equal(sum.interfaces.find((i) => i.iface === 'wifi0')?.packets, 1, 'the queued packet was drained');
  const file = readCapture(Buffer.concat(chunks));
  assert.deepEqual(file.interfaces.map((i) => i.name), ['wired0', 'wifi0']);
  assert.deepEqual(file.packets.map((p) => [p.ifaceId, p.tsUs]), [[0, T0], [1, T0 + 5]]);

  const fake2 = new FakeCapture();
  const { s: s2 } = session(fake2, { count: 3 });
  s2.start();
  let stopped = false;
  void s2.stopped.then(() => { stopped = true; });
  for (let i = 0; i < 5; i++) fake2.deliver('wired0', data('198.18.1.1', '239.1.2.3', 1), T0 + i);
  await Promise.resolve();
  assert.equal(stopped, true);
  const sum2 = await s2.finish();
  assert.equal(sum2.stoppedBy, 'count');
  assert.equal(sum2.interfaces[0]?.packets, 3);
});

test('an open failure closes the captures already open', () => {
  const fake = new FakeCapture();
  fake.failOn = { iface: 'wifi0', error: new Error('boom') };
  const { s } = session(fake);
  assert.throws(() => s.start(), /boom/);
  assert.deepEqual(fake.closed, ['wired0']);
});

test('pcap and pcapng round trip: headers, interfaces, timestamps, padding, batches', () => {
  const chunks: Buffer[] = [];
  const w = new CaptureFileWriter({ write: (c) => chunks.push(c) }, 'pcap', [{ name: 'wired0', linkType: 1, snaplen: 65535 }]);
  const frames = [Buffer.alloc(61, 1), Buffer.alloc(700_000, 2), Buffer.alloc(500_000, 3)];
  frames.forEach((f, i) => w.write(0, 1_700_000_000 + i, 999_999, f, f.length, f.length + 4));
  w.flush();
  assert.ok(chunks.length >= 2, 'flushed in batches');
  const r = readCapture(Buffer.concat(chunks));
  assert.equal(r.format, 'pcap');
  assert.deepEqual(r.interfaces, [{ linkType: 1, snaplen: 65535 }]);
  assert.deepEqual(
    r.packets.map((p) => [p.data.length, p.wireLen, p.tsUs]),
    frames.map((f, i) => [f.length, f.length + 4, (1_700_000_000 + i) * 1e6 + 999_999]),
  );
  assert.ok(r.packets[1]!.data.every((b) => b === 2));
  assert.throws(() => new CaptureFileWriter({ write: () => undefined }, 'pcap',
    [{ name: 'a', linkType: 1, snaplen: 1 }, { name: 'b', linkType: 1, snaplen: 1 }]));
  const ng: Buffer[] = [];
  const w2 = new CaptureFileWriter({ write: (c) => ng.push(c) }, 'pcapng',
    [{ name: 'wired0', linkType: 1, snaplen: 100 }, { name: 'sll', linkType: 113, snaplen: 200 }]);
  w2.write(1, 5, 7, Buffer.from([1, 2, 3]), 3, 3);
  w2.flush();
  const r2 = readCapture(Buffer.concat(ng));
  assert.deepEqual(r2.interfaces, [{ name: 'wired0', linkType: 1, snaplen: 100 }, { name: 'sll', linkType: 113, snaplen: 200 }]);
  assert.deepEqual(r2.packets.map((p) => [p.ifaceId, p.tsUs, [...p.data]]), [[1, 5_000_007, [1, 2, 3]]]);
});

test('findings: TTL_ONE (info, not for link-local groups) and MAC_COLLISION per interface', () => {
  const flow = (iface: string, group: string, ttlMin: number) => ({
    iface, group, source: '198.18.1.1', family: 4 as const, packets: 3, bytes: 300, packetsPerSec: 1, bitsPerSec: 8,
    ttlMin, ttlMax: ttlMin, dscp: [0], srcMac: null, ports: { sport: 1, dport: 2 }, firstUs: 0, lastUs: 0, probes: [], probesOmitted: 0,
  });
  const f = trafficFindings(
    [flow('wired0', '239.1.2.3', 1), flow('wired0', '239.129.2.3', 8), flow('wifi0', '224.0.0.251', 1), flow('wifi0', '239.1.2.3', 8)]);
  assert.deepEqual(f.map((x) => [x.id, x.severity, x.iface, x.group]), [
    ['TTL_ONE', 'info', 'wired0', '239.1.2.3'],
    ['MAC_COLLISION', 'warning', 'wired0', '239.1.2.3'],
  ]);
  assert.deepEqual(f[1]?.evidence, { mac: '01:00:5e:01:02:03', groups: ['239.1.2.3', '239.129.2.3'] });
  assert.deepEqual(trafficFindings([flow('wired0', '239.1.2.3', 4)]), []);
  const v6 = (group: string) => ({ ...flow('wired0', group, 4), family: 6 as const });
  assert.deepEqual(trafficFindings([v6('ff02::fb'), v6('ff05::fb')]), [], 'scope variants of one id');
  assert.deepEqual(trafficFindings([v6('ff0e::1:2:3'), v6('ff05::9:2:3')]).map((x) => x.id), ['MAC_COLLISION']);
  assert.equal(groupMac('ff05::1:3'), '33:33:00:01:00:03');
  assert.equal(groupMac('224.129.255.255'), '01:00:5e:01:ff:ff');
});

test('the built filter: groups, ports, sources, families, with IGMP and MLD', () => {
  assert.equal(buildFilter({ groups: ['239.1.2.3'], ports: [5001], sources: [] }),
    '(udp and dst host 239.1.2.3 and dst port 5001) or (igmp or (ip6 multicast and (ip6[6] == 58 or (ip6[6] == 0 and ip6[40] == 58))))');
  assert.equal(buildFilter({ groups: [], ports: [], sources: ['198.18.1.1'], family: 4 }),
    '(udp and ip multicast and src host 198.18.1.1) or igmp');
  assert.equal(buildFilter({ groups: ['ff05::1', 'ff05::2'], ports: [], sources: [], family: 6 }),
    '(udp and (dst host ff05::1 or dst host ff05::2)) or (ip6 multicast and (ip6[6] == 58 or (ip6[6] == 0 and ip6[40] == 58)))');
});

test('a flood of spoofed sources is bounded: flows capped per interface, the rest counted, the snapshot shows the busiest', async () => {
  const fake = new FakeCapture();
  const { s } = session(fake, { packetEvents: false });
  s.start();
  // One real stream, busier than any spoofed source.
  for (let i = 0; i < 50; i++) fake.deliver('wired0', data('198.18.1.1', '239.1.2.3', 4), T0 + i);
  const n = 20_000;
  for (let i = 0; i < n; i++) fake.deliver('wired0', data(`10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`, '239.1.2.3', 4),
    T0 + 100 + i);
  s.requestStop('signal');
  const sum = await s.finish();
  const w = sum.interfaces.find((i) => i.iface === 'wired0')!;
  assert.equal(sum.flows.length, FLOWS_SHOWN);
  assert.equal(sum.flows[0]?.source, '198.18.1.1', 'the busiest flow first');
  assert.equal(s.trackedFlows(), MAX_FLOWS_PER_IFACE);
  assert.equal(w.flowsOmitted.packets, n + 1 - MAX_FLOWS_PER_IFACE);
  assert.ok(Math.abs(w.distinctFlows - (n + 1)) < (n + 1) * 0.05, `distinct ${w.distinctFlows}`);
  assert.equal(w.data, n + 50);
});
