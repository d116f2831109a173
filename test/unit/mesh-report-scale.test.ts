// mesh-report past its caps (issue 17): a mesh too large to list whole is still judged whole
// (every pair counted, every failing pair found), its lists are capped with counts of what was
// left out, and a document naming more peers than the report tracks is bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CELL_CAP, HOST_CAP, MeshMerger, PAIR_CAP } from '../../src/core/mesh/merge.js';
import type { MeshCell, MeshDocument } from '../../src/core/mesh/model.js';
import { meshJUnit, renderMeshReport } from '../../src/render/mesh-report.js';
import { meshHtml } from '../../src/render/mesh-html.js';
import { assertMatchesSchema } from '../helpers/schema.js';

const idOf = (i: number): string => `h${String(i).padStart(4, '0')}-${(i % 65536).toString(16).padStart(4, '0')}`;

function cell(peer: string, lossPct = 0): MeshCell {
  return { peer, peerIface: 'eth0', iface: 'eth0', received: 60 - Math.round(lossPct * 0.6), duplicates: 0, reordered: 0, expected: 60,
    lossPct,
    ttl: 1, ttlSource: 'sent', delayMs: null, firstSeenS: 0.1, lastSeenS: 30, state: lossPct > 0 ? 'loss' : 'ok' };
}

function doc(id: string, cells: MeshCell[], peerIds: string[]): MeshDocument {
  return {
    schemaVersion: 1, command: 'mesh', host: { id, hostname: id.slice(0, 5) }, startedAt: '2026-01-01T00:00:00Z', elapsedS: 30,
    settings: { group: '239.9.9.9', port: 5000, family: 4, rate: 2, ttl: 1, durationS: 30, expectPeers: null, maxLossPct: 5,
      membershipIntervalS: 260, membershipIntervalSource: 'default', assumeSynced: false },
    interfaces: [{ name: 'eth0', index: 2, addresses: [], joined: true, sent: 60 }],
    peers: peerIds.map((p) => ({ id: p, hostname: p.slice(0, 5), interfaces: ['eth0'], heardOn: ['eth0'], received: 60, expected: 60,
      worstLossPct: 0, status: 'pass', reasons: [] })),
    cells, queries: [], verdict: { pass: true, peersHeard: peerIds.length, reasons: [] }, findings: [],
  };
}

test('past the caps: every pair judged and counted, failing ones listed first, the rest counted', () => {
  // 260 hosts of one interface: 67 340 ordered pairs and cells, past both caps (65 536).
  const n = 260;
  const m = new MeshMerger();
  for (let i = 0; i < n; i++) {
    const cells: MeshCell[] = [];
    const peers: string[] = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      if (i === 7 && j === 250) continue; // h0007 never hears h0250
      peers.push(idOf(j));
      cells.push(cell(idOf(j), i === 200 && j === 3 ? 50 : 0)); // h0003 -> h0200 loses half
    }
    m.add(`${idOf(i)}.json`, doc(idOf(i), cells, peers));
  }
  const rep = m.finish();
  const total = n * (n - 1);
  assert.equal(rep.verdict.pairs, total);
  assert.equal(rep.verdict.failedPairs, 2);
  assert.equal(rep.pairs.length, PAIR_CAP);
  assert.equal(rep.omitted.pairs, total - PAIR_CAP);
  const failing = rep.pairs.filter((p) => p.status === 'fail').map((p) => `${p.from} -> ${p.to}`);
  assert.deepEqual(failing, [`${idOf(3)} -> ${idOf(200)}`, `${idOf(250)} -> ${idOf(7)}`], 'both listed, in matrix order');
  assert.deepEqual(rep.verdict.reasons,
    ['h0003 -> h0200: eth0 -> eth0 lost 50% (more than 5%)', 'h0250 -> h0007: h0007 never heard h0250']);
  // Matrix order: sender by sender, receivers in order.
  const order = rep.pairs.map((p) => `${p.from} ${p.to}`);
  assert.deepEqual(order, [...order].sort());
  // Cells: 67 339 held; past the cap only the lossy one is listed.
  assert.equal(rep.totalCells, total - 1);
  assert.ok(total - 1 > CELL_CAP);
  assert.deepEqual(rep.cells.map((c) => `${c.from.host} ${c.to.host} ${c.lossPct}`), [`${idOf(3)} ${idOf(200)} 50`]);
  assert.equal(rep.omitted.cells, total - 2);
  assertMatchesSchema('mesh-report.schema.json',
    { schemaVersion: 1, command: 'mesh-report', generatedAt: new Date().toISOString(), ...rep });

  // The renderers say what was left out and stay bounded.
  const lines: string[] = [];
  renderMeshReport(
    rep,
    {
      json: false,
      quiet: false,
      verbose: false,
      opts: { color: false },
      line: (l: string) => lines.push(l),
      document: () => undefined,
    } as never,
    new Date(0),
  );
  const text = lines.join('\n');
  assert.match(text, /FAIL: 2 of 67340 host pairs fail/);
  assert.match(text, /too wide for a terminal/);
  assert.match(text, /not listed: 67338 of 67339 cells .*; 1804 of 67340 pairs/);
  const html = meshHtml(rep, new Date(0));
  assert.match(html, /id="matrix-omitted"/);
  assert.doesNotMatch(html, /id="matrix"/);
  assert.ok(html.length < 2_000_000, `${html.length} bytes of HTML`);
  assert.match(html, /and 62340 more pairs \(0 of them failing\)/);
  const junit = meshJUnit(rep, new Date(0));
  assert.equal((junit.match(/<testcase /g) ?? []).length, PAIR_CAP + 1);
  assert.equal((junit.match(/<failure /g) ?? []).length, 2, 'the pairs not listed all pass: their testcase does not fail');
});

test('a document naming more peers than the report tracks: bounded, counted, still judged', () => {
  const peers = Array.from({ length: HOST_CAP + 5000 }, (_, j) => `p${j}-${(j % 65536).toString(16).padStart(4, '0')}`);
  const m = new MeshMerger();
  m.add('victim.json', doc('victim-0001', peers.map((p, j) => cell(p, j === 0 ? 20 : 0)), peers));
  const rep = m.finish();
  assert.equal(rep.hosts.length, HOST_CAP);
  // Each peer past the cap counted once (named in the peer list and in a cell), estimated within 5 %.
  const past = peers.length - (HOST_CAP - 1);
  assert.ok(Math.abs(rep.omitted.hosts - past) <= past * 0.05, `${rep.omitted.hosts} vs ${past}`);
  assert.equal(rep.totalCells, peers.length);
  assert.equal(rep.omitted.cells, peers.length - (HOST_CAP - 1));
  assert.equal(rep.verdict.pairs, HOST_CAP - 1);
  assert.equal(rep.verdict.failedPairs, 1);
  assert.equal(rep.columns.length, 1);
  assert.equal(rep.rows.length, HOST_CAP);
});
