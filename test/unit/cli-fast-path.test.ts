// Start-up fast path (issue 9): the CLI builds its parser with only the named command. These
// tests keep the one lazy registry in step with what each command module declares, check which words
// take the fast path, and that the answers are the same either way.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { entryNamed, loadAll, loaderFor, registry } from '../../src/commands/registry.js';
import { CLI } from '../helpers/lab.js';

const names = (c: { command?: unknown; aliases?: unknown }): string[] =>
  [c.command, c.aliases].flat().filter((x): x is string => typeof x === 'string').map((s) => s.split(' ')[0]!);

test('each registry line names exactly the command and aliases its module declares, once', async () => {
  const modules = await loadAll();
  registry.forEach((e, i) => assert.deepEqual([...e.names], names(modules[i]!), `src/commands/registry.ts line for ${e.names[0]}`));
  const all = registry.flatMap((e) => e.names);
  assert.equal(new Set(all).size, all.length, 'a name in two registry lines');
});

test('the fast path is taken for a command word, never for help, completion or a flag value', () => {
  assert.equal(loaderFor(['mac-map', '239.1.2.3']), entryNamed('mac-map')!.load);
  assert.equal(loaderFor(['--json', '-q', 'sniff', '239.1.2.3']), entryNamed('sniff')!.load);
  assert.equal(loaderFor(['ifaces']), entryNamed('interfaces')!.load);
  for (const args of [[], ['--help'], ['mac-map', '--help'], ['mac-map', '-h'], ['completion'], ['--version'], ['mac-mapp'],
    ['--iface', 'doctor'], ['--exclude-iface', 'sniff', 'doctor']]) {
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
