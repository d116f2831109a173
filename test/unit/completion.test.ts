// Shell completion (issue 21): the bash and zsh scripts are run by the real shells against the
// built CLI, as a user's shell would run them on <Tab>.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI } from '../helpers/lab.js';

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', timeout: 30_000 });

/** A PATH on which `mcast-doctor` is the built CLI, as after an install. */
function withPath(): { env: NodeJS.ProcessEnv; done: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-compl-'));
  symlinkSync(CLI, path.join(dir, 'mcast-doctor'));
  symlinkSync(process.execPath, path.join(dir, 'node'));
  return { env: { ...process.env, PATH: `${dir}:${process.env.PATH ?? ''}` }, done: () => rmSync(dir, { recursive: true, force: true }) };
}

const INVALID = ['--4', '--6', '--q', '--v', '--h', '--i', '--j', '--c', '--no-4', '--no-6'];

test('completion bash | zsh print their scripts; another shell is bad usage', () => {
  assert.match(cli('completion', 'bash').stdout, /complete -o bashdefault -o default -F _mcast_doctor_completions mcast-doctor/);
  const zsh = cli('completion', 'zsh');
  assert.equal(zsh.status, 0, zsh.stderr);
  assert.match(zsh.stdout, /^#compdef mcast-doctor\n/);
  const fish = cli('completion', 'fish');
  assert.equal(fish.status, 2);
  assert.match(fish.stderr, /bash, zsh/);
});

test('bash: options without --4/--6/--q/--v, interface names after --iface', () => {
  const { env, done } = withPath();
  try {
    const complete = (...words: string[]): string[] => {
      const script = `source <(mcast-doctor completion bash)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_mcast_doctor_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = spawnSync('bash', ['-c', script], { env, encoding: 'utf8', timeout: 30_000 });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.split('\n').filter(Boolean);
    };
    const opts = complete('mcast-doctor', 'join-all', '-');
    for (const o of ['-4', '-6', '--iface', '-i', '--count', '-c', '--quiet', '-q']) assert.ok(opts.includes(o),
      `${o} in ${opts.join(' ')}`);
    for (const o of INVALID) assert.ok(!opts.includes(o), `${o} offered: ${opts.join(' ')}`);
    const long = complete('mcast-doctor', 'sniff', '--');
    assert.ok(long.includes('--write') && !long.some((w) => !w.startsWith('--')), long.join(' '));
    const ifaces = complete('mcast-doctor', 'join-all', '--iface', '');
    assert.ok(ifaces.includes('lo') && ifaces.includes('any'), ifaces.join(' '));
    assert.deepEqual(complete('mcast-doctor', 'sniff', '-i', 'l'), ['lo']);
    assert.ok(complete('mcast-doctor', '').includes('join-all'));
  } finally {
    done();
  }
});

test('zsh: the script registers with compdef and hands _describe word:description pairs', (t) => {
  if (spawnSync('zsh', ['-c', 'true']).error) {
    if (process.env.CI === 'true') assert.fail('zsh missing in CI (.ci/run installs it)');
    t.skip('zsh not installed');
    return;
  }
  const { env, done } = withPath();
  try {
    // _describe only works inside a real completion; a stand-in prints the array it is handed.
    const script = `autoload -Uz compinit && compinit -u -D
source <(mcast-doctor completion zsh)
print -r -- "registered:$_comps[mcast-doctor]"
_describe() { print -rl -- "\${(@P)2}" }
words=(mcast-doctor join-all -); CURRENT=3; BUFFER='mcast-doctor join-all -'; CURSOR=\${#BUFFER}
_mcast_doctor_completions`;
    const r = spawnSync('zsh', ['-f', '-c', script], { env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n').filter(Boolean);
    assert.equal(lines[0], 'registered:_mcast_doctor_completions');
    assert.ok(lines.includes('-4:IPv4 only'), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('--iface:Only these interfaces')), lines.join('\n'));
    for (const o of INVALID) assert.ok(!lines.some((l) => l.startsWith(`${o}:`)), `${o} offered`);
  } finally {
    done();
  }
});
