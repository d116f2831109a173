// Shared by the benchmarks that compare this tree with an older revision (join-all-recv-path,
// join-all-stats-volume): that revision built once into a temporary folder, kept for the next run.
// Not a benchmark itself (run-all.mjs skips files starting with _).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, symlinkSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** REV (any name git knows) built into /tmp/mcd-bench-ref-SHA12: its folder, its dist and its CLI. */
export function buildReference(rev) {
  const full = execFileSync('git', ['rev-parse', '--verify', `${rev}^{commit}`], { cwd: REPO, encoding: 'utf8' }).trim();
  const dir = path.join(os.tmpdir(), `mcd-bench-ref-${full.slice(0, 12)}`);
  const built = { dir, dist: path.join(dir, 'dist'), cli: path.join(dir, 'bin', 'mcast-doctor') };
  if (existsSync(path.join(dir, 'dist', 'src', 'cli.js'))) return built;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('sh', ['-c', `git -C "$1" archive "$2" | tar -x -C "$3"`, 'sh', REPO, full, dir]);
  symlinkSync(path.join(REPO, 'node_modules'), path.join(dir, 'node_modules'));
  console.log(`  building the reference ${full.slice(0, 12)} in ${dir}`);
  execFileSync(process.execPath, [path.join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'],
    { cwd: dir, stdio: 'inherit' });
  return built;
}
