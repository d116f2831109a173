// join-all when nothing arrives (issue 16): the README's first symptom gets an answer, not "No
// problems found". On the laptop lab: no sender at all -> NOTHING_ARRIVED with the next step; only
// peer-a (wired0) sending -> NOTHING_RECEIVED names wifi0 only; --expect on the silent pair makes it
// NO_TRAFFIC (error) instead; and mesh alone on a host says that no peer was heard.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI, labSkipReason, type RunResult } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { ndjson, startCli } from '../helpers/cli-bg.js';
import { udpSender } from '../helpers/inject.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping join-all silence lab tests: ${skip}`);

describe('join-all and mesh when nothing arrives', { skip }, () => {
  let lp: Laptop;
  before(async () => { lp = await buildLaptop(); });
  after(async () => { await lp?.lab.destroy(); });

  const summaryOf = (stdout: string): any => ndjson(stdout).find((e) => e.type === 'summary');
  /**
   * join-all ARGS in host (under WRAP), and peer-a's datagrams to GROUP once it has joined on
   * wired0: started together, a run still starting on a loaded machine missed a 2 s sender whole.
   */
  const joinThenSend = async (group: string, args: string[], wrap: string[] = []): Promise<RunResult> => {
    const run = startCli(lp.lab, 'host', ['join-all', group, ...args, '--json'], wrap);
    await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wired0', 20_000);
    const sent = await lp.lab.exec(lp.peerA, 'python3', udpSender(group, 5000, 10, { gapS: 0.05 }), 20_000);
    assert.equal(sent.code, 0, sent.stderr);
    return run.exit(30_000);
  };

  test('no sender anywhere: one NOTHING_ARRIVED with the next step, human and JSON', async () => {
    const r = await lp.lab.cli('host', ['join-all', '239.1.7.1', '--duration', '3', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const sum = summaryOf(r.stdout);
    assertMatchesSchema('join-all.schema.json', sum);
    const ids = sum.findings.map((f: any) => f.id);
    assert.deepEqual(ids.filter((i: string) => i.startsWith('NOTHING')), ['NOTHING_ARRIVED']);
    assert.match(sum.findings.find((f: any) => f.id === 'NOTHING_ARRIVED').message,
      /Nothing arrived in \d+\.\d s: no datagram of 239\.1\.7\.1 on wired0, wifi0.*mcast-doctor trace 239\.1\.7\.1:5000/);
    const h = await lp.lab.cli('host', ['join-all', '239.1.7.1', '--duration', '2']);
    assert.doesNotMatch(h.stdout, /No problems found/);
    assert.match(h.stdout, /NOTHING_ARRIVED.*Nothing arrived/);
  });

  test('only peer-a sends: wifi0 is named (NOTHING_RECEIVED), wired0 is not; --expect on wifi0 makes it NO_TRAFFIC', async () => {
    const r = await joinThenSend('239.1.7.2', ['--duration', '4']);
    assert.equal(r.code, 0, r.stderr);
    const sum = summaryOf(r.stdout);
    const got = sum.rows.find((x: any) => x.iface === 'wired0')?.packets ?? 0;
    assert.ok(got > 0, `wired0 received ${got}`);
    const silent = sum.findings.filter((f: any) => f.id.startsWith('NOTHING'));
    assert.deepEqual(silent.map((f: any) => `${f.id} ${f.iface} ${f.severity}`), ['NOTHING_RECEIVED wifi0 warning']);
    const e = await joinThenSend('239.1.7.2', ['--duration', '4', '--expect', 'wifi0:239.1.7.2']);
    assert.equal(e.code, 1, e.stderr);
    const esum = summaryOf(e.stdout);
    assert.deepEqual(esum.findings.filter((f: any) => ['NO_TRAFFIC', 'NOTHING_RECEIVED', 'NOTHING_ARRIVED'].includes(f.id)).map((f: any) =>
      `${f.id} ${f.iface}`), ['NO_TRAFFIC wifi0']);
  });

  test('mesh alone: no peer heard on any interface is said in one sentence; with --expect-peers it is an error', async () => {
    const r = await lp.lab.cli('host', ['mesh', '239.255.77.7', '--duration', '3', '--json']);
    const doc = JSON.parse(r.stdout);
    const f = doc.findings.filter((x: any) => x.id === 'NOTHING_ARRIVED');
    assert.equal(f.length, 1, JSON.stringify(doc.findings.map((x: any) => x.id)));
    assert.equal(f[0].severity, 'warning');
    assert.match(f[0].message, /run mesh on the other hosts at the same time/);
    const e = await lp.lab.cli('host', ['mesh', '239.255.77.7', '--duration', '3', '--json', '--expect-peers', '1']);
    assert.equal(e.code, 1, e.stderr);
    assert.equal(JSON.parse(e.stdout).findings.find((x: any) => x.id === 'NOTHING_ARRIVED')?.severity, 'error');
  });

  // Root without CAP_NET_RAW: the memberships and the counting still work (UDP sockets), the
  // IGMP watch cannot open (AF_PACKET needs CAP_NET_RAW): the run says so and exits 3, not 0.
  const noRaw = ['--inh-caps=-net_raw', '--bounding-set=-net_raw'];
  test('join-all without CAP_NET_RAW: packets counted, the IGMP watch named as not run with its fix, exit 3; ' +
    'human says what was not seen', async () => {
    const r = await joinThenSend('239.1.7.3', ['--duration', '3'], ['setpriv', ...noRaw, '--']);
    assert.equal(r.code, 3, r.stderr);
    const sum = summaryOf(r.stdout);
    assertMatchesSchema('join-all.schema.json', sum);
    assert.ok((sum.rows.find((x: any) => x.iface === 'wired0')?.packets ?? 0) > 0, 'still counted');
    assert.equal(sum.exitCode, 3);
    // libpcap loads; the capture cannot open on either interface (AF_PACKET wants CAP_NET_RAW).
    assert.deepEqual(sum.coverage.notRun.map((n: any) => n.check), ['IGMP watch (why a stream stops) on wired0, wifi0']);
    assert.match(sum.coverage.notRun[0].remedy, /root|CAP_NET_RAW/);
    const h = await lp.lab.exec('host', 'setpriv', [...noRaw, process.execPath, CLI, 'join-all', '239.1.7.3', '--duration', '1']);
    assert.equal(h.code, 3, h.stderr);
    assert.match(h.stdout,
      /Incomplete: 1 check did not run.*\n\s+IGMP watch \(why a stream stops\) on wired0, wifi0: the capture could not open: .*; to run it: /s);
    assert.doesNotMatch(h.stdout, /No problems found/);
  });

  test('mesh without CAP_NET_RAW: incomplete (exit 3), the IGMP watch named (rpfilter-audit --watch: its own lab)', async () => {
    const m = await lp.lab.exec('host', 'setpriv', [...noRaw, process.execPath, CLI, 'mesh', '239.255.77.8', '--duration', '2', '--json']);
    assert.equal(m.code, 3, m.stderr);
    const doc = JSON.parse(m.stdout);
    assertMatchesSchema('mesh.schema.json', doc);
    assert.deepEqual(doc.coverage.notRun.map((n: any) => n.check), ['IGMP watch (why a stream stops) on wired0, wifi0']);
  });
});
