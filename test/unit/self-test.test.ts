// doctor's self-test over the fake host (test/helpers/fake-packets.ts stands for the one packet
// socket): what the matrix counts (a probe from another of the selected interfaces, with this
// host's sender id), what it does not (the probe seen on its own interface, a probe naming an
// interface outside the selection, another host's probe), and the skip when the socket cannot open.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHost } from '../helpers/fake-host.js';
import { ipv4, udp } from '../helpers/packets.js';
import { runDoctor } from '../../src/core/doctor/run.js';
import { doctorDeps } from '../../src/core/doctor/default.js';
import { selfTestCheck } from '../../src/core/doctor/checks/self-test.js';
import { EnvironmentError } from '../../src/core/errors.js';
import { PRIVILEGE_FIX } from '../../src/core/privilege-hint.js';
import { decodeProbe } from '../../src/core/probe/format.js';
import type { BatchOptions } from '../../src/platform/sockets/types.js';

const opts = { querierWait: 0, selfTest: true, expectQuerier: [], expectReceive: [], maxLossPct: 0 };
const WIRED0 = 2;
const WIFI0 = 3;

/** Every probe the fake sockets send out of `from` is handed to the packet socket as `deliver` says. */
function wire(host: FakeHost, deliver: (fromIfindex: number, packet: Buffer) => void): void {
  const s = host.fakeSockets;
  const batch = s.batchSender.bind(s);
  s.batchSender = (fd: number, o: BatchOptions) => {
    const b = batch(fd, o);
    return { ...b, send: (n: number) => {
      const k = b.send(n);
      const from = s.sockets.get(fd)!.multicastIf!;
      for (let i = 0; i < k; i++) {
        deliver(from, ipv4({ src: '198.18.9.9', dst: o.dst, proto: 17, ttl: 1 }, udp(40000, o.port, Buffer.from(b.slots[i]!))));
      }
      return k;
    } };
  };
}

async function selfTest(host: FakeHost) {
  const rep = await runDoctor(await doctorDeps(host), [selfTestCheck], opts, {});
  return rep.checks[0]!;
}

test('self-test: probes from wired0 heard on wifi0 are SHARED_SEGMENT, only that pair', async () => {
  const host = new FakeHost();
  wire(host, (from, packet) => {
    host.fakePackets.arrive(from, packet);
    if (from === WIRED0) host.fakePackets.arrive(WIFI0, packet);
    // lo is not selected (not eligible): what arrives there is no one's business here.
    host.fakePackets.arrive(1, packet);
  });
  const st = await selfTest(host);
  assert.equal(st.status, 'pass', JSON.stringify(st));
  assert.deepEqual(st.details?.matrix, [{ from: 'wired0', heardOn: { wifi0: 20 } }, { from: 'wifi0', heardOn: { wired0: 0 } }]);
  assert.deepEqual(st.findings.map((f) => [f.id, f.severity]), [['SHARED_SEGMENT', 'info']]);
  assert.deepEqual(st.findings[0]!.evidence.shared, [{ from: 'wired0', to: 'wifi0', n: 20 }]);
  assert.deepEqual(host.fakePackets.filters, [{ group: '239.255.77.77', port: 5077, snaplen: 512 }]);
  assert.equal(host.fakePackets.open, 0, 'the packet socket is closed at the end');
  assert.ok([...host.fakeSockets.sockets.values()].every((s) => s.closed), 'memberships and senders closed');
});

test('self-test: another host\'s probes, and probes naming an interface outside the selection, are not counted', async () => {
  const host = new FakeHost();
  wire(host, (from, packet) => {
    const ihl = (packet[0]! & 0xf) * 4;
    const probe = decodeProbe(packet, ihl + 8)!;
    assert.ok(probe, 'the fake sent a probe');
    // The same probe with another sender id (one byte changed in it) and one naming "eth9".
    const other = Buffer.from(packet);
    const id = other.indexOf(Buffer.from(probe.senderId), ihl + 8);
    other[id] = other[id]! ^ 1;
    host.fakePackets.arrive(from === WIRED0 ? WIFI0 : WIRED0, other);
    const forged = Buffer.from(packet);
    const name = forged.indexOf(Buffer.from(probe.ifname), ihl + 8);
    if (probe.ifname === 'wifi0') Buffer.from('eth90').copy(forged, name);
    host.fakePackets.arrive(WIRED0, forged);
  });
  const st = await selfTest(host);
  assert.equal(st.status, 'pass', JSON.stringify(st));
  assert.deepEqual(st.findings, []);
  for (const m of st.details?.matrix as Array<{ heardOn: Record<string, number> }>) assert.deepEqual(Object.values(m.heardOn), [0]);
});

test('self-test: probes the packet socket dropped (its buffer full) and read errors are said among the problems', async () => {
  const host = new FakeHost();
  host.fakePackets.dropped = 7;
  host.fakePackets.readErrors = [new Error('recvmmsg(AF_PACKET): ENOMEM'), new Error('recvmmsg(AF_PACKET): ENOMEM')];
  const st = await selfTest(host);
  assert.equal(st.status, 'pass');
  assert.deepEqual(st.details?.problems, [
    'the capture dropped 7 probes (its receive buffer was full): the counts are lower than what arrived',
    'reading the capture failed: recvmmsg(AF_PACKET): ENOMEM',
  ]);
  // What it lost may be what crossed: a gap (verdict incomplete), not a silent "nothing shared".
  assert.deepEqual(st.gaps?.map((g) => [g.check, g.reason]), [['self-test',
    'the capture dropped 7 probes (its receive buffer was full) and failed 2 reads: uplinks that share a segment may be missed']]);
});

test('self-test: no CAP_NET_RAW for the packet socket is a skip with the remedy, and nothing is joined or sent', async () => {
  const host = new FakeHost();
  host.fakePackets.error = new EnvironmentError('PERMISSION', 'capturing on every interface needs CAP_NET_RAW (socket(AF_PACKET): EPERM)',
    { hint: PRIVILEGE_FIX });
  const st = await selfTest(host);
  assert.equal(st.status, 'skipped');
  assert.match(st.skipped!, /^capture not possible here: .*CAP_NET_RAW/);
  assert.equal(st.remedy, PRIVILEGE_FIX);
  assert.equal(host.fakeSockets.sockets.size, 0);
});

test('self-test: one IPv4 interface, or --no-self-test: skipped without a remedy (not a gap), no socket opened', async () => {
  const host = new FakeHost();
  const deps = await doctorDeps(host);
  const off = await runDoctor(deps, [selfTestCheck], { ...opts, selfTest: false }, {});
  assert.deepEqual([off.checks[0]!.skipped, off.checks[0]!.remedy], ['disabled (--no-self-test)', undefined]);
  const one = await runDoctor(deps, [selfTestCheck], opts, { include: ['wired0'] });
  assert.deepEqual([one.checks[0]!.skipped, one.checks[0]!.remedy], ['1 IPv4 interface: nothing to compare', undefined]);
  assert.deepEqual(off.coverage.notRun, []);
  assert.equal(host.fakePackets.filters.length, 0);
});
