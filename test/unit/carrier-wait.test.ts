// Waiting for a first carrier (src/core/kernel/carrier-wait.ts): who is worth waiting for, the
// wait bounded by its time and ended by a signal, and join-all's use of it on the FakeHost.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInterfaces, type InterfaceInventory } from '../../src/core/kernel/interfaces.js';
import { awaitingCarrier, waitForCarrier } from '../../src/core/kernel/carrier-wait.js';
import { noEligibleInterface } from '../../src/core/kernel/eligibility.js';
import { startJoinAll } from '../../src/core/join-all/run.js';
import { parseGroupArgs } from '../../src/core/group-args.js';
import { FakePlatform, laptopState, rawIface, type FakeState } from '../helpers/fake-platform.js';
import { FakeHost } from '../helpers/fake-host.js';

/** One interface, lan0, up, with an address; its operstate (and flags) as given. */
function lanOnly(operstate: string, flags?: number): FakeState {
  const state = laptopState();
  state.interfaces = state.interfaces.filter((i) => i.name === 'lo');
  state.interfaces.push(rawIface('lan0', 5, ['198.18.5.2/24'], { operstate, ...(flags !== undefined ? { flags } : {}) }));
  return state;
}
const inventory = (state: FakeState): Promise<InterfaceInventory> => loadInterfaces(new FakePlatform(state));

test('awaitingCarrier: only up interfaces that a carrier alone would make eligible, and only when none is', async () => {
  assert.deepEqual(awaitingCarrier((await inventory(lanOnly('down'))).interfaces, [4]).map((i) => i.name), ['lan0']);
  assert.deepEqual(awaitingCarrier((await inventory(lanOnly('dormant'))).interfaces, 'capture').map((i) => i.name), ['lan0']);
  assert.deepEqual(awaitingCarrier((await inventory(lanOnly('up'))).interfaces, [4]), [], 'eligible already');
  assert.deepEqual(awaitingCarrier((await inventory(lanOnly('down'))).interfaces, [6]), [], 'no IPv6 address: a carrier would not help');
  assert.deepEqual(awaitingCarrier((await inventory(lanOnly('down', 0x1000 | 0x2))).interfaces, [4]), [],
    'IFF_UP off: ip link set up, not a wait');
  // The laptop has wired0 eligible: nothing to wait for even though another lacks a carrier.
  const laptop = laptopState();
  laptop.interfaces.push(rawIface('lan0', 5, ['198.18.5.2/24'], { operstate: 'down' }));
  assert.deepEqual(awaitingCarrier((await inventory(laptop)).interfaces, [4]), []);
});

test('waitForCarrier: returns when the carrier comes, says whom it waits for once; bounded by maxMs; ended by the abort', async () => {
  const state = lanOnly('down');
  let now = 0;
  const clock = { now: () => now };
  let reads = 0;
  const load = async (): Promise<InterfaceInventory> => {
    reads++;
    now += 100;
    if (reads === 4) state.interfaces[1]!.operstate = 'up';
    return inventory(state);
  };
  const told: string[][] = [];
  const w = await waitForCarrier(load, [4], { clock, maxMs: 5000, onWait: (n) => told.push(n) });
  assert.deepEqual(told, [['lan0']]);
  assert.deepEqual(w.awaited, ['lan0']);
  assert.equal(w.inventory.interfaces.find((i) => i.name === 'lan0')?.running, true);
  assert.equal(reads, 4);
  assert.equal(w.waitedMs, 300);
  // Never a carrier: the wait ends at maxMs, a real timer whatever the clock says (a frozen one
  // here, as FakeHost's): waitedMs is read on the clock.
  const never = lanOnly('down');
  const t0 = Date.now();
  const out = await waitForCarrier(() => inventory(never), [4], { clock: { now: () => 0 }, maxMs: 400 });
  const took = Date.now() - t0;
  assert.ok(took >= 390 && took < 2000, `bounded by maxMs: ${took} ms`);
  assert.equal(out.waitedMs, 0);
  assert.equal(out.inventory.interfaces.find((i) => i.name === 'lan0')?.running, false);
  // A signal ends it at once, whatever maxMs.
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(), 50);
  await waitForCarrier(() => inventory(never), [4], { clock: { now: () => Date.now() }, abort: ac.signal });
  assert.ok(Date.now() - started < 1000);
  // Nothing to wait for: no wait, no word.
  const none = await waitForCarrier(() => inventory(lanOnly('up')), [4], { clock, onWait: () => assert.fail('told') });
  assert.deepEqual([none.waitedMs, none.awaited], [0, []]);
});

test('NO_ELIGIBLE_INTERFACE when only a carrier is missing: the fix is the link\'s other end, and the time waited is said', async () => {
  const inv = await inventory(lanOnly('lowerlayerdown'));
  const f = noEligibleInterface(inv.interfaces, [4], 'join these groups', { waitedMs: 2000 });
  assert.match(f.message, /lan0 has no carrier \(operstate lowerlayerdown\)\. No carrier came in the 2\.0 s waited\.$/);
  assert.match(f.fix, /^Connect lan0 \(cable, switch port, the veth peer up, Wi-Fi associated\): `ip link show lan0`/);
  assert.equal(f.evidence.waitedMs, 2000);
  // Another reason among the selected: the catalog's fix, which covers them all.
  const both = await inventory(lanOnly('down', 0x1000 | 0x2));
  assert.doesNotMatch(noEligibleInterface(both.interfaces, [4], 'join').fix, /^Connect/);
});

test('join-all with --duration waits for the carrier, then joins; the wait counts in the duration', async () => {
  const host = new FakeHost(lanOnly('down'));
  const waited: Array<[string[], number | undefined]> = [];
  const joined: string[] = [];
  setTimeout(() => { host.fakePlatform.state.interfaces[1]!.operstate = 'up'; }, 300);
  const run = await startJoinAll(host.deps(), {
    groups: parseGroupArgs(['239.1.9.1'], { defaultPort: 5000 }), selection: {}, assumeSynced: false, intervalMs: 60_000, durationMs: 2000,
    expect: [],
  }, {
    joined: (results) => joined.push(...results.filter((r) => r.status === 'joined').map((r) => r.iface)),
    stats: () => {},
    waitingForCarrier: (names, maxMs) => waited.push([names, maxMs]),
  });
  assert.deepEqual(waited, [[['lan0'], 2000]]);
  assert.deepEqual(joined, ['lan0']);
  run.stop();
  const out = await run.done;
  assert.ok(!out.findings.some((f) => f.id === 'NO_ELIGIBLE_INTERFACE'));
});

// sniff and mesh follow their interfaces too: the same wait, through the same code (loadAwaitingCarrier).

test('sniff with --duration waits for the carrier, then captures; without one it ends after the bound with the time waited', async () => {
  const { runSniff } = await import('../../src/core/sniff/run.js');
  const { loaders } = await import('../../src/host.js');
  const sink = () => {
    const summaries: any[] = [];
    return { summaries, wantsPackets: false, wantsMalformed: false, started: () => {}, event: () => {}, stats: () => {},
      summary: (...a: any[]) => { summaries.push(a); } };
  };
  const run = async (host: FakeHost, durationS: number, out: ReturnType<typeof sink>, waited: unknown[]) => runSniff({
    platform: host.fakePlatform, clock: host.clock, ...loaders(host, 'capture', 'sockets'),
    openFile: () => { throw new Error('no file'); }, onSignal: () => () => undefined,
    waitingForCarrier: (names, maxMs) => waited.push([names, maxMs]),
  }, { groups: [], join: false, ports: [], format: 'pcapng', force: false, snaplen: 65535, selection: {}, durationS }, out);
  const host = new FakeHost(lanOnly('down'));
  const waited: unknown[] = [];
  setTimeout(() => { host.fakePlatform.state.interfaces[1]!.operstate = 'up'; }, 300);
  const out = sink();
  assert.equal(await run(host, 1, out, waited), 0);
  assert.deepEqual(waited, [[['lan0'], 1000]]);
  assert.deepEqual(host.fakeCapture.opened.map((o) => o.iface), ['lan0']);
  assert.ok(!out.summaries[0][1].some((f: any) => f.id === 'NO_ELIGIBLE_INTERFACE'));

  const never = new FakeHost(lanOnly('down'));
  const t0 = Date.now();
  const none = sink();
  assert.equal(await run(never, 0.4, none, []), 1);
  assert.ok(Date.now() - t0 >= 350, 'bounded by --duration, not at once');
  const f = none.summaries[0][1].find((x: any) => x.id === 'NO_ELIGIBLE_INTERFACE');
  assert.match(f?.message ?? '', /lan0 has no carrier/);
  assert.equal(typeof f?.evidence.waitedMs, 'number');
  assert.deepEqual(never.fakeCapture.opened, []);
});

test('mesh waits for the carrier within --duration, says so once, then joins and sends for what is left', async () => {
  const { startMesh } = await import('../../src/core/mesh/run.js');
  const host = new FakeHost(lanOnly('down'));
  const waited: unknown[] = [];
  setTimeout(() => { host.fakePlatform.state.interfaces[1]!.operstate = 'up'; }, 300);
  const group = parseGroupArgs(['239.1.9.3'], { defaultPort: 5000 })[0]!;
  const t0 = Date.now();
  const run = await startMesh(host.deps(), {
    group, selection: {}, rate: 10, ttl: 1, durationMs: 1200, expectPeers: null, maxLossPct: 0, assumeSynced: false, intervalMs: 60_000,
  }, { started: () => {}, tick: () => {}, waitingForCarrier: (names, maxMs) => waited.push([names, maxMs]) });
  const doc = await run.done;
  assert.deepEqual(waited, [[['lan0'], 1200]]);
  assert.ok(Date.now() - t0 < 2500, `the wait counts in --duration: ${Date.now() - t0} ms`);
  assert.deepEqual(doc.interfaces.map((i) => [i.name, i.joined]), [['lan0', true]]);
  assert.ok(!doc.findings.some((f) => f.id === 'NO_ELIGIBLE_INTERFACE'), JSON.stringify(doc.findings.map((f) => f.id)));

  const never = new FakeHost(lanOnly('down'));
  const none = await (await startMesh(never.deps(), {
    group, selection: {}, rate: 10, ttl: 1, durationMs: 400, expectPeers: null, maxLossPct: 0, assumeSynced: false, intervalMs: 60_000,
  }, { started: () => {}, tick: () => {} })).done;
  const f = none.findings.find((x) => x.id === 'NO_ELIGIBLE_INTERFACE');
  assert.match(f?.message ?? '', /lan0 has no carrier .*No carrier came in the 0\.\d s waited\./);
});
