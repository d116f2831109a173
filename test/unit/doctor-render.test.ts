// The doctor's human summary says what is true of each gap in its coverage: a check that did not
// run, or one that ran but could not see everything (its `gaps`), never the second as the first.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { doctorJUnit, renderDoctor } from '../../src/render/doctor.js';
import { Output } from '../../src/render/output.js';
import type { CheckResult, DoctorReport } from '../../src/core/doctor/types.js';
import type { NotRun } from '../../src/core/coverage.js';
import { verdictOf } from '../../src/core/coverage.js';

class Sink extends Writable {
  text = '';
  override _write(c: Buffer, _e: string, cb: () => void): void { this.text += c.toString(); cb(); }
}

const leak: NotRun = {
  check: 'sockets: IP_MULTICAST_ALL leaks',
  reason: 'on UDP port 5353 a socket bound to the wildcard address may receive groups another socket there joined, '
    + 'but the memberships of 1 socket could not be read: EPERM',
  remedy: 'run doctor as root',
};
const sockets: CheckResult = { id: 'sockets', title: 'UDP sockets', status: 'pass', durationMs: 12, findings: [], gaps: [leak] };
const querier: CheckResult = {
  id: 'querier', title: 'IGMP/MLD querier', status: 'skipped', durationMs: 0, findings: [],
  skipped: 'no capture: libpcap missing', remedy: 'apt install libpcap0.8',
};
const rpfilter: CheckResult = { id: 'rpfilter', title: 'reverse-path filter', status: 'pass', durationMs: 3, findings: [] };

/** A report as runDoctor builds it: coverage.notRun = the skipped checks with a remedy, then every check's gaps. */
function report(checks: CheckResult[]): DoctorReport {
  const notRun = checks.flatMap((c): NotRun[] => [
    ...(c.status === 'skipped' && c.remedy !== undefined ? [{ check: c.id, reason: c.skipped ?? '', remedy: c.remedy }] : []),
    ...c.gaps ?? [],
  ]);
  const coverage = { notRun, interrupted: null };
  return { host: 'lab', os: 'linux', generatedAt: '2026-01-01T00:00:00.000Z', verdict: verdictOf([], coverage), coverage,
    interfaces: [], checks, findings: [] };
}

function human(rep: DoctorReport): string {
  const out = new Sink();
  renderDoctor(rep, new Output({ json: false, color: false, quiet: false, verbose: false }, out, new Sink()));
  return out.text;
}

test('a check that ran with a gap is said to have run in part, not to have not run', () => {
  const text = human(report([sockets, rpfilter]));
  assert.match(text, /^Diagnosis for lab: incomplete: 1 check ran in part$/m);
  assert.match(text, /^Incomplete: 1 check ran in part, so this is no clean bill of health:$/m);
  assert.match(text, /^ {2}sockets: IP_MULTICAST_ALL leaks \(ran in part\): on UDP port 5353 .*; to decide it: run doctor as root$/m);
  assert.match(text, /^ {2}pass {2}UDP sockets \(ran in part\) 0\.0 s$/m);
  assert.doesNotMatch(text, /did not run|could not run/);
});

test('checks that did not run and checks that ran in part are counted apart', () => {
  const text = human(report([sockets, querier, rpfilter]));
  assert.match(text, /^Diagnosis for lab: incomplete: 1 check could not run, 1 ran in part$/m);
  assert.match(text, /^Incomplete: 1 check did not run, 1 ran in part, so this is no clean bill of health:$/m);
  assert.match(text, /^ {2}querier: no capture: libpcap missing; to run it: apt install libpcap0\.8$/m);
  assert.match(text, /^ {2}skip {2}IGMP\/MLD querier \(no capture: libpcap missing\) 0\.0 s$/m);
});

test('only checks that did not run: worded as before', () => {
  const text = human(report([querier, { ...querier, id: 'self-test', title: 'self-test' }]));
  assert.match(text, /^Diagnosis for lab: incomplete: 2 checks could not run$/m);
  assert.match(text, /^Incomplete: 2 checks did not run, so this is no clean bill of health:$/m);
  assert.doesNotMatch(text, /in part/);
});

test('the same words from the JSON document read back (what a consumer of --json has)', () => {
  const rep = report([sockets, querier, rpfilter]);
  assert.equal(human(JSON.parse(JSON.stringify(rep)) as DoctorReport), human(rep));
});

test('JUnit: a check that ran in part is a case that ran, with its gap said beside; one that did not run is skipped', () => {
  const xml = doctorJUnit(report([sockets, querier, rpfilter]));
  const caseOf = (id: string): string => xml.slice(xml.indexOf(`name="${id}"`), xml.indexOf('</testcase>', xml.indexOf(`name="${id}"`)));
  assert.doesNotMatch(caseOf('sockets'), /<skipped/);
  assert.match(caseOf('sockets'), /<system-out>ran in part: sockets: IP_MULTICAST_ALL leaks: on UDP port 5353 .*; to decide it: run doctor as root<\/system-out>/);
  assert.match(caseOf('querier'), /<skipped message="no capture: libpcap missing; to run it: apt install libpcap0.8"/);
});
