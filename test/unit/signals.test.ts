// The one signal mechanism (issue 16): the first signal of any of six stops the wait, a signal
// that came before the stop was attached still stops it, a second signal completes files and
// exits with 128 + its number, and the heartbeat speaks only where no TTY shows progress.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { STOP_SIGNALS, installSignals, signalExitCode } from '../../src/commands/signals.js';
import { Output } from '../../src/render/output.js';
import { renderFindings } from '../../src/render/findings.js';
import { renderCoverage } from '../../src/render/coverage.js';
import { makeFinding } from '../../src/core/findings/catalog.js';
import { sleepUnless } from '../../src/core/sleep.js';

function fakeProcess() {
  const ee = new EventEmitter();
  return {
    target: ee as unknown as { on: never; off: never },
    emit: (s: string) => ee.emit(s, s),
    count: (s: string) => ee.listenerCount(s),
  };
}

test('each of INT, TERM, HUP, QUIT, USR2, ALRM stops the wait once; the abort carries the signal', () => {
  for (const sig of STOP_SIGNALS) {
    const p = fakeProcess();
    const exits: number[] = [];
    let t = 1000;
    const i = installSignals({ target: p.target, exit: (c) => exits.push(c), now: () => t });
    let stops = 0;
    i.onStop(() => stops++);
    t = 5200;
    p.emit(sig);
    assert.equal(stops, 1, sig);
    assert.equal(i.abort.aborted, true);
    assert.deepEqual(i.caught, { signal: sig, atMs: 5200 });
    assert.deepEqual(i.interruption(1000, 30_000), { signal: sig, afterMs: 4200, plannedMs: 30_000 });
    assert.deepEqual(exits, []);
    i.release();
    assert.equal(p.count(sig), 0, 'released');
  }
});

test('a signal before the stop is attached stops the run as soon as it is', () => {
  const p = fakeProcess();
  const i = installSignals({ target: p.target, exit: () => {} });
  p.emit('SIGTERM');
  let stopped = false;
  i.onStop(() => { stopped = true; });
  assert.equal(stopped, true);
  i.release();
});

test('a second signal completes the files, clears the status line and exits 128 + n at once', () => {
  const p = fakeProcess();
  const order: string[] = [];
  const i = installSignals({ target: p.target, exit: (c) => order.push(`exit ${c}`), clearStatus: () => order.push('clear') });
  i.onForcedExit(() => order.push('save'));
  p.emit('SIGINT');
  assert.deepEqual(order, []);
  p.emit('SIGTERM');
  assert.deepEqual(order, ['save', 'clear', 'exit 143']);
  assert.equal(signalExitCode('SIGINT'), 130);
  assert.equal(signalExitCode('SIGHUP'), 129);
  i.release();
});

test('no signal: no interruption', () => {
  const i = installSignals({ target: fakeProcess().target, exit: () => {} });
  assert.equal(i.interruption(0, 1000), null);
  i.release();
});

test('sleepUnless ends at once when aborted, and early when aborted during the wait', async () => {
  const c = new AbortController();
  const t0 = Date.now();
  const w = sleepUnless(5000, c.signal);
  setTimeout(() => c.abort(), 20);
  await w;
  assert.ok(Date.now() - t0 < 1000);
  await sleepUnless(5000, c.signal);
  assert.ok(Date.now() - t0 < 1000);
});

class Sink extends Writable {
  text = '';
  constructor(public isTTY = false) { super(); }
  override _write(c: Buffer, _e: string, cb: () => void): void { this.text += c.toString(); cb(); }
}

test('heartbeat: a line on stderr every period without a TTY; nothing on a TTY or with --quiet', async () => {
  const opts = { json: false, color: false, quiet: false, verbose: false };
  const err = new Sink(false);
  const stop = new Output(opts, new Sink(), err).heartbeat(() => 'waiting for queries: 5 s left', 20);
  // Two periods at least; a loaded machine fires timers late, so wait for the lines (bounded), not a fixed 70 ms.
  for (const deadline = Date.now() + 3000; Date.now() < deadline && err.text.trim().split('\n').length < 2;) {
    await new Promise((r) => setTimeout(r, 20));
  }
  stop();
  const lines = err.text.trim().split('\n');
  assert.ok(lines.length >= 2, err.text);
  assert.ok(lines.every((l) => l === 'mcast-doctor: waiting for queries: 5 s left'));
  for (const [o, tty] of [[opts, true], [{ ...opts, quiet: true }, false]] as const) {
    const e = new Sink(tty);
    const s = new Output(o, new Sink(), e).heartbeat(() => 'x', 10);
    await new Promise((r) => setTimeout(r, 40));
    s();
    assert.equal(e.text, '');
  }
});

test('-q with only warnings prints no empty "Findings:" header; an error keeps it', () => {
  const warn = makeFinding('NO_QUERIER', { message: 'no query', evidence: {} });
  const quiet = { json: false, color: false, quiet: true, verbose: false };
  const a = new Sink();
  renderFindings([{ ...warn, severity: 'warning' }], new Output(quiet, a, new Sink()));
  assert.equal(a.text, '');
  const b = new Sink();
  renderFindings([{ ...warn, severity: 'error' }], new Output(quiet, b, new Sink()));
  assert.match(b.text, /^Findings:\n {2}ERROR/);
});

test('coverage: the interruption and each check not run are printed, even with --quiet', () => {
  const out = new Sink();
  renderCoverage({ notRun: [{ check: 'querier', reason: 'no CAP_NET_RAW', remedy: 'run as root' }],
    interrupted: { signal: 'SIGTERM', afterMs: 4200, plannedMs: 30_000 } },
    new Output({ json: false, color: false, quiet: true, verbose: false }, out, new Sink()));
  assert.match(out.text, /Interrupted by SIGTERM after 4\.2 s of the 30 s asked/);
  assert.match(out.text, /Incomplete: 1 check did not run/);
  assert.match(out.text, /querier: no CAP_NET_RAW; to run it: run as root/);
});

test('JSON documents carry the tool version and the coverage set by the command; NDJSON on the first and summary events', () => {
  const out = new Sink();
  const o = new Output({ json: true, color: false, quiet: false, verbose: false }, out, new Sink());
  o.setCoverage({ notRun: [], interrupted: { signal: 'SIGINT', afterMs: 1, plannedMs: null } });
  o.event('start', {});
  o.event('packet', {});
  o.event('summary', {});
  const [start, packet, summary] = out.text.trim().split('\n').map((l) => JSON.parse(l));
  assert.match(start.toolVersion, /^\d+\.\d+\.\d+/);
  assert.equal(packet.toolVersion, undefined);
  assert.equal(summary.toolVersion, start.toolVersion);
  assert.equal(summary.coverage.interrupted.signal, 'SIGINT');
  assert.equal(start.coverage, undefined);
});
