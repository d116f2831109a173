// The core reads the clock it is given (issue 15 item 4): join-all and querier-check over
// FakeHost's clock give times that follow it exactly, not the machine's (src/core/clock.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeHost } from '../helpers/fake-host.js';
import { startJoinAll } from '../../src/core/join-all/run.js';
import { parseGroupArgs } from '../../src/core/group-args.js';
import { listenForQueriers } from '../../src/core/querier-check/listen.js';
import { runDoctor } from '../../src/core/doctor/run.js';
import { doctorDeps } from '../../src/core/doctor/default.js';

const igmp = [2, 3].map((index) => ({ index, device: index === 2 ? 'wired0' : 'wifi0', count: 1, querier: 'V3',
  groups: [{ group: '239.1.1.1', users: 1, timerRunning: false, timerTicks: 0, reporter: true }] }));

test('join-all: arrival, first-packet and elapsed times come from the given clock', async () => {
  const host = new FakeHost();
  host.fakePlatform.state.igmp = igmp;
  const run = await startJoinAll(host.deps(),
    { groups: parseGroupArgs(['239.1.1.1'], { defaultPort: 5000 }), selection: {}, assumeSynced: false, intervalMs: 60_000, expect: [] },
    { joined: () => {}, stats: () => {} });
  host.nowMs += 1_250;
  host.fakeSockets.deliver(2, '239.1.1.1', Buffer.from('not a probe'));
  host.nowMs += 3_750;
  run.stop();
  const out = await run.done;
  assert.equal(out.elapsedMs, 5_000, 'the fake clock moved 5 s; the machine\'s did not');
  const row = out.rows.find((r) => r.iface === 'wired0')!;
  assert.equal(row.packets, 1);
  assert.equal(row.firstPacketMs, 1_250);
});

test('querier-check: the listen\'s start and duration, and doctor\'s check times and stamp, are the given clock\'s', async () => {
  const host = new FakeHost();
  const t0 = host.nowMs;
  const capture = host.fakeCapture;
  const open = capture.open.bind(capture);
  capture.open = (o, h) => { host.nowMs += 2_000; return open(o, h); };
  const r = await listenForQueriers({ platform: await host.platform(), capture, clock: host.clock }, { timeoutMs: 1 });
  assert.equal(r.startedAt, new Date(t0 + 4_000).toISOString(), 'two captures opened, 2 s each on the fake clock');
  assert.equal(r.durationS, 0);
  const opts = { selfTest: false, querierWait: 0, expectQuerier: [], expectReceive: [], maxLossPct: 0 };
  const rep = await runDoctor(await doctorDeps(host), [], opts, {});
  assert.equal(rep.generatedAt, new Date(t0 + 4_000).toISOString());
});
