// sniff --user nobody: the captures and the membership are opened as root, then the process runs
// as nobody (checked in /proc/PID/status while it captures) and still counts and writes the
// stream; the file belongs to nobody and nothing else appears in its directory.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labSkipReason, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { startCli } from '../helpers/cli-bg.js';
import { udpSender } from '../helpers/inject.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping sniff --user lab tests: ${skip}`);
const NOBODY = 65534;

describe('sniff --user on the laptop lab', { skip }, () => {
  let lp: Laptop;
  let dir: string;
  before(async () => {
    lp = await buildLaptop();
    dir = mkdtempSync(path.join(tmpdir(), 'mcd-user-'));
    chmodSync(dir, 0o755); // nobody must reach the directory it writes in
  });
  after(async () => {
    await lp?.lab.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  test('runs as nobody after start and still captures and writes', async () => {
    const out = path.join(dir, 'out');
    execFileSync('mkdir', [out]);
    execFileSync('chown', [`${NOBODY}:${NOBODY}`, out]);
    chmodSync(out, 0o755);
    const file = path.join(out, 'cap.pcapng');
    const run = startCli(lp.lab, 'host',
      ['sniff', '239.1.5.1', '--iface', 'wired0', '--duration', '6', '--write', file, '--user', 'nobody', '--json', '--quiet']);
    await run.waitForEvent((e) => e.type === 'start', 20_000);
    const uids = await waitFor(async () => {
      const m = /^Uid:\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)/m.exec(readFileSync(`/proc/${run.child.pid}/status`, 'utf8'));
      return m && m[1] === String(NOBODY) ? m.slice(1, 5) : undefined;
    }, 10_000);
    assert.deepEqual(uids, [String(NOBODY), String(NOBODY), String(NOBODY), String(NOBODY)], 'real, effective, saved and fs uid');
    assert.match(readFileSync(`/proc/${run.child.pid}/status`, 'utf8'), new RegExp(`^Groups:\\s+${NOBODY}\\s*$`, 'm'));
    await lp.lab.must(lp.peerA, 'python3', udpSender('239.1.5.1', 5001, 20));
    const r = await run.exit(30_000);
    assert.equal(r.code, 0, r.stderr);
    const summary = run.events().at(-1);
    const flow = summary.flows.find((f: { group: string; source: string }) => f.group === '239.1.5.1' && f.source === lp.addr.peerA);
    assert.equal(flow?.packets, 20);
    const st = statSync(file);
    assert.equal(st.uid, NOBODY);
    assert.equal(summary.file.packets,
      Number(execFileSync('sh', ['-c', `tshark -r ${file} -T fields -e frame.number | wc -l`], { encoding: 'utf8' }).trim()));
    assert.deepEqual(readdirSync(out), ['cap.pcapng'], 'nothing else written next to the file');
  });

  test('an unknown user is bad input; a directory the user cannot write is exit 3 before capturing', async () => {
    const bad = await lp.lab.cli('host', ['sniff', '--iface', 'wired0', '--duration', '1', '--user', 'no-such-user-x']);
    assert.equal(bad.code, 2, bad.stderr);
    assert.match(bad.stderr, /^mcast-doctor: --user no-such-user-x: no such user/);
    const rootOnly = path.join(dir, 'root-only');
    execFileSync('mkdir', ['-m', '755', rootOnly]);
    const r = await lp.lab.cli('host',
      ['sniff', '--iface', 'wired0', '--duration', '1', '--user', 'nobody', '--write', path.join(rootOnly, 'x.pcapng')]);
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /cannot write in .*root-only/);
    assert.deepEqual(readdirSync(rootOnly), []);
  });
});
