// The man page (issue 21): generated from the CLI's own --help by scripts/gen-man.mjs, rendered
// by man(1) itself without a groff warning, every command in it with the text its --help prints.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { CLI, REPO } from '../helpers/lab.js';

/** Without the overstrikes (x BACKSPACE x) that nroff uses for bold where the pager is cat. */
function plain(s: string): string {
  let out = '';
  for (const ch of s) out = ch === '\b' ? out.slice(0, -1) : out + ch;
  return out;
}

test('mcast-doctor(1) renders with man -l, warning-free, with every command of --help', (t) => {
  if (spawnSync('man', ['--version']).error) {
    if (process.env.CI === 'true') assert.fail('man missing in CI (.ci/run installs man-db)');
    t.skip('man-db not installed');
    return;
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-man-'));
  try {
    const page = path.join(dir, 'mcast-doctor.1');
    const gen = spawnSync(process.execPath, [path.join(REPO, 'scripts/gen-man.mjs'), page], { encoding: 'utf8' });
    assert.equal(gen.status, 0, gen.stderr);
    const r = spawnSync('man', ['--warnings', '-P', 'cat', '-l', page],
      { env: { ...process.env, MANWIDTH: '80', LANG: 'C.UTF-8' }, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '', 'groff warnings');
    const text = plain(r.stdout);
    assert.match(text, /^MCAST-DOCTOR\(1\)/);
    for (const l of text.split('\n')) assert.ok(l.length <= 80, `wider than 80 columns: ${l}`);
    const help = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' }).stdout;
    const commands = [...help.matchAll(/^ {2}mcast-doctor ([a-z][\w-]*)/gm)].map((m) => m[1]!).filter((c) => c !== 'completion');
    assert.ok(commands.length >= 10, help);
    const src = readFileSync(page, 'utf8');
    for (const c of commands) {
      assert.match(src, new RegExp(`^\\.SS ${c}$`, 'm'), `${c} has no section`);
      // Its own description, as --help words it, is in the rendered page.
      const describe =
        new RegExp(`^ {2}mcast-doctor ${c}\\b.*?\\s{2,}(\\S[^\\n]*)`, 'm').exec(help)?.[1]?.split(/\s+/).slice(0, 3).join(' ');
      assert.ok(describe && text.replace(/\s+/g, ' ').includes(describe), `${c}: '${describe}' not in the page`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
