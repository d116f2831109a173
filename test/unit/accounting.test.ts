// Packet accounting: the readers on recorded /proc, ss and trace_pipe text, the counter deltas,
// and the differential on facts (each break, and the healthy path that stays quiet).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { REPO } from '../helpers/lab.js';
import { parseProcNetUdp } from '../../src/platform/procfs/udp.js';
import { parseSsSkmem } from '../../src/platform/accounting/skmem.js';
import { flattenCounters } from '../../src/platform/accounting/counters.js';
import { countTraceLines } from '../../src/platform/accounting/tracefs.js';
import { counterDeltas, shortfall } from '../../src/core/accounting/counters.js';
import { diagnoseTrace, receivesGroup } from '../../src/core/accounting/diagnose.js';
import { hostStages } from '../../src/core/accounting/host-stages.js';
import { stagesOf } from '../../src/core/accounting/counters.js';
import type { IfacePath } from '../../src/core/accounting/model.js';
import { explainPair } from '../../src/core/accounting/window.js';
import type { SocketFact, TraceFacts } from '../../src/core/accounting/model.js';

const fx = (name: string): string => readFileSync(path.join(REPO, 'fixtures', 'proc', 'accounting', name), 'utf8');

test('/proc/net/udp: address, port, inode, drops and the receive queue (rx_queue column)', () => {
  const udp = parseProcNetUdp(fx('udp.txt'), 4);
  assert.deepEqual(udp.map((s) => [s.localAddress, s.localPort, s.drops, s.rxQueue]),
    [['0.0.0.0', 5001, 18, 0x680], ['239.9.9.9', 5002, 0, 0]]);
  const udp6 = parseProcNetUdp(fx('udp6.txt'), 6);
  assert.deepEqual(udp6.map((s) => [s.localAddress, s.localPort]), [['::', 5003]]);
});

test('ss -uaenmH: SO_RCVBUF (rb), queue and drops by inode, the skmem tuple on its own line', () => {
  const udp = parseProcNetUdp(fx('udp.txt'), 4);
  const sk = parseSsSkmem(fx('ss-uaenmH.txt'));
  assert.equal(sk.size, 3);
  const first = sk.get(udp[0]!.inode);
  assert.deepEqual(first, { rmemAlloc: 1664, rcvbuf: 2304, drops: 18 });
  assert.equal(sk.get(udp[1]!.inode)?.rcvbuf, 212992);
  assert.equal(parseSsSkmem('garbage\n\tskmem:(rb1)').size, 0, 'no inode, nothing kept');
});

test('counters: snmp flattened to Section.Name; deltas only where both readings exist and none went backwards', () => {
  const c = flattenCounters(fx('snmp.txt'), '', 'Ip6InMcastPkts 7\nUdp6IgnoredMulti 2\n');
  assert.equal(c['Udp.RcvbufErrors'], 18);
  assert.equal(c['Ip.InReceives'], 20);
  assert.equal(c['Ip6.Ip6InMcastPkts'], 7);
  const d = counterDeltas({ 'IpExt.InMcastPkts': 10, 'Udp.IgnoredMulti': 5 }, { 'IpExt.InMcastPkts': 110, 'Udp.IgnoredMulti': 4 }, 4);
  assert.deepEqual(d, { 'IpExt.InMcastPkts': 100 });
  assert.equal(shortfall(100, 0), 100);
  assert.equal(shortfall(100, 95), 0, 'within 10 %: other traffic and window edges');
  assert.equal(shortfall(1, 0), 0, 'one packet is not a pattern');
  assert.equal(shortfall(100, null), 0, 'a missing counter says nothing');
});

test('trace_pipe lines: counted per reason and per reason@function; other lines ignored', () => {
  const into = { reasons: {} as Record<string, number>, locations: {} as Record<string, number> };
  countTraceLines(`${fx('trace_pipe.txt')}\n# tracer: nop\nnot a line\n`, into);
  assert.deepEqual(into.reasons, { NOT_SPECIFIED: 1, NO_SOCKET: 3, IP_LOCAL_SOURCE: 1, IP_RPFILTER: 1 });
  assert.equal(into.locations['NO_SOCKET@__udp4_lib_rcv'], 3);
  // Bounded: a flood of distinct functions does not grow the table past its cap.
  const many = Array.from({ length: 1000 }, (_, i) => `x location=f${i}+0x1/0x2 reason: NO_SOCKET`).join('\n');
  countTraceLines(many, into);
  assert.ok(Object.keys(into.locations).length <= 256);
  assert.equal(into.reasons.NO_SOCKET, 1003);
});

const sock = (o: Partial<SocketFact>): SocketFact => ({ family: 4, localAddress: '0.0.0.0', localPort: 5001, inode: 1,
  owners: [{ pid: 42, comm: 'vlc' }], rxQueue: 0, drops: 0, dropsDuring: 0, ...o });
const facts = (o: Partial<TraceFacts>): TraceFacts => ({
  group: '239.1.1.1', family: 4, port: 5001, seconds: 2,
  wire: [{ iface: 'eth1', packets: 100, bytes: 100_000, sources: [{ source: '10.9.0.5', packets: 100 }],
    ports: [{ port: 5001, packets: 100 }] }],
  membershipIfaces: ['eth1'], joinedByUs: false,
  deltas: { 'IpExt.InMcastPkts': 100, 'Ip.InDelivers': 100, 'Udp.InDatagrams': 100 },
  sockets: [sock({})], rpf: {}, rmemMax: 212992, ...o,
});
const ids = (f: TraceFacts): string[] => diagnoseTrace(f).findings.map((x) => `${x.id}:${x.iface ?? ''}`);

test('diagnose: the healthy path is quiet and every step is ok', () => {
  const d = diagnoseTrace(facts({}));
  assert.deepEqual(d.findings, []);
  assert.deepEqual(d.paths[0]?.steps.map((s) => s.status), ['ok', 'ok', 'ok', 'ok', 'ok']);
});

test('diagnose: each break in packet order, the first one ends the path', () => {
  assert.deepEqual(ids(facts({ wire: [{ iface: 'eth1', packets: 0, bytes: 0, sources: [], ports: [] }] })), ['NO_TRAFFIC:']);
  assert.deepEqual(ids(facts({ membershipIfaces: ['eth0'] })), ['MEMBERSHIP_WRONG_IFACE:eth1']);
  assert.deepEqual(ids(facts({ membershipIfaces: [] })), ['GROUP_NOT_JOINED:eth1']);
  assert.deepEqual(ids(facts({ membershipIfaces: [], joinedByUs: true })), [], '--join holds it');
  const rpf = diagnoseTrace(
    facts({ rpf: { eth1: { source: '10.9.0.5', accepted: false, routeBackDev: 'eth0' } }, deltas: { 'TcpExt.IPReversePathFilter': 100 } }));
  assert.equal(rpf.findings[0]?.id, 'KERNEL_DROP');
  assert.match(rpf.findings[0]?.message ?? '', /reverse-path filter drops all of it \(source 10\.9\.0\.5 routes back via eth0\)/);
  assert.match(diagnoseTrace(facts({ deltas: { 'IpExt.InMcastPkts': 0 },
    firewallRule: "nft rule 'ip filter prerouting' handle 7" })).findings[0]?.message ?? '', /before IP accepted them.*handle 7/);
  const ssm = diagnoseTrace(facts({ deltas: { 'IpExt.InMcastPkts': 0 }, sourceFilters: { eth1: ['10.9.0.9'] } })).findings[0];
  assert.equal(ssm?.evidence.reason, 'SOURCE_FILTER');
  assert.match(ssm?.message ?? '', /from 10\.9\.0\.5 but the membership there is source-specific \(INCLUDE 10\.9\.0\.9\)/);
  assert.deepEqual(diagnoseTrace(facts({ sourceFilters: { eth1: ['10.9.0.9'] } })).findings, [],
    'an INCLUDE list alone is no drop: the counters must show one (an ASM join beside it accepts all)');
  assert.match(diagnoseTrace(facts({ deltas: { 'IpExt.InMcastPkts': 100, 'Ip.InDelivers': 3 } })).findings[0]?.message ?? '',
    /after routing, before UDP/);
  const none = diagnoseTrace(
    facts({ sockets: [sock({ localPort: 5000 })], deltas: { 'IpExt.InMcastPkts': 100, 'Ip.InDelivers': 100, 'Udp.IgnoredMulti': 100 } }));
  assert.deepEqual(none.findings.map((f) => f.id), ['NO_SOCKET_ON_PORT']);
  assert.match(none.findings[0]?.message ?? '',
    /nobody listens on port 5001 \(Udp IgnoredMulti \+100\): vlc \(pid 42\) is bound to 0\.0\.0\.0:5000/);
  const over = diagnoseTrace(facts({ sockets: [sock({ dropsDuring: 60, rcvbuf: 425984 })] }));
  assert.deepEqual(over.findings.map((f) => f.id), ['APP_SOCKET_OVERFLOW']);
  assert.match(over.findings[0]?.message ?? '', /vlc \(pid 42\) overflowed 60 times in 2 s.*416 KiB.*400 kbit\/s \(rmem_max is 208 KiB\)/);
  assert.match(over.findings[0]?.fix ?? '', /net\.core\.rmem_max=/, 'the buffer is at 2 x rmem_max: only the sysctl helps');
});

test('host stages: a namespace-wide break marks every interface that got there; upToIp stops after IP', () => {
  const path = (iface: string): IfacePath => ({ iface, wire: { packets: 50, pps: 25, bitsPerSecond: 200_000, sources: [] },
    membership: 'here', steps: [] });
  const f = facts({ deltas: { 'IpExt.InMcastPkts': 100, 'Ip.InDelivers': 0 } });
  const passed = [path('eth1'), path('eth2')];
  const out = hostStages({ f, stages: stagesOf(f.deltas, 4), passed, okWire: 100, target: '239.1.1.1:5001' }, f.sockets);
  assert.deepEqual(out.map((x) => [x.id, x.iface]), [['KERNEL_DROP', undefined]], 'two interfaces: the finding names neither');
  assert.match(out[0]?.message ?? '', /arrives on eth1, eth2 \(100 packets\) but the kernel dropped 100 of them after routing/);
  for (const p of passed) {
    assert.deepEqual(p.steps.map((s) => `${s.step} ${s.status}`), ['ip ok', 'ip broken']);
    assert.equal(p.breakId, 'KERNEL_DROP');
  }
  const healthy = facts({ upToIp: true, sockets: [] });
  const one = [path('eth1')];
  assert.deepEqual(hostStages({ f: healthy, stages: stagesOf(healthy.deltas, 4), passed: one, okWire: 100, target: 'x' }, []), [],
    'join-all and doctor: the sockets are the tool\'s own, no socket stage');
  assert.deepEqual(one[0]?.steps.map((s) => s.step), ['ip']);
});

test('join-all --expect window: a silent pair explained up to IP, in trace\'s words', () => {
  const pair = { iface: 'eth1', group: '239.1.1.1', family: 4 as const, port: 5001 };
  const wire = { iface: 'eth1', packets: 100, bytes: 100_000, sources: [{ source: '10.9.0.5', packets: 100 }], ports: [] };
  const none = explainPair(pair, { ...wire, packets: 0, sources: [] }, {}, {}, 2);
  assert.equal(none.breakId, 'NOT_ON_WIRE');
  assert.equal(none.sentence,
    'Nothing for 239.1.1.1 on the wire of eth1 either: the break is before this host (sender, TTL, switch or router).');
  const lost = explainPair(pair, wire, { 'IpExt.InMcastPkts': 100, 'Ip.InDelivers': 100 }, {}, 2);
  assert.equal(lost.breakId, undefined);
  assert.equal(lost.sentence, '100 packets of 239.1.1.1 were on the wire of eth1 and the kernel accepted them ' +
    '(IpExt InMcastPkts +100): they were lost at this host\'s receiving sockets.');
  const rpf = explainPair(pair, wire, { 'IpExt.InMcastPkts': 0, 'TcpExt.IPReversePathFilter': 100 },
    { eth1: { source: '10.9.0.5', accepted: false, routeBackDev: 'eth0' } }, 2);
  assert.equal(rpf.breakId, 'KERNEL_DROP');
  assert.match(rpf.sentence, /reverse-path filter drops all of it \(source 10\.9\.0\.5 routes back via eth0\)/);
  assert.equal(rpf.stages.rpfDrops, 100);
});

test('receivesGroup: port and wildcard or group; a dual-stack [::] socket takes IPv4 too; unicast never', () => {
  assert.equal(receivesGroup(sock({}), '239.1.1.1', 5001, 4), true);
  assert.equal(receivesGroup(sock({ localAddress: '239.1.1.1' }), '239.1.1.1', 5001, 4), true);
  assert.equal(receivesGroup(sock({ localAddress: '198.18.1.2' }), '239.1.1.1', 5001, 4), false);
  assert.equal(receivesGroup(sock({ family: 6, localAddress: '::' }), '239.1.1.1', 5001, 4), true);
  assert.equal(receivesGroup(sock({ localPort: 5000 }), '239.1.1.1', 5001, 4), false);
});

test('socket owners: /proc/PID/fd links to socket:[INODE] matched, other links and processes skipped, comm read raw', async () => {
  const { mkdtempSync, mkdirSync, symlinkSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { findSocketOwners } = await import('../../src/platform/accounting/socket-owners.js');
  const root = mkdtempSync(path.join(tmpdir(), 'mcd-proc-'));
  const proc = (pid: number, comm: string, links: string[]): void => {
    mkdirSync(path.join(root, String(pid), 'fd'), { recursive: true });
    writeFileSync(path.join(root, String(pid), 'comm'), `${comm}\n`);
    links.forEach((l, fd) => symlinkSync(l, path.join(root, String(pid), 'fd', String(fd))));
  };
  proc(100, 'vlc', ['/dev/null', 'socket:[555]', 'socket:[556]']);
  proc(200, 'evil\x1b[2J', ['socket:[555]']);
  proc(300, 'other', ['socket:[999]', 'pipe:[555]']);
  mkdirSync(path.join(root, 'self'));
  const scan = await findSocketOwners(new Set([555]), root);
  assert.equal(scan.complete, true);
  assert.deepEqual(scan.owners.get(555), [{ pid: 100, comm: 'vlc', fd: 1 }, { pid: 200, comm: 'evil\x1b[2J', fd: 0 }],
    'raw: the renderer sanitises');
  assert.equal(scan.owners.get(999), undefined, 'not asked for');
  assert.equal((await findSocketOwners(new Set(), root)).owners.size, 0);
});

test('trace render: a process name with terminal escapes is shown escaped, in the table and in the finding', async () => {
  const { Writable } = await import('node:stream');
  const { Output } = await import('../../src/render/output.js');
  const { renderTrace } = await import('../../src/render/trace.js');
  let buf = '';
  const w = new Writable({ write(chunk, _enc, cb) { buf += String(chunk); cb(); } });
  const out = new Output({ json: false, color: false, quiet: false, verbose: false }, w, w);
  const f = facts({ sockets: [sock({ dropsDuring: 9, owners: [{ pid: 7, comm: 'evil\x1b]0;pwned\x07' }] })] });
  const d = diagnoseTrace(f);
  renderTrace({
    group: f.group, family: 4, port: 5001, seconds: 2, interrupted: false, joined: false,
    evidence: { level: 'counters', socketOwnersComplete: true, rcvbufKnown: true },
    counters: f.deltas, stages: d.stages, interfaces: d.paths.map((p) => ({ ...p, ports: [] })),
    sockets: f.sockets.map((s) => ({ ...s, receives: true })), membershipIfaces: ['eth1'], rmemMax: 212992, findings: d.findings,
      coverage: { notRun: [], interrupted: null },
  }, out);
  assert.ok(!buf.includes('\x1b'), 'no raw escape reaches the terminal');
  assert.ok(buf.includes('evil\\x1b]0;pwned\\x07 (7)'), buf);
  assert.match(buf, /APP_SOCKET_OVERFLOW.*evil\\x1b\]0;pwned\\x07 \(pid 7\) overflowed 9 times/);
});

test('wire counter: only packets stamped inside the counter window count; ' +
  'own sources and other ports are left out; tables bounded', async () => {
  const { FakeCapture } = await import('../helpers/fake-capture.js');
  const { ether, ipv4, udp } = await import('../helpers/packets.js');
  const { WireCounter } = await import('../../src/core/accounting/wire.js');
  const cap = new FakeCapture();
  const frame =
    (src: string, dport: number): Buffer => ether(0x0800, ipv4({ src, dst: '239.1.1.1', proto: 17 }, udp(4000, dport, Buffer.alloc(100))));
  const w = new WireCounter(cap, ['eth1'], '239.1.1.1', 4, new Set(['10.0.0.2']), 5001);
  assert.equal(cap.opened[0]?.filter, 'ip and udp and dst host 239.1.1.1');
  cap.deliver('eth1', frame('10.9.0.5', 5001), 1_000_000); // before the window: not counted
  w.open(2_000);
  cap.deliver('eth1', frame('10.9.0.5', 5001), 2_500_000);
  cap.deliver('eth1', frame('10.9.0.5', 5002), 2_600_000); // another port: listed, not counted
  cap.deliver('eth1', frame('10.0.0.2', 5001), 2_700_000); // the host's own
  for (let i = 0; i < 200; i++) cap.deliver('eth1', frame(`10.8.${i}.1`, 5001), 2_800_000);
  w.close(3_000);
  cap.enqueue('eth1', frame('10.9.0.5', 5001), 3_500_000); // drained at stop, but after the window
  const [c] = await w.stop();
  assert.equal(c?.packets, 201);
  assert.deepEqual(c?.ports.map((p) => p.port), [5001, 5002]);
  assert.ok((c?.sources.length ?? 0) <= 8, 'top sources only');
  assert.equal(c?.bytes, 201 * frame('10.9.0.5', 5001).length);
});
