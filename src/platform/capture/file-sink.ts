// The capture file on disk: written to a temporary name next to the target and renamed into
// place once complete (rename(2) is atomic within a directory), so a reader never sees half a
// file and an existing file is replaced only when the new one is whole. Writes are synchronous
// batches (1 MiB from the encoder): at Ctrl-C or SIGTERM everything handed over is on disk.
import { closeSync, existsSync, fchownSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { EnvironmentError, UsageError, errnoOf } from '../../core/errors.js';

/**
 * The disk or the path stops the capture file (exit 3, not bad input): read-only file system,
 * no permission, disk or quota full. The temporary file is removed by the caller (abort()).
 */
function diskError(target: string, dir: string, e: unknown, doing: string): EnvironmentError {
  const errno = errnoOf(e);
  const why: Record<string, string> = {
    ENOSPC: 'the disk is full', EDQUOT: 'the disk quota is used up', EROFS: 'the file system is read-only',
    EACCES: 'permission denied', EPERM: 'operation not permitted', EIO: 'an I/O error',
  };
  const reason = (errno && why[errno]) ?? (errno ?? String(e));
  return new EnvironmentError('WRITE_FAILED', `cannot ${doing} ${target}: ${reason} in ${dir}; nothing was saved`,
    { ...(errno ? { errno } : {}), hint: 'free space or choose another --write path' }, { cause: e });
}

export interface FileSink {
  readonly path: string;
  write(chunk: Buffer): void;
  /** Flushes to disk and renames into place; returns the final size in bytes. */
  commit(): number;
  /** Removes the temporary file (after an error). */
  abort(): void;
}

/** `owner`: the --user the process will run as; the file is theirs, as tcpdump -Z leaves it. */
export function openFileSink(target: string, force: boolean, owner?: { uid: number; gid: number }): FileSink {
  const full = path.resolve(target);
  const dir = path.dirname(full);
  if (!existsSync(dir)) throw new UsageError('BAD_WRITE', `cannot write ${target}: directory ${dir} does not exist`);
  if (existsSync(full)) {
    if (statSync(full).isDirectory()) throw new UsageError('BAD_WRITE', `cannot write ${target}: it is a directory`);
    if (!force) throw new UsageError('FILE_EXISTS', `${target} exists; add --force to overwrite it`);
  }
  const tmp = path.join(dir, `.${path.basename(full)}.${process.pid}.part`);
  let fd: number;
  try {
    fd = openSync(tmp, 'w', 0o644);
    if (owner) fchownSync(fd, owner.uid, owner.gid);
  } catch (e) {
    throw diskError(target, dir, e, 'create');
  }
  let open = true;
  let size = 0;
  return {
    path: full,
    write(chunk: Buffer): void {
      let off = 0;
      try {
        while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      } catch (e) {
        throw diskError(target, dir, e, 'write');
      }
      size += chunk.length;
    },
    commit(): number {
      if (open) {
        // fsync before the rename: a full disk or an I/O error shows here (delayed allocation),
        // and then the target is never replaced by a file that is not whole.
        try {
          fsyncSync(fd);
          closeSync(fd);
          open = false;
          renameSync(tmp, full);
        } catch (e) {
          if (open) { try { closeSync(fd); } catch { /* already failing */ } open = false; }
          try { rmSync(tmp, { force: true }); } catch { /* no right to remove it either: the error says why */ }
          throw diskError(target, dir, e, 'complete');
        }
      }
      return size;
    },
    abort(): void {
      if (open) { try { closeSync(fd); } catch { /* on the way out of an error */ } open = false; }
      // Never masks the error that brought us here (a directory we may not write after --user).
      try { rmSync(tmp, { force: true }); } catch { /* nothing more to do */ }
    },
  };
}
