// Benchmark: start-up of `mcast-doctor mac-map 239.1.2.3` against `node -e 0` (goal ≤ 2.0×).
// Runs are interleaved so that load on the machine hits both alike; medians are compared.
// Wall time is the goal; CPU time (user+sys of the child, from getrusage via /usr/bin/time when
// present) is printed beside it because on a shared, loaded machine it is the steadier figure.
// The breakdown says what dominates: yargs alone, the CLI without a command, and the command.
// Run after `npm run build`: node scripts/bench/mac-map-startup.mjs [runs]
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'bin', 'mcast-doctor');
const runs = Number(process.argv[2] ?? 15);
const GOAL = 2.0;
const TIME = existsSync('/usr/bin/time') ? '/usr/bin/time' : undefined;

const cases = {
  'node -e 0': ['-e', '0'],
  'require yargs': ['-e', "require('yargs'); require('yargs/helpers')"],
  'mcast-doctor --version': [CLI, '--version'],
  'mcast-doctor mac-map 239.1.2.3': [CLI, 'mac-map', '239.1.2.3'],
};

function time(args) {
  return new Promise((resolve, reject) => {
    const [cmd, argv] = TIME ? [TIME, ['-f', 'CPU %U %S', process.execPath, ...args]] : [process.execPath, args];
    const t0 = process.hrtime.bigint();
    execFile(cmd, argv, { cwd: REPO }, (err, _out, stderr) => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      if (err) return reject(new Error(`${args.join(' ')}: ${stderr}`));
      const m = /CPU ([\d.]+) ([\d.]+)/.exec(stderr);
      resolve({ wall, cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : NaN });
    });
  });
}

const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [k, a] of Object.entries(cases)) samples[k].push(await time(a));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = (k, f) => median(samples[k].map((s) => s[f]));
const CMD = 'mcast-doctor mac-map 239.1.2.3';
const ratio = m(CMD, 'wall') / m('node -e 0', 'wall');
const cpuRatio = m(CMD, 'cpu') / m('node -e 0', 'cpu');
const verdict = ratio <= GOAL ? 'met' : 'MISSED';
console.log(`mac-map start-up: ${ratio.toFixed(2)}× node -e 0 wall `
  + `(${m(CMD, 'wall').toFixed(0)} ms vs ${m('node -e 0', 'wall').toFixed(0)} ms), `
  + `CPU ${Number.isNaN(cpuRatio) ? 'n/a' : `${cpuRatio.toFixed(2)}×`}, medians of ${runs} (goal: ≤ ${GOAL}×; ${verdict})`);
for (const f of ['wall', 'cpu']) {
  const base = m('node -e 0', f);
  console.log(`  ${f} over node -e 0 (${base.toFixed(0)} ms): yargs +${(m('require yargs', f) - base).toFixed(0)} ms, `
    + `CLI without a command +${(m('mcast-doctor --version', f) - base).toFixed(0)} ms, `
    + `mac-map 239.1.2.3 +${(m(CMD, f) - base).toFixed(0)} ms`);
}
