// Start-up fast path (issue 9): the CLI builds its parser with only the named command. These
// tests keep the lazy table of loaders in step with the full command list, check which words
// take the fast path, and that the answers are the same either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { commands } from '../../src/commands/index.js';
import { commandLoaders, loaderFor } from '../../src/commands/loaders.js';
import { CLI } from '../helpers/lab.js';

const names = (c: { command?: unknown; aliases?: unknown }): string[] =>
  [c.command, c.aliases].flat().filter((x): x is string => typeof x === 'string').map((s) => s.split(' ')[0]!);

test('every command and alias has a loader that yields the same module, and no loader is extra', async () => {
  const all = commands.flatMap((c) => names(c).map((n) => [n, c] as const));
  assert.deepEqual(all.map(([n]) => n).sort(), Object.keys(commandLoaders).sort(), 'a command in src/commands/index.ts needs its line in src/commands/loaders.ts (start-up fast path)');
  for (const [n, c] of all) assert.equal((await commandLoaders[n]!()).default, c, n);
});

test('the fast path is taken for a command word, never for help, completion or a flag value', () => {
  assert.equal(loaderFor(['mac-map', '239.1.2.3']), commandLoaders['mac-map']);
  assert.equal(loaderFor(['--json', '-q', 'sniff', '239.1.2.3']), commandLoaders.sniff);
  assert.equal(loaderFor(['ifaces']), commandLoaders.ifaces);
  for (const args of [[], ['--help'], ['mac-map', '--help'], ['mac-map', '-h'], ['completion'], ['--version'], ['mac-mapp'], ['--iface', 'doctor'], ['--exclude-iface', 'sniff', 'doctor']]) {
    assert.equal(loaderFor(args), undefined, args.join(' '));
  }
});

test('same output and exit code on the fast path and the full parser', () => {
  const run = (...a: string[]) => spawnSync(process.execPath, [CLI, ...a], { encoding: 'utf8', timeout: 30_000 });
  // `--iface lo mac-map` forces the full parser (the word after --iface is not trusted as a command).
  const fast = run('mac-map', '--iface', 'lo', '239.1.2.3', 'ff02::fb', '--json');
  const full = run('--iface', 'lo', 'mac-map', '239.1.2.3', 'ff02::fb', '--json');
  assert.equal(fast.status, 0, fast.stderr);
  assert.equal(fast.stdout, full.stdout);
  const badFast = run('mac-map', '--nope', '239.1.2.3');
  const badFull = run('--iface', 'lo', 'mac-map', '--nope', '239.1.2.3');
  assert.equal(badFast.status, 2);
  assert.equal(badFast.status, badFull.status);
  assert.equal(badFast.stderr, badFull.stderr);
});
