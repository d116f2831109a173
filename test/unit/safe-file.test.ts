// The safe writer against what a planter can leave in a directory it shares with root: symlinks at
// the target and at predictable temporary names, a FIFO, a file created during the write, the
// temporary file swapped for a symlink. The victim (a stand-in for /etc/shadow) must never change.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, statSync, symlinkSync, unlinkSync, writeFileSync, lstatSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { checkTarget, createSafeFile, writeSafeFile } from '../../src/platform/safe-file.js';
import { openFileSink } from '../../src/platform/capture/file-sink.js';
import { writeFileAtomic } from '../../src/platform/files.js';
import { EnvironmentError, UsageError } from '../../src/core/errors.js';

const SECRET = 'root:$6$secret:19000:0:99999:7:::\n';

function scene(): { dir: string; victim: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-safe-'));
  const victim = path.join(mkdtempSync(path.join(tmpdir(), 'mcd-victim-')), 'shadow');
  writeFileSync(victim, SECRET, { mode: 0o600 });
  return { dir, victim };
}

function intact(victim: string): void {
  assert.equal(readFileSync(victim, 'utf8'), SECRET, 'the victim was written');
  const st = statSync(victim);
  assert.equal(st.mode & 0o777, 0o600);
  assert.equal(st.uid, process.getuid?.());
}

test('the file is created whole, with the asked mode whatever the umask, and nothing else is left', () => {
  const { dir } = scene();
  const old = process.umask(0o000);
  try {
    const f = path.join(dir, 'cap.pcapng');
    const sink = openFileSink(f, false);
    sink.write(Buffer.from('abc'));
    sink.write(Buffer.from('def'));
    assert.equal(sink.commit(), 6);
    assert.equal(readFileSync(f, 'utf8'), 'abcdef');
    assert.equal(statSync(f).mode & 0o777, 0o600, 'captures: owner only');
    assert.deepEqual(readdirSync(dir), ['cap.pcapng']);
    const r = path.join(dir, 'r.xml');
    writeSafeFile(r, '<x/>', { replace: 'always', mode: 0o640, what: '--junit' });
    assert.equal(statSync(r).mode & 0o777, 0o640, 'reports: never world-readable');
  } finally {
    process.umask(old);
  }
});

test('symlinks planted at every predictable temporary name are never followed', () => {
  const { dir, victim } = scene();
  const f = path.join(dir, 'cap.pcapng');
  // The old names: .NAME.PID.part / .NAME.PID.tmp for the next pids.
  for (let pid = process.pid; pid < process.pid + 50; pid++) {
    symlinkSync(victim, path.join(dir, `.cap.pcapng.${pid}.part`));
    symlinkSync(victim, path.join(dir, `.cap.pcapng.${pid}.tmp`));
  }
  const sink = openFileSink(f, false);
  sink.write(Buffer.from('capture'));
  sink.commit();
  assert.equal(readFileSync(f, 'utf8'), 'capture');
  assert.equal(lstatSync(f).isFile(), true);
  intact(victim);
});

test('a target that is not a regular file is refused, even with --force, and nothing is written', () => {
  const { dir, victim } = scene();
  const link = path.join(dir, 'link.pcapng');
  symlinkSync(victim, link);
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const devLink = path.join(dir, 'stdout');
  symlinkSync('/dev/stdout', devLink);
  for (const [target, kind] of [[link, 'a symbolic link'], [fifo, 'a FIFO'], [devLink, 'a symbolic link'], [dir, 'a directory']] as const) {
    for (const force of [false, true]) {
      assert.throws(() => openFileSink(target, force), (e: unknown) => e instanceof UsageError && e.message.includes(`it is ${kind}`),
        `${target} force=${force}`);
    }
    assert.throws(() => writeSafeFile(target, 'x', { replace: 'always', mode: 0o640, what: '--html' }), UsageError);
  }
  // /dev/null itself: only the check runs (it throws before anything is created in /dev).
  assert.throws(() => checkTarget('/dev/null', { replace: 'always', what: '--write' }), /refusing to replace it, it is a device/);
  intact(victim);
  assert.equal(lstatSync(link).isSymbolicLink(), true);
  assert.deepEqual(readdirSync(dir).sort(), ['fifo', 'link.pcapng', 'stdout']);
});

test('an existing regular file needs --force; with it, a new inode replaces it (the old one is never written)', () => {
  const { dir, victim } = scene();
  const f = path.join(dir, 'cap.pcapng');
  writeFileSync(f, 'old');
  assert.throws(() => openFileSink(f, false), (e: unknown) => e instanceof UsageError && e.code === 'FILE_EXISTS');
  // A hard link to the victim at the target name: replacing must not write through it.
  unlinkSync(f);
  execFileSync('ln', [victim, f]);
  const sink = openFileSink(f, true);
  sink.write(Buffer.from('new'));
  sink.commit();
  assert.equal(readFileSync(f, 'utf8'), 'new');
  intact(victim);
});

test('a target created during the capture is kept without --force; the capture stays beside it', () => {
  const { dir } = scene();
  const f = path.join(dir, 'cap.pcapng');
  const sink = openFileSink(f, false);
  sink.write(Buffer.from('capture'));
  writeFileSync(f, 'someone else');
  assert.throws(() => sink.commit(),
    (e: unknown) => e instanceof UsageError && e.code === 'FILE_EXISTS' && /created by someone else meanwhile/.test(e.message));
  sink.abort(); // the caller's cleanup must not remove the data the message points to
  assert.equal(readFileSync(f, 'utf8'), 'someone else');
  const kept = readdirSync(dir).filter((n) => n !== 'cap.pcapng');
  assert.equal(kept.length, 1);
  assert.equal(readFileSync(path.join(dir, kept[0] ?? ''), 'utf8'), 'capture');
});

test('a target that became a symlink during the capture is refused, even with --force', () => {
  const { dir, victim } = scene();
  const f = path.join(dir, 'cap.pcapng');
  const sink = openFileSink(f, true);
  sink.write(Buffer.from('capture'));
  symlinkSync(victim, f);
  assert.throws(() => sink.commit(), /became a symbolic link meanwhile/);
  intact(victim);
});

test('a temporary file swapped for a symlink is not renamed into place', () => {
  const { dir, victim } = scene();
  const f = path.join(dir, 'cap.pcapng');
  const sink = createSafeFile(f, { replace: 'always', mode: 0o600, what: '--write' });
  sink.write(Buffer.from('capture'));
  const tmp = readdirSync(dir).find((n) => n.endsWith('.part'));
  assert.ok(tmp);
  assert.doesNotMatch(tmp, new RegExp(`\\.${process.pid}\\.`), 'the name does not carry the pid');
  unlinkSync(path.join(dir, tmp));
  symlinkSync(victim, path.join(dir, tmp));
  assert.throws(() => sink.commit(),
    (e: unknown) => e instanceof EnvironmentError && /removed or replaced by someone else/.test(e.message));
  sink.abort();
  assert.equal(lstatSync(path.join(dir, tmp)).isSymbolicLink(), true, 'abort removes only the file it created');
  assert.throws(() => lstatSync(f), /ENOENT/);
  intact(victim);
});

test('reports replace a regular file (CI re-runs) and refuse a missing directory with exit 2', async () => {
  const { dir } = scene();
  const f = path.join(dir, 'mesh.html');
  writeFileSync(f, 'old');
  await writeFileAtomic(f, 'new', '--html');
  assert.equal(readFileSync(f, 'utf8'), 'new');
  await assert.rejects(writeFileAtomic(path.join(dir, 'nope', 'x.xml'), 'x', '--junit'),
    (e: unknown) => e instanceof UsageError && /does not exist/.test(e.message));
});
