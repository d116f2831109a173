// The command contract (issues 15 and 16): flags checked against their declared bounds without
// spawning the CLI, one exit code from findings and coverage, a verdict that is never "healthy"
// about what did not run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TIMER_MAX_S, checkFlags, percent, seconds, whole } from '../../src/commands/flags.js';
import { exitFor } from '../../src/core/exit.js';
import { cutShort, fullCoverage, verdictOf, type Coverage } from '../../src/core/coverage.js';
import { makeFinding } from '../../src/core/findings/catalog.js';
import { isMcastError } from '../../src/core/errors.js';

const usage = (f: () => void): string => {
  try { f(); } catch (e) { assert.ok(isMcastError(e) && e.exitCode === 2, String(e)); return e.message; }
  return assert.fail('no usage error');
};

test('a duration beyond Node\'s timer range is refused (3e6, 1e12, Infinity), as are 0, negatives and NaN', () => {
  const flags = { duration: seconds('x') };
  for (const v of [3e6, 1e12, Infinity, -Infinity, 0, -1]) assert.match(usage(() => checkFlags(flags, { duration: v })),
    /^--duration '.*' out of range: wants seconds > 0 and <= 2147483$/);
  assert.match(usage(() => checkFlags(flags, { duration: NaN })), /^--duration is not a number: wants seconds/);
  for (const v of [undefined, 0.001, 1, TIMER_MAX_S]) checkFlags(flags, { duration: v });
  assert.equal(TIMER_MAX_S * 1000 <= 2 ** 31 - 1, true);
  assert.ok((TIMER_MAX_S + 1) * 1000 > 2 ** 31 - 1);
});

test('a flag bound below the timer limit keeps its own; zero allowed where declared; whole numbers and percentages', () => {
  const flags = { wait: seconds('x', { zero: true, max: 3600, default: 30 }), count: whole('n'), ttl: whole('t', { min: 0, max: 255 }),
    loss: percent('p') };
  checkFlags(flags, { wait: 0, count: 1, ttl: 0, loss: 100 });
  assert.match(usage(() => checkFlags(flags, { wait: 3601 })), /--wait '3601' out of range: wants seconds >= 0 and <= 3600/);
  assert.match(usage(() => checkFlags(flags, { count: 1.5 })), /--count '1.5'/);
  assert.match(usage(() => checkFlags(flags, { ttl: 256 })), /--ttl '256'/);
  assert.match(usage(() => checkFlags(flags, { loss: -0.1 })), /--loss '-0.1'/);
  // An array option: every value is checked.
  assert.match(usage(() => checkFlags({ port: whole('p', { max: 65535 }) }, { port: [5000, 70000] })), /--port '70000'/);
  // A bound can never exceed the timer range, whatever the declaration says.
  assert.match(usage(() => checkFlags({ d: seconds('x', { max: 1e12 }) }, { d: 3e6 })), /<= 2147483/);
});

test('an alias declared with the flag reaches yargs', () => {
  assert.equal(whole('n', { alias: 'c' }).alias, 'c');
  assert.equal(seconds('s', { alias: ['t'] }).alias?.[0], 't');
});

const err = makeFinding('NO_QUERIER', { message: 'm', evidence: {} });
const warnOnly = { ...err, severity: 'warning' as const };
const gap: Coverage = { notRun: [{ check: 'querier', reason: 'no CAP_NET_RAW', remedy: 'run as root' }], interrupted: null };

test('one exit code: 1 for an error finding whatever did not run, 3 for a gap, 0 otherwise', () => {
  assert.equal(exitFor([]), 0);
  assert.equal(exitFor([warnOnly]), 0);
  assert.equal(exitFor([{ ...err, severity: 'error' }]), 1);
  assert.equal(exitFor([], fullCoverage()), 0);
  assert.equal(exitFor([warnOnly], gap), 3);
  assert.equal(exitFor([{ ...err, severity: 'error' }], gap), 1);
});

test('the verdict is incomplete, never healthy, when a check did not run', () => {
  assert.equal(verdictOf([], fullCoverage()), 'healthy');
  assert.equal(verdictOf([warnOnly], fullCoverage()), 'warnings');
  assert.equal(verdictOf([], gap), 'incomplete');
  assert.equal(verdictOf([warnOnly], gap), 'incomplete');
  assert.equal(verdictOf([{ ...err, severity: 'error' }], gap), 'problems');
});

test('a wait cut short by a signal is a gap that says what ran of what was asked', () => {
  const n = cutShort('querier listen', { signal: 'SIGTERM', afterMs: 4200, plannedMs: 130_000 }, '--timeout');
  assert.match(n.reason, /SIGTERM ended it after 4\.2 s of the 130 s asked/);
  assert.match(n.remedy, /--timeout/);
});

test('doctor runs over one FakeHost (the composition root\'s test double)', async () => {
  const { FakeHost } = await import('../helpers/fake-host.js');
  const { doctorDeps, defaultChecks } = await import('../../src/core/doctor/default.js');
  const { runDoctor } = await import('../../src/core/doctor/run.js');
  const host = new FakeHost();
  host.captureError = new Error('no libpcap here');
  const opts = { querierWait: 1, selfTest: false, expectQuerier: [], expectReceive: [], maxLossPct: 0 };
  const rep = await runDoctor(await doctorDeps(host), defaultChecks(opts), opts, {});
  assert.equal(rep.host, 'fakehost');
  const q = rep.checks.find((c) => c.id === 'querier');
  assert.equal(q?.status, 'skipped');
  assert.match(q?.skipped ?? '', /no libpcap here/);
});
