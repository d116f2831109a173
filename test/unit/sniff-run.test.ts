// runSniff with fakes: flags checked, captures opened before the joins, the built filter, the
// file completed, the summary and findings handed to the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSniff, type SniffArgs, type SniffDeps, type SniffSink } from '../../src/core/sniff/run.js';
import { UsageError } from '../../src/core/errors.js';
import { loaders } from '../../src/host.js';
import { FakeHost } from '../helpers/fake-host.js';
import { readCapture } from '../helpers/pcap-read.js';
import { ether, ipv4, udp } from '../helpers/packets.js';

const base: SniffArgs = { groups: ['239.1.2.3'], join: true, ports: [], format: 'pcapng', force: false, snaplen: 262144,
  selection: { include: [], exclude: [] } };

function recorder(): SniffSink & { calls: Record<string, any[]> } {
  const calls: Record<string, any[]> = { started: [], event: [], stats: [], summary: [] };
  return {
    calls, wantsPackets: true, wantsMalformed: true,
    started: (i) => { calls.started!.push(i); },
    event: (e) => { calls.event!.push(e); },
    stats: (ms, s) => { calls.stats!.push([ms, s]); },
    summary: (...a) => { calls.summary!.push(a); },
  };
}

function harness() {
  const host = new FakeHost();
  const file = { chunks: [] as Buffer[], committed: false, aborted: false };
  let stop: (() => void) | undefined;
  const order: string[] = [];
  const deps: SniffDeps = {
    platform: host.fakePlatform,
    clock: host.clock,
    ...loaders(host, 'capture', 'sockets'),
    openFile: (p: string, _force: boolean) => ({
      path: p, write: (c: Buffer) => { file.chunks.push(c); },
      commit: () => { file.committed = true; return file.chunks.reduce((n, c) => n + c.length, 0); },
      abort: () => { file.aborted = true; },
    }),
    onSignal: (s: () => void) => { stop = s; order.push('signals'); return () => undefined; },
  };
  return { capture: host.fakeCapture, sockets: host.fakeSockets, file, deps, order, stop: () => stop?.() };
}

test('captures open on every up interface, then the joins; a stop completes the file and the summary', async () => {
  const h = harness();
  const out = recorder();
  const run = runSniff(h.deps, { ...base, write: 'x.pcapng', statsIntervalMs: 5 }, out);
  while (!out.calls.started!.length) await new Promise((r) => setImmediate(r));
  assert.deepEqual(h.capture.opened.map((o) => o.iface), ['wired0', 'wifi0']);
  assert.equal(h.capture.opened[0]?.filter,
    '(udp and dst host 239.1.2.3) or (igmp or (ip6 multicast and (ip6[6] == 58 or (ip6[6] == 0 and ip6[40] == 58))))');
  const joined = [...h.sockets.sockets.values()].flatMap((s) => s.memberships.map((m) => `${m.ifindex}:${m.group}`)).sort();
  assert.deepEqual(joined, ['2:239.1.2.3', '3:239.1.2.3']);
  assert.ok([...h.sockets.sockets.values()].every((s) => s.bound === undefined), 'memberships only, no bound port');
  h.capture.deliver('wifi0',
    ether(0x0800, ipv4({ src: '198.18.2.1', dst: '239.1.2.3', proto: 17, ttl: 3 }, udp(1, 5001, Buffer.alloc(10)))), 1_700_000_000_000_000);
  await new Promise((r) => setTimeout(r, 20));
  h.stop();
  assert.equal(await run, 0);
  assert.ok(out.calls.stats!.length >= 1);
  const [summary, findings, libpcap, file] = out.calls.summary![0]!;
  assert.equal(summary.stoppedBy, 'signal');
  assert.equal(summary.flows[0].iface, 'wifi0');
  assert.deepEqual(findings, []);
  assert.equal(libpcap, 'fake libpcap 0.0');
  assert.deepEqual({ ...file, bytes: undefined }, { path: 'x.pcapng', format: 'pcapng', packets: 1, bytes: undefined });
  assert.ok(h.file.committed);
  const read = readCapture(Buffer.concat(h.file.chunks));
  assert.deepEqual(read.interfaces.map((i) => i.name), ['wired0', 'wifi0']);
  assert.deepEqual(read.packets.map((p) => p.ifaceId), [1]);
  assert.ok([...h.sockets.sockets.values()].every((s) => s.closed), 'memberships dropped at the end');
  assert.deepEqual(h.capture.closed.sort(), ['wifi0', 'wired0']);
});

test('a port is a filter only when given; --no-join opens no socket', async () => {
  const h = harness();
  const out = recorder();
  const run = runSniff(h.deps, { ...base, groups: ['239.1.2.3:5001', '239.1.2.4'], join: false, durationS: 0.01 }, out);
  assert.equal(await run, 0);
  assert.match(h.capture.opened[0]?.filter ?? '', /^\(udp and \(dst host 239\.1\.2\.3 or dst host 239\.1\.2\.4\) and dst port 5001\) or/);
  assert.equal(h.sockets.sockets.size, 0);
  assert.equal(out.calls.summary![0]![0].stoppedBy, 'duration');
});

test('bad input is a usage error before anything opens', async () => {
  for (const [args, re] of [
    [{ count: 0 }, /--count '0'/],
    [{ durationS: -1 }, /--duration/],
    [{ source: 'nope' }, /--source 'nope'/],
    [{ snaplen: 10 }, /--snaplen/],
    [{ write: 'a.pcap', format: 'pcap' as const }, /--format pcap holds one interface, and 2 are selected \(wired0, wifi0\)/],
    [{ groups: ['10.0.0.1'] }, /./],
  ] as [Partial<SniffArgs>, RegExp][]) {
    const h = harness();
    await assert.rejects(runSniff(h.deps, { ...base, ...args }, recorder()), (e: unknown) => e instanceof UsageError && re.test(e.message));
    assert.equal(h.capture.opened.length, 0);
  }
});

test('a capture that cannot open closes the others and removes the partial file', async () => {
  const h = harness();
  h.capture.failOn = { iface: 'wifi0', error: new UsageError('BAD_FILTER', 'bad filter') };
  await assert.rejects(runSniff(h.deps, { ...base, write: 'x.pcapng' }, recorder()), /bad filter/);
  assert.deepEqual(h.capture.closed, ['wired0']);
  assert.equal(h.file.aborted, true);
});
