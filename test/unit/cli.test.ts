// The CLI entry as a user meets it: flags that do not swallow positionals, a closed pipe that is
// not a crash, one line for bad usage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { CLI } from '../helpers/lab.js';

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });

test('--iface does not swallow the positionals after it; repeatable and comma-separated', () => {
  const r = cli('mac-map', '--iface', 'lo', '239.1.2.3', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /01:00:5e:01:02:03/);
  const i = cli('interfaces', '--iface', 'lo,lo', '--iface', 'lo', '--json');
  assert.equal(i.status, 0, i.stderr);
  assert.deepEqual(JSON.parse(i.stdout).interfaces.map((x: { name: string }) => x.name), ['lo']);
});

test('a reader that closes the pipe early ends the command quietly, no stack trace', async () => {
  const child = spawn(process.execPath, [CLI, 'mac-map', '--collisions', '239.0.0.0/12', '--limit', '5000', '--json'],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdout.once('data', () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.doesNotMatch(err, /EPIPE|\n\s+at /, err);
  assert.notEqual(code, 4);
});

test('--help and --version work; completion prints a script', () => {
  assert.equal(cli('--help').status, 0);
  assert.match(cli('--version').stdout, /^\d+\.\d+\.\d+/);
  assert.match(cli('completion').stdout, /mcast-doctor/);
});

test('every command has an example in its --help', () => {
  const help = cli('--help').stdout;
  const commands = [...help.matchAll(/^ {2}mcast-doctor (\S+)/gm)].map((m) => m[1]!).filter((c) => c !== 'completion');
  assert.ok(commands.length >= 2, help);
  for (const c of commands) assert.match(cli(c, '--help').stdout, /Examples:/, `${c} --help has no example`);
});

test('--version is the tool\'s own, from any directory: not the cwd\'s package.json, not "unknown"', async () => {
  const { mkdtempSync, writeFileSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const path = await import('node:path');
  const own = (JSON.parse(readFileSync(path.join(path.dirname(CLI), '..', 'package.json'), 'utf8')) as { version: string }).version;
  const other = mkdtempSync(path.join(tmpdir(), 'mcd-version-'));
  try {
    writeFileSync(path.join(other, 'package.json'), JSON.stringify({ name: 'someone-else', version: '9.9.9' }));
    for (const cwd of ['/', other]) {
      const r = spawnSync(process.execPath, [CLI, '--version'], { encoding: 'utf8', timeout: 30_000, cwd });
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stdout.trim(), own, `from ${cwd}`);
    }
  } finally {
    rmSync(other, { recursive: true, force: true });
  }
});
