// On a system other than Linux every command that reads the kernel says so in one line and exits
// 3 (DESIGN.md); mac-map and mesh-report, pure computation, still run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const CLI = path.resolve(HERE, '../../../bin/mcast-doctor');
const PRELOAD = path.resolve(HERE, '../helpers/pretend-darwin.js');

const run = (...args: string[]) => spawnSync(process.execPath, ['--import', PRELOAD, CLI, ...args], { encoding: 'utf8', timeout: 20_000 });

test('not Linux: interfaces, rpfilter-audit, querier-check and doctor exit 3 with one line', () => {
  for (const args of [['interfaces'], ['rpfilter-audit'], ['querier-check', '--timeout', '1'],
    ['doctor', '--no-self-test', '--querier-wait', '0']]) {
    const r = run(...args);
    const lines = r.stderr.split('\n').filter(Boolean);
    assert.equal(r.status, 3, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0] ?? '', /^mcast-doctor: .*this system is darwin/);
  }
});

test('not Linux: mac-map still answers', () => {
  const r = run('mac-map', '239.1.2.3', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).results[0].mac, '01:00:5e:01:02:03');
});
