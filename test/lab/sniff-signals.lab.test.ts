// sniff --write under signals and a hostile disk, on the laptop lab: SIGINT and SIGTERM leave a
// whole file (tshark reads it, as many packets as the summary says), a second signal quits at
// once and still completes the file, a read-only or full file system is exit 3 with no file and
// no stray temporary. The file systems are small tmpfs mounts on directories this test creates
// under /tmp, unmounted afterwards.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labSkipReason } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { startCli } from '../helpers/cli-bg.js';
import { udpSender } from '../helpers/inject.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping sniff signal lab tests: ${skip}`);

function tsharkCount(file: string): number {
  const out =
    execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return out.trim().split('\n').filter(Boolean).length;
}

describe('sniff --write: signals and a hostile disk', { skip }, () => {
  let lp: Laptop;
  let dir: string;
  const mounts: string[] = [];
  before(async () => {
    lp = await buildLaptop();
    dir = mkdtempSync(path.join(tmpdir(), 'mcd-signals-'));
  });
  after(async () => {
    for (const m of mounts) { try { execFileSync('umount', [m]); } catch { /* not mounted */ } }
    await lp?.lab.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const tmpfs = (name: string, opts: string): string => {
    const d = path.join(dir, name);
    mkdirSync(d);
    execFileSync('mount', ['-t', 'tmpfs', '-o', opts, 'tmpfs', d]);
    mounts.push(d);
    return d;
  };
  const leftovers = (d: string): string[] => readdirSync(d).filter((f) => f.endsWith('.part'));

  /** A bounded sender on peer-a (a few seconds at most), stopped by its pid when done with. */
  const sender = (group: string, count: number, gapS: number) => {
    const child = lp.lab.spawn(lp.peerA, 'python3', udpSender(group, 5001, count, { gapS }));
    return { stop: () => { if (child.exitCode === null) child.kill('SIGTERM'); }, done: new Promise((r) => child.on('exit', r)) };
  };

  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    test(`${sig} while packets flow: a whole file, as many packets as the summary says`, async () => {
      const file = path.join(dir, `${sig}.pcapng`);
      const run = startCli(lp.lab, 'host', ['sniff', '239.1.3.1', '--iface', 'wired0', '--write', file, '--json', '--quiet']);
      await run.waitForEvent((e) => e.type === 'start', 20_000);
      const s = sender('239.1.3.1', 3000, 0.002);
      await run.waitForEvent((e) => e.type === 'stats' && e.interfaces.some((i: { data: number }) => i.data > 20), 20_000);
      run.child.kill(sig);
      const r = await run.exit(30_000);
      s.stop();
      await s.done;
      assert.equal(r.code, 0, r.stderr);
      const summary = run.events().at(-1);
      assert.equal(summary.type, 'summary');
      assert.equal(summary.stoppedBy, 'signal');
      assert.ok(summary.file.packets > 20, JSON.stringify(summary.file));
      assert.equal(tsharkCount(file), summary.file.packets);
      assert.deepEqual(leftovers(dir), []);
    });
  }

  test('a second SIGINT quits at once and still leaves a whole file', async () => {
    const file = path.join(dir, 'twice.pcapng');
    // Back to back: the second lands while the first stop is still draining (or just after).
    const run = startCli(lp.lab, 'host', ['sniff', '239.1.3.2', '--iface', 'wired0', '--write', file, '--json', '--quiet']);
    await run.waitForEvent((e) => e.type === 'start', 20_000);
    const s = sender('239.1.3.2', 3000, 0.002);
    await run.waitForEvent((e) => e.type === 'stats' && e.interfaces.some((i: { data: number }) => i.data > 20), 20_000);
    run.child.kill('SIGINT');
    run.child.kill('SIGINT');
    const r = await run.exit(30_000);
    s.stop();
    await s.done;
    assert.ok(r.code === 0 || r.code === 130, `exit ${r.code}: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at |internal error/);
    const n = tsharkCount(file);
    assert.ok(n > 20, `tshark read ${n} packets`);
    const summary = run.events().find((e) => e.type === 'summary');
    if (summary) assert.equal(n, summary.file.packets);
    assert.deepEqual(leftovers(dir), []);
  });

  test('a read-only file system: exit 3, one line, no file', async () => {
    const ro = tmpfs('ro', 'ro,size=64k');
    const file = path.join(ro, 'cap.pcapng');
    const r = await lp.lab.cli('host', ['sniff', '--iface', 'wired0', '--duration', '1', '--write', file], 30_000);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /^mcast-doctor: cannot create .*read-only/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.deepEqual(readdirSync(ro), []);
  });

  test('a full disk: exit 3, no file under its name and no temporary left', async () => {
    const full = tmpfs('full', 'size=64k');
    const file = path.join(full, 'cap.pcapng');
    const run = startCli(lp.lab, 'host',
      ['sniff', '239.1.3.3', '--iface', 'wired0', '--count', '900', '--duration', '25', '--write', file, '--json', '--quiet']);
    await run.waitForEvent((e) => e.type === 'start', 20_000);
    // 900 frames of 142 bytes, each with its pcapng block: about 160 KB, more than the 64 KB.
    const s = sender('239.1.3.3', 1200, 0.001);
    const r = await run.exit(40_000);
    s.stop();
    await s.done;
    assert.equal(r.code, 3, `${r.stderr} ${r.stdout.slice(-500)}`);
    assert.match(r.stderr, /^mcast-doctor: cannot (write|complete) .*disk is full/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(existsSync(file), false);
    assert.deepEqual(readdirSync(full), []);
  });
});
