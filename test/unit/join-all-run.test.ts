import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startJoinAll, type JoinAllHooks } from '../../src/core/join-all/run.js';
import { parseGroupArgs } from '../../src/core/group-args.js';
import { makeProbeBuffer, stampProbe, nowUs } from '../../src/core/probe/format.js';
import { UsageError } from '../../src/core/errors.js';
import { laptopState } from '../helpers/fake-platform.js';
import { FakeHost } from '../helpers/fake-host.js';
import { assertSilent } from '../helpers/silent.js';
import { exitFor } from '../../src/core/exit.js';

const codeOf = (o: { findings: Parameters<typeof exitFor>[0]; coverage: Parameters<typeof exitFor>[1] }): number => exitFor(
  o.findings,
  o.coverage,
);

const igmp = [2, 3].map((index) => ({
  index, device: index === 2 ? 'wired0' : 'wifi0', count: 1, querier: 'V3',
  groups: [{ group: '239.1.1.1', users: 1, timerRunning: false, timerTicks: 0, reporter: true }],
}));
const hooks = (): JoinAllHooks & { joinedCalls: number; statsCalls: number } => {
  const h = { joinedCalls: 0, statsCalls: 0, joined: () => { h.joinedCalls++; }, stats: () => { h.statsCalls++; } };
  return h;
};
const probe = (seq: number): Buffer => {
  const b = makeProbeBuffer({ senderId: 'peer-1', ifname: 'eth0', ifindex: 2, group: '239.1.1.1', ttl: 1 }, 64);
  stampProbe(b, seq, nowUs());
  return b;
};
/** A laptop whose kernel lists the memberships (or only those of `state`), with the machine's clock: these runs time out for real. */
const laptop = (over: Parameters<typeof laptopState>[0] = { igmp }): FakeHost => {
  const h = new FakeHost(laptopState(over));
  h.clock.now = () => Date.now();
  return h;
};
const base = { groups: parseGroupArgs(['239.1.1.1'], { defaultPort: 5000 }), selection: {}, assumeSynced: false, intervalMs: 20 };

test('--count stops the run; --expect on the silent interface gives NO_TRAFFIC and exit 1', async () => {
  const host = laptop();
  const sockets = host.fakeSockets;
  const h = hooks();
  const run = await startJoinAll(host.deps(), { ...base, count: 3, expect: ['wired0:239.1.1.1', 'wifi0:239.1.1.1'] }, h);
  for (let i = 0; i < 3; i++) sockets.deliver(2, '239.1.1.1', probe(i));
  const out = await assertSilent(() => run.done);
  assert.equal(h.joinedCalls, 1);
  assert.equal(out.totalPackets, 3);
  assert.deepEqual(out.findings.map((f) => `${f.id} ${f.iface}`), ['NO_TRAFFIC wifi0']);
  assert.equal(codeOf(out), 1);
  assert.equal(sockets.open().length, 0, 'memberships released');
});

test('--duration ends a quiet run with exit 0 and periodic stats; MEMBERSHIP_MISSING when /proc lacks a pair', async () => {
  const h = hooks();
  const quiet = await startJoinAll(laptop().deps(), { ...base, durationMs: 120, expect: [] }, h);
  const out = await quiet.done;
  assert.equal(codeOf(out), 0);
  // The 20 ms interval expires before the 120 ms stop: at least one stats call even on a loaded machine.
  assert.ok(h.statsCalls >= 1);
  const missing = await startJoinAll(laptop({ igmp: igmp.slice(0, 1) }).deps(), { ...base, durationMs: 10, expect: [] }, hooks());
  const m = await missing.done;
  // Nothing arrived in the quiet run: NOTHING_ARRIVED (a warning) says so beside it (issue 16).
  assert.deepEqual(m.findings.map((f) => `${f.id} ${f.iface}`), ['MEMBERSHIP_MISSING wifi0', 'NOTHING_ARRIVED undefined']);
  assert.equal(codeOf(m), 1);
});

test('stop() ends a run without a bound; --expect naming an unknown interface or group is bad input', async () => {
  const run = await startJoinAll(laptop().deps(), { ...base, expect: [] }, hooks());
  setTimeout(() => run.stop(), 30);
  assert.equal(codeOf(await run.done), 0);
  for (const e of ['eth7:239.1.1.1', 'wired0:239.1.1.2', 'wired0', ':239.1.1.1']) {
    await assert.rejects(startJoinAll(laptop().deps(), { ...base, expect: [e] }, hooks()), UsageError, e);
  }
});
