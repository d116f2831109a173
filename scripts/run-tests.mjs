#!/usr/bin/env node
// `npm test`: unit tests, then lab tests two files at a time, then the lab files that flood or
// time their own sending alone. Lab files only wait on timers and namespaces for most of their
// run (CI's 2 cores idle), so two at a time halves the suite; a file that floods the machine
// (spoofed-source storms, full-speed sends, kfree_skb tracing under load) would skew the timing of
// whatever ran beside it, so those run one by one at the end. Every phase runs; the exit code is
// the first failing phase's.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';

// querier-check: its snooping-bridge scenes time a stream against a 3 s membership interval.
const SOLO = new Set(['storm', 'querier-flood', 'send-all', 'trace', 'querier-check'].map((n) => `${n}.lab.test.js`));
const labDir = path.join('dist', 'test', 'lab');
const labFiles = readdirSync(labDir).filter((f) => f.endsWith('.lab.test.js')).sort();
const paired = labFiles.filter((f) => !SOLO.has(f)).map((f) => path.join(labDir, f));
const solo = labFiles.filter((f) => SOLO.has(f)).map((f) => path.join(labDir, f));
const only = process.argv[2]; // 'unit' | 'lab' | undefined (both)

const phases = [];
if (only !== 'lab') phases.push(['unit tests', ['--test', path.join('dist', 'test', 'unit') + path.sep]]);
if (only !== 'unit') {
  phases.push(['lab tests, two files at a time', ['--test', '--test-concurrency=2', ...paired]]);
  phases.push(['lab tests that load the machine, one at a time', ['--test', '--test-concurrency=1', ...solo]]);
}

let status = 0;
for (const [name, args] of phases) {
  const started = Date.now();
  console.log(`== ${name}`);
  const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
  const code = r.status ?? 1;
  console.log(`== ${name}: exit ${code} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  if (code !== 0 && status === 0) status = code;
}
process.exit(status);
