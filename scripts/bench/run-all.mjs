// `npm run bench`: runs every benchmark in this folder one after the other (they share the
// machine, so never in parallel) and prints their one-line results together at the end.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.mjs') && f !== 'run-all.mjs' && !f.startsWith('_'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
const results = [];
for (const f of benches) {
  console.log(`\n== ${f}`);
  const r = spawnSync(process.execPath, [path.join(dir, f)],
    { stdio: ['ignore', 'pipe', 'inherit'], encoding: 'utf8', timeout: 15 * 60_000 });
  process.stdout.write(r.stdout ?? '');
  const lines = (r.stdout ?? '').split('\n').filter((l) => /^[\w .:/+-]+: .+\(.+\)\s*$/.test(l));
  results.push(...(lines.length ? lines : [`${f}: failed (exit ${r.status})`]));
}
console.log('\n== results');
for (const l of results) console.log(l);
