// mesh documents and their merge: simulated runs through the real tracker and core, the merged
// matrix, pair verdicts, JUnit, and the CLI's exit codes and bad input.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI } from '../helpers/lab.js';
import { assertMatchesSchema } from '../helpers/schema.js';
import { simulateMesh, simId, type SimHost } from '../helpers/mesh-sim.js';
import { mergeMesh } from '../../src/core/mesh/merge.js';
import { meshJUnit } from '../../src/render/mesh-report.js';

const five: SimHost[] = [
  { name: 'a', ifaces: { eth0: 'br1' } },
  { name: 'b', ifaces: { eth0: 'br1' } },
  { name: 'c', ifaces: { eth0: 'br1' } },
  { name: 'd', ifaces: { eth0: 'br1' } },
  { name: 'e', ifaces: { eth0: 'br1', eth1: 'br2' } },
];
const load = (docs: ReturnType<typeof simulateMesh>) => docs.map((doc) => ({ file: `${doc.host.hostname}.json`, doc }));

test('a healthy mesh: every host hears every other on the shared segment, every pair passes', () => {
  const docs = simulateMesh({ hosts: five, durationS: 10, rate: 2, expectPeers: 4 });
  for (const d of docs) {
    assertMatchesSchema('mesh.schema.json', d);
    assert.equal(d.verdict.pass, true, d.verdict.reasons.join('; '));
    assert.equal(d.peers.length, 4);
    assert.ok(d.cells.every((c) => c.received === 20 && c.expected === 20 && c.lossPct === 0 && c.state === 'ok'));
    // e's eth1 is alone on br2 and hears no peer: named, as a warning (issue 16).
    assert.deepEqual(d.findings.map((f) => `${f.id} ${f.iface} ${f.severity}`),
      d.host.hostname === 'e' ? ['NOTHING_RECEIVED eth1 warning'] : []);
  }
  // e's eth1 is alone on br2: nobody hears it, and e hears nobody there.
  const e = docs.find((d) => d.host.hostname === 'e')!;
  assert.ok(e.cells.every((c) => c.iface === 'eth0'));
  const rep = mergeMesh(load(docs));
  assert.equal(rep.pairs.length, 20);
  assert.ok(rep.pairs.every((p) => p.status === 'pass'));
  assert.equal(rep.rows.length, 6);
  assert.equal(rep.columns.length, 6);
  assert.equal(rep.cells.length, 20);
  assert.ok(!rep.cells.some((c) => c.from.iface === 'eth1' || c.to.iface === 'eth1'));
  assertMatchesSchema('mesh-report.schema.json',
    { schemaVersion: 1, command: 'mesh-report', generatedAt: new Date().toISOString(), ...rep });
});

test('loss above --max-loss fails that pair only, with MESH_LOSS on the receiver', () => {
  const docs = simulateMesh({ hosts: five, durationS: 10, rate: 2, maxLossPct: 5, dropEvery: { 'a>b': 10 } });
  const b = docs.find((d) => d.host.hostname === 'b')!;
  const cell = b.cells.find((c) => c.peer === simId('a'))!;
  assert.equal(cell.received, 18);
  assert.equal(cell.expected, 20);
  assert.equal(cell.lossPct, 10);
  assert.equal(cell.state, 'loss');
  assert.equal(b.verdict.pass, false);
  assert.deepEqual(b.findings.map((f) => f.id), ['MESH_LOSS']);
  const rep = mergeMesh(load(docs));
  assert.deepEqual(rep.pairs.filter((p) => p.status === 'fail').map((p) => [p.from, p.to]), [[simId('a'), simId('b')]]);
  // The report may tolerate more than the hosts did.
  assert.equal(mergeMesh(load(docs), 15).verdict.pass, true);
});

test('a column going dark at the membership interval with IGMP dropped: SNOOPING_TIMEOUT naming the firewall', () => {
  const docs = simulateMesh({
    hosts: five, durationS: 20, rate: 5, membershipIntervalS: 8,
    darkAfterS: { 'c/eth0': 8.5 }, igmpDropRule: { 'c/eth0': 'meta l4proto igmp drop' },
  });
  const c = docs.find((d) => d.host.hostname === 'c')!;
  assertMatchesSchema('mesh.schema.json', c);
  assert.equal(c.verdict.pass, false);
  const f = c.findings.filter((x) => x.id === 'SNOOPING_TIMEOUT');
  assert.equal(f.length, 1, 'one event for the four streams that stopped together');
  assert.equal(f[0]!.iface, 'eth0');
  assert.equal(f[0]!.evidence.reason, 'firewall');
  assert.match(f[0]!.message, /firewall rule drops IGMP/);
  assert.equal((f[0]!.evidence.peers as unknown[]).length, 4);
  for (const cell of c.cells) {
    assert.equal(cell.state, 'stalled');
    assert.equal(cell.stall?.finding, 'SNOOPING_TIMEOUT');
    assert.ok(Math.abs(cell.stall!.atS - 8.4) < 0.3, String(cell.stall!.atS));
    assert.equal(cell.received, 43);
    // The silence counts as loss: 100 sent in 20 s at 5/s.
    assert.ok(cell.expected >= 98 && cell.expected <= 100, String(cell.expected));
  }
  const rep = mergeMesh(load(docs));
  const failed = rep.pairs.filter((p) => p.status === 'fail');
  assert.deepEqual(failed.map((p) => p.to).sort(), Array(4).fill(simId('c')));
  const xml = meshJUnit(rep, new Date());
  assert.equal((xml.match(/<testcase /g) ?? []).length, 20);
  assert.equal((xml.match(/<failure /g) ?? []).length, 4);
  assert.match(xml, /name="a -&gt; c"/);
});

test('a stop away from the membership interval is STREAM_STOPPED', () => {
  const docs = simulateMesh({ hosts: five.slice(0, 3), durationS: 20, rate: 5, membershipIntervalS: 260, darkAfterS: { 'b/eth0': 6 } });
  const b = docs.find((d) => d.host.hostname === 'b')!;
  assert.deepEqual(b.findings.map((f) => f.id), ['STREAM_STOPPED']);
  assert.match(b.findings[0]!.message, /away from the membership interval/);
});

test('fewer peers than --expect-peers: MESH_PEERS_MISSING and a failed verdict', () => {
  const docs = simulateMesh({ hosts: five.slice(0, 3), durationS: 5, rate: 2, expectPeers: 4 });
  for (const d of docs) {
    assert.equal(d.verdict.pass, false);
    assert.match(d.verdict.reasons[0]!, /2 peers heard, 4 expected/);
    assert.ok(d.findings.some((f) => f.id === 'MESH_PEERS_MISSING'));
  }
});

test('peers ending a little apart are not a stall (grace at the end of the run)', () => {
  const docs = simulateMesh({ hosts: five.slice(0, 2), durationS: 20, rate: 2, darkAfterS: { 'b/eth0': 18 } });
  assert.ok(docs.every((d) => d.verdict.pass), JSON.stringify(docs.map((d) => d.verdict)));
});

test('peers started seconds apart end seconds apart: their end is not a stall, however large the skew', () => {
  const docs = simulateMesh({ hosts: five, durationS: 20, rate: 5, startOffsetS: { a: -6, b: 4 } });
  for (const d of docs) assert.ok(d.verdict.pass, `${d.host.hostname}: ${d.verdict.reasons.join('; ')}`);
  // a's probes end 6 s before c's run does, past the 3 s grace: only its run length explains it.
  const c = docs.find((d) => d.host.hostname === 'c')!;
  assert.equal(c.cells.find((x) => x.peer === simId('a'))!.lastSeenS, 13.8);
});

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CLI, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

test('mesh-report CLI: exit 0 healthy, 1 with a failing pair, 2 on bad input; JSON, JUnit and HTML written', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-mesh-'));
  const write = (docs: ReturnType<typeof simulateMesh>, tag: string): string[] => docs.map((d) => {
    const f = path.join(dir, `${tag}-${d.host.hostname}.json`);
    writeFileSync(f, JSON.stringify(d));
    return f;
  });
  const healthy = write(simulateMesh({ hosts: five, durationS: 5, rate: 2 }), 'ok');
  const ok = await cli(['mesh-report', ...healthy, '--json', '--junit', path.join(dir, 'ok.xml'), '--html', path.join(dir, 'ok.html')]);
  assert.equal(ok.code, 0, ok.stderr);
  const rep = JSON.parse(ok.stdout);
  assertMatchesSchema('mesh-report.schema.json', rep);
  assert.equal(rep.verdict.pass, true);
  assert.equal((readFileSync(path.join(dir, 'ok.xml'), 'utf8').match(/<testcase /g) ?? []).length, 20);
  assert.match(readFileSync(path.join(dir, 'ok.html'), 'utf8'), /^<!DOCTYPE html>/);

  const lossy = write(simulateMesh({ hosts: five, durationS: 10, rate: 2, dropEvery: { 'a>b': 4 } }), 'loss');
  const bad = await cli(['mesh-report', ...lossy, '--no-color']);
  assert.equal(bad.code, 1);
  assert.match(bad.stdout, /FAIL: 1 of 20 host pairs fail/);
  assert.match(bad.stdout, /a -> b: eth0 -> eth0 lost 25%/);

  const notMesh = path.join(dir, 'other.json');
  writeFileSync(notMesh, JSON.stringify({ schemaVersion: 1, command: 'doctor' }));
  const r1 = await cli(['mesh-report', notMesh]);
  assert.equal(r1.code, 2);
  assert.match(r1.stderr, /other\.json: not a mesh document/);
  const r2 = await cli(['mesh-report', healthy[0]!, healthy[0]!]);
  assert.equal(r2.code, 2);
  assert.match(r2.stderr, /same run of a/);
  const r3 = await cli(['mesh-report', path.join(dir, 'missing.json')]);
  assert.equal(r3.code, 2);
  assert.match(r3.stderr, /no such file/);
  const r4 = await cli(['mesh-report', healthy[0]!, '--max-loss', '120']);
  assert.equal(r4.code, 2);
});

test('hosts sharing a hostname (cloned VMs) are named hostname plus the address their probes came from', () => {
  const docs = simulateMesh({ hosts: five.slice(0, 3), durationS: 10, rate: 2 });
  // Three clones called "vm", each sending from its own address; ids stay distinct.
  docs.forEach((d, n) => {
    d.host.hostname = 'vm';
    d.interfaces[0]!.addresses = [`198.18.7.${n + 1}`];
  });
  const rep = mergeMesh(load(docs).map((l, n) => ({ ...l, file: `vm-${n}.json` })));
  assert.deepEqual(rep.hosts.map((h) => h.address).sort(), ['198.18.7.1', '198.18.7.2', '198.18.7.3']);
  const xml = meshJUnit(rep, new Date());
  assert.equal((xml.match(/<testcase /g) ?? []).length, 6);
  assert.doesNotMatch(xml, /name="vm -&gt; vm"/);
  assert.match(xml, /name="vm \(198\.18\.7\.1\) -&gt; vm \(198\.18\.7\.2\)"/);
  const names = new Set([...xml.matchAll(/<testcase name="([^"]+)"/g)].map((m) => m[1]));
  assert.equal(names.size, 6, [...names].join(' | '));
  assertMatchesSchema('mesh-report.schema.json',
    { schemaVersion: 1, command: 'mesh-report', generatedAt: new Date().toISOString(), ...rep });
  // A unique hostname stays bare.
  const plain = meshJUnit(mergeMesh(load(simulateMesh({ hosts: five.slice(0, 2), durationS: 10, rate: 2 }))), new Date());
  assert.match(plain, /name="a -&gt; b"/);
});
