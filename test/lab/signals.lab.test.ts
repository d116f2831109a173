// Every command that waits ends a signal the same way (issue 16): the report of what was heard
// before it, marked interrupted with the time covered, parsable JSON, the exit code of the
// findings (or 3 where the cut made a check meaningless); SIGHUP/SIGQUIT/SIGUSR2/SIGALRM finish a
// sniff file as SIGINT does (issue 14). And doctor run unprivileged says it is incomplete, exit 3.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, labSkipReason, sleep, waitFor, type RunResult } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { sendQueriesInBackground } from '../helpers/igmp-query.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping signal lab tests: ${skip}`);

interface Running { stderr(): string; stdout(): string; kill(sig: NodeJS.Signals): void; exit(): Promise<RunResult> }

describe('signals end every wait with the report of what was heard', { skip }, () => {
  let lp: Laptop;
  let dir: string;
  before(async () => {
    lp = await buildLaptop();
    dir = mkdtempSync(path.join(tmpdir(), 'mcd-sig-'));
    chmodSync(dir, 0o755);
  });
  after(async () => {
    await lp?.lab.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const start = (args: string[]): Running => {
    const child = lp.lab.spawn('host', process.execPath, [CLI, ...args]);
    let out = '';
    let err = '';
    child.stdout?.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    const exited = new Promise<number>((resolve) => child.on('exit', (code, sig) => resolve(code ?? (sig ? 128 : -1))));
    return {
      stdout: () => out, stderr: () => err,
      // `ip netns exec` execs the command: the child's pid is the CLI's own.
      kill: (sig) => { child.kill(sig); },
      exit: async () => {
        const t = setTimeout(() => child.kill('SIGKILL'), 30_000);
        const code = await exited;
        clearTimeout(t);
        return { code, stdout: out, stderr: err };
      },
    };
  };
  const stderrSays = (r: Running, re: RegExp, ms = 20_000): Promise<boolean> => waitFor(async () => re.test(r.stderr()), ms, 50);

  test('querier-check: SIGTERM mid-listen gives the JSON report with the querier heard, interrupted, exit 3', async () => {
    const r = start(['querier-check', '--timeout', '60', '--json', '--iface', 'wired0', '-4']);
    assert.ok(await stderrSays(r, /listening on/), r.stderr());
    await sendQueriesInBackground(lp.lab, lp.peerA, { iface: 'eth0', source: lp.addr.peerA, count: 2, intervalS: 0.3 });
    await sleep(500);
    r.kill('SIGTERM');
    const res = await r.exit();
    assert.equal(res.code, 3, res.stderr);
    const doc = JSON.parse(res.stdout);
    assertMatchesSchema('querier-check.schema.json', doc);
    assert.equal(doc.interfaces[0].igmp.queriers[0].address, lp.addr.peerA);
    assert.equal(doc.coverage.interrupted.signal, 'SIGTERM');
    assert.equal(doc.coverage.interrupted.plannedMs, 60_000);
    assert.ok(doc.coverage.interrupted.afterMs < 30_000);
    assert.equal(doc.coverage.notRun[0].check, 'querier listen');
    assert.match(doc.toolVersion, /^\d+\.\d+\.\d+/);
  });

  test('querier-check human: SIGINT prints the report marked interrupted and clears nothing it should not', async () => {
    const r = start(['querier-check', '--timeout', '60', '--iface', 'wired0', '-4']);
    assert.ok(await stderrSays(r, /listening on/), r.stderr());
    r.kill('SIGINT');
    const res = await r.exit();
    assert.equal(res.code, 3, res.stderr);
    assert.match(res.stdout, /Interrupted by SIGINT after \d+\.\d s of the 60 s asked/);
    assert.match(res.stdout, /querier listen: SIGINT ended it/);
  });

  test('doctor: SIGHUP mid-listen gives the JSON diagnosis, verdict incomplete, exit 3; ' +
    'JUnit written with the cut check skipped', async () => {
    const junit = path.join(dir, 'doctor.xml');
    const r = start(['doctor', '--json', '--no-self-test', '--querier-wait', '60', '--junit', junit]);
    await sleep(4000);
    r.kill('SIGHUP');
    const res = await r.exit();
    assert.equal(res.code, 3, res.stderr);
    const doc = JSON.parse(res.stdout);
    assert.equal(doc.verdict, 'incomplete');
    assert.equal(doc.coverage.interrupted.signal, 'SIGHUP');
    assert.ok(doc.coverage.notRun.some((n: any) => n.check === 'querier'), JSON.stringify(doc.coverage));
    assert.ok(doc.checks.find((c: any) => c.id === 'interfaces'), 'the checks that ran are reported');
    const xml = execFileSync('cat', [junit], { encoding: 'utf8' });
    assert.match(xml, /<testcase name="querier"[^>]*>\s*<skipped message="SIGHUP ended it/);
    assert.match(xml, /<property name="mcast-doctor.version" value="\d+\.\d+\.\d+"\/>/);
    assert.match(xml, /<property name="interrupted" value="SIGHUP after/);
  });

  test('rpfilter-audit --watch: SIGINT gives the JSON audit with the drops counted so far, interrupted, exit 3', async () => {
    const r = start(['rpfilter-audit', '--watch', '60', '--json', '--verbose']);
    assert.ok(await stderrSays(r, /watching TcpExt IPReversePathFilter/), r.stderr());
    await sleep(1500);
    r.kill('SIGINT');
    const res = await r.exit();
    assert.equal(res.code, 3, res.stderr);
    const doc = JSON.parse(res.stdout);
    assertMatchesSchema('rpfilter-audit.schema.json', doc);
    assert.equal(typeof doc.watch.drops, 'number');
    assert.equal(doc.coverage.interrupted.signal, 'SIGINT');
    assert.ok(doc.coverage.interrupted.afterMs < 20_000);
  });

  test('send-all: SIGTERM ends the run with the NDJSON summary of what was sent, exit 0', async () => {
    const r = start(['send-all', '239.1.9.9', '--iface', 'wired0', '--duration', '60', '--rate', '20', '--interval', '0.5', '--json']);
    await waitFor(async () => r.stdout().includes('"type":"stats"'), 20_000, 50);
    r.kill('SIGTERM');
    const res = await r.exit();
    assert.equal(res.code, 0, res.stderr);
    const events = res.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const sum = events.at(-1);
    assert.equal(sum.type, 'summary');
    assertMatchesSchema('send-all.schema.json', sum);
    assert.ok(sum.results.some((x: any) => x.sent > 0), JSON.stringify(sum.results));
    assert.equal(sum.coverage.interrupted.signal, 'SIGTERM');
    assert.equal(sum.coverage.notRun.length, 0);
  });

  test('mesh: SIGTERM gives the JSON matrix of what was heard, interrupted', async () => {
    const r = start(['mesh', '239.255.77.9', '--duration', '60', '--rate', '10', '--json']);
    await sleep(5000);
    r.kill('SIGTERM');
    const res = await r.exit();
    assert.ok(res.code === 0 || res.code === 1, `exit ${res.code}: ${res.stderr}`);
    const doc = JSON.parse(res.stdout);
    assertMatchesSchema('mesh.schema.json', doc);
    assert.equal(doc.coverage.interrupted.signal, 'SIGTERM');
    assert.ok(doc.coverage.interrupted.afterMs < 30_000);
  });

  for (const sig of ['SIGHUP', 'SIGQUIT', 'SIGUSR2', 'SIGALRM'] as const) {
    test(`sniff --write: ${sig} finishes the capture file (no empty .part)`, async () => {
      const file = path.join(dir, `${sig}.pcapng`);
      const r = start(['sniff', '--no-join', '--iface', 'wired0', '--filter', 'igmp', '--write', file, '--json']);
      await waitFor(async () => r.stdout().includes('"type":"start"'), 20_000, 50);
      await sendQueriesInBackground(lp.lab, lp.peerA, { iface: 'eth0', source: lp.addr.peerA, count: 3, intervalS: 0.2 });
      await sleep(800);
      r.kill(sig);
      const res = await r.exit();
      assert.equal(res.code, 0, res.stderr);
      assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.part')), []);
      const frames =
        execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8' }).trim().split('\n').filter(Boolean);
      assert.ok(frames.length >= 3, `${frames.length} frames`);
      const sum = res.stdout.trim().split('\n').map((l) => JSON.parse(l)).at(-1);
      assert.equal(sum.stoppedBy, 'signal');
      assert.equal(sum.coverage.interrupted.signal, sig);
    });
  }

  test('doctor unprivileged (no CAP_NET_RAW/NET_ADMIN, uid nobody): exit 3, verdict incomplete, the missing checks named', async () => {
    const res = await lp.lab.exec('host', 'setpriv',
      ['--reuid', '65534', '--regid', '65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
      process.execPath, CLI, 'doctor', '--json', '--querier-wait', '1']);
    assert.equal(res.code, 3, res.stderr);
    const doc = JSON.parse(res.stdout);
    assert.equal(doc.verdict, 'incomplete');
    const missing = doc.coverage.notRun.map((n: any) => n.check).sort();
    assert.ok(missing.includes('querier'), JSON.stringify(doc.coverage));
    assert.ok(missing.includes('self-test'), JSON.stringify(doc.coverage));
    for (const n of doc.coverage.notRun) assert.ok(n.remedy.length > 0);
    const human = await lp.lab.exec('host', 'setpriv',
      ['--reuid', '65534', '--regid', '65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
      process.execPath, CLI, 'doctor', '--querier-wait', '1']);
    assert.equal(human.code, 3, human.stderr);
    assert.match(human.stdout, /Diagnosis for \S+: incomplete: \d checks? could not run/);
    assert.doesNotMatch(human.stdout, /healthy/);
    assert.match(human.stdout, /querier: could not run: .*; to run it: /);
  });

  test('doctor as root on the same lab, self-test on: complete (a control for the test above)', async () => {
    const res = await lp.lab.cli('host', ['doctor', '--json', '--querier-wait', '1']);
    const doc = JSON.parse(res.stdout);
    assert.deepEqual(doc.coverage.notRun, [], JSON.stringify(doc.coverage));
    assert.notEqual(doc.verdict, 'incomplete');
    assert.notEqual(res.code, 3, res.stderr);
  });
});
