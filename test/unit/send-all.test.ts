import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sendAll, batchFor, egressFinding } from '../../src/core/send-all/run.js';
import { checkSize, senderIdFor } from '../../src/core/send-all/setup.js';
import { loadInterfaces } from '../../src/core/kernel/interfaces.js';
import { parseGroupArgs } from '../../src/core/group-args.js';
import { decodeProbe } from '../../src/core/probe/format.js';
import { UsageError } from '../../src/core/errors.js';
import { FakePlatform, laptopState, rawIface } from '../helpers/fake-platform.js';
import type { FakeSocketOptions } from '../helpers/fake-sockets.js';
import { FakeHost } from '../helpers/fake-host.js';
import { resolve } from '../../src/host.js';
import { assertSilent } from '../helpers/silent.js';

const group = (g: string) => parseGroupArgs([g], { defaultPort: 5000 })[0]!;
const routes = { '239.1.1.1  ': { ok: true as const, type: 'multicast', dev: 'wired0', raw: { dst: '239.1.1.1', dev: 'wired0' } } };

async function run(over: {
  rate?: number;
  count?: number;
  durationMs?: number;
  ttl?: number;
  group?: string;
  sockets?: FakeSocketOptions;
  state?: ReturnType<typeof laptopState>;
} = {}) {
  const host = new FakeHost(over.state ?? laptopState({ routes }), over.sockets ? { sockets: over.sockets } : {});
  const inv = await loadInterfaces(host.fakePlatform);
  const deps = await resolve(host, 'platform', 'sockets');
  const r = await assertSilent(() => sendAll(deps, {
    group: group(over.group ?? '239.1.1.1'), interfaces: inv.interfaces, ttl: over.ttl ?? 1, loop: false, size: 80, rate: over.rate ?? 0,
    senderId: 'fakehost-abcd', ...(over.count !== undefined ? { count: over.count } : {}),
      ...(over.durationMs !== undefined ? { durationMs: over.durationMs } : {}),
  }));
  const end = await r.done;
  return { r, end, sockets: host.fakeSockets };
}

test('one socket per eligible interface, egress by ifindex, TTL and loop set; exactly --count probes each, numbered from 0', async () => {
  const { r, sockets } = await run({ count: 150, ttl: 3 });
  const used = [...sockets.sockets.values()];
  assert.deepEqual(used.map((s) => s.multicastIf).sort(), [2, 3]);
  assert.ok(used.every((s) => s.ttl === 3 && s.loop === false && s.closed));
  for (const s of used) {
    assert.equal(s.sent.length, 150);
    const probes = s.sent.map((b) => decodeProbe(b)!);
    assert.deepEqual(probes.map((p) => p.seq), Array.from({ length: 150 }, (_, i) => i));
    assert.ok(probes.every(
      (p) => p.ttl === 3 && p.group === '239.1.1.1' && p.senderId === 'fakehost-abcd' && p.ifindex === s.multicastIf && p.size === 80));
    assert.equal(probes[0]!.ifname, s.multicastIf === 2 ? 'wired0' : 'wifi0');
  }
  assert.deepEqual(r.results.map((x) => `${x.iface} ${x.status} ${x.sent}`), ['wired0 sent 150', 'wifi0 sent 150']);
});

test('a kernel that takes part of each batch: the pacer retries until every packet is out', async () => {
  const { sockets } = await run({ count: 100, sockets: { acceptPerCall: 7 } });
  for (const s of sockets.sockets.values()) assert.equal(s.sent.length, 100);
});

test('--rate paces from the start: 40 packets at 400 pps take about 0.1 s', async () => {
  const t = Date.now();
  const { r } = await run({ count: 40, rate: 400 });
  const took = Date.now() - t;
  // Never early nor faster than asked; a loaded machine may only make it later.
  assert.ok(took >= 90 && took < 3000, `${took} ms`);
  for (const x of r.results) assert.ok(x.rate > 0 && x.rate <= 440, `${x.rate}`);
});

test('--duration stops an unbounded run', async () => {
  const { end, r } = await run({ rate: 100, durationMs: 150 });
  assert.ok(end.elapsedMs >= 140 && end.elapsedMs < 3000, `${end.elapsedMs}`);
  // Never more than were due by the deadline (one at 0, then one per 10 ms).
  for (const x of r.results) assert.ok(x.sent >= 1 && x.sent <= 16, `${x.sent}`);
});

test('a send refused on one interface: SEND_FAILED there with the errno sentence; the other carries on', async () => {
  const { r, end } = await run({ count: 20, sockets: { failures: { 'send 3': 'EPERM' } } });
  assert.deepEqual(r.results.map((x) => `${x.iface} ${x.status} ${x.sent} ${x.errno ?? ''}`), ['wired0 sent 20 ', 'wifi0 failed 0 EPERM']);
  assert.equal(end.findings[0]?.id, 'SEND_FAILED');
  assert.match(end.findings[0]!.message, /firewall rule/);
});

test('IP_MULTICAST_IF refused at open: that interface fails, no socket left open', async () => {
  const { r, sockets } = await run({ count: 1, sockets: { failures: { 'multicastIf 3': 'EADDRNOTAVAIL' } } });
  assert.equal(r.results.find((x) => x.iface === 'wifi0')?.status, 'failed');
  assert.ok(r.findings.some((f) => f.id === 'SEND_FAILED' && f.iface === 'wifi0'));
  assert.ok([...sockets.sockets.values()].every((s) => s.closed));
});

test('TTL_ONE for TTL 1 to a routable group only; DEFAULT_ROUTE_EGRESS from the kernel route', async () => {
  const one = await run({ count: 1 });
  assert.ok(one.r.findings.some((f) => f.id === 'TTL_ONE'));
  const egress = one.r.findings.find((f) => f.id === 'DEFAULT_ROUTE_EGRESS');
  assert.equal(egress?.iface, 'wired0');
  assert.match(egress!.message, /leaves by wired0 only.*wifi0 would get nothing/);
  assert.ok(!(await run({ count: 1, ttl: 2 })).r.findings.some((f) => f.id === 'TTL_ONE'));
  assert.ok(!(await run({ count: 1, group: '224.0.0.99' })).r.findings.some((f) => f.id === 'TTL_ONE'));
  const none = await egressFinding(new FakePlatform(laptopState()), group('239.9.9.9'), ['wired0']);
  assert.match(none.message, /would fail: the kernel has no route/);
});

test('down and MULTICAST-less interfaces are skipped with the reason', async () => {
  const state = laptopState({ routes });
  state.interfaces.push(rawIface('eth9', 4, ['198.18.9.2/24'], { flags: 0x2 | 0x1000, operstate: 'down' }),
    rawIface('eth8', 5, ['198.18.8.2/24'], { flags: 0x1 | 0x2 }));
  const { r } = await run({ count: 1, state });
  assert.deepEqual(r.results.map((x) => `${x.iface} ${x.status} ${x.skipReason ?? ''}`.trim()),
    ['wired0 sent', 'wifi0 sent', 'eth9 skipped down', 'eth8 skipped no-multicast']);
});

test('sizes: header minimum, MTU ceiling unless --fragment; batches by rate', async () => {
  const inv = await loadInterfaces(new FakePlatform(laptopState()));
  const ifs = inv.interfaces.filter((i) => !i.loopback);
  const id = senderIdFor('host');
  assert.match(id, /^host-[0-9a-f]{4}$/);
  assert.equal(checkSize(undefined, ifs, 4, id, false), 64);
  assert.equal(checkSize(1472, ifs, 4, id, false), 1472);
  assert.throws(() => checkSize(1473, ifs, 4, id, false),
    (e: unknown) => e instanceof UsageError && /MTU 1500 \(at most 1472/.test(e.message));
  assert.throws(() => checkSize(1453, ifs, 6, id, false), /at most 1452/);
  assert.equal(checkSize(9000, ifs, 4, id, true), 9000);
  assert.throws(() => checkSize(20, ifs, 4, id, false), /smaller than the probe header/);
  assert.deepEqual([batchFor(0), batchFor(10), batchFor(5000), batchFor(1e6)], [64, 1, 5, 64]);
});
