// Benchmark: `mcast-doctor mac-map --collisions 239.0.0.0/8 --json` (16.7 M groups) through the
// built CLI. Prints one line: wall time (median of runs) and peak RSS, against the goal; and a
// second line with the peak RSS of the same command over 239.0.0.0/16 (65 536 groups) beside
// it: memory that does not grow with the range (256× more groups) shows as the same figure.
// Run after `npm run build`: node scripts/bench/mac-map-range.mjs [runs]
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'bin', 'mcast-doctor');
const runs = Number(process.argv[2] ?? 5);
const GOAL_S = 5;
const GOAL_MB = 128;

// The child reports its own peak RSS (getrusage ru_maxrss, kB) on exit.
const hook = path.join(mkdtempSync(path.join(tmpdir(), 'mcd-bench-')), 'maxrss.cjs');
writeFileSync(hook, "process.on('exit', () => process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'));\n");

function once(range = '239.0.0.0/8') {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const args = ['-r', hook, CLI, 'mac-map', '--collisions', range, '--json'];
    execFile(process.execPath, args, { maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (err) return reject(new Error(`mac-map failed: ${stderr}`));
      const doc = JSON.parse(stdout);
      // The answers are known: over /8 every one of the 2^23 MACs is shared by exactly 2 groups;
      // a /16 maps to 65 536 distinct MACs.
      const [total, shared] = range.endsWith('/8') ? [2 ** 24, 2 ** 23] : [2 ** 16, 0];
      if (doc.report.groups.total !== total || doc.report.macs.shared !== shared) {
        reject(new Error(`wrong answer: ${JSON.stringify(doc.report.macs)}`));
      }
      const kb = Number(/MAXRSS (\d+)/.exec(stderr)?.[1] ?? NaN);
      resolve({ ms, kb });
    });
  });
}

// The core alone, in this process: what the analysis costs without Node's start-up.
const { analyseCollisions } = await import(path.join(REPO, 'dist/src/core/mac-map/collisions.js'));
const coreMs = [];
for (let i = 0; i < runs; i++) {
  const t0 = process.hrtime.bigint();
  analyseCollisions({ v4: [[0xef000000, 2 ** 24]], v6: [] }, 10);
  coreMs.push(Number(process.hrtime.bigint() - t0) / 1e6);
}

const results = [];
const small = [];
for (let i = 0; i < runs; i++) {
  results.push(await once());
  small.push(await once('239.0.0.0/16'));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const s = median(results.map((r) => r.ms)) / 1000;
const mb = Math.max(...results.map((r) => r.kb)) / 1024;
const verdict = s <= GOAL_S && mb <= GOAL_MB ? 'met' : 'MISSED';
console.log(`mac-map --collisions 239.0.0.0/8: ${s.toFixed(2)} s median of ${runs} (core ${median(coreMs).toFixed(0)} ms), `
  + `peak RSS ${mb.toFixed(0)} MB (goal: ≤ ${GOAL_S} s, ≤ ${GOAL_MB} MB; ${verdict})`);
const mb16 = Math.max(...small.map((r) => r.kb)) / 1024;
const growth = mb / mb16;
console.log(`mac-map --collisions memory, /8 against /16: ${growth.toFixed(2)}× `
  + `(peak RSS ${mb.toFixed(0)} MB for 16 777 216 groups vs ${mb16.toFixed(0)} MB for 65 536) `
  + `(goal: flat, ≤ 1.10×; ${growth <= 1.1 ? 'met' : 'MISSED'})`);
