// Interface churn on the laptop lab (issue 10): join-all and sniff run in the host namespace
// while peer-b sends probes (send-all, bounded); wifi0 is set down and up, then deleted and
// re-created with the same name and addresses (a new ifindex). Each time: iface_down, then
// iface_up with the memberships re-joined (seen in `ip maddr`), and probes sent after the return
// are counted. A run without churn says nothing about it.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { labSkipReason, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { startCli, ndjson, type BackgroundCli } from '../helpers/cli-bg.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping churn lab tests: ${skip}`);

const PORT = '5007';

describe('interface churn: join-all and sniff', { skip, timeout: 120_000 }, () => {
  let lp: Laptop;
  let dir: string;
  before(async () => {
    lp = await buildLaptop();
    dir = mkdtempSync(path.join(tmpdir(), 'mcd-churn-'));
  });
  after(async () => {
    await lp?.lab.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** 20 probes from peer-b (send-all, bounded by --count). */
  const send = async (group: string): Promise<void> => {
    const r = await lp.lab.cli(lp.peerB, ['send-all', group, '--port', PORT, '--count', '20', '--rate', '200', '--json'], 20_000);
    assert.equal(r.code, 0, `send-all: ${r.stderr}`);
  };
  const ifindex = async (): Promise<number> => Number((await lp.lab.must(lp.host, 'cat', ['/sys/class/net/wifi0/ifindex'])).trim());
  const holds = async (group: string): Promise<boolean> => (await lp.lab.ip(lp.host, 'maddr', 'show', 'dev', 'wifi0')).includes(group);

  /** Deletes wifi0 (and so peer-b's eth0) and builds it again as buildLaptop() does. */
  const recreate = async (): Promise<void> => {
    const { lab, addr } = lp;
    await lab.ip(lp.host, 'link', 'del', 'wifi0');
    await lab.veth(lp.host, 'wifi0', lp.peerB, 'eth0');
    await lab.addr(lp.host, 'wifi0', `${addr.hostWifi}/24`);
    await lab.addr(lp.peerB, 'eth0', `${addr.peerB}/24`);
    await lab.ip(lp.peerB, 'route', 'add', 'default', 'via', addr.hostWifi, 'dev', 'eth0');
    await lab.ip(lp.peerB, 'route', 'add', '224.0.0.0/4', 'dev', 'eth0');
  };

  /** down/up, then delete/re-create, checking events, memberships and traffic after each return. */
  const churn = async (run: BackgroundCli, group: string, received: () => number): Promise<{ firstIndex: number; secondIndex: number }> => {
    const firstIndex = await ifindex();
    await send(group);
    assert.ok(await waitFor(async () => received() >= 20, 10_000), `20 probes counted before any churn (saw ${received()})`);

    await lp.lab.ip(lp.host, 'link', 'set', 'wifi0', 'down');
    const down = await run.waitForEvent((e) => e.type === 'iface_down', 10_000);
    assert.deepEqual([down.iface, down.ifindex, down.reason], ['wifi0', firstIndex, 'down']);
    await lp.lab.ip(lp.host, 'link', 'set', 'wifi0', 'up');
    const up = await run.waitForEvent((e) => e.type === 'iface_up', 10_000);
    assert.deepEqual([up.iface, up.ifindex, up.previousIfindex, up.rejoined, up.failed], ['wifi0', firstIndex, firstIndex, 1, 0]);
    assert.ok(await holds(group), `${group} held on wifi0 again`);
    const before = received();
    await send(group);
    assert.ok(await waitFor(async () => received() >= before + 20, 10_000), `20 more after the return (${before} -> ${received()})`);

    await recreate();
    const secondIndex = await ifindex();
    assert.notEqual(secondIndex, firstIndex, 'a re-created veth has a new ifindex');
    const gone = await run.waitForEvent((e) => e.type === 'iface_down' && e.reason === 'gone', 10_000);
    assert.equal(gone.ifindex, firstIndex);
    const back = await run.waitForEvent((e) => e.type === 'iface_up' && e.ifindex === secondIndex, 10_000);
    assert.deepEqual([back.previousIfindex, back.rejoined], [firstIndex, 1]);
    assert.ok(await holds(group), `${group} held on the new wifi0`);
    const before2 = received();
    await send(group);
    assert.ok(await waitFor(async () => received() >= before2 + 20, 10_000),
      `20 more on the re-created wifi0 (${before2} -> ${received()})`);
    return { firstIndex, secondIndex };
  };

  /** join-all's packets on the (wifi0, group) row: stats events carry changed rows, the last one that named it. */
  const wifiRowPackets = (run: BackgroundCli, group: string): number => {
    const rows =
      run.events().filter((e) => e.type === 'stats').flatMap((e) => e.changed as { iface: string; group: string; packets: number }[]);
    return rows.filter((r) => r.iface === 'wifi0' && r.group === group).at(-1)?.packets ?? 0;
  };

  const checkSummary = (summary: any, firstIndex: number, secondIndex: number): void => {
    const wifi = summary.churn.find((c: { iface: string }) => c.iface === 'wifi0');
    const wired = summary.churn.find((c: { iface: string }) => c.iface === 'wired0');
    assert.deepEqual([wifi.downs, wifi.ups, wifi.gone, wifi.down, wifi.ifindexes], [2, 2, 1, false, [firstIndex, secondIndex]]);
    assert.deepEqual([wired.downs, wired.ups], [0, 0]);
    const f = summary.findings.filter((x: { id: string }) => x.id === 'IFACE_DOWN');
    assert.deepEqual(f.map((x: { iface: string }) => x.iface), ['wifi0']);
    assert.equal(f[0].evidence.downs, 2);
  };

  test('join-all: wifi0 down/up and deleted/re-created: reported, re-joined, counted again', async () => {
    const group = '239.1.7.1';
    const run = startCli(lp.lab, lp.host, ['join-all', group, '--port', PORT, '--duration', '40', '--interval', '0.2', '--json']);
    await run.waitForEvent((e) => e.type === 'joined' && e.iface === 'wifi0', 15_000);
    const { firstIndex, secondIndex } = await churn(run, group, () => wifiRowPackets(run, group));
    run.interrupt();
    const r = await run.exit(15_000);
    const events = ndjson(r.stdout);
    for (const e of events) assertMatchesSchema('join-all.schema.json', e);
    const summary = events[events.length - 1];
    assert.equal(summary.type, 'summary');
    checkSummary(summary, firstIndex, secondIndex);
    assert.equal(summary.rows.find((x: { iface: string }) => x.iface === 'wifi0').packets, 60,
      'every probe sent to wifi0, before and after both returns');
    // Three bursts of 0.1 s from three send-all runs are senders that finished, not stopped streams.
    assert.deepEqual(summary.findings.filter((x: { id: string }) => x.id === 'STREAM_STOPPED' || x.id === 'SNOOPING_TIMEOUT'), []);
  });

  test('join-all: wifi0 down when the run starts is joined when it comes up, and its probes count', async () => {
    const group = '239.1.7.3';
    await lp.lab.ip(lp.host, 'link', 'set', 'wifi0', 'down');
    let restored = false;
    try {
      const run = startCli(lp.lab, lp.host, ['join-all', group, '--port', PORT, '--duration', '30', '--interval', '0.2', '--json']);
      await run.waitForEvent((e) => e.type === 'join_skipped' && e.iface === 'wifi0' && e.reason === 'down', 15_000);
      assert.ok(run.events().some((e) => e.type === 'joined' && e.iface === 'wired0'));
      await lp.lab.ip(lp.host, 'link', 'set', 'wifi0', 'up');
      restored = true;
      const up = await run.waitForEvent((e) => e.type === 'iface_up' && e.iface === 'wifi0', 10_000);
      assert.deepEqual([up.rejoined, up.failed, up.downAtStart], [1, 0, true]);
      assert.ok(await holds(group), `${group} held on wifi0 once it came up`);
      await send(group);
      assert.ok(await waitFor(async () => wifiRowPackets(run, group) >= 20, 10_000),
        `20 probes counted on wifi0 (saw ${wifiRowPackets(run, group)})`);
      run.interrupt();
      const r = await run.exit(15_000);
      const events = ndjson(r.stdout);
      for (const e of events) assertMatchesSchema('join-all.schema.json', e);
      const summary = events[events.length - 1];
      const wifi = summary.churn.find((c: { iface: string }) => c.iface === 'wifi0');
      assert.deepEqual([wifi.downs, wifi.ups, wifi.down], [0, 1, false]);
      assert.equal(summary.rows.find((x: { iface: string; group: string }) => x.iface === 'wifi0' && x.group === group)?.packets, 20);
    } finally {
      if (!restored) await lp.lab.ip(lp.host, 'link', 'set', 'wifi0', 'up');
    }
  });

  test('sniff --write: captures closed on the down, re-opened on the return, the file holds all', async () => {
    const group = '239.1.7.2';
    const file = path.join(dir, 'churn.pcapng');
    const run = startCli(lp.lab, lp.host, ['sniff', `${group}:${PORT}`, '--duration', '40', '--write', file, '--json']);
    await run.waitForEvent((e) => e.type === 'start', 15_000);
    const wifiPackets = (): number => run.events().filter((e) => e.type === 'packet' && e.iface === 'wifi0' && e.dst === group).length;
    const { firstIndex, secondIndex } = await churn(run, group, wifiPackets);
    run.interrupt();
    const r = await run.exit(15_000);
    const events = ndjson(r.stdout);
    for (const e of events) assertMatchesSchema('sniff.schema.json', e);
    const summary = events[events.length - 1];
    assert.equal(summary.type, 'summary');
    checkSummary(summary, firstIndex, secondIndex);
    assert.equal(summary.interfaces.find((x: { iface: string }) => x.iface === 'wifi0').data, 60);
    const ups = events.filter((e) => e.type === 'iface_up');
    assert.ok(ups.every((e) => e.capture === true), 'capture re-opened each time');
    // tshark reads the whole file: as many frames as the summary wrote, the 60 probes on wifi0's block.
    const frames =
      execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.interface_name', '-e', 'udp.dstport'], { encoding: 'utf8' })
      .trim().split('\n').filter(Boolean);
    assert.equal(frames.length, summary.file.packets);
    assert.equal(frames.filter((l) => l === `wifi0\t${PORT}`).length, 60);
  });

  test('a run without churn emits no interface event and no IFACE_DOWN', async () => {
    const group = '239.1.7.3';
    const runs = [
      startCli(lp.lab, lp.host, ['join-all', group, '--port', PORT, '--duration', '3', '--json']),
      startCli(lp.lab, lp.host, ['sniff', `${group}:${PORT}`, '--duration', '3', '--json', '--quiet']),
    ];
    await runs[0]?.waitForEvent((e) => e.type === 'joined' && e.iface === 'wifi0', 15_000);
    await runs[1]?.waitForEvent((e) => e.type === 'start', 15_000);
    await send(group);
    for (const run of runs) {
      const r = await run.exit(20_000);
      assert.equal(r.code, 0, r.stderr);
      const events = ndjson(r.stdout);
      assert.deepEqual(events.filter((e) => e.type === 'iface_down' || e.type === 'iface_up'), []);
      const summary = events[events.length - 1];
      assert.ok(summary.churn.length >= 2 && summary.churn.every((c: { downs: number }) => c.downs === 0), JSON.stringify(summary.churn));
      assert.ok(!summary.findings.some((f: { id: string }) => f.id === 'IFACE_DOWN'));
    }
  });
});
