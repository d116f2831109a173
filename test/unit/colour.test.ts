// Colour through chalk (issue 21): its level detection decides, NO_COLOR and --color/--no-color on
// top of it, and chalk is not loaded where its answer can only be 0 (render/colour.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { Chalk } from 'chalk';
import { chalkMightColour } from '../../src/render/colour.js';
import { makeStyle, useColour } from '../../src/render/style.js';
import { CLI, REPO } from '../helpers/lab.js';

const ESC = '\u001B[';

/** The environment without any colour setting of the shell that runs the tests. */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const k of ['NO_COLOR', 'FORCE_COLOR', 'TERM', 'COLORTERM', 'CI', 'TF_BUILD', 'AGENT_NAME', 'TERM_PROGRAM', 'TEAMCITY_VERSION',
    'GITHUB_ACTIONS']) delete env[k];
  return { ...env, ...extra };
}

test('the shortcut that skips loading chalk never disagrees with chalk on a pipe', () => {
  const envs: Record<string, string>[] = [
    {}, { TERM: 'xterm-256color' }, { COLORTERM: 'truecolor' }, { CI: '1', GITHUB_ACTIONS: '1' }, { TERM: 'dumb' },
    { TERM_PROGRAM: 'iTerm.app', TERM_PROGRAM_VERSION: '3.4' }, { TEAMCITY_VERSION: '9.1.0' }, { TERM: 'xterm-kitty' },
    { FORCE_COLOR: '1' }, { FORCE_COLOR: '3' }, { FORCE_COLOR: '' }, { TF_BUILD: '1', AGENT_NAME: 'a' },
  ];
  for (const extra of envs) {
    // The child's stdout is a pipe, as for `mcast-doctor ... | less`.
    const script = "import { supportsColor } from 'chalk'; process.stdout.write(String(supportsColor ? supportsColor.level : 0))";
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: REPO, env: cleanEnv(extra), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const chalkLevel = Number(r.stdout);
    if (!chalkMightColour(false, extra, undefined)) assert.equal(chalkLevel, 0,
      `${JSON.stringify(extra)}: chalk says ${chalkLevel}, the shortcut says 0`);
    else assert.ok(chalkLevel > 0, `${JSON.stringify(extra)}: the shortcut loads chalk where it colours`);
  }
});

const run = (args: string[], extra: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { env: cleanEnv(extra), encoding: 'utf8', timeout: 30_000 });

test('on a pipe: FORCE_COLOR colours, NO_COLOR does not, the command line beats both, JSON never', () => {
  const cases: [string[], Record<string, string>, boolean][] = [
    [[], {}, false],
    [[], { FORCE_COLOR: '1' }, true],
    [[], { FORCE_COLOR: '0' }, false],
    [[], { NO_COLOR: '1' }, false],
    [['--color'], {}, true],
    [['--color'], { NO_COLOR: '1' }, true],
    [['--color'], { FORCE_COLOR: '0' }, true],
    [[], { NO_COLOR: '1', FORCE_COLOR: '1' }, true],
    [['--no-color'], { FORCE_COLOR: '1' }, false],
    [['--json'], { FORCE_COLOR: '1' }, false],
  ];
  for (const [flags, env, coloured] of cases) {
    const r = run(['mac-map', '239.1.2.3', ...flags], env);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.includes(ESC), coloured, `${flags.join(' ')} ${JSON.stringify(env)}:\n${r.stdout}`);
  }
});

test('on a terminal: coloured, except with TERM=dumb (script(1) gives the command a pseudo-terminal)', () => {
  for (const [term, coloured] of [['xterm', true], ['dumb', false]] as const) {
    const cmd = `${process.execPath} ${CLI} mac-map 239.1.2.3`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { env: cleanEnv({ TERM: term }), encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /01:00:5e:01:02:03/);
    assert.equal(r.stdout.includes(ESC), coloured, `TERM=${term}:\n${JSON.stringify(r.stdout)}`);
  }
});

test('styles are chalk\'s at the level chosen, plain text with colour off', async () => {
  await useColour(1);
  const c = new Chalk({ level: 1 });
  const s = makeStyle(true);
  const plain = makeStyle(false);
  for (const x of ['', 'x', 'a\nb', `pre ${c.red('in')} post`]) {
    assert.equal(s.bold(x), c.bold(x));
    assert.equal(s.ok(x), c.green(x));
    assert.equal(s.severity('error', x), c.red.bold(x));
    assert.equal(s.severity('warning', x), c.yellow(x));
    assert.equal(s.severity('info', x), c.cyan(x));
    assert.equal(plain.severity('error', x), x);
    assert.equal(plain.bold(x), x);
  }
});
