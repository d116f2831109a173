// Benchmark: start-up of `mcast-doctor mac-map 239.1.2.3` against `node -e 0` (goal ≤ 2.0×).
// Runs are interleaved so that load on the machine hits both alike; medians are compared.
// When the goal is missed the breakdown says what dominates: yargs alone, the CLI without a
// command (--version), and the command.  Run after `npm run build`.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLI = path.join(REPO, 'bin', 'mcast-doctor');
const runs = Number(process.argv[2] ?? 15);
const GOAL = 2.0;

const cases = {
  'node -e 0': ['-e', '0'],
  'import yargs': ['--input-type=module', '-e', "import 'yargs'; import 'yargs/helpers';"],
  'mcast-doctor --version': [CLI, '--version'],
  'mcast-doctor mac-map 239.1.2.3': [CLI, 'mac-map', '239.1.2.3'],
};

function time(args) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    execFile(process.execPath, args, { cwd: REPO }, (err, _out, stderr) => {
      if (err) return reject(new Error(`${args.join(' ')}: ${stderr}`));
      resolve(Number(process.hrtime.bigint() - t0) / 1e6);
    });
  });
}

const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
for (let i = 0; i < runs; i++) for (const [k, a] of Object.entries(cases)) samples[k].push(await time(a));
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const m = Object.fromEntries(Object.entries(samples).map(([k, xs]) => [k, median(xs)]));
const ratio = m['mcast-doctor mac-map 239.1.2.3'] / m['node -e 0'];
const verdict = ratio <= GOAL ? 'met' : 'MISSED';
console.log(`mac-map start-up: ${ratio.toFixed(2)}× node -e 0 (${m['mcast-doctor mac-map 239.1.2.3'].toFixed(0)} ms vs ${m['node -e 0'].toFixed(0)} ms, medians of ${runs}) (goal: ≤ ${GOAL}×; ${verdict})`);
const base = m['node -e 0'];
console.log(`  breakdown over node -e 0: yargs import +${(m['import yargs'] - base).toFixed(0)} ms, CLI without a command +${(m['mcast-doctor --version'] - base).toFixed(0)} ms, mac-map 239.1.2.3 +${(m['mcast-doctor mac-map 239.1.2.3'] - base).toFixed(0)} ms`);
