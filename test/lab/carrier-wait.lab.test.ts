// A command started before the carrier (issue 15 question; docs/decisions.md "A command started
// before the carrier"). lan0 is up but its veth peer is down: NO-CARRIER, operstate DOWN,
// IFF_UP kept, not eligible. join-all waits for the carrier within --duration, says so on stderr,
// and once the peer comes up joins and counts the stream. Without a carrier in time it ends
// with NO_ELIGIBLE_INTERFACE saying how long it waited (exit 1); a one-shot command (send-all)
// does not wait and says the interface has no carrier, with the fix. sniff and mesh follow their
// interfaces too and wait by the same rule (core/kernel/carrier-wait.ts loadAwaitingCarrier):
// the same two cases for each.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CLI, Lab, labSkipReason, sleep, waitFor } from '../helpers/lab.js';
import { ndjson, startCli } from '../helpers/cli-bg.js';
import { udpSender } from '../helpers/inject.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { buildHostPeer } from '../helpers/topologies.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping carrier-wait lab tests: ${skip}`);

describe('a selected interface up without a carrier yet', { skip }, () => {
  let lab: Lab;
  before(async () => {
    lab = await Lab.create();
    await buildHostPeer(lab, '198.18.62');
  });
  after(async () => { await lab?.destroy(); });

  const operstate = async (): Promise<string> =>
    (JSON.parse(await lab.ip('host', '-j', 'link', 'show', 'lan0')) as Array<{ operstate: string }>)[0]?.operstate ?? '';
  /** The peer's end down: the kernel takes lan0's carrier away (NO-CARRIER, operstate DOWN, IFF_UP kept). */
  async function peerDown(): Promise<void> {
    await lab.ip('peer', 'link', 'set', 'eth0', 'down');
    assert.equal(await waitFor(async () => ((await operstate()) === 'DOWN' ? 'DOWN' : undefined), 5000), 'DOWN');
    assert.match(await lab.ip('host', 'link', 'show', 'lan0'), /<NO-CARRIER,BROADCAST,MULTICAST,UP>/);
  }
  async function peerUp(): Promise<void> {
    await lab.ip('peer', 'link', 'set', 'eth0', 'up');
    await lab.ip('peer', 'route', 'replace', '224.0.0.0/4', 'dev', 'eth0');
  }

  test('join-all waits for the carrier, says so on stderr, then joins and counts the stream', async () => {
    await peerDown();
    const run = startCli(lab, 'host', ['join-all', '239.1.9.1', '--iface', 'lan0', '--duration', '8', '--json']);
    let err = '';
    run.child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    try {
      assert.ok(await waitFor(async () => err.includes('waiting for carrier'), 8000), `no waiting line: ${err}`);
      assert.match(err, /^mcast-doctor: waiting for carrier on lan0 \(up to 8 s of the --duration\)$/m);
      await sleep(500);
      assert.deepEqual(run.events().filter((e) => e.type === 'joined'), [], 'nothing joined before the carrier');
      await peerUp();
      await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'lan0', 5000);
      assert.equal(await operstate(), 'UP');
      const sent = await lab.exec('peer', 'python3', udpSender('239.1.9.1', 5000, 20, { gapS: 0.02 }));
      assert.equal(sent.code, 0, sent.stderr);
    } finally {
      // Not interrupted: the run ends at its --duration, the wait counted in it.
    }
    const r = await run.exit(20_000);
    assert.equal(r.code, 0, r.stderr);
    const ev = ndjson(r.stdout);
    for (const e of ev) assertMatchesSchema('join-all.schema.json', e);
    const sum = ev[ev.length - 1];
    assert.equal(sum.type, 'summary');
    const row = sum.rows.find((x: any) => x.iface === 'lan0' && x.group === '239.1.9.1');
    assert.equal(row?.packets, 20, JSON.stringify(sum.rows));
    assert.ok(!sum.findings.some((f: any) => f.id === 'NO_ELIGIBLE_INTERFACE'), JSON.stringify(sum.findings));
    assert.ok(sum.elapsedMs < 8000, `the wait counts in --duration: listened ${sum.elapsedMs} ms`);
  });

  test('no carrier within --duration: NO_ELIGIBLE_INTERFACE says it waited, exit 1; '
    + 'send-all (one-shot) does not wait and gives the fix', async () => {
    await peerDown();
    const t0 = Date.now();
    const r = await lab.cli('host', ['join-all', '239.1.9.2', '--iface', 'lan0', '--duration', '2', '--json']);
    const took = Date.now() - t0;
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stderr, /waiting for carrier on lan0 \(up to 2 s of the --duration\)/);
    assert.ok(took >= 2000 && took < 10_000, `bounded by --duration: ${took} ms`);
    const sum = ndjson(r.stdout).at(-1);
    const f = sum.findings.find((x: any) => x.id === 'NO_ELIGIBLE_INTERFACE');
    assert.match(f?.message ?? '', /lan0 has no carrier \(operstate down\)\. No carrier came in the 2\.\d s waited\./);
    assert.match(f?.fix ?? '', /^Connect lan0 .*ip link show lan0/);
    assert.ok(f.evidence.waitedMs >= 1900, JSON.stringify(f.evidence));
    const s = await lab.cli('host', ['send-all', '239.1.9.2', '--iface', 'lan0', '--count', '1', '--json']);
    assert.equal(s.code, 1, s.stderr);
    assert.doesNotMatch(s.stderr, /waiting for carrier/);
    const doc = JSON.parse(s.stdout.trim().split('\n').at(-1) ?? '{}');
    const g = doc.findings?.find((x: any) => x.id === 'NO_ELIGIBLE_INTERFACE');
    assert.match(g?.message ?? '', /lan0 has no carrier/);
    assert.match(g?.fix ?? '', /^Connect lan0/);
    await peerUp();
  });
  /** Started in the background with the peer down: the waiting line on stderr, nothing begun before the carrier. */
  async function startWaiting(args: string[], durationS: number): Promise<ReturnType<typeof startCli> & { err: () => string }> {
    await peerDown();
    const run = startCli(lab, 'host', args);
    let err = '';
    run.child.stderr?.on('data', (d: Buffer) => { err += d.toString(); });
    assert.ok(await waitFor(async () => err.includes('waiting for carrier'), 8000), `no waiting line: ${err}`);
    assert.match(err, new RegExp(`^mcast-doctor: waiting for carrier on lan0 \\(up to ${durationS} s of the --duration\\)$`, 'm'));
    await sleep(500);
    return { ...run, err: () => err };
  }

  test('sniff waits for the carrier, says so on stderr, then captures the stream', async () => {
    const run = await startWaiting(['sniff', '239.1.9.4', '--iface', 'lan0', '--duration', '8', '--json'], 8);
    assert.deepEqual(run.events().filter((e) => e.type === 'start'), [], 'no capture opened before the carrier');
    await peerUp();
    await run.waitForEvent((e) => e.type === 'start', 5000);
    const sent = await lab.exec('peer', 'python3', udpSender('239.1.9.4', 5000, 20, { gapS: 0.02 }));
    assert.equal(sent.code, 0, sent.stderr);
    const r = await run.exit(20_000);
    assert.equal(r.code, 0, r.stderr);
    const ev = ndjson(r.stdout);
    for (const e of ev) assertMatchesSchema('sniff.schema.json', e);
    const sum = ev.at(-1);
    assert.equal(sum.type, 'summary');
    assert.equal(sum.stoppedBy, 'duration');
    const flow = sum.flows.find((f: any) => f.iface === 'lan0' && f.group === '239.1.9.4' && f.source === '198.18.62.1');
    assert.equal(flow?.packets, 20, JSON.stringify(sum.flows));
    assert.ok(!sum.findings.some((f: any) => f.id === 'NO_ELIGIBLE_INTERFACE'), JSON.stringify(sum.findings));
    assert.ok(sum.durationMs < 8000, `the wait counts in --duration: captured ${sum.durationMs} ms`);
  });

  test('mesh waits for the carrier, says so on stderr, then hears the peer', async () => {
    const run = await startWaiting(['mesh', '239.1.9.5', '--iface', 'lan0', '--duration', '8', '--rate', '10', '--json'], 8);
    await peerUp();
    // The peer's own mesh, started once the link is up: its probes are what the host must hear.
    const peer = await lab.exec('peer', process.execPath, [CLI, 'mesh', '239.1.9.5', '--iface', 'eth0', '--duration', '3', '--rate', '10',
      '--json'], 30_000);
    assert.ok([0, 1].includes(peer.code), peer.stderr);
    const r = await run.exit(20_000);
    const doc = JSON.parse(r.stdout);
    assertMatchesSchema('mesh.schema.json', doc);
    assert.ok(!doc.findings.some((f: any) => f.id === 'NO_ELIGIBLE_INTERFACE'), JSON.stringify(doc.findings));
    assert.deepEqual(doc.interfaces.map((i: any) => [i.name, i.joined]), [['lan0', true]]);
    const heard = doc.cells.filter((c: any) => c.iface === 'lan0' && c.received > 0);
    assert.equal(heard.length, 1, JSON.stringify(doc.cells));
    assert.ok(heard[0].received >= 20, `the peer's 3 s at 10/s heard: ${heard[0].received}`);
    assert.ok(doc.elapsedS < 8, `the wait counts in --duration: ran ${doc.elapsedS} s`);
    // And the peer heard this host, which sent only once its carrier came.
    const back = JSON.parse(peer.stdout).cells.filter((c: any) => c.iface === 'eth0' && c.received > 0);
    assert.equal(back.length, 1, peer.stdout);
  });

  test('sniff and mesh without a carrier within --duration: NO_ELIGIBLE_INTERFACE says they waited, exit 1 after the bound', async () => {
    await peerDown();
    for (const args of [['sniff', '239.1.9.6'], ['mesh', '239.1.9.6']]) {
      const t0 = Date.now();
      const r = await lab.cli('host', [...args, '--iface', 'lan0', '--duration', '2', '--json'], 30_000);
      const took = Date.now() - t0;
      assert.equal(r.code, 1, `${args[0]}: ${r.stderr}`);
      assert.match(r.stderr, /waiting for carrier on lan0 \(up to 2 s of the --duration\)/);
      assert.ok(took >= 2000 && took < 15_000, `${args[0]} bounded by --duration: ${took} ms`);
      const doc = args[0] === 'sniff' ? ndjson(r.stdout).at(-1) : JSON.parse(r.stdout);
      const f = doc.findings.find((x: any) => x.id === 'NO_ELIGIBLE_INTERFACE');
      assert.match(f?.message ?? '', /lan0 has no carrier \(operstate down\)\. No carrier came in the 2\.\d s waited\./, args[0]);
      assert.match(f?.fix ?? '', /^Connect lan0 .*join-all, sniff and mesh wait for it within --duration/);
      assert.ok(f.evidence.waitedMs >= 1900, JSON.stringify(f.evidence));
    }
    await peerUp();
  });
});
