// sniff on the two-uplink laptop: joins on both uplinks, counts each uplink's packets, writes a
// pcapng file tshark reads back with each packet's interface, survives malformed frames.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, labSkipReason, waitFor } from '../helpers/lab.js';
import { buildLaptop, type Laptop } from '../helpers/topologies.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { malformedInjector, udpSender } from '../helpers/inject.js';

const skip = labSkipReason();
if (skip) console.log(`# skipping sniff lab tests: ${skip}`);

const parse = (stdout: string): any[] => stdout.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l));

function tsharkFields(file: string, ...fields: string[]): string[][] {
  const out = execFileSync('tshark', ['-r', file, '-T', 'fields', ...fields.flatMap((f) => ['-e', f])],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  return out.trim().split('\n').filter(Boolean).map((l) => l.split('\t'));
}

describe('sniff on the laptop lab', { skip }, () => {
  let lp: Laptop;
  let dir: string;
  before(async () => {
    lp = await buildLaptop();
    dir = mkdtempSync(path.join(tmpdir(), 'mcd-sniff-'));
  });
  after(async () => {
    await lp?.lab.destroy();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const memberships = async (): Promise<string> => (await lp.lab.must('host', 'cat', ['/proc/net/igmp']));

  test('joins on both uplinks, counts each uplink, writes every packet with its interface, survives malformed frames', async () => {
    const file = path.join(dir, 'both.pcapng');
    const run = lp.lab.cli('host',
      ['sniff', '239.1.2.3', '--json', '--duration', '6', '--write', file, '--iface', 'wired0', '--iface', 'wifi0'], 30_000);
    // The kernel holds the membership on both uplinks (030201EF: 239.1.2.3 as /proc prints it).
    await waitFor(async () => {
      const t = await memberships();
      const dev = (n: string) => new RegExp(`${n}\\s*:[^\\n]*\\n(\\t\\t\\t\\t[^\\n]*\\n)*\\t\\t\\t\\t030201EF`).test(t);
      return dev('wired0') && dev('wifi0');
    }, 10_000);
    await Promise.all([
      lp.lab.must(lp.peerA, 'python3', udpSender('239.1.2.3', 5001, 30)),
      lp.lab.must(lp.peerB, 'python3', udpSender('239.1.2.3', 5001, 20)),
    ]);
    await lp.lab.must(lp.peerA, 'python3', malformedInjector('eth0', lp.addr.peerA));
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const events = parse(r.stdout);
    for (const e of events) assertMatchesSchema('sniff.schema.json', e);
    const summary = events.at(-1);
    assert.equal(summary.type, 'summary');
    // The built filter runs in the kernel (libpcap says so on stderr when it must fall back).
    assert.doesNotMatch(r.stderr, /Kernel filter failed/);
    assert.equal(summary.stoppedBy, 'duration');
    const flow = (iface: string,
      source: string) => summary.flows.find((f: any) => f.iface === iface && f.group === '239.1.2.3' && f.source === source);
    assert.equal(flow('wired0', lp.addr.peerA)?.packets, 30);
    assert.equal(flow('wifi0', lp.addr.peerB)?.packets, 20);
    assert.equal(flow('wired0', lp.addr.peerB), undefined);
    assert.equal(flow('wired0', lp.addr.peerA)?.ttlMin, 1);
    const ifc = (n: string) => summary.interfaces.find((i: any) => i.iface === n);
    assert.equal(ifc('wired0').malformed, 3);
    assert.equal(ifc('wifi0').malformed, 0);
    const reasons = events.filter((e) => e.type === 'malformed').map((e) => e.reason).sort();
    assert.equal(reasons.length, 3);
    assert.ok(reasons.some((x: string) => /IGMP: message cut short/.test(x)), reasons.join('; '));
    assert.ok(reasons.some((x: string) => /total length 1000 beyond/.test(x)), reasons.join('; '));
    assert.ok(reasons.some((x: string) => /UDP: length 500/.test(x)), reasons.join('; '));
    assert.equal(events.filter((e) => e.type === 'packet' && e.iface === 'wired0').length, 30);
    // The host's own IGMPv3 membership reports for the group, decoded, on both uplinks.
    for (const iface of ['wired0', 'wifi0']) {
      const reports = events.filter((e) => e.type === 'igmp' && e.iface === iface && e.message.kind === 'report');
      assert.ok(reports.some((e) => e.message.version === 3 && e.message.records.some((rec: any) => rec.group === '239.1.2.3')),
        `no report on ${iface}`);
      assert.ok(reports.every((e) => e.routerAlert === true && e.ttl === 1));
    }
    assert.ok(summary.findings.some((f: any) => f.id === 'TTL_ONE' && f.iface === 'wifi0' && f.severity === 'info'));
    assert.equal(summary.findings.filter((f: any) => f.id === 'MAC_COLLISION').length, 0);
    // The file: every packet, each with its interface.
    assert.deepEqual(summary.file.packets, ifc('wired0').packets + ifc('wifi0').packets);
    const rows = tsharkFields(file, 'frame.interface_name', 'ip.src', 'ip.dst');
    assert.equal(rows.length, summary.file.packets);
    const count = (iface: string, src: string) => rows.filter(([i, s, d]) => i === iface && s === src && d === '239.1.2.3').length;
    assert.equal(count('wired0', lp.addr.peerA), 30 + 2); // + the two malformed UDP frames
    assert.equal(count('wifi0', lp.addr.peerB), 20);
    assert.equal(readdirLeftovers(dir), 0);
  });

  test('--count stops at N with a whole classic pcap file; an existing file needs --force', async () => {
    const file = path.join(dir, 'five.pcap');
    const run = lp.lab.cli('host', ['sniff', '239.1.2.4', '--iface', 'wired0', '--format', 'pcap', '--count', '5', '--duration', '20',
      '--write', file, '--filter', 'udp and dst host 239.1.2.4', '--json', '--quiet'], 30_000);
    await waitFor(async () => /040201EF/.test(await memberships()), 10_000);
    await lp.lab.must(lp.peerA, 'python3', udpSender('239.1.2.4', 5001, 12));
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const summary = parse(r.stdout).at(-1);
    assert.equal(summary.stoppedBy, 'count');
    assert.equal(summary.file.packets, 5);
    assert.equal(tsharkFields(file, 'ip.dst').length, 5);
    assert.equal(readFileSync(file).readUInt32LE(0), 0xa1b2c3d4);
    const size = statSync(file).size;
    const again = await lp.lab.cli('host', ['sniff', '--iface', 'wired0', '--count', '1', '--write', file, '--format', 'pcap'], 15_000);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; add --force/);
    assert.equal(statSync(file).size, size);
  });

  test('MAC_COLLISION when two groups of one MAC arrive; TTL above 1 raises no TTL_ONE', async () => {
    const run =
      lp.lab.cli('host', ['sniff', '239.1.2.5', '239.129.2.5', '--iface', 'wired0', '--duration', '4', '--json', '--quiet'], 30_000);
    await waitFor(async () => { const t = await memberships(); return /050201EF/.test(t) && /050281EF/.test(t); }, 10_000);
    await lp.lab.must(lp.peerA, 'python3', udpSender('239.1.2.5', 5001, 5, { ttl: 8 }));
    await lp.lab.must(lp.peerA, 'python3', udpSender('239.129.2.5', 5001, 5, { ttl: 8 }));
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const events = parse(r.stdout);
    for (const e of events) assertMatchesSchema('sniff.schema.json', e);
    assert.equal(events.filter((e) => e.type === 'packet').length, 0, '--json --quiet leaves out packet events');
    const summary = events.at(-1);
    const mc = summary.findings.filter((f: any) => f.id === 'MAC_COLLISION');
    assert.equal(mc.length, 1);
    assert.equal(mc[0].iface, 'wired0');
    assert.deepEqual(mc[0].evidence, { mac: '01:00:5e:01:02:05', groups: ['239.1.2.5', '239.129.2.5'] });
    assert.equal(summary.findings.filter((f: any) => f.id === 'TTL_ONE').length, 0);
    assert.ok(summary.flows.every((f: any) => f.ttlMin === 8 && f.packets === 5));
  });

  test('IPv6: the MLDv2 report behind Hop-by-Hop Router Alert, and the stream counted with its hop limit', async () => {
    const run = lp.lab.cli('host', ['sniff', 'ff05::1:3', '-6', '--iface', 'wired0', '--duration', '4', '--json'], 30_000);
    await waitFor(async () => /ff050000000000000000000000010003/.test(await lp.lab.must('host', 'cat', ['/proc/net/igmp6'])), 10_000);
    await lp.lab.must(lp.peerA, 'python3', udpSender('ff05::1:3', 5001, 7));
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const events = parse(r.stdout);
    for (const e of events) assertMatchesSchema('sniff.schema.json', e);
    const reports = events.filter((e) => e.type === 'mld' && e.message.kind === 'report' && e.message.version === 2);
    assert.ok(reports.some((e) => e.routerAlert && e.ttl === 1 && e.message.records.some((x: any) => x.group === 'ff05::1:3')));
    const summary = events.at(-1);
    const flow = summary.flows.find((f: any) => f.group === 'ff05::1:3');
    assert.equal(flow?.source, lp.addr.peerA6);
    assert.equal(flow?.packets, 7);
    assert.equal(flow?.family, 6);
    assert.ok(summary.findings.some((f: any) => f.id === 'TTL_ONE' && /hop limit 1/.test(f.message)));
  });

  test('probes from send-all: sequence, sender and its interface, no loss, per stream', async () => {
    const run = lp.lab.cli('host', ['sniff', '239.1.2.6:5001', '--iface', 'wired0', '--duration', '5', '--json'], 30_000);
    await waitFor(async () => /060201EF/.test(await memberships()), 10_000);
    const sent = await lp.lab.cli(lp.peerA, ['send-all', '239.1.2.6:5001', '--count', '20', '--rate', '200', '--ttl', '3'], 20_000);
    assert.equal(sent.code, 0, sent.stderr);
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const events = parse(r.stdout);
    for (const e of events) assertMatchesSchema('sniff.schema.json', e);
    const packets = events.filter((e) => e.type === 'packet');
    assert.equal(packets.length, 20);
    assert.deepEqual(packets.map((p) => p.probe?.seq), Array.from({ length: 20 }, (_, i) => i));
    assert.ok(packets.every((p) => p.probe.senderIface === 'eth0' && p.ttl === 3 && p.dport === 5001));
    const flow = events.at(-1).flows.find((f: any) => f.group === '239.1.2.6');
    assert.equal(flow.probes.length, 1);
    assert.deepEqual([flow.probes[0].received, flow.probes[0].lost, flow.probes[0].duplicates, flow.probes[0].reordered], [20, 0, 0, 0]);
    // Same host clock on both ends of the lab: the one-way delay is small and not negative.
    assert.ok(flow.probes[0].delayMs.min >= 0 && flow.probes[0].delayMs.max < 1000, JSON.stringify(flow.probes[0].delayMs));
  });

  test('without CAP_NET_RAW: exit 3 and the privilege advice (root with --user, or a dedicated node)', async () => {
    const r = await lp.lab.exec('host', 'setpriv',
      ['--inh-caps=-all', '--bounding-set=-all', '--', process.execPath, CLI, 'sniff', '--no-join', '--duration', '1']);
    assert.equal(r.code, 3, r.stderr);
    assert.ok(r.stderr.includes('--user NAME') && r.stderr.includes('dedicated copy of node'), r.stderr);
    assert.equal(r.stderr.split('\n').filter(Boolean).length, 1, r.stderr);
  });
});

function readdirLeftovers(dir: string): number {
  return existsSync(dir) ? execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).split('\n').filter((n) => n.endsWith('.part')).length : 0;
}
