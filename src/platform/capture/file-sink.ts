// The capture file on disk: written to a temporary name next to the target and renamed into
// place once complete (rename(2) is atomic within a directory), so a reader never sees half a
// file and an existing file is replaced only when the new one is whole. Writes are synchronous
// batches (1 MiB from the encoder): at Ctrl-C or SIGTERM everything handed over is on disk.
import { closeSync, existsSync, fsyncSync, openSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../../core/errors.js';
import { errnoOf } from '../../core/errors.js';

export interface FileSink {
  readonly path: string;
  write(chunk: Buffer): void;
  /** Flushes to disk and renames into place; returns the final size in bytes. */
  commit(): number;
  /** Removes the temporary file (after an error). */
  abort(): void;
}

export function openFileSink(target: string, force: boolean): FileSink {
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
  } catch (e) {
    throw new UsageError('BAD_WRITE', `cannot write in ${dir} (${errnoOf(e) ?? String(e)})`);
  }
  let open = true;
  let size = 0;
  return {
    path: full,
    write(chunk: Buffer): void {
      let off = 0;
      while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off);
      size += chunk.length;
    },
    commit(): number {
      if (open) {
        fsyncSync(fd);
        closeSync(fd);
        open = false;
        renameSync(tmp, full);
      }
      return size;
    },
    abort(): void {
      if (open) { closeSync(fd); open = false; }
      rmSync(tmp, { force: true });
    },
  };
}
