// The one way this tool writes a file (captures, HTML and JUnit reports). It often runs as root, in
// directories other users can write (with --user that is the required layout), so:
// - the temporary file has an unpredictable name and is created O_CREAT|O_EXCL|O_NOFOLLOW: a
//   symlink or file planted for the name makes the open fail instead of being followed (the old
//   `.NAME.PID.part` let a planter point root at /etc/shadow);
// - mode and owner are set on the descriptor (fchmod/fchown), never by path;
// - the target is only ever replaced by renaming a whole file over it: root never opens, truncates
//   or writes an existing inode, and never chowns one;
// - a target that is not a regular file (/dev/null, a symlink such as /dev/stdout, a FIFO) is
//   refused, with or without --force: rename would replace the device node or the link itself;
// - without permission to replace (`replace: 'never'`), the file goes into place with link(2),
//   which fails if the name exists: a target created meanwhile (during a capture) is kept.
// See docs/security.md.
import { randomBytes } from 'node:crypto';
import {
  closeSync, constants, fchmodSync, fchownSync, fstatSync, fsyncSync, linkSync, lstatSync, openSync, renameSync,
  rmSync, statSync, unlinkSync, writeSync, type Stats,
} from 'node:fs';
import path from 'node:path';
import { EnvironmentError, UsageError, errnoOf } from '../core/errors.js';

export interface SafeFileOptions {
  /** 'never': an existing target is an error (and one created meanwhile is kept); 'always': a regular file is replaced. */
  replace: 'never' | 'always';
  /** Final mode, set on the descriptor whatever the umask. Captures 0600, reports 0640: never world-readable. */
  mode: number;
  /** The --user the file is handed to (chown on the descriptor, before any byte is written). */
  owner?: { uid: number; gid: number } | undefined;
  /** The option that named the file, for messages (`--write`, `--html`). */
  what: string;
  /** Hint added to a "file exists" error. */
  forceHint?: string;
}

export interface SafeFile {
  readonly path: string;
  write(chunk: Uint8Array): void;
  /** fsync, close, put into place; returns the size in bytes. Idempotent. */
  commit(): number;
  /** Closes and removes the temporary file (after an error). */
  abort(): void;
}

const TMP_TRIES = 8;

function kindOf(st: Stats): string {
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.isDirectory()) return 'a directory';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function lstatOrUndefined(p: string): Stats | undefined {
  try { return lstatSync(p); } catch (e) {
    if (errnoOf(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** Exit 3: the disk or the directory stops the write (read-only, permission, full). */
function diskError(target: string, dir: string, e: unknown, doing: string): EnvironmentError {
  const errno = errnoOf(e);
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is used up', EROFS: 'the file system is read-only',
    EACCES: 'permission denied', EPERM: 'operation not permitted', EIO: 'an I/O error',
  };
  const reason = (errno && why[errno]) ?? (errno ?? String(e));
  return new EnvironmentError('WRITE_FAILED', `cannot ${doing} ${target}: ${reason} in ${dir}; nothing was saved`,
    errno ? { errno } : {}, { cause: e });
}

/**
 * Checks the target as it is now: exit 2 when it cannot or may not be replaced. Done before a
 * capture starts (so nobody captures for an hour to learn the name was wrong), and again at commit.
 */
export function checkTarget(target: string, opts: Pick<SafeFileOptions, 'replace' | 'what' | 'forceHint'>): void {
  const full = path.resolve(target);
  const dir = path.dirname(full);
  let dst: Stats;
  try { dst = statSync(dir); } catch { throw new UsageError('BAD_WRITE', `cannot write ${target}: directory ${dir} does not exist`); }
  if (!dst.isDirectory()) throw new UsageError('BAD_WRITE', `cannot write ${target}: ${dir} is not a directory`);
  const st = lstatOrUndefined(full);
  if (!st) return;
  if (!st.isFile()) {
    throw new UsageError('BAD_WRITE',
      `${opts.what} ${target}: refusing to replace it, it is ${kindOf(st)}; name a regular file (--force does not change this)`);
  }
  if (opts.replace === 'never') throw new UsageError('FILE_EXISTS', `${target} exists; ${opts.forceHint ?? 'remove it first'}`);
}

/** Creates the temporary file beside the target; the caller writes and then commits or aborts. */
export function createSafeFile(target: string, opts: SafeFileOptions): SafeFile {
  checkTarget(target, opts);
  const full = path.resolve(target);
  const { fd, tmp } = openTemporary(target, full);
  try {
    // On the descriptor, before any byte is written: never by path (a path can be swapped).
    if (opts.owner) fchownSync(fd, opts.owner.uid, opts.owner.gid);
    fchmodSync(fd, opts.mode);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw diskError(target, path.dirname(full), e, 'create');
  }
  return new TemporaryFile(target, full, fd, tmp, opts);
}

/** A new file beside the target under an unguessable name, created exclusively (never a planted one). */
function openTemporary(target: string, full: string): { fd: number; tmp: string } {
  const dir = path.dirname(full);
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW; // libuv adds O_CLOEXEC itself
  for (let i = 0; ; i++) {
    // 96 random bits: a planter cannot guess the name; EEXIST (a planted entry, or a collision) tries another.
    const tmp = path.join(dir, `.${path.basename(full)}.${randomBytes(12).toString('base64url')}.part`);
    try {
      return { fd: openSync(tmp, flags, 0o600), tmp };
    } catch (e) {
      if (errnoOf(e) === 'EEXIST' && i < TMP_TRIES) continue;
      throw diskError(target, dir, e, 'create');
    }
  }
}

/**
 * Puts the finished temporary file at the target's name: rename over a regular file when
 * replacing is allowed, else link(2), which fails if the name exists (whatever it is) by now.
 */
function placeFile(tmp: string, full: string, made: Stats, target: string, opts: SafeFileOptions): void {
  // The entry at the temporary name must still be the file we created: one swapped for a symlink
  // would otherwise be renamed into place, and whoever reads the "capture" reads the link's target.
  const now = lstatOrUndefined(tmp);
  if (!now || now.dev !== made.dev || now.ino !== made.ino) {
    throw new EnvironmentError('WRITE_FAILED',
      `cannot complete ${target}: its temporary file ${tmp} was removed or replaced by someone else; nothing was saved`);
  }
  const st = lstatOrUndefined(full);
  if (st && !st.isFile()) {
    throw new UsageError('BAD_WRITE',
      `${opts.what} ${target}: refusing to replace it, it became ${kindOf(st)} meanwhile; the data is kept in ${tmp}`);
  }
  if (opts.replace === 'always') { renameSync(tmp, full); return; }
  try {
    linkSync(tmp, full); // fails with EEXIST if the name exists now, whatever it is
  } catch (e) {
    if (errnoOf(e) === 'EEXIST') {
      throw new UsageError('FILE_EXISTS', `${target} was created by someone else meanwhile and is kept; ` +
        `the data is in ${tmp}${opts.forceHint ? ` (${opts.forceHint})` : ''}`);
    }
    throw e;
  }
  unlinkSync(tmp);
}

/** The open temporary file: written, then committed into place or aborted. */
class TemporaryFile implements SafeFile {
  readonly path: string;
  private readonly dir: string;
  /** What we created, to recognise it at commit and abort (dev, ino). */
  private readonly made: Stats;
  private open = true;
  private done = false;
  private size = 0;

  constructor(
    private readonly target: string,
    full: string,
    private readonly fd: number,
    private readonly tmp: string,
    private readonly opts: SafeFileOptions,
  ) {
    this.path = full;
    this.dir = path.dirname(full);
    this.made = fstatSync(fd);
  }

  write(chunk: Uint8Array): void {
    let off = 0;
    try {
      while (off < chunk.length) off += writeSync(this.fd, chunk, off, chunk.length - off);
    } catch (e) {
      throw diskError(this.target, this.dir, e, 'write');
    }
    this.size += chunk.length;
  }

  commit(): number {
    if (this.done) return this.size;
    // fsync before putting it into place: a full disk or an I/O error shows here (delayed
    // allocation), and then the target is never replaced by a file that is not whole.
    try {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.open = false;
    } catch (e) {
      this.closeQuietly();
      rmSync(this.tmp, { force: true });
      throw diskError(this.target, this.dir, e, 'complete');
    }
    try {
      placeFile(this.tmp, this.path, this.made, this.target, this.opts);
    } catch (e) {
      if (e instanceof UsageError || e instanceof EnvironmentError) {
        this.done = true; // the data stays in tmp, as the message says (or tmp is no longer ours): abort leaves it
        throw e;
      }
      try { rmSync(this.tmp, { force: true }); } catch { /* no right to remove it either: the error says why */ }
      throw diskError(this.target, this.dir, e, 'complete');
    }
    this.done = true;
    return this.size;
  }

  abort(): void {
    this.closeQuietly();
    if (this.done) return;
    // Never masks the error that brought us here (a directory we may not write after --user).
    try {
      const now = lstatOrUndefined(this.tmp);
      if (now && now.dev === this.made.dev && now.ino === this.made.ino) unlinkSync(this.tmp);
    } catch { /* nothing more to do */ }
  }

  private closeQuietly(): void {
    if (this.open) { try { closeSync(this.fd); } catch { /* on the way out of an error */ } this.open = false; }
  }
}

/** A whole file at once (reports): temporary file, then into place, as createSafeFile. */
export function writeSafeFile(target: string, data: string | Uint8Array, opts: SafeFileOptions): void {
  const f = createSafeFile(target, opts);
  try {
    f.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    f.commit();
  } catch (e) {
    f.abort();
    throw e;
  }
}
