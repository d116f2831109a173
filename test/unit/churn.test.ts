// Interface churn without a kernel: the link-state transitions (platform/link-watch.ts), join-all
// releasing and re-joining by the new ifindex on fakes, and sniff's capture closed and re-opened
// (same interface block, a new one for another link type, none in classic pcap).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialTrack, linkWatcher, stepLink, type LinkEvent, type LinkSample } from '../../src/platform/link-watch.js';
import { startJoinAll, type JoinAllHooks } from '../../src/core/join-all/run.js';
import { followChurn, type ChurnEvent } from '../../src/core/membership/churn.js';
import { parseGroupArgs } from '../../src/core/group-args.js';
import { makeProbeBuffer, stampProbe, nowUs } from '../../src/core/probe/format.js';
import { SniffSession } from '../../src/core/sniff/session.js';
import { CaptureFileWriter } from '../../src/core/sniff/file-format.js';
import type { CaptureFactory } from '../../src/platform/capture/types.js';
import { laptopState, rawIface } from '../helpers/fake-platform.js';
import { FakeHost } from '../helpers/fake-host.js';
import { FakeCapture } from '../helpers/fake-capture.js';
import { readCapture } from '../helpers/pcap-read.js';
import { ether, ipv4, udp } from '../helpers/packets.js';
import { waitFor } from '../helpers/lab.js';
import { exitFor } from '../../src/core/exit.js';

const codeOf = (o: { findings: Parameters<typeof exitFor>[0]; coverage: Parameters<typeof exitFor>[1] }): number => exitFor(
  o.findings,
  o.coverage,
);

// /proc/net/igmp as the kernel shows the two memberships (the join is checked against it).
const igmp = [2, 3].map((index) => ({
  index, device: index === 2 ? 'wired0' : 'wifi0', count: 1, querier: 'V3',
  groups: [{ group: '239.1.7.1', users: 1, timerRunning: false, timerTicks: 0, reporter: true }],
}));

const sample = (over: Partial<LinkSample> = {}): LinkSample =>
  ({ present: true, ifindex: 3, flags: 0x1003, operstate: 'up', carrierDowns: 1, ...over });
const kinds = (es: ReturnType<typeof stepLink>): string[] =>
  es.map((e) => (e.kind === 'down' ? `down:${e.reason}:${e.ifindex}` : `up:${e.ifindex}<-${e.previousIfindex}`));

test('link transitions: down/up, gone and back under a new ifindex, a flap between two polls', () => {
  const t = initialTrack(sample());
  assert.deepEqual(kinds(stepLink('wifi0', t, sample(), 1)), []);
  assert.deepEqual(kinds(stepLink('wifi0', t, sample({ flags: 0x1002, operstate: 'down', carrierDowns: 2 }), 2)), ['down:down:3']);
  assert.deepEqual(kinds(stepLink('wifi0', t, sample({ flags: 0x1002, operstate: 'down', carrierDowns: 2 }), 3)), [], 'reported once');
  assert.deepEqual(kinds(stepLink('wifi0', t, sample({ carrierDowns: 2 }), 4)), ['up:3<-3']);
  // No carrier (the far end of a veth went down): not usable either.
  assert.deepEqual(kinds(stepLink('wifi0', t, sample({ operstate: 'lowerlayerdown', carrierDowns: 3 }), 5)), ['down:down:3']);
  assert.deepEqual(kinds(stepLink('wifi0', t, sample({ carrierDowns: 3 }), 6)), ['up:3<-3']);
  // Deleted, re-created (down at first), then up under ifindex 9.
  assert.deepEqual(kinds(stepLink('wifi0', t, { present: false, ifindex: 0, flags: 0, operstate: 'absent', carrierDowns: 0 }, 7)),
    ['down:gone:3']);
  assert.deepEqual(kinds(stepLink('wifi0', t, sample({ ifindex: 9, flags: 0x1002, operstate: 'down', carrierDowns: 0 }), 8)), []);
  assert.deepEqual(kinds(stepLink('wifi0', t, sample({ ifindex: 9, carrierDowns: 0 }), 9)), ['up:9<-3']);
  // Re-created between two polls: gone and back at once; a down/up between two polls: the carrier counter.
  assert.deepEqual(kinds(stepLink('wifi0', t, sample({ ifindex: 10, carrierDowns: 0 }), 10)), ['down:gone:9', 'up:10<-9']);
  assert.deepEqual(kinds(stepLink('wifi0', t, sample({ ifindex: 10, carrierDowns: 1 }), 11)), ['down:down:10', 'up:10<-10']);
  // "unknown" (drivers that never report it) counts as up, as in the interface model.
  const lo = initialTrack(sample({ operstate: 'unknown' }));
  assert.equal(lo.reportedUp, true);
});

test('the watcher starts from what the caller holds: a change before its first reading is still reported', () => {
  // Skipped as down at the join, up by the time the watcher starts: its first poll says up.
  const late = initialTrack(sample(), { up: false, ifindex: 3 });
  assert.deepEqual(kinds(stepLink('wifi0', late, sample(), 1)), ['up:3<-3']);
  // Joined while up, down by the time the watcher starts: its first poll says down.
  const lost = initialTrack(sample({ flags: 0x1002, operstate: 'down' }), { up: true, ifindex: 3 });
  assert.deepEqual(kinds(stepLink('wifi0', lost, sample({ flags: 0x1002, operstate: 'down' }), 1)), ['down:down:3']);
  // Re-created in between: gone, then up under the new index.
  const moved = initialTrack(sample({ ifindex: 9 }), { up: true, ifindex: 3 });
  assert.deepEqual(kinds(stepLink('wifi0', moved, sample({ ifindex: 9 }), 1)), ['down:gone:3', 'up:9<-3']);
});

test('the real watcher stamps its events on the clock it is given (the Host\'s), as the fake does', async () => {
  // A name no host has, held as up: its first poll reports it gone, stamped on the given clock.
  const name = `mcdgone${process.pid % 100000}`;
  const got: LinkEvent[] = [];
  const known = new Map([[name, { up: true, ifindex: 99 }]]);
  const w = linkWatcher({ now: () => 1_234 })([name], (e) => got.push(e), { intervalMs: 10, known });
  try {
    assert.ok(await waitFor(async () => got.length > 0, 2000));
  } finally {
    w.close();
  }
  assert.deepEqual(got[0], { kind: 'down', iface: name, ifindex: 99, reason: 'gone', operstate: 'absent', atMs: 1_234 });
});

const probe = (seq: number): Buffer => {
  const b = makeProbeBuffer({ senderId: 'peer-b', ifname: 'eth0', ifindex: 2, group: '239.1.7.1', ttl: 1 }, 64);
  stampProbe(b, seq, nowUs());
  return b;
};

test('join-all: a re-created wifi0 is reported, re-joined by its new ifindex once it has an address, and counted on the same row',
  { timeout: 20_000 }, async () => {
  const host = new FakeHost(laptopState({ igmp }));
  const { fakePlatform: platform, fakeSockets: sockets, fakeLinks: links } = host;
  const events: ChurnEvent[] = [];
  const hooks: JoinAllHooks = { joined: () => undefined, stats: () => undefined, churn: (e) => events.push(e) };
  const run = await startJoinAll(host.deps({ links: true }), {
    groups: parseGroupArgs(['239.1.7.1'], { defaultPort: 5007 }), selection: {}, expect: [], assumeSynced: false, intervalMs: 1000,
  }, hooks);
  assert.equal(links.active, 1);
  assert.ok(sockets.deliver(3, '239.1.7.1', probe(0)));
  const wifiSockets = (): number => sockets.open().filter((s) => s.device === 'wifi0').length;
  assert.equal(wifiSockets(), 1);

  links.down('wifi0', 3, 'gone');
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events.map((e) => `${e.type} ${e.iface} ${e.ifindex}`), ['iface_down wifi0 3']);
  assert.equal(wifiSockets(), 0, 'the dead sockets are closed at once');
  assert.ok(sockets.open().some((s) => s.device === 'wired0'), 'wired0 untouched');

  // Back as ifindex 7, without its address yet: no re-join until the address is there.
  platform.state.interfaces = platform.state.interfaces.map((i) => (i.name === 'wifi0' ? rawIface('wifi0', 7, []) : i));
  links.up('wifi0', 7, 3);
  await new Promise((r) => setTimeout(r, 300));
  host.nowMs += 300; // the test's clock: the outage lasts 300 ms on it
  assert.equal(events.length, 1, 'waiting for an address');
  platform.state.interfaces = platform.state.interfaces.map((i) => (i.name === 'wifi0' ? rawIface('wifi0', 7, ['198.18.2.2/24']) : i));
  assert.ok(await waitFor(async () => events.length === 2, 3000));
  const up = events[1];
  assert.ok(up?.type === 'iface_up');
  assert.deepEqual([up.ifindex, up.previousIfindex, up.rejoined, up.failed, up.skipped], [7, 3, 1, 0, 0]);
  assert.ok(up.downMs >= 300);
  assert.equal(sockets.deliver(3, '239.1.7.1', probe(1)), false, 'nothing holds the old ifindex');
  assert.ok(sockets.deliver(7, '239.1.7.1', probe(1)));

  run.stop();
  const out = await run.done;
  assert.equal(out.rows.find((r) => r.iface === 'wifi0')?.packets, 2);
  assert.deepEqual(out.churn.map((c) => [c.iface, c.downs, c.ups, c.gone, c.ifindexes, c.down]),
    [['wired0', 0, 0, 0, [2], false], ['wifi0', 1, 1, 1, [3, 7], false]]);
  const f = out.findings.filter((x) => x.id === 'IFACE_DOWN');
  assert.deepEqual(f.map((x) => [x.iface, x.severity]), [['wifi0', 'warning']]);
  assert.match(f[0]?.message ?? '', /went down once .*ifindex 3 → 7.*re-joined/);
  assert.equal(codeOf(out), 0, `a churn that healed is a warning: ${out.findings.map((x) => x.id).join(' ')}`);
  assert.equal(sockets.open().length, 0, 'every socket closed, the re-joined ones too');
  assert.equal(links.active, 0);
});

test('join-all: an interface still down at the end is said so; without a watcher nothing is followed', { timeout: 20_000 }, async () => {
  const host = new FakeHost(laptopState({ igmp }));
  const links = host.fakeLinks;
  const run = await startJoinAll(host.deps({ links: true }), {
    groups: parseGroupArgs(['239.1.7.1'], { defaultPort: 5007 }), selection: {}, expect: [], assumeSynced: false, intervalMs: 1000,
  }, { joined: () => undefined, stats: () => undefined });
  links.down('wifi0', 3);
  run.stop();
  const out = await run.done;
  const f = out.findings.find((x) => x.id === 'IFACE_DOWN');
  assert.match(f?.message ?? '', /still down at the end/);
  assert.equal(f?.evidence.downAtEnd, true);
  const plain = await startJoinAll(new FakeHost(laptopState({ igmp })).deps(), {
    groups: parseGroupArgs(['239.1.7.1'], { defaultPort: 5007 }), selection: {}, expect: [], assumeSynced: false, intervalMs: 1000,
    durationMs: 10,
  }, { joined: () => undefined, stats: () => undefined });
  assert.deepEqual((await plain.done).churn, []);
});

test('a down while the return waits for its address: one outage, the wait gives up, the next return re-opens once',
  { timeout: 20_000 }, async () => {
  const host = new FakeHost();
  const { fakePlatform: platform, fakeLinks: links } = host;
  const events: ChurnEvent[] = [];
  const calls: string[] = [];
  const setWifi = (index: number, addrs: string[]): void => {
    platform.state.interfaces = platform.state.interfaces.map((i) => (i.name === 'wifi0' ? rawIface('wifi0', index, addrs) : i));
  };
  const f = followChurn({ ...host.deps(), links: links.watch }, [{ iface: 'wifi0', ifindex: 3, families: [4] }], {
    down: (e) => { calls.push(`down ${e.ifindex}`); },
    up: async (i) => { calls.push(`up ${i.index}`); return { rejoined: 1, failed: 0, skipped: 0 }; },
  }, (e) => events.push(e), { selection: {}, graceMs: 2000 });
  links.down('wifi0', 3, 'gone');
  setWifi(7, []);
  links.up('wifi0', 7, 3);
  await new Promise((r) => setTimeout(r, 250));
  links.down('wifi0', 7, 'gone');
  setWifi(8, ['198.18.2.2/24']);
  links.up('wifi0', 8, 7);
  assert.ok(await waitFor(async () => events.length === 2, 3000));
  await f.close();
  assert.deepEqual(calls, ['down 3', 'up 8']);
  assert.deepEqual(events.map((e) => `${e.type} ${e.ifindex}${e.type === 'iface_up' ? ` <- ${e.previousIfindex}` : ''}`),
    ['iface_down 3', 'iface_up 8 <- 3']);
  assert.deepEqual(f.summary().map((c) => [c.downs, c.ups, c.gone, c.ifindexes]), [[1, 1, 1, [3, 8]]]);
});

const frame = (): Buffer =>
  ether(0x0800, ipv4({ src: '198.18.2.1', dst: '239.1.7.1', ttl: 1, proto: 17 }, udp(40000, 5007, Buffer.alloc(20))));

test('sniff: suspend drains and closes, resume re-opens under the same block; another link type gets a new block',
  { timeout: 20_000 }, async () => {
  const fake = new FakeCapture();
  let linkType = 1;
  // The fake's handles are Ethernet; this one answers with the link type the test sets.
  const factory: CaptureFactory = { version: fake.version, open: (o, cb) => ({ ...fake.open(o, cb), linkType }) };
  const s = new SniffSession(factory,
    { targets: [{ iface: 'wired0' }, { iface: 'wifi0' }], filter: 'udp', packetEvents: false, malformedEvents: false }, () => undefined);
  const opened = s.start();
  const chunks: Buffer[] = [];
  const w = new CaptureFileWriter({ write: (b) => chunks.push(b) }, 'pcapng',
    opened.map((o) => ({ name: o.iface, linkType: o.linkType, snaplen: o.snaplen })));
  s.attachWriter(w);
  fake.deliver('wifi0', frame(), 1);
  fake.enqueue('wifi0', frame(), 2);
  s.suspend('wifi0');
  assert.deepEqual(fake.closed, ['wifi0']);
  assert.equal(s.snapshot().interfaces[1]?.data, 2, 'what the ring held was read before the close');
  assert.equal(s.resume('wifi0'), true);
  fake.deliver('wifi0', frame(), 3);
  s.suspend('wifi0');
  linkType = 113;
  assert.equal(s.resume('wifi0'), true);
  fake.deliver('wifi0', frame(), 4);
  s.requestStop('signal');
  const sum = await s.finish();
  const wifi = sum.interfaces.find((i) => i.iface === 'wifi0');
  // The last frame is Ethernet read as Linux cooked (113): captured and written, not a data packet.
  assert.deepEqual([wifi?.packets, wifi?.data, wifi?.kernel.received, wifi?.linkType], [4, 3, 4, 113]);
  const file = readCapture(Buffer.concat(chunks));
  assert.deepEqual(file.interfaces.map((i) => [i.name, i.linkType]), [['wired0', 1], ['wifi0', 1], ['wifi0', 113]]);
  assert.deepEqual(file.packets.map((p) => p.ifaceId), [1, 1, 1, 2]);

  // Classic pcap holds one link type: the capture stays closed rather than write a lie.
  const pfake = new FakeCapture();
  let plt = 1;
  const ps = new SniffSession({ version: 'x', open: (o, cb) => ({ ...pfake.open(o, cb), linkType: plt }) },
    { targets: [{ iface: 'wifi0' }], filter: 'udp', packetEvents: false, malformedEvents: false }, () => undefined);
  ps.start();
  ps.attachWriter(new CaptureFileWriter({ write: () => undefined }, 'pcap', [{ name: 'wifi0', linkType: 1, snaplen: 262144 }]));
  ps.suspend('wifi0');
  plt = 113;
  assert.equal(ps.resume('wifi0'), false);
  ps.requestStop('signal');
  await ps.finish();
});
