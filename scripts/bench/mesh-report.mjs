// Benchmark (issue 17): mesh-report's merge of N host documents (2 interfaces each, every host
// hearing every other on both: 4 cells per ordered pair) and its human rendering, at 250, 500 and
// 1000 hosts. The merge is O(hosts^2) for the matrix it draws; the old one was O(hosts^4)
// (100 hosts 21 s, 200 hosts > 300 s). Documents are built in memory (no files, no JSON parse):
// this measures the merge, not the reader. Run after `npm run build`:
//   node scripts/bench/mesh-report-merge.mjs [MAX_HOSTS=1000]
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO, boundTime } from './_lab.mjs';

// 4 million cells in the input objects alone take about 2 GB: run with a heap that holds them
// (mesh-report itself needs the same for 1000 such documents: NODE_OPTIONS=--max-old-space-size).
if (!process.execArgv.some((a) => a.startsWith('--max-old-space-size'))) {
  const r = spawnSync(process.execPath, ['--max-old-space-size=12288', fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const maxHosts = Number(process.argv[2] ?? 1000);
boundTime(600);
const dist = (p) => path.join(REPO, 'dist/src', p);
const { mergeMesh } = await import(dist('core/mesh/merge.js'));
const { renderMeshReport, meshJUnit } = await import(dist('render/mesh-report.js'));

const IFACES = ['eth0', 'eth1'];
function documents(n) {
  const ids = Array.from({ length: n }, (_, i) => `host-${String(i).padStart(4, '0')}-${(i % 65536).toString(16).padStart(4, '0')}`);
  return ids.map((id, i) => {
    const cells = [];
    const peers = [];
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      for (const peerIface of IFACES) {
        for (const iface of IFACES) {
          // One pair in a hundred lossy, so that failing pairs and reasons are exercised too.
          const lossy = (i * 31 + j) % 100 === 0;
          cells.push({ peer: ids[j], peerIface, iface, received: lossy ? 50 : 60, duplicates: 0, reordered: 0, expected: 60, lossPct: lossy ? 16.67 : 0,
            ttl: 1, ttlSource: 'sent', delayMs: null, firstSeenS: 0.1, lastSeenS: 30, state: lossy ? 'loss' : 'ok' });
        }
      }
      peers.push({ id: ids[j], hostname: ids[j].slice(0, 9), interfaces: IFACES, heardOn: IFACES, received: 240, expected: 240, worstLossPct: 0, status: 'pass', reasons: [] });
    }
    return { file: `${id}.json`, doc: {
      schemaVersion: 1, command: 'mesh', host: { id, hostname: id.slice(0, 9) }, startedAt: '2026-01-01T00:00:00Z', elapsedS: 30,
      settings: { group: '239.9.9.9', port: 5000, family: 4, rate: 2, ttl: 1, durationS: 30, expectPeers: null, maxLossPct: 5, membershipIntervalS: 260, membershipIntervalSource: 'default', assumeSynced: false },
      interfaces: IFACES.map((name, k) => ({ name, index: k + 2, addresses: [], joined: true, sent: 60 })),
      peers, cells, queries: [], verdict: { pass: true, peersHeard: n - 1, reasons: [] }, findings: [],
    } };
  });
}

const sink = { json: false, quiet: false, verbose: false, opts: { color: false }, lines: 0, line() { this.lines++; }, document() {} };
const results = [];
for (const n of [250, 500, 1000].filter((x) => x <= maxHosts)) {
  const docs = documents(n);
  const t0 = process.hrtime.bigint();
  const rep = mergeMesh(docs);
  const t1 = process.hrtime.bigint();
  renderMeshReport(rep, sink, new Date(0));
  const t2 = process.hrtime.bigint();
  const junit = meshJUnit(rep, new Date(0));
  const t3 = process.hrtime.bigint();
  const s = (a, b) => Number(b - a) / 1e9;
  results.push({ n, merge: s(t0, t1), render: s(t1, t2), junit: s(t2, t3), cells: rep.cells.length, pairs: rep.pairs.length, failed: rep.verdict.failedPairs, junitMb: junit.length / 1e6 });
  console.log(`  ${n} hosts x ${IFACES.length} interfaces: ${rep.cells.length} cells, ${rep.pairs.length} pairs (${rep.verdict.failedPairs} failing); merge ${s(t0, t1).toFixed(2)} s, human render ${s(t1, t2).toFixed(2)} s, JUnit ${s(t2, t3).toFixed(2)} s (${(junit.length / 1e6).toFixed(0)} MB); heap ${(process.memoryUsage().heapUsed / 1e6).toFixed(0)} MB`);
}
const last = results.at(-1);
const first = results[0];
// O(n^2): doubling the hosts should cost about 4x; O(n^4) would be 16x.
const growth = results.length > 1 ? Math.log(last.merge / first.merge) / Math.log(last.n / first.n) : NaN;
console.log(`mesh-report merge of ${last.n} hosts x ${IFACES.length} interfaces: ${last.merge.toFixed(2)} s (+ render ${last.render.toFixed(2)} s, JUnit ${last.junit.toFixed(2)} s; growth exponent ${growth.toFixed(2)}, O(n^2) = 2) (goal: seconds; ${last.merge + last.render < 10 ? 'met' : 'MISSED'})`);
