// Files written as root, attacked by an unprivileged planter (nobody, via setpriv) who can write
// the target directory, as --user requires: symlinks for every predictable temporary name point at
// a root-owned victim (a stand-in for /etc/shadow), and at the target itself. The victim must keep
// its bytes, its owner and its mode; the capture must still be written, 0600, to --user's owner.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, labSkipReason } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { startCli } from '../helpers/cli-bg.js';
import { udpSender } from '../helpers/inject.js';
import { simulateMesh } from '../helpers/mesh-sim.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping hostile file lab tests: ${skip}`);
const NOBODY = 65534;
const SECRET = 'root:$6$secret:19000:0:99999:7:::\n';

/** Runs a small program as nobody, with no supplementary groups: the unprivileged planter. */
function asNobody(script: string, ...args: string[]): void {
  execFileSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', process.execPath, '-e', script, '--',
    ...args], { stdio: 'pipe' });
}

/** Plants symlinks to `victim` named `.BASE.PID.SUFFIX` for pids from..from+count in dir. */
function plantPidLinks(dir: string, base: string, victim: string, from: number, count: number, suffixes: string[]): void {
  asNobody(`const fs = require('node:fs');
const [d, b, v, f, n, ...sfx] = process.argv.slice(1);
for (let p = Number(f); p < Number(f) + Number(n); p++)
  for (const s of sfx) { try { fs.symlinkSync(v, d + '/.' + b + '.' + p + '.' + s); } catch (e) { if (e.code !== 'EEXIST') throw e; } }`,
  dir, base, victim, String(from), String(count), ...suffixes);
}

const lastPid = (): number => Number(readFileSync('/proc/sys/kernel/ns_last_pid', 'utf8').trim());

function victimIntact(victim: string): void {
  assert.equal(readFileSync(victim, 'utf8'), SECRET, 'the victim was overwritten');
  const st = statSync(victim);
  assert.equal(st.uid, 0, 'the victim was chowned');
  assert.equal(st.mode & 0o777, 0o600, 'the victim changed mode');
}

describe('files written as root against an unprivileged planter', { skip }, () => {
  let lp: Laptop;
  let base: string;
  let victim: string;
  let shared: string;
  before(async () => {
    lp = await buildLaptop();
    base = mkdtempSync(path.join(tmpdir(), 'mcd-hostile-'));
    chmodSync(base, 0o755);
    const secretDir = path.join(base, 'etc');
    mkdirSync(secretDir, { mode: 0o700 });
    victim = path.join(secretDir, 'shadow');
    writeFileSync(victim, SECRET, { mode: 0o600 });
    // The directory --user nobody writes into: nobody owns it, so nobody can plant there.
    shared = path.join(base, 'out');
    mkdirSync(shared, { mode: 0o755 });
    execFileSync('chown', [`${NOBODY}:${NOBODY}`, shared]);
  });
  after(async () => {
    await lp?.lab.destroy();
    if (base) rmSync(base, { recursive: true, force: true });
  });

  test('sniff --user nobody --write: planted temporary names are not followed; the capture is written, 0600, owned by nobody', async () => {
    const file = path.join(shared, 'cap.pcapng');
    plantPidLinks(shared, 'cap.pcapng', victim, lastPid() + 1, 400, ['part', 'tmp']);
    const run = startCli(lp.lab, 'host',
      ['sniff', '239.1.6.1', '--iface', 'wired0', '--duration', '4', '--write', file, '--user', 'nobody', '--json', '--quiet']);
    const pid = run.child.pid ?? 0;
    // The exact name the old code used, planted for the CLI's own pid before it opens the file.
    plantPidLinks(shared, 'cap.pcapng', victim, pid, 1, ['part']);
    assert.equal(lstatSync(path.join(shared, `.cap.pcapng.${pid}.part`)).isSymbolicLink(), true,
      'the planter won the race for the old name');
    await run.waitForEvent((e) => e.type === 'start', 20_000);
    await lp.lab.must(lp.peerA, 'python3', udpSender('239.1.6.1', 5001, 10));
    const r = await run.exit(30_000);
    assert.equal(r.code, 0, r.stderr);
    victimIntact(victim);
    const st = lstatSync(file);
    assert.equal(st.isFile(), true);
    assert.equal(st.uid, NOBODY);
    assert.equal(st.mode & 0o777, 0o600, 'a capture is readable by its owner only');
    assert.equal(run.events().at(-1).file.packets > 0, true);
    const stray = readdirSync(shared).filter((n) => n !== 'cap.pcapng' && !lstatSync(path.join(shared, n)).isSymbolicLink());
    assert.deepEqual(stray, [], 'no temporary file left behind');
  });

  test('sniff --write at a planted symlink, a device node or a FIFO is refused with exit 2, even with --force', async () => {
    const link = path.join(shared, 'link.pcapng');
    asNobody("require('node:fs').symlinkSync(process.argv[1], process.argv[2])", victim, link);
    const dev = path.join(shared, 'null');
    execFileSync('mknod', [dev, 'c', '1', '3']);
    const fifo = path.join(shared, 'fifo');
    execFileSync('mkfifo', [fifo]);
    for (const target of [link, dev, fifo]) {
      for (const extra of [[], ['--force'], ['--force', '--user', 'nobody']]) {
        const r = await lp.lab.cli('host', ['sniff', '--iface', 'wired0', '--duration', '1', '--write', target, ...extra]);
        assert.equal(r.code, 2, `${target} ${extra.join(' ')}: ${r.stderr}`);
        assert.match(r.stderr, /refusing to replace it, it is (a symbolic link|a device|a FIFO)/);
      }
    }
    victimIntact(victim);
    assert.equal(lstatSync(link).isSymbolicLink(), true);
    assert.equal(lstatSync(dev).isCharacterDevice(), true, 'the device node is still a device node');
    assert.equal(lstatSync(fifo).isFIFO(), true);
  });

  test('mesh-report --html/--junit: planted temporary names and a symlinked target leave the victim alone', async () => {
    const docs =
      simulateMesh({ hosts: [{ name: 'a', ifaces: { eth0: 's' } }, { name: 'b', ifaces: { eth0: 's' } }], durationS: 4, rate: 5 });
    const inputs = docs.map((d, i) => {
      const f = path.join(base, `in${i}.json`);
      writeFileSync(f, JSON.stringify(d));
      return f;
    });
    // A world-writable sticky directory, as /tmp: the planter prepares names there.
    const tmpLike = path.join(base, 'tmp');
    mkdirSync(tmpLike);
    chmodSync(tmpLike, 0o1777);
    const html = path.join(tmpLike, 'mesh.html');
    const junit = path.join(tmpLike, 'mesh.xml');
    const from = lastPid() + 1;
    plantPidLinks(tmpLike, 'mesh.html', victim, from, 400, ['tmp', 'part']);
    plantPidLinks(tmpLike, 'mesh.xml', victim, from, 400, ['tmp', 'part']);
    const r = await lp.lab.exec('host', process.execPath, [CLI, 'mesh-report', ...inputs, '--html', html, '--junit', junit]);
    assert.equal(r.code, 0, r.stderr);
    victimIntact(victim);
    assert.match(readFileSync(html, 'utf8'), /^<!DOCTYPE html>/);
    assert.match(readFileSync(junit, 'utf8'), /^<\?xml/);
    assert.equal(statSync(html).mode & 0o777, 0o640, 'reports are never world-readable');
    // The target itself planted as a symlink to the victim: refused, exit 2.
    const planted = path.join(tmpLike, 'planted.html');
    asNobody("require('node:fs').symlinkSync(process.argv[1], process.argv[2])", victim, planted);
    const bad = await lp.lab.exec('host', process.execPath, [CLI, 'mesh-report', ...inputs, '--html', planted]);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /--html .*planted\.html: refusing to replace it, it is a symbolic link/);
    victimIntact(victim);
  });
});
