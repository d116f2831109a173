// After `sniff --user nobody` the process belongs to nobody: every local process running as nobody
// may signal it. SIGUSR1 must not open Node's inspector (127.0.0.1:9229 in the namespace), which
// would let that user evaluate code in a process holding root's captures. And a link flap, after
// which nobody cannot open a capture again, must be an error finding that says the capture stopped
// on that interface and why, not exit 0 with half the packets silently missing from the file.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labSkipReason, sleep, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { startCli } from '../helpers/cli-bg.js';
import { udpSender } from '../helpers/inject.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping --user lab tests: ${skip}`);
const NOBODY = 65534;

const runsAsNobody = (pid: number): boolean => /^Uid:\s+65534\s+65534\s+65534\s+65534/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));

describe('sniff --user nobody: no door left open', { skip }, () => {
  let lp: Laptop;
  let dir: string;
  before(async () => {
    lp = await buildLaptop();
    dir = mkdtempSync(path.join(tmpdir(), 'mcd-door-'));
    chmodSync(dir, 0o755);
    mkdirSync(path.join(dir, 'out'));
    execFileSync('chown', [`${NOBODY}:${NOBODY}`, path.join(dir, 'out')]);
  });
  after(async () => {
    await lp?.lab.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('SIGUSR1 from nobody does not open the inspector; the capture goes on', async () => {
    const file = path.join(dir, 'out', 'usr1.pcapng');
    const run = startCli(lp.lab, lp.host,
      ['sniff', '239.1.8.1', '--iface', 'wired0', '--duration', '5', '--write', file, '--user', 'nobody', '--json', '--quiet']);
    await run.waitForEvent((e) => e.type === 'start', 20_000);
    const pid = run.child.pid ?? 0;
    assert.ok(await waitFor(async () => runsAsNobody(pid), 10_000), 'dropped to nobody');
    // The signal as nobody would send it (kill(2) checks the real/effective uid against the target's).
    execFileSync('setpriv', ['--reuid', String(NOBODY), '--regid', String(NOBODY), '--clear-groups', 'kill', '-USR1', String(pid)]);
    await sleep(1000);
    const listening = await lp.lab.exec(lp.host, 'ss', ['-Hltn', 'sport = :9229']);
    assert.equal(listening.stdout.trim(), '', 'an inspector listens on 9229');
    await lp.lab.must(lp.peerA, 'python3', udpSender('239.1.8.1', 5001, 10));
    const r = await run.exit(30_000);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /Debugger listening/);
    assert.equal(run.events().at(-1).file.packets >= 10, true);
  });

  test('a link flap under --user: CAPTURE_STOPPED (error) on that interface, with the reason; exit 1', async () => {
    const file = path.join(dir, 'out', 'flap.pcapng');
    const run = startCli(lp.lab, lp.host,
      ['sniff', '239.1.8.2', '--iface', 'wired0', '--duration', '12', '--write', file, '--user', 'nobody', '--json', '--quiet']);
    await run.waitForEvent((e) => e.type === 'start', 20_000);
    await lp.lab.must(lp.peerA, 'python3', udpSender('239.1.8.2', 5001, 50));
    await lp.lab.ip(lp.host, 'link', 'set', 'wired0', 'down');
    await run.waitForEvent((e) => e.type === 'iface_down' && e.iface === 'wired0', 10_000);
    await lp.lab.ip(lp.host, 'link', 'set', 'wired0', 'up');
    const up = await run.waitForEvent((e) => e.type === 'iface_up' && e.iface === 'wired0', 10_000);
    assert.equal(up.capture, false, 'nobody cannot open a capture');
    await sleep(500);
    await lp.lab.must(lp.peerA, 'python3', udpSender('239.1.8.2', 5001, 50));
    const r = await run.exit(40_000);
    assert.equal(r.code, 1, r.stderr);
    const summary = run.events().at(-1);
    const stopped = summary.findings.filter((f: { id: string }) => f.id === 'CAPTURE_STOPPED');
    assert.equal(stopped.length, 1, JSON.stringify(summary.findings));
    assert.equal(stopped[0].severity, 'error');
    assert.equal(stopped[0].iface, 'wired0');
    assert.match(stopped[0].message, /capture on wired0 stopped/);
    assert.match(stopped[0].message, /nobody|permission|not permitted/i);
    const flow = summary.flows.find((f: { group: string }) => f.group === '239.1.8.2');
    assert.equal(flow?.packets, 50, 'what was captured before the flap, and nothing after it');
    assert.ok(summary.file.packets < 100, `the file cannot hold the second 50 (${summary.file.packets})`);
    console.log(`# ${stopped[0].message}`);
  });
});
